"""Incremental builds: when no input changed, a build only stats files and writes nothing.

`.podman/cache/build.json` records, after a full build, the size, mtime and inode of every
input (podman.toml, everything under feeds/ and templates/) and of every output, the window of
build clocks in which the same episodes are due, and the build's summary. A later build whose
inputs, outputs and clock all match answers from it; anything else (an edit, a new or deleted
file, a file touched by hand in public/, another podman version or configuration, a corrupt
cache) means a full build, whose output is what a cold build writes.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from podman.core import cachefile
from podman.core.config import WorkspaceConfig

NAME = "build.json"


def _walk(folder: Path, root: Path, out: dict[str, Any], now_ns: int) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _walk(Path(entry.path), root, out, now_ns)
            continue
        try:
            st = entry.stat()
        except OSError:
            continue
        rel = os.path.relpath(entry.path, root)
        # a file modified within the mtime granularity could change unseen: never vouch for it
        out[rel] = cachefile.file_key(st) if cachefile.settled(st, now_ns) else None


def input_stats(ws: WorkspaceConfig) -> dict[str, Any]:
    """Every file a build may read, by path relative to the workspace."""
    now_ns = time.time_ns()
    out: dict[str, Any] = {}
    for name in ("podman.toml",):
        try:
            st = (ws.root / name).stat()
            out[name] = cachefile.file_key(st) if cachefile.settled(st, now_ns) else None
        except OSError:
            pass
    for folder in (ws.feeds_dir, ws.root / "templates"):
        _walk(folder, ws.root, out, now_ns)
    return out


def output_stats(public: Path, rels: Iterable[str]) -> dict[str, Any] | None:
    """(size, mtime, inode) of each output; None when one is missing. Each name is looked up
    in its folder's open descriptor (no path joined or walked again per file: a site has
    nine outputs per episode)."""
    out: dict[str, Any] = {}
    root = str(public)
    folders: dict[str, int] = {}
    key, stat = cachefile.file_key, os.stat
    try:
        for rel in rels:
            head, _, name = rel.rpartition("/")
            fd = folders.get(head)
            if fd is None:
                fd = folders[head] = os.open(os.path.join(root, head) if head else root,
                                             os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            out[rel] = key(stat(name, dir_fd=fd))
    except OSError:
        return None
    finally:
        for fd in folders.values():
            os.close(fd)
    return out


def due_window(times: Iterable[tuple[str, datetime]], now: datetime) -> tuple[float, float]:
    """(lo, hi): every build clock in [lo, hi) sees the same episodes due as `now` does."""
    lo, hi = float("-inf"), float("inf")
    at = now.timestamp()
    for status, published in times:
        if status != "published":
            continue
        t = published.timestamp()
        if t <= at:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
    return lo, hi


class BuildCache:
    """The record of the last full build, read once; never trusted beyond what it can prove."""

    def __init__(self, ws: WorkspaceConfig) -> None:
        self.ws = ws
        self.path = cachefile.cache_path(ws.root, NAME)
        config = hashlib.sha256(repr(ws).encode("utf-8")).hexdigest()
        self.stamp = cachefile.stamp("build", config)
        self.inputs = input_stats(ws)  # taken before anything is read: an edit during the
        # build leaves a newer mtime than recorded, so the next build redoes the work

    def fresh(self, now: datetime) -> dict[str, Any] | None:
        """The last build's summary when nothing that decides the output has changed."""
        entries = cachefile.load(self.path, self.stamp)
        if not entries or None in self.inputs.values() or entries.get("inputs") != self.inputs:
            return None
        lo, hi = entries.get("lo"), entries.get("hi")
        files, feeds = entries.get("files"), entries.get("feeds")
        warnings = entries.get("warnings")
        if not (isinstance(lo, int | float) and isinstance(hi, int | float)
                and isinstance(files, list) and isinstance(feeds, dict)
                and isinstance(warnings, list)
                and all(isinstance(f, str) for f in files + warnings)):
            return None
        if not lo <= now.timestamp() < hi:
            return None
        if output_stats(self.ws.public_dir, files) != entries.get("outputs"):
            return None
        return {"files": files, "feeds": feeds, "warnings": warnings}

    def save(self, now: datetime, times: Iterable[tuple[str, datetime]], files: list[str],
             feeds: dict[str, int], warnings: list[str]) -> None:
        outputs = output_stats(self.ws.public_dir, files)
        if outputs is None:
            return
        lo, hi = due_window(times, now)
        cachefile.save(self.path, self.stamp, {
            "inputs": self.inputs, "outputs": outputs, "files": sorted(files),
            "feeds": feeds, "warnings": warnings, "lo": max(lo, -1e18), "hi": min(hi, 1e18),
        })

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)


