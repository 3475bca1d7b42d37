"""Episode files <-> Episode records: parsing, validation and writing new episode files."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from podman.core import cachefile
from podman.core.config import SLUG
from podman.core.errors import CatalogError, NotFound
from podman.core.fsio import temp_beside, write_error
from podman.core.models import Article, AudioRef, Chapter, Episode, date_problem, utc
from podman.core.text import clean_text
from podman.core.urls import has_scheme, key_problem, redact, url_problem

EPISODES_DIR = "episodes"
FENCE = "+++"
_FRONT = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)^\+\+\+[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_KNOWN = {"guid", "title", "published", "status", "duration", "audio", "articles", "chapters",
          "season", "episode", "type", "explicit", "image", "notes_format"}
EPISODE_TYPES = ("full", "trailer", "bonus")
NOTES_FORMATS = ("markdown", "html")
MAX_DURATION = 1_000_000.0  # seconds (11.5 days): more is a typo, not an episode


# -- reading -----------------------------------------------------------------------------------

def split_front_matter(text: str, source: str) -> tuple[str, str]:
    match = _FRONT.match(text.removeprefix("\ufeff"))  # editors on Windows may add a BOM
    if not match:
        raise CatalogError(f"{source}: no TOML front matter between +++ lines")
    return match.group(1), match.string[match.end():]


def parse_front(text: str, source: str) -> tuple[dict[str, Any], str]:
    """(front matter table, notes) of one episode file's text, before validation."""
    front, notes = split_front_matter(text, source)
    try:
        data = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source}: invalid TOML front matter: {exc}") from exc
    return data, notes.strip("\n")


def parse_episode(text: str, *, show: str, slug: str, source: str) -> Episode:
    """Parse one episode file's text (pure: no I/O), validating every contract field."""
    data, notes = parse_front(text, source)
    return episode_from_dict(data, notes=notes, show=show, slug=slug, source=source)


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], source: str,
         required: bool = True, default: Any = None) -> Any:
    if not isinstance(data, dict):
        raise CatalogError(f"{source}: each entry must be a table, not {data!r}")
    if key not in data:
        if required:
            raise CatalogError(f"{source}: `{key}` is missing")
        return default
    value = data[key]
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise CatalogError(f"{source}: `{key}` has the wrong type")
    if not isinstance(value, kind):
        raise CatalogError(f"{source}: `{key}` has the wrong type ({type(value).__name__})")
    return value


def _shown(value: Any) -> str:
    """A value quoted for a one-line message: redacted, escaped, at most 80 characters."""
    text = repr(redact(value) if isinstance(value, str) else value)
    return text if len(text) <= 80 else text[:77] + "..."


