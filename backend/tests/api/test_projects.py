from __future__ import annotations

from pathlib import Path

import httpx

from tests.fixtures.factories import create_project


class TestRegisterProject:
    async def test_register_defaults_name_to_folder_and_resolves_symlinks(
        self, client: httpx.AsyncClient, project_dir: Path, tmp_path: Path
    ) -> None:
        link = tmp_path / "link-to-project"
        link.symlink_to(project_dir)
        response = await client.post("/api/projects", json={"path": f"{link}/./"})
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "my-project"
        assert body["path"] == str(project_dir.resolve())
        assert body["git_remote"] is None

    async def test_register_reads_git_remote_and_branch(
        self, client: httpx.AsyncClient, project_dir: Path
    ) -> None:
        git = project_dir / ".git"
        git.mkdir()
        (git / "HEAD").write_text("ref: refs/heads/feature/x\n")
        (git / "config").write_text(
            '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@example.com:a/b.git\n'
        )
        body = await create_project(client, project_dir, name="Named")
        assert body["name"] == "Named"
        assert body["git_branch"] == "feature/x"
        assert body["git_remote"] == "git@example.com:a/b.git"

    async def test_missing_path_is_422(self, client: httpx.AsyncClient, tmp_path: Path) -> None:
        response = await client.post("/api/projects", json={"path": str(tmp_path / "nope")})
        assert response.status_code == 422
        assert "no such folder" in response.json()["error"]["message"]

    async def test_file_path_is_422(self, client: httpx.AsyncClient, tmp_path: Path) -> None:
        file = tmp_path / "file.txt"
        file.write_text("x")
        response = await client.post("/api/projects", json={"path": str(file)})
        assert response.status_code == 422
        assert "not a folder" in response.json()["error"]["message"]

    async def test_loki_home_is_422(self, client: httpx.AsyncClient, loki_home: Path) -> None:
        response = await client.post("/api/projects", json={"path": str(loki_home)})
        assert response.status_code == 422
        assert "LOKI_HOME" in response.json()["error"]["message"]

    async def test_relative_path_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/projects", json={"path": "relative/dir"})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "path"

    async def test_duplicate_is_409_with_existing_id(
        self, client: httpx.AsyncClient, project_dir: Path
    ) -> None:
        first = await create_project(client, project_dir)
        response = await client.post("/api/projects", json={"path": str(project_dir) + "/"})
        assert response.status_code == 409
        assert response.json()["error"]["details"] == {"id": first["id"]}

    async def test_missing_body_field_names_the_field(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/projects", json={"name": "x"})
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert {"field": "path", "message": "Field required"} in error["details"]


class TestProjectCrud:
    async def test_list_get_update_delete(self, client: httpx.AsyncClient, tmp_path: Path) -> None:
        a = await create_project(client, tmp_path / "a")
        b = await create_project(client, tmp_path / "b")
        listed = (await client.get("/api/projects")).json()
        assert [p["id"] for p in listed] == [a["id"], b["id"]]

        got = await client.get(f"/api/projects/{a['id']}")
        assert got.json()["path"] == a["path"]

        updated = await client.put(
            f"/api/projects/{a['id']}", json={"name": "Alpha", "config": {"x": 1}}
        )
        assert updated.status_code == 200
        assert updated.json()["name"] == "Alpha"
        assert updated.json()["config"] == {"x": 1}
        assert updated.json()["provider"] == "claude"

        deleted = await client.delete(f"/api/projects/{a['id']}")
        assert deleted.status_code == 204
        assert (tmp_path / "a").is_dir()  # files on disk are never touched
        assert (await client.get(f"/api/projects/{a['id']}")).status_code == 404
        assert [p["id"] for p in (await client.get("/api/projects")).json()] == [b["id"]]

    async def test_unknown_id_is_404_in_envelope(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/projects/00000000-0000-0000-0000-000000000000")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    async def test_null_name_is_refused(self, client: httpx.AsyncClient, project_dir: Path) -> None:
        project = await create_project(client, project_dir)
        response = await client.put(f"/api/projects/{project['id']}", json={"name": None})
        assert response.status_code == 422


class TestStatus:
    async def test_status_counts_projects(
        self, client: httpx.AsyncClient, project_dir: Path, settings_kind: str
    ) -> None:
        await create_project(client, project_dir)
        body = (await client.get("/api/status")).json()
        assert body["projects"] == 1
        assert body["database"] == settings_kind
        assert body["tasks_by_status"]["pending"] == 0

    async def test_health(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/health")).json() == {"status": "ok"}
