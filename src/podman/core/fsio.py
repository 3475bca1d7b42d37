"""Durable file writes and the workspace lock: the two ways podman keeps files whole."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from podman.core.errors import LockBusy, StorageError

LOCK_FILE = ".podman.lock"
_HINTS = {errno.ENOSPC: "free some space and run the command again",
          errno.EDQUOT: "free some space and run the command again",
          errno.EROFS: "the folder is on a read-only file system; work on a writable copy"}


def write_error(path: Path, exc: OSError) -> StorageError:
    """A failed write as one line naming the file: disk full, read-only, permission."""
    return StorageError(f"{path}: cannot write ({exc.strerror or exc})", _HINTS.get(exc.errno))


def atomic_write(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Temp file in the same folder, fsync, rename: readers see old or new, never half.

    `durable=False` skips the fsync (build output, which a rebuild regenerates): the rename
    still keeps readers from ever seeing half a file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(path, exc) from None
        raise


@contextlib.contextmanager
def workspace_lock(root: Path, timeout: float = 120.0) -> Iterator[None]:
    """An exclusive flock on <root>/.podman.lock; waits up to `timeout` seconds for another run."""
    path = root / LOCK_FILE
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"{path}: another podman process is writing this workspace",
                        "wait for it to finish and try again",
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