def _url(data: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
    """A URL field: http(s) only (the one URL policy, podman.core.urls)."""
    value = _get(data, key, str, where, required)
    problem = None if value is None else url_problem(value)
    if problem:
        raise CatalogError(f"{where}: `{key}` {_shown(value)} {problem}")
    return value


def _storage_key(value: Any, key: str, where: str) -> str:
    """A storage key (a plain relative path), or an http(s) URL (an imported episode whose
    audio stays where it was); never another scheme, `..`, spaces or quotes."""
    if not isinstance(value, str):
        raise CatalogError(f"{where}: `{key}` has the wrong type ({type(value).__name__})")
    problem = url_problem(value) if has_scheme(value) else key_problem(value)
    if problem:
        raise CatalogError(f"{where}: `{key}` {_shown(value)} {problem}")
    return value


def _published(data: dict[str, Any], source: str) -> datetime:
    value = _get(data, "published", datetime, source)
    problem = date_problem(value)  # checked first: in range, converting cannot overflow
    if problem:
        raise CatalogError(f"{source}: `published` {problem}")
    return utc(value)


def _seconds(data: dict[str, Any], key: str, where: str, *, low: float, strict: bool) -> float:
    value = float(_get(data, key, (int, float), where))
    if not math.isfinite(value) or value < low or (strict and value == low) \
            or value > MAX_DURATION:
        rule = "positive" if strict else "non-negative"
        raise CatalogError(f"{where}: `{key}` must be a {rule} number of seconds up to "
                           f"{MAX_DURATION:.0f}, not {_shown(value)}")
    return value


def _alternates(value: Any, where: str) -> None:
    """[[alternates]] (renditions): a table each, with a storage key, a type and a size."""
    if value is None:
        return
    if not isinstance(value, list):
        raise CatalogError(f"{where}: `alternates` must be an array of tables ([[alternates]])")
    where = f"{where} [[alternates]]"
    for row in value:
        _storage_key(_get(row, "key", str, where), "key", where)
        _get(row, "type", str, where)
        if _get(row, "bytes", int, where) < 0:
            raise CatalogError(f"{where}: `bytes` must not be negative")
        _get(row, "bitrate", int, where, False)
        _get(row, "codec", str, where, False)


def _persons(value: Any, where: str) -> None:
    rows = [value] if isinstance(value, dict) else value
    if rows is None:
        return
    if not isinstance(rows, list):
        raise CatalogError(f"{where}: `persons` must be an array of tables ([[persons]])")
    for row in rows:
        _url(row, "href", f"{where} [[persons]]")
        _url(row, "img", f"{where} [[persons]]")


def _image(value: str | None, where: str) -> str | None:
    """Episode artwork: an http(s) URL, or a storage key (never another scheme)."""
    return None if value is None else _storage_key(value, "image", where)


def episode_from_dict(data: dict[str, Any], *, notes: str, show: str, slug: str,
                      source: str) -> Episode:
    published = _published(data, source)
    status = _get(data, "status", str, source, False, "published")
    if status not in ("published", "draft"):
        raise CatalogError(f"{source}: status must be \"published\" or \"draft\", not {status!r}")
    duration = _seconds(data, "duration", source, low=0, strict=True)
    audio = _get(data, "audio", dict, source)
    where = f"{source} [audio]"
    ref = AudioRef(
        key=_storage_key(_get(audio, "key", str, where), "key", where),
        bytes=_get(audio, "bytes", int, where),
        type=_get(audio, "type", str, where),
        sha256=_get(audio, "sha256", str, where),
    )
    if ref.bytes < 0:
        raise CatalogError(f"{where}: `bytes` must not be negative")
    aw, cw = f"{source} [[articles]]", f"{source} [[chapters]]"
    articles = tuple(
        Article(url=_url(a, "url", aw, required=True),
                title=_get(a, "title", str, aw, False),
                published=_str_or_none(a.get("published")),
                image=_url(a, "image", aw))
        for a in _get(data, "articles", list, source, False, [])
    )
    chapters = tuple(
        Chapter(start=_seconds(c, "start", cw, low=0, strict=False),
                title=_get(c, "title", str, cw),
                url=_url(c, "url", cw), image=_url(c, "image", cw))
        for c in _get(data, "chapters", list, source, False, [])
    )
    ep_type = _get(data, "type", str, source, False, "full")
    if ep_type not in EPISODE_TYPES:
        raise CatalogError(f"{source}: type must be one of {', '.join(EPISODE_TYPES)}")
    numbers = {}
    for key in ("season", "episode"):
        value = _get(data, key, int, source, False)
        if value is not None and value <= 0:
            raise CatalogError(f"{source}: `{key}` must be a positive number")
        numbers[key] = value
    notes_format = _get(data, "notes_format", str, source, False, "markdown")
    if notes_format not in NOTES_FORMATS:
        raise CatalogError(f"{source}: notes_format must be \"markdown\" or \"html\", "
                           f"not {notes_format!r}")
    guid = _get(data, "guid", str, source)
    if not guid.strip():
        raise CatalogError(f"{source}: `guid` is empty")
    if clean_text(guid) != guid or any(c in guid for c in "\r\n\t"):
        raise CatalogError(f"{source}: `guid` {_shown(guid)} contains control characters "
                           "(it must go into the feed byte for byte)")
    title = _get(data, "title", str, source)
    if not title.strip():
        raise CatalogError(f"{source}: `title` is empty")
    _alternates(data.get("alternates"), source)
    _persons(data.get("persons"), source)
    if "waveform" in data:
        _storage_key(data["waveform"], "waveform", source)
    return Episode(
        show=show, slug=slug, guid=guid, title=title,
        published=published, status=status, duration=duration, audio=ref, notes=notes,
        articles=articles, chapters=chapters, season=numbers["season"],
        episode=numbers["episode"], episode_type=ep_type,
        explicit=_get(data, "explicit", bool, source, False),
        image=_image(_get(data, "image", str, source, False), source),
        notes_format=notes_format,
        extra={k: v for k, v in data.items() if k not in _KNOWN},
    )


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def episodes_dir(show_dir: Path) -> Path:
    return show_dir / EPISODES_DIR


def episode_path(show_dir: Path, slug: str) -> Path:
    return episodes_dir(show_dir) / f"{slug}.md"


class Memo(Protocol):
    """A cache of per-episode text by slug, valid while the episode's files are unchanged
    (podman.workflows.buildcache.EpisodeStore)."""

    def get(self, slug: str, field: str) -> str | None: ...

    def put(self, slug: str, field: str, value: str) -> None: ...


def read_episode(path: Path, show: str, memo: Memo | None = None) -> Episode:
    """Parse and validate one episode file; with a `memo`, its parsed front matter may come
    from the cache when the file's text is the one it was parsed from (validation always
    runs)."""
    if not SLUG.fullmatch(path.stem):
        raise CatalogError(f"{path}: an episode file name uses a-z, 0-9 and hyphens only "
                           "(it is part of the episode's page URL)",
                           "rename the file, e.g. 2025-03-14-my-episode.md")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror}") from exc
    if memo is None:
        return parse_episode(text, show=show, slug=path.stem, source=str(path))
    sha = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    known = _remembered(memo, path.stem, sha)
    if known is None:
        known = parse_front(text, str(path))
        memo.put(path.stem, "front", json.dumps([sha, cachefile.to_json(known[0]), known[1]],
                                                ensure_ascii=False))
    data, notes = known
    return episode_from_dict(data, notes=notes, show=show, slug=path.stem, source=str(path))


