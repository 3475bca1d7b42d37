"""Durable file writes and the workspace lock: the two ways podman keeps files whole."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import filecmp
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from podman.core.errors import LockBusy, StorageError

LOCK_FILE = ".podman.lock"
CATALOG_DIR = "feeds"  # the episode files, written only under the workspace lock
_HINTS = {errno.ENOSPC: "free some space and run the command again",
          errno.EDQUOT: "free some space and run the command again",
          errno.EROFS: "the folder is on a read-only file system; work on a writable copy"}


def write_error(path: Path, exc: OSError) -> StorageError:
    """A failed write as one line naming the file: disk full, read-only, permission."""
    return StorageError(f"{path}: cannot write ({exc.strerror or exc})", _HINTS.get(exc.errno))


WORK_DIR = ".podman/tmp"  # scratch space of running commands, git-ignored by .podman/.gitignore
# What a killed run can leave: atomic_write's temp files, partial local uploads (older
# versions named them .upload-XXXXXXXX.part) and work folders under WORK_DIR.
LEGACY_AGE = 3600  # seconds; an older podman still running would be using a younger one
_LEFTOVER = re.compile(r"\A(?:\..+\.[a-z0-9_]{8}\.tmp|\.upload-[a-z0-9_]{8}\.part)\Z")


def locked_temp(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """A new temp file in `folder`, open and flocked: while its writer lives (and holds the
    fd) no sweep removes it; once the writer is killed, the lock is gone and a sweep may.

    Race-free against a concurrent sweep: if one removed the file between its creation and
    our lock, the path no longer names our inode and we simply make another."""
    while True:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks while a sweep holds it, until it has unlinked
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, Path(tmp)
        except FileNotFoundError:
            pass
        os.close(fd)


def temp_beside(path: Path) -> tuple[int, Path]:
    """A locked temp file in `path`'s folder (made if missing) for writing `path` whole;
    a failure is one line naming `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return locked_temp(path.parent, f".{path.name}.", ".tmp")
    except OSError as exc:
        raise write_error(path, exc) from None


def _try_remove(path: Path, also: Path | None = None) -> bool:
    """Remove `path` (and the folder `also`) if no live process holds its lock."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # in use by a running podman
        if also is not None:
            shutil.rmtree(also, ignore_errors=True)
        path.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def sweep(root: Path, *folders: Path) -> int:
    """Remove what killed runs left: work folders under <root>/.podman/tmp and, anywhere below
    `folders`, temp files and partial uploads that no live process holds. Returns the count."""
    return sweep_work(root) + sweep_leftovers(*folders)


def sweep_work(root: Path) -> int:
    """Work folders of killed runs under <root>/.podman/tmp (and older versions' in <root>)."""
    removed = 0
    for legacy in root.glob(".podman-add-*"):  # older versions' scratch folders, in the root
        if legacy.is_dir() and time.time() - legacy.stat().st_mtime > LEGACY_AGE:
            shutil.rmtree(legacy, ignore_errors=True)
            removed += 1
    work = root / WORK_DIR
    if work.is_dir():
        for lock in work.glob("*.lock"):
            removed += _try_remove(lock, lock.with_suffix(""))
    return removed


def sweep_leftovers(*folders: Path) -> int:
    """Temp files and partial uploads below `folders` that no live process holds."""
    removed = 0
    for folder in folders:
        for parent, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in names:
                if _LEFTOVER.match(name):
                    removed += _try_remove(Path(parent, name))
    return removed


@contextlib.contextmanager
def work_dir(root: Path) -> Iterator[Path]:
    """A private scratch folder under <root>/.podman/tmp (git-ignored), removed when the block
    ends; one left by a killed run is removed by the next `sweep`, never one in use."""
    base = root / WORK_DIR
    try:
        base.mkdir(parents=True, exist_ok=True)
        ignore = base.parent / ".gitignore"
        if not ignore.exists():
            atomic_write(ignore, "# podman's scratch space: never committed\n*\n")
        fd, lock = locked_temp(base, "", ".lock")
    except OSError as exc:
        raise write_error(base, exc) from None
    path = lock.with_suffix("")
    try:
        path.mkdir()
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        lock.unlink(missing_ok=True)
        os.close(fd)


def atomic_write(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Temp file in the same folder, fsync, rename: readers see old or new, never half.

    `durable=False` skips the fsync (build output, which a rebuild regenerates): the rename
    still keeps readers from ever seeing half a file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:  # open (so locked) until renamed: no sweep takes it
            fh.write(raw)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise write_error(path, exc) from None
        raise


def write_chunks(path: Path, chunks: Iterable[bytes], *, apply: bool = True) -> bool:
    """Stream `chunks` into a temp file beside `path`; True when that differs from `path`.

    For outputs too big to hold twice in memory: the new bytes go to disk as they are made,
    are compared with the old file in blocks, and replace it only when different and `apply`
    (else the temp file is removed). Readers see old or new, never half."""
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:  # open (so locked) until renamed or removed
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            try:
                changed = not filecmp.cmp(tmp, path, shallow=False)
            except OSError:
                changed = True
            if changed and apply:
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
            else:
                tmp.unlink()
        return changed
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
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
        sweep(root, root / CATALOG_DIR)  # what killed writers left, now that none can run
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
