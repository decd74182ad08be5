"""Log lines of a run: ANSI colours stripped (the raw line kept), secrets redacted, level parsed.

run.sh prints `[INFO] msg`, `[WARN]`, `[ERROR]`, `[STEP]` with colours and no timestamps on its
stdout (a dashboard-started run's output, `logs/background-*.log`); `logs/agent.log` holds the
agent's stream-json lines, where `is_error` marks a failed result or tool call, between the
runner's own `=== ... ===` headers. Those headers carry the only times in the file (`=== Session
started at Sun Dec  6 20:42:51 UTC 2026 ===`, `NEW SESSION - <date>`) and the RARV stage of the
iteration (`=== RARV Phase: VERIFY, Tier: ... ===`). Stream-json lines may be long and carry
keys, so redaction runs on both copies. A private key spans lines: `parse_line` takes the
file's KeyBlocks to hide the lines of one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from loki_dashboard.loki.key_blocks import REDACTED, KeyBlocks, redact_key_blocks

# Longest message kept; a stream-json line can be megabytes.
MAX_LINE_CHARS = 16_384

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# Each pattern starts with its literal prefix, the word boundary checked behind it: a leading
# `\b` kept `re` from searching for the prefix, and redaction cost ~5x more per line.
_SECRETS = [
    re.compile(r"sk-(?<=\bsk-)(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}"),
    re.compile(r"gh(?<=\bgh)[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"github_pat_(?<=\bgithub_pat_)[A-Za-z0-9_]{20,}"),
    re.compile(r"xox(?<=\bxox)[abposr]-[A-Za-z0-9\-]{10,}"),
    re.compile(r"AKIA(?<=\bAKIA)[0-9A-Z]{16}\b"),
    re.compile(r"AIza(?<=\bAIza)[0-9A-Za-z_\-]{30,}"),
    re.compile(r"loki_(?<=\bloki_)[A-Za-z0-9_\-]{32,}"),
    # Password hashes (crypt(3), as in /etc/shadow: `user:$6$salt$hash:…`; bcrypt `$2b$12$…`;
    # argon2, scrypt, pbkdf2): the hash field, up to its `:` or a space.
    re.compile(
        r"\$(?:1|2[abxy]?|5|6|7|y|gy|md5|sha1|argon2(?:id|i|d)|pbkdf2(?:-sha\d+)?|scrypt)"
        r"\$[A-Za-z0-9./$=,+\-]{8,}"
    ),
]
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/\-]{8,}=*")
_ASSIGNED = re.compile(
    r"(?i)\b((?:[a-z_]*_)?(?:api[_-]?key|secret|token|password|passwd)\"?\s*[:=]\s*\"?)"
    r"([^\s\"',;]{6,})"
)
_SECRET_KEY = re.compile(
    r"(?i)(?:[a-z_]*[_-])?(?:api[_-]?key|secret|token|password|passwd|authorization)"
)
# Deeper than this, event data is cut (it is shown, never interpreted, past that).
_MAX_DEPTH = 16
_LEVEL = re.compile(r"^\s*\[(INFO|WARN|WARNING|ERROR|ERR|STEP|DEBUG|OK|SUCCESS)\]", re.I)
_LEVEL_LOOSE = re.compile(r"^\S*\s*(?:\[[^\]]*\]\s*)?(INFO|WARN|WARNING|ERROR|DEBUG)\b")
_LEVELS = {
    "info": "info",
    "ok": "info",
    "success": "info",
    "warn": "warn",
    "warning": "warn",
    "error": "error",
    "err": "error",
    "step": "step",
    "debug": "debug",
}


_ANCHOR = re.compile(
    r"(?:=== Session (?:started|ended) at|NEW SESSION -)\s+"
    r"(?:[A-Z][a-z]{2}\s+)?([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+"
    r"(UTC|GMT)\s+(\d{4})"
)
_RARV = re.compile(r"^=== RARV Phase:\s*([A-Za-z]+)")
_MONTHS = {
    name: number
    for number, name in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)
}


@dataclass(frozen=True)
class LogLine:
    message: str  # plain text, secrets redacted
    raw: str  # colours kept, secrets redacted
    level: str
    at: datetime | None = None  # the time the line itself states (the runner's headers)
    rarv: str | None = None  # the RARV stage a `=== RARV Phase: X ===` header announces


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


# The case-insensitive patterns cannot search for a literal prefix: they run only on lines that
# hold one of these words (a substring test is ~100x cheaper than a regex scan of a long line).
_ASSIGNED_HINTS = ("key", "secret", "token", "passw")


def redact(text: str) -> str:
    text = redact_key_blocks(text)
    for pattern in _SECRETS:
        text = pattern.sub(REDACTED, text)
    lowered = text.lower()
    if "bearer" in lowered:
        text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    if any(hint in lowered for hint in _ASSIGNED_HINTS):
        text = _ASSIGNED.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def redact_data(value: Any, _depth: int = 0) -> Any:
    """`value` (parsed JSON) with secrets redacted in every string, and whole string values
    under keys that name a secret (`{"api_key": "..."}`)."""
    if isinstance(value, str):
        return redact(value)
    if _depth >= _MAX_DEPTH and isinstance(value, (dict, list)):
        return "[TRUNCATED]"
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(item, str) and _SECRET_KEY.fullmatch(str(key))
            else redact_data(item, _depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_data(item, _depth + 1) for item in value]
    return value


def parse_level(plain: str) -> str:
    if plain.startswith("{"):
        return _stream_json_level(plain)
    if plain.startswith("=== "):
        return "step"
    match = _LEVEL.match(plain) or _LEVEL_LOOSE.match(plain)
    return _LEVELS[match.group(1).lower()] if match else "info"


def _stream_json_level(plain: str) -> str:
    """A failed result is an error, a failed tool call a warning; every other line is info.
    Only lines that mention `is_error: true` are parsed (most are long and harmless)."""
    if '"is_error":true' not in plain.replace(" ", ""):
        return "info"
    try:
        value = json.loads(plain)
    except (ValueError, RecursionError):
        return "warn"
    if not isinstance(value, dict):
        return "info"
    if value.get("type") == "result" and value.get("is_error") is True:
        return "error"
    return "warn"


def parse_anchor(plain: str) -> datetime | None:
    """The time a runner header states (`date`'s default format, in UTC only: another zone's
    abbreviation cannot be mapped to an offset)."""
    found = _ANCHOR.search(plain)
    if found is None:
        return None
    month, day, hour, minute, second, _zone, year = found.groups()
    try:
        return datetime(
            int(year), _MONTHS[month], int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except (KeyError, ValueError):
        return None


def parse_line(raw: str, blocks: KeyBlocks | None = None) -> LogLine:
    """One line of a log; `blocks` follows the lines of its file before it (see KeyBlocks)."""
    raw = raw.rstrip("\r\n")[:MAX_LINE_CHARS].replace("\x00", "")
    plain = strip_ansi(raw)
    if blocks is not None and blocks.hides(plain):
        return LogLine(message=REDACTED, raw=REDACTED, level="info")
    stripped = plain.strip()
    at = parse_anchor(stripped) if "at " in stripped or "NEW SESSION" in stripped else None
    rarv = _RARV.match(stripped)
    message = redact(plain)
    return LogLine(
        message=message,
        raw=message if raw == plain else redact(raw),
        level=parse_level(stripped),
        at=at,
        rarv=rarv.group(1).upper() if rarv else None,
    )