def _remembered(memo: Memo, slug: str, sha: str) -> tuple[dict[str, Any], str] | None:
    """The parsed front matter cached for this very text (its digest is checked, so a cache
    that lies about the file's stats still cannot answer for other text)."""
    text = memo.get(slug, "front")
    if text is None:
        return None
    try:
        digest, front, notes = json.loads(text)
        data = cachefile.from_json(front)
    except (ValueError, TypeError, RecursionError):
        return None
    if digest != sha or not isinstance(data, dict) or not isinstance(notes, str):
        return None
    return data, notes


def load_show_episodes(show_dir: Path, memo: Memo | None = None) -> list[Episode]:
    """Every episode of a show, sorted newest first (then by slug), all validated."""
    folder = episodes_dir(show_dir)
    if not folder.is_dir():
        return []
    episodes = [read_episode(p, show_dir.name, memo) for p in sorted(folder.glob("*.md"))]
    check_unique(episodes)
    episodes.sort(key=lambda e: (e.published, -import_position(e), e.slug), reverse=True)
    return episodes


def import_position(ep: Episode) -> int:
    """An imported episode's place in the old feed: items sharing a date keep that order."""
    table = ep.extra.get("import")
    position = table.get("position") if isinstance(table, dict) else None
    return position if isinstance(position, int) and not isinstance(position, bool) else 0


def check_unique(episodes: list[Episode]) -> None:
    seen: dict[str, str] = {}
    keys: dict[str, str] = {}
    for ep in episodes:
        if ep.guid in seen:
            raise CatalogError(
                f"{ep.show}/{ep.slug}: guid {ep.guid} is also used by {seen[ep.guid]}"
            )
        seen[ep.guid] = ep.slug
        if ep.audio.key.startswith(("http://", "https://")):
            continue  # left on the old host (import --no-download): its URLs may repeat
        if ep.audio.key in keys:
            raise CatalogError(
                f"{ep.show}/{ep.slug}: audio key {ep.audio.key} "
                f"is also used by {keys[ep.audio.key]}"
            )
        keys[ep.audio.key] = ep.slug