class EpisodeStore:
    """Per show: each episode's notes body HTML and feed <item> (`episodes-<show>.json`), or its
    parsed front matter (`catalog-<show>.json`), valid while its episode file and transcripts
    keep their size, mtime and inode (and podman and the configuration theirs)."""

    def __init__(self, cache: BuildCache, show: str, read: bool, *, name: str = "",
                 write: bool = True) -> None:
        self.inputs = cache.inputs
        self.folder = f"feeds/{show}/episodes"
        self.path = cachefile.cache_path(cache.ws.root, name or f"episodes-{show}.json")
        self.write = write
        self.stamp = cache.stamp
        self.old = cachefile.load(self.path, self.stamp) if read else {}
        self.new: dict[str, dict[str, Any]] = {}

    def _key(self, slug: str) -> list[Any] | None:
        base = f"{self.folder}/{slug}"
        key = [self.inputs.get(f"{base}.md"), self.inputs.get(f"{base}.vtt"),
               self.inputs.get(f"{base}.srt")]
        return key if key[0] is not None else None  # racy or unknown: never cached

    def get(self, slug: str, field: str) -> str | None:
        entry, key = self.old.get(slug), self._key(slug)
        if key is None or not isinstance(entry, dict) or entry.get("key") != key:
            return None
        value = entry.get(field)
        if not isinstance(value, str):
            return None
        self.new.setdefault(slug, {"key": key})[field] = value  # kept for the next build
        return value

    def put(self, slug: str, field: str, value: str) -> None:
        key = self._key(slug)
        if key is not None:
            self.new.setdefault(slug, {"key": key})[field] = value

    def save(self) -> None:
        if self.write and self.new != self.old:
            cachefile.save(self.path, self.stamp, self.new)


class PageStore:
    """The rendered pages of one show (`pages-<show>.json`) or of the article boxes
    (`pages.json`): per output, the key it was rendered from (a digest of its templates, show,
    artwork URL and episode views; the configuration is in the stamp) and the size, mtime and
    inode its file had once written. A page whose key and file both match is what rendering
    would write again, so it is neither rendered nor read; anything else renders."""

    def __init__(self, cache: BuildCache, name: str, read: bool) -> None:
        self.public = str(cache.ws.public_dir)
        self.path = cachefile.cache_path(cache.ws.root, name)
        self.stamp = cache.stamp
        self.old = cachefile.load(self.path, self.stamp) if read else {}
        self.new: dict[str, list[Any]] = {}
        self.changed = False

    def fresh(self, rel: str, key: str) -> bool:
        entry = self.old.pop(rel, None)  # popped: memory stays one store's worth
        if not isinstance(entry, list) or len(entry) != 4 or entry[0] != key:
            return False
        try:
            st = os.stat(os.path.join(self.public, rel))
        except OSError:
            return False
        if cachefile.file_key(st) != entry[1:]:
            return False
        self.new[rel] = entry
        return True

    def put(self, rel: str, key: str) -> None:
        """Record the file just written (or found equal) for `key`."""
        try:
            st = os.stat(os.path.join(self.public, rel))
        except OSError:
            return
        self.new[rel] = [key, *cachefile.file_key(st)]
        self.changed = True

    def save(self) -> None:
        if self.changed or self.old:  # a new or re-rendered page, or a page no longer made
            cachefile.save(self.path, self.stamp, self.new)
