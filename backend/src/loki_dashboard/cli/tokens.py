"""`loki dashboard token generate|list|revoke` (straight into the database; a running server
sees a new or revoked token at once, because it checks the database on every request)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.cli.database import in_database
from loki_dashboard.cli.output import fail, settings_or_fail
from loki_dashboard.schemas.tokens import Token
from loki_dashboard.services import api_tokens


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([dhw])", text.strip())
    if not match:
        fail(f"--expires takes a duration like 30d, 12h or 2w, not {text!r}", code=2)
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount),
            "w": timedelta(weeks=amount)}[unit]  # fmt: skip


@click.group()
def token() -> None:
    """Create, list and revoke API tokens for remote access."""


@token.command()
@click.option("--name", default="cli", help="A label to recognise it by.")
@click.option("--scope", type=click.Choice(["read", "control", "admin"]), default="read",
              help="read < control < admin (default: read)")  # fmt: skip
@click.option("--expires", default=None, help="Lifetime such as 30d, 12h or 2w (default: none)")
def generate(name: str, scope: str, expires: str | None) -> None:
    """Create a token and print it (this once; only its hash is kept)."""
    settings = settings_or_fail()
    lifetime = parse_duration(expires) if expires else None

    async def work(session: AsyncSession) -> str:
        _, value = await api_tokens.create(session, name=name, scope=scope, expires_in=lifetime)
        return value

    click.echo(in_database(settings, work))


@token.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_tokens(as_json: bool) -> None:
    """List tokens (never the tokens themselves)."""
    settings = settings_or_fail()

    async def work(session: AsyncSession) -> list[dict[str, Any]]:
        rows = await api_tokens.list_all(session)
        return [Token.model_validate(row).model_dump(mode="json") for row in rows]

    rows = in_database(settings, work)
    if as_json:
        click.echo(json.dumps(rows))
        return
    table = Table("id", "name", "scope", "created", "last used", "expires", "revoked")
    columns = ("id", "name", "scope", "created_at", "last_used_at", "expires_at", "revoked_at")
    for row in rows:
        table.add_row(*(str(row[column] or "") for column in columns))
    Console().print(table)


@token.command()
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke a token by id; it stops working at once."""
    settings = settings_or_fail()
    try:
        parsed = uuid.UUID(token_id)
    except ValueError:
        fail(f"{token_id!r} is not a token id; 'loki dashboard token list' shows them")

    async def work(session: AsyncSession) -> None:
        await api_tokens.revoke(session, parsed)

    in_database(settings, work)
    click.echo(f"revoked {token_id}")