def find_episode(episodes: list[Episode], ref: str) -> Episode:
    """EP is a slug, a GUID, `show/slug`, or a unique prefix of a slug or GUID."""
    exact = [e for e in episodes if ref in (e.slug, e.guid, f"{e.show}/{e.slug}")]
    if len(exact) == 1:
        return exact[0]
    matches = exact or [e for e in episodes if e.slug.startswith(ref) or e.guid.startswith(ref)]
    if not matches:
        raise NotFound(f"{ref}: no episode matches", "see `podman list`")
    if len(matches) > 1:
        names = ", ".join(f"{e.show}/{e.slug}" for e in matches[:5])
        raise NotFound(f"{ref}: matches {len(matches)} episodes ({names})", "give more of the slug")
    return matches[0]


# -- writing -----------------------------------------------------------------------------------

def episode_to_text(ep: Episode) -> str:
    """The episode file as `podman add` writes it: contract field order, notes below."""
    import tomlkit

    doc = tomlkit.document()
    doc["guid"] = ep.guid
    doc["title"] = ep.title
    doc["published"] = ep.published.replace(microsecond=0)
    doc["status"] = ep.status
    doc["duration"] = ep.duration
    for key, value in (("season", ep.season), ("episode", ep.episode)):
        if value is not None:
            doc[key] = value
    if ep.episode_type != "full":
        doc["type"] = ep.episode_type
    if ep.explicit is not None:
        doc["explicit"] = ep.explicit
    if ep.image:
        doc["image"] = ep.image
    if ep.notes_format != "markdown":
        doc["notes_format"] = ep.notes_format
    for key, value in ep.extra.items():
        if not isinstance(value, dict | list):
            doc[key] = value
    audio = tomlkit.table()
    audio["key"] = ep.audio.key
    audio["bytes"] = ep.audio.bytes
    audio["type"] = ep.audio.type
    audio["sha256"] = ep.audio.sha256
    doc["audio"] = audio
    for key, value in ep.extra.items():
        if isinstance(value, dict | list):
            doc[key] = value
    if ep.articles:
        doc["articles"] = _aot([
            {k: v for k, v in (("url", a.url), ("title", a.title), ("published", a.published),
                               ("image", a.image)) if v}
            for a in ep.articles
        ])
    if ep.chapters:
        doc["chapters"] = _aot([
            {k: v for k, v in (("start", c.start), ("title", c.title), ("url", c.url),
                               ("image", c.image)) if v is not None}
            for c in ep.chapters
        ])
    notes = ep.notes.strip("\n")
    return f"{FENCE}\n{tomlkit.dumps(doc).strip()}\n{FENCE}\n" + (f"{notes}\n" if notes else "")


def _aot(rows: list[dict[str, Any]]) -> Any:
    import tomlkit

    aot = tomlkit.aot()
    for row in rows:
        table = tomlkit.table()
        for k, v in row.items():
            table[k] = v
        aot.append(table)
    return aot


def update_episode_text(text: str, changes: dict[str, Any], *, notes: str | None = None,
                        source: str) -> str:
    """Round-trip edit that keeps the user's comments and key order (tomlkit)."""
    import tomlkit

    front, body = split_front_matter(text, source)
    doc = tomlkit.parse(front)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        elif key in ("articles", "chapters"):
            if value:
                doc[key] = _aot(value)
            else:
                doc.pop(key, None)
        else:
            doc[key] = value
    new_body = body if notes is None else (notes.strip("\n") + "\n" if notes.strip() else "")
    return f"{FENCE}\n{tomlkit.dumps(doc).strip()}\n{FENCE}\n{new_body}"


def unique_slug(show_dir: Path, base: str) -> str:
    slug, n = base, 2
    while episode_path(show_dir, slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def write_new_episode(show_dir: Path, ep: Episode) -> Episode:
    """Create the episode file under a slug not yet taken (call with the lock held)."""
    slug = unique_slug(show_dir, ep.slug)
    ep = replace(ep, slug=slug)
    path = episode_path(show_dir, slug)
    # Complete temp file, then link(2) it into place: link never replaces an episode file that
    # appeared meanwhile, and readers (an unlocked duplicate check, `podman list`) never see an
    # empty or half-written episode file.
    # The temp file is flocked until linked (temp_beside), so a concurrent sweep of what
    # killed runs left never takes it.
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(episode_to_text(ep).encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
            os.link(tmp, path)
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)
    return ep
