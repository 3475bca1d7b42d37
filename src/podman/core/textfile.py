"""Reading a producer's local file (notes, chapters, transcript, a feed, a saved page) whole:
regular files only, under a size cap, with one-line errors naming the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from podman.core.errors import BadInput

MAX_TEXT_BYTES = 10_000_000  # notes, chapters, transcripts, saved pages: far above any real one

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_file_bytes(path: Path, what: str, error: type[BadInput] = BadInput,
                    max_bytes: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; `error` names the file otherwise.

    Opened non-blocking, so a FIFO is refused instead of waiting forever for a writer, and
    read with the cap, so /dev/zero or a file that grows meanwhile cannot exhaust memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file") from None
    except OSError as e:
        raise error(f"{path}: cannot read {what} file ({e.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "special")
        raise error(f"{path}: {what} file is not a regular file (it is {kind})")
    with os.fdopen(fd, "rb") as fh:
        if info.st_size > max_bytes:
            raise error(f"{path}: {what} file is larger than {max_bytes} bytes")
        try:
            data = fh.read(max_bytes + 1)
        except OSError as e:
            raise error(f"{path}: cannot read {what} file ({e.strerror})") from None
    if len(data) > max_bytes:
        raise error(f"{path}: {what} file is larger than {max_bytes} bytes")
    return data


def read_text_file(path: Path, what: str, error: type[BadInput] = BadInput,
                   max_bytes: int = MAX_TEXT_BYTES) -> str:
    """UTF-8 text (a BOM is dropped); `error` names the file and what it was meant to be."""
    data = read_file_bytes(path, what, error, max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{path}: {what} file is not UTF-8 text") from None
