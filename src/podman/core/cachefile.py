"""Workspace caches under .podman/cache/: JSON only (never code), stamped, dropped when unsure.

A cache is a speed-up and never a source of truth: one that is missing, corrupt, written by
another podman version or for another configuration reads as empty, and entries are keyed by
a file's size and mtime so an edited file is never answered from the cache.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from pathlib import Path
from typing import Any

from podman import __version__
from podman.core.fsio import atomic_write

CACHE_DIR = ".podman/cache"
RACY_NS = 2_000_000_000  # files modified this close to a cache write are not trusted later


def cache_path(root: Path, name: str) -> Path:
    return root / CACHE_DIR / name


def stamp(*parts: str) -> str:
    """What a cache was made for: the podman version plus the caller's config hash etc."""
    return "\n".join((__version__, *parts))


def load(path: Path, expected: str) -> dict[str, Any]:
    """The cache's entries, or {} when it is absent, unreadable, corrupt or foreign."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("stamp") != expected:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def save(path: Path, expected: str, entries: dict[str, Any]) -> None:
    """Write atomically; a cache that cannot be written is skipped (the next run is cold)."""
    try:
        atomic_write(path, json.dumps({"stamp": expected, "entries": entries},
                                      separators=(",", ":")), durable=False)
    except OSError:
        pass


def file_key(st: os.stat_result) -> list[int]:
    """(size, mtime_ns, inode): what identifies one version of a file without reading it."""
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def settled(st: os.stat_result, now_ns: int | None = None) -> bool:
    """False for a file modified within the mtime granularity of now: it could change again
    without its mtime moving, so no cache may vouch for it (git's "racy clean" rule)."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    return abs(now_ns - st.st_mtime_ns) > RACY_NS


def to_json(value: Any) -> Any:
    """A TOML value as JSON that `from_json` turns back into an equal value of the same types:
    every table, array and date/time is tagged (["d", {...}], ["l", [...]], ["t", iso] ...),
    so no value of the file can pass for a tag."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return ["d", {k: to_json(v) for k, v in value.items()}]
    if isinstance(value, list):
        return ["l", [to_json(v) for v in value]]
    if isinstance(value, datetime.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["D", value.isoformat()]
    if isinstance(value, datetime.time):
        return ["T", value.isoformat()]
    raise ValueError(f"not a TOML value: {type(value).__name__}")


def from_json(obj: Any) -> Any:
    """The inverse of `to_json`; ValueError for anything `to_json` cannot have written."""
    if isinstance(obj, str | bool | int | float):
        return obj
    if not (isinstance(obj, list) and len(obj) == 2):
        raise ValueError("not a tagged value")
    tag, body = obj
    if tag == "d" and isinstance(body, dict):
        return {k: from_json(v) for k, v in body.items()}
    if tag == "l" and isinstance(body, list):
        return [from_json(v) for v in body]
    if isinstance(body, str) and tag in _TIMES:
        return _TIMES[tag](body)
    raise ValueError("not a tagged value")


_TIMES = {"t": datetime.datetime.fromisoformat, "D": datetime.date.fromisoformat,
          "T": datetime.time.fromisoformat}
