"""Private keys in a run's output: a `-----BEGIN … PRIVATE KEY-----` block spans many lines.

A one-line pattern sees only the BEGIN line; the key itself is in the lines after it, which look
like any other text. Within one string (an event's data, a JSON-escaped tool result) the block is
cut from BEGIN to END. A log is tailed in batches, a line at a time if the run writes it so, so
`KeyBlocks` follows one file's lines in order and hides every line from a BEGIN line to its END.
A line of key material (a long, mixed-case base64 line) is hidden and opens a block as well, so
the rest of a key is hidden even when its BEGIN line was read before a restart.
"""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"
_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
# BEGIN to its END, or to the end of the text when the END is not in it.
_BLOCK = re.compile(_BEGIN.pattern + r".*?(?:" + _END.pattern + r"|\Z)", re.S)
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_BASE64_LINE = re.compile(r"\s*[A-Za-z0-9+/]+={0,2}\s*")
_ARMOR_HEADER = re.compile(r"[A-Za-z][A-Za-z-]*: ")  # Proc-Type:, DEK-Info:, Comment:, Version:
# Shorter base64 lines are common words and numbers; longer ones with both cases and a digit
# (or `+`, `/`) are key (or certificate) material; hex digests have one case only.
_KEY_LINE_CHARS = 40
_NOT_A_LETTER = re.compile(r"[0-9+/]")
# A block whose END never comes stops hiding lines after this many (a 16 kbit PGP key is ~200).
MAX_BLOCK_LINES = 1000


def redact_key_blocks(text: str) -> str:
    """`text` with every private-key block (or a BEGIN line's rest) replaced by REDACTED."""
    if "PRIVATE KEY" not in text:
        return text
    return _BLOCK.sub(REDACTED, text)


def _is_key_line(line: str) -> bool:
    if len(line) < _KEY_LINE_CHARS or _BASE64_LINE.fullmatch(line) is None:
        return False  # most lines: refused at their first space or bracket
    text = line.strip()
    return (
        len(text) >= _KEY_LINE_CHARS
        and text.lower() != text
        and text.upper() != text
        and _NOT_A_LETTER.search(text) is not None
    )


class KeyBlocks:
    """The lines of one file, in order: which of them belong to a private key."""

    def __init__(self) -> None:
        self._inside = 0  # lines hidden in the open block; 0 when outside one

    def hides(self, line: str) -> bool:
        """Whether `line` (ANSI stripped) is key material to hide whole. A BEGIN line is not
        hidden here (its text before BEGIN is kept; redact_key_blocks cuts the rest)."""
        if self._inside:
            if _END.search(line):
                self._inside = 0
                return True
            text = line.strip()
            if (not text or _BASE64.fullmatch(text) or _ARMOR_HEADER.match(text)) and (
                self._inside < MAX_BLOCK_LINES
            ):
                self._inside += 1
                return True
            self._inside = 0  # the key ended without its END line: back to normal text
        if "PRIVATE KEY" in line:
            begin = _BEGIN.search(line)
            if begin is not None and not _END.search(line, begin.end()):
                self._inside = 1
            return False
        if _is_key_line(line):
            self._inside = 1
            return True
        return False
