"""Log lines of a run: ANSI colours stripped (the raw line kept), secrets redacted, level parsed.

run.sh prints `[INFO] msg`, `[WARN]`, `[ERROR]`, `[STEP]` with colours and no timestamps; the
agent's stream-json lines may be long and carry keys, so redaction runs on both copies. A
private key spans lines: `parse_line` takes the file's KeyBlocks to hide the lines of one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class LogLine:
    message: str  # plain text, secrets redacted
    raw: str  # colours kept, secrets redacted
    level: str


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def redact(text: str) -> str:
    text = redact_key_blocks(text)
    for pattern in _SECRETS:
        text = pattern.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _ASSIGNED.sub(lambda m: m.group(1) + REDACTED, text)


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
    match = _LEVEL.match(plain) or _LEVEL_LOOSE.match(plain)
    return _LEVELS[match.group(1).lower()] if match else "info"


def parse_line(raw: str, blocks: KeyBlocks | None = None) -> LogLine:
    """One line of a log; `blocks` follows the lines of its file before it (see KeyBlocks)."""
    raw = raw.rstrip("\r\n")[:MAX_LINE_CHARS].replace("\x00", "")
    plain = strip_ansi(raw)
    if blocks is not None and blocks.hides(plain):
        return LogLine(message=REDACTED, raw=REDACTED, level="info")
    return LogLine(message=redact(plain), raw=redact(raw), level=parse_level(plain))
