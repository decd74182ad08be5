"""Global imports from `$LOKI_HOME`: projects runs registered themselves, and learnings."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from loki_dashboard.errors import DashboardError
from loki_dashboard.loki.learnings import LEARNING_FILES, LearningRecord, parse_learnings
from loki_dashboard.loki.registry import RegisteredProject, parse_registry
from loki_dashboard.loki.safe_open import open_file
from loki_dashboard.models import Learning, Project, RemovedProject
from loki_dashboard.realtime.events import DomainEvent, take_staged_events
from loki_dashboard.schemas.projects import ProjectCreate
from loki_dashboard.services import projects as project_service
from loki_dashboard.services.learnings import fingerprint
from loki_dashboard.watcher.settled import read_json_settled
from loki_dashboard.watcher.writer import Job

logger = logging.getLogger(__name__)
# The most of one learnings file read (like the largest JSON file a run may write).
MAX_LEARNINGS_BYTES = 64 * 1024 * 1024


def registry_path(home: Path) -> Path:
    return home / "dashboard" / "projects.json"


async def read_registry(home: Path) -> list[RegisteredProject]:
    result = await read_json_settled(registry_path(home))
    if not result.ok:
        return []
    return parse_registry(result.value)


def register_job(entries: list[RegisteredProject], home: Path) -> Job:
    """Register each listed folder that exists, is not registered yet, and was not removed by
    the user (the registry keeps entries after their run ends)."""

    async def apply(session: AsyncSession) -> list[DomainEvent]:
        known = set(await session.scalars(select(Project.path)))
        known |= set(await session.scalars(select(RemovedProject.path)))
        for entry in entries:
            folder = Path(entry.path)
            if entry.path in known or not folder.is_dir():
                continue
            data = ProjectCreate(path=entry.path, name=entry.name or None)
            try:
                async with session.begin_nested():
                    await project_service.register(session, data, loki_home=home)
            except DashboardError as exc:
                logger.info("projects.json entry %s not imported: %s", entry.path, exc.message)
        return take_staged_events(session)

    return apply


def read_learnings(home: Path) -> list[LearningRecord]:
    """Every learning of the three files (blocking). Runs append to them, so they are read as a
    run's files are: regular files only, and at most MAX_LEARNINGS_BYTES of each (the lines past
    it are left for a later version of the file, not read for minutes)."""
    records: list[LearningRecord] = []
    folder = home / "learnings"
    for name, kind in LEARNING_FILES.items():
        try:
            with os.fdopen(open_file(folder / name), "rb") as handle:
                data = handle.read(MAX_LEARNINGS_BYTES)
        except (OSError, ValueError):
            continue
        records.extend(parse_learnings(data.decode("utf-8", "replace"), kind))
    return records


def learnings_job(records: list[LearningRecord]) -> Job:
    """Insert the learnings not stored before, by the fingerprint the API uses too (or the
    one earlier versions of this import stored)."""

    async def apply(session: AsyncSession) -> list[DomainEvent]:
        by_name: dict[str, uuid.UUID | None] = {}
        for project_id, name in await session.execute(select(Project.id, Project.name)):
            by_name[name] = None if name in by_name else project_id  # ambiguous: no link
        for start in range(0, len(records), 500):
            chunk = [
                (fingerprint(r.type, r.category, r.description), _legacy_fingerprint(r), r)
                for r in records[start : start + 500]
            ]
            prints = [key for key, _, _ in chunk] + [old for _, old, _ in chunk]
            seen = set(
                await session.scalars(
                    select(Learning.fingerprint).where(Learning.fingerprint.in_(prints))
                )
            )
            for key, old, record in chunk:
                if key in seen or old in seen:
                    continue
                seen.add(key)
                context = {"project": record.project, "source": "learnings-file"}
                if record.timestamp is not None:
                    context["timestamp"] = record.timestamp.isoformat()
                session.add(
                    Learning(
                        type=record.type,
                        project_id=by_name.get(record.project or ""),
                        category=record.category,
                        description=record.description,
                        context=context,
                        fingerprint=key,
                    )
                )
        return []

    return apply


def _legacy_fingerprint(record: LearningRecord) -> str:
    """What imports stored before they shared the API's rule: matched so that rows already
    imported are not imported a second time."""
    text = f"{record.type}\n{record.description.strip().lower()}"
    return hashlib.sha256(text.encode()).hexdigest()
