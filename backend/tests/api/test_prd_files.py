"""GET /api/projects/{id}/prd-files: the start-session form's PRD picker."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from tests.fixtures.factories import create_project


async def test_lists_markdown_files_likeliest_first_and_skips_what_is_not_the_projects(
    client: httpx.AsyncClient, project_dir: Path
) -> None:
    for rel in (
        "README.md",
        "docs/PRD.md",
        "docs/design/notes.md",
        "a/b/c/d/too-deep.md",
        "node_modules/pkg/README.md",
        ".loki/CONTINUITY.md",
        ".github/ISSUE.md",
        "src/main.py",
    ):
        (project_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (project_dir / rel).write_text("# x\n")
    project = await create_project(client, project_dir)
    response = await client.get(f"/api/projects/{project['id']}/prd-files")
    assert response.status_code == 200, response.text
    assert response.json() == ["docs/PRD.md", "README.md", "docs/design/notes.md"]


async def test_an_unknown_project_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/projects/{uuid.uuid4()}/prd-files")
    assert response.status_code == 404
    assert response.json()["error"]["code"]
