"""`loki projects list|add|remove|switch`: through the running dashboard when there is one (so
every open browser sees the change at once), else straight into the database."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import click
import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.cli import server_process as proc
from loki_dashboard.cli.database import in_database
from loki_dashboard.cli.output import fail, settings_or_fail
from loki_dashboard.config import Settings
from loki_dashboard.schemas import projects as schemas
from loki_dashboard.services import projects as service
from loki_dashboard.services.active_project import read_active, write_active


def _server(settings: Settings) -> httpx.Client | None:
    if not proc.healthy(settings):
        return None
    headers = {}
    if settings.token is not None:
        headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
    return httpx.Client(base_url=proc.base_url(settings), timeout=10, headers=headers)


def _answer(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text
        fail(message)
    return response.json() if response.content else None


def _all(settings: Settings) -> list[dict[str, Any]]:
    server = _server(settings)
    if server is not None:
        with server:
            listed: list[dict[str, Any]] = _answer(server.get("/api/projects"))
            return listed

    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        rows = await service.list_all(session)
        return [schemas.Project.model_validate(row).model_dump(mode="json") for row in rows]

    return in_database(settings, work)


def _find(settings: Settings, ref: str) -> dict[str, Any]:
    """A project by id or by folder."""
    candidates = _all(settings)
    path = str(Path(ref).expanduser().resolve()) if not _is_uuid(ref) else None
    for project in candidates:
        if project["id"] == ref or (path is not None and project["path"] == path):
            return project
    fail(f"no project {ref!r}; 'loki projects list' shows them")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@click.group()
def projects() -> None:
    """Register, remove and choose projects (with or without a running dashboard)."""


@projects.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_projects(as_json: bool) -> None:
    """List the registered projects; * marks the active one."""
    settings = settings_or_fail()
    rows = _all(settings)
    active = read_active(settings.home)
    if as_json:
        click.echo(json.dumps([row | {"active": row["id"] == active} for row in rows]))
        return
    table = Table("", "id", "name", "path", "branch")
    for row in rows:
        mark = "*" if row["id"] == active else ""
        table.add_row(mark, row["id"], row["name"], row["path"], row.get("git_branch") or "")
    Console().print(table)


@projects.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Display name (default: the folder's name).")
def add(path: Path, name: str | None) -> None:
    """Register the folder PATH as a project."""
    settings = settings_or_fail()
    body = {"path": str(path.expanduser().resolve()), "name": name}
    server = _server(settings)
    if server is not None:
        with server:
            project = _answer(server.post("/api/projects", json=body))
    else:

        async def work(session: AsyncSession) -> dict[str, Any]:
            created = await service.register(
                session, schemas.ProjectCreate(**body), loki_home=settings.home
            )
            return schemas.Project.model_validate(created).model_dump(mode="json")

        project = in_database(settings, work)
    click.echo(f"added {project['name']} ({project['id']}): {project['path']}")


@projects.command()
@click.argument("ref")
def remove(ref: str) -> None:
    """Unregister a project by id or folder (its files are not touched)."""
    settings = settings_or_fail()
    project = _find(settings, ref)
    server = _server(settings)
    if server is not None:
        with server:
            _answer(server.delete(f"/api/projects/{project['id']}"))
    else:

        async def work(session: AsyncSession) -> None:
            await service.remove(session, uuid.UUID(project["id"]))

        in_database(settings, work)
    if read_active(settings.home) == project["id"]:
        write_active(settings.home, None)
    click.echo(f"removed {project['name']} ({project['id']}); its files are untouched")


@projects.command()
@click.argument("ref")
def switch(ref: str) -> None:
    """Make a project the active one (opened first by the UI, the CLI's default)."""
    settings = settings_or_fail()
    project = _find(settings, ref)
    write_active(settings.home, project["id"])
    click.echo(f"active project: {project['name']} ({project['id']})")
