"""Plant hostile things where a run's files belong, and run a read that must not hang.

Kinds: a FIFO (opening one for reading blocks until a writer comes), a Unix socket, a link to
/dev/zero (endless), a link to a private key outside the project, a link into another project's
`.loki`, a dangling link and a link loop. Each is something a compromised run can make.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

KINDS = ("fifo", "socket", "dev_zero", "secret_outside", "other_project", "dangling", "loop")
# The body of a fake private key: none of it may ever reach a reader.
KEY_BODY = [
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
    "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo",
    "Qw==",
]
PRIVATE_KEY = "\n".join(
    ["-----BEGIN RSA PRIVATE KEY-----", *KEY_BODY, "-----END RSA PRIVATE KEY-----", ""]
)
SECRET_LINE = "TOP-SECRET-CONTENT"


@contextlib.contextmanager
def unix_socket(path: Path) -> Iterator[None]:
    """A bound Unix socket at `path` (bound at a short name, then moved: a socket address is
    limited to 108 bytes, test paths are longer)."""
    sock = socket.socket(socket.AF_UNIX)
    with tempfile.TemporaryDirectory(prefix="sock") as short:  # the temp folder, as tmp_path
        sock.bind(f"{short}/s")
        os.rename(f"{short}/s", path)
    try:
        yield
    finally:
        sock.close()


def secret_file(root: Path) -> Path:
    """A private key outside every project, readable by its owner only."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "id_rsa"
    path.write_text(f"{SECRET_LINE}\n{PRIVATE_KEY}")
    path.chmod(0o600)
    return path


def plant(path: Path, kind: str, *, outside: Path, stack: contextlib.ExitStack) -> None:
    """Put a hostile `kind` at `path` (its folder is made); `outside` is a folder outside the
    project; `stack` closes what must stay open (a socket)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        stack.enter_context(unix_socket(path))
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    elif kind == "secret_outside":
        path.symlink_to(secret_file(outside / "ssh"))
    elif kind == "other_project":
        other = outside / "other-project" / ".loki" / path.name
        other.parent.mkdir(parents=True, exist_ok=True)
        other.write_text('{"status": "running", "pid": 1}\n')
        path.symlink_to(other)
    elif kind == "dangling":
        path.symlink_to(outside / "nothing-here")
    elif kind == "loop":
        path.symlink_to(path)
    else:
        raise ValueError(kind)


def finishes(call: Callable[..., T], *args: Any, timeout: float = 10.0) -> T:
    """`call(*args)` run in a daemon thread: its result, or a failure when it does not return
    within `timeout` (a read hung on a FIFO would otherwise hang the test run)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call(*args)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AssertionError(f"{getattr(call, '__name__', call)}{args} hung for {timeout} s")
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


def release_fifos(root: Path) -> None:
    """Open every FIFO under `root` for writing, so a reader stuck in it (a failed test) ends."""
    for path in root.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_fifo():
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
