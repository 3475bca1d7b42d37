"""The optional channel and item tags (show.toml keys, episode front matter) as template values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from podman.catalog.chapters import JSON_CHAPTERS_TYPE, psc_start
from podman.core.categories import category_problems
from podman.core.config import ShowConfig, WorkspaceConfig
from podman.core.errors import CatalogError, ConfigError
from podman.core.models import Chapter, Episode, rfc2822, utc

MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog",
           "publisher", "course", "podcastL", "musicL", "videoL", "filmL", "audiobookL",
           "newsletterL", "blogL", "publisherL", "courseL")
PERSON_KEYS = ("name", "role", "group", "img", "href")


def _where(show: ShowConfig) -> str:
    return f"feeds/{show.slug}/show.toml"


def _str(value: Any, key: str, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: `{key}` must be a string, not {value!r}")
    return value.strip()


def _flag(value: Any, key: str, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: `{key}` must be true or false, not {value!r}")
    return value


def _tables(value: Any, key: str, where: str, error: type = ConfigError) -> list[dict]:
    """A TOML array of tables (or one table) as a list of dicts."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise error(f"{where}: `{key}` must be a table or an array of tables ([[{key}]])")
    return value


def persons(rows: Any, where: str, error: type = ConfigError) -> list[dict[str, str]]:
    """podcast:person entries: name required; role, group, img, href optional."""
    out = []
    for row in _tables(rows, "persons", where, error):
        unknown = sorted(set(row) - set(PERSON_KEYS))
        if unknown:
            raise error(f"{where}: [[persons]] has unknown key(s) {', '.join(unknown)}; "
                        f"use {', '.join(PERSON_KEYS)}")
        person = {k: str(row.get(k, "")).strip() for k in PERSON_KEYS}
        if not person["name"]:
            raise error(f"{where}: every [[persons]] needs a `name`")
        out.append(person)
    return out


def validate_show_categories(show: ShowConfig) -> None:
    """Apple's exact spelling, at most two; a build stops on the first bad one (exit 2)."""
    if len(show.categories) > 2:
        raise ConfigError(f"{_where(show)}: {len(show.categories)} categories; use at most 2")
    for cat in show.categories:
        problems = category_problems(cat)
        if problems:
            raise ConfigError(f"{_where(show)}: categories: {problems[0]}",
                              "see Apple's list: https://podcasters.apple.com/support/1691")


def _trailer(row: dict, where: str) -> dict[str, Any]:
    from datetime import datetime

    url, title = _str(row.get("url"), "trailers.url", where), _str(row.get("title"), "title", where)
    pub = row.get("pubdate")
    if not url or not title or not isinstance(pub, datetime):
        raise ConfigError(f"{where}: every [[trailers]] needs `title`, `url` and a TOML "
                          "date-time `pubdate`")
    return {"title": title, "url": url, "pubdate": rfc2822(utc(pub)),
            "length": row.get("length", ""), "type": _str(row.get("type"), "type", where),
            "season": row.get("season", "")}


def channel_tags(show: ShowConfig) -> dict[str, Any]:
    """Every optional channel tag from show.toml, validated; empty values render nothing."""
    raw, where = show.raw, _where(show)
    location = raw.get("location")
    if location is not None and not isinstance(location, dict):
        location = {"name": location}
    location = location or {}
    lic = raw.get("license")
    lic = {"name": lic} if isinstance(lic, str) else (lic or {})
    freq = raw.get("update_frequency") or {}
    medium = _str(raw.get("medium"), "medium", where)
    if medium and medium not in MEDIUMS:
        raise ConfigError(f"{where}: medium {medium!r} is not one of {', '.join(MEDIUMS[:9])}")
    funding = []
    for row in _tables(raw.get("funding"), "funding", where):
        url = _str(row.get("url"), "funding.url", where)
        if not url:
            raise ConfigError(f"{where}: every [[funding]] needs a `url`")
        funding.append({"url": url, "text": _str(row.get("text"), "funding.text", where)})
    txt = [{"value": _str(r.get("value"), "txt.value", where),
            "purpose": _str(r.get("purpose"), "txt.purpose", where)}
           for r in _tables(raw.get("txt"), "txt", where)]
    return {
        "locked_owner": _str(raw.get("locked_owner"), "locked_owner", where) or show.email,
        "funding": funding,
        "persons": persons(raw.get("persons"), where),
        "location": {"name": _str(location.get("name"), "location.name", where),
                     "geo": _str(location.get("geo"), "location.geo", where),
                     "osm": _str(location.get("osm"), "location.osm", where)},
        "license": {"name": _str(lic.get("name"), "license.name", where),
                    "url": _str(lic.get("url"), "license.url", where)},
        "medium": medium,
        "txt": txt,
        "trailers": [_trailer(r, where) for r in _tables(raw.get("trailers"), "trailers", where)],
        "update_frequency": {"text": _str(freq.get("text"), "update_frequency.text", where),
                             "rrule": _str(freq.get("rrule"), "update_frequency.rrule", where),
                             "complete": _flag(freq.get("complete"), "complete", where)},
        "block": _flag(raw.get("block"), "block", where),
        "complete": _flag(raw.get("complete"), "complete", where),
        "new_feed_url": _str(raw.get("new_feed_url"), "new_feed_url", where),
        "hub": _str(raw.get("websub_hub"), "websub_hub", where),
    }


def import_tags(show: ShowConfig, feed_url: str, *, main: bool) -> dict[str, Any]:
    """An imported show (show.toml has `[import]`): the main feed names itself in
    itunes:new-feed-url, so directories that still hold the old URL move over, and it says
    podcast:locked no until `podman check --against` has recorded `[import] verified`."""
    imported = show.raw.get("import")
    if not isinstance(imported, dict):
        return {"locked": "yes" if show.locked else "no"}
    new_feed_url = _str(show.raw.get("new_feed_url"), "new_feed_url", _where(show))
    verified = bool(imported.get("verified"))
    return {"locked": "yes" if show.locked and verified else "no",
            "new_feed_url": new_feed_url or (feed_url if main else "")}


def item_tags(ep: Episode, where: str) -> dict[str, Any]:
    """Item-level funding, license and location (kept by an import), validated like show.toml's."""
    raw = ep.extra
    funding = [{"url": _str(r.get("url"), "funding.url", where),
                "text": _str(r.get("text"), "funding.text", where)}
               for r in _tables(raw.get("funding"), "funding", where, CatalogError)]
    if any(not f["url"] for f in funding):
        raise CatalogError(f"{where}: every [[funding]] needs a `url`")
    lic = raw.get("license")
    lic = {"name": lic} if isinstance(lic, str) else (lic if isinstance(lic, dict) else {})
    loc = raw.get("location")
    loc = {"name": loc} if isinstance(loc, str) else (loc if isinstance(loc, dict) else {})
    return {
        "funding": funding,
        "license": {"name": _str(lic.get("name"), "license.name", where),
                    "url": _str(lic.get("url"), "license.url", where)},
        "location": {"name": _str(loc.get("name"), "location.name", where),
                     "geo": _str(loc.get("geo"), "location.geo", where),
                     "osm": _str(loc.get("osm"), "location.osm", where)},
    }


def item_image(ws: WorkspaceConfig, image: str | None) -> str:
    """Front matter `image`: an absolute URL as is, a storage key through media_url."""
    if not image:
        return ""
    if image.startswith(("http://", "https://")):
        return image
    return ws.media_url(image.lstrip("/"))


def soundbites(ep: Episode, where: str) -> list[dict[str, str]]:
    out = []
    for row in _tables(ep.extra.get("soundbites"), "soundbites", where, CatalogError):
        start, length = row.get("start"), row.get("duration")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, length)):
            raise CatalogError(f"{where}: every [[soundbites]] needs numeric `start` and "
                               "`duration` (seconds)")
        if start < 0 or length <= 0 or start + length > ep.duration + 0.5:
            raise CatalogError(f"{where}: soundbite at {start} s (+{length} s) is outside the "
                               "audio")
        out.append({"start": _num(start), "duration": _num(length),
                    "title": str(row.get("title", "")).strip()})
    return out


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def linked_chapters(ep: Episode) -> tuple[Chapter, ...]:
    """Chapters whose title names a related article get its URL (the article it covers); only
    http(s) URLs are kept (a hand-edited `javascript:` never becomes a link)."""
    from podman.render.links import http_url

    by_title = {(a.title or "").casefold(): a.url for a in ep.articles if a.title}
    return tuple(Chapter(c.start, c.title,
                         http_url(c.url or by_title.get(c.title.casefold())) or None, c.image)
                 for c in ep.chapters)


def psc(chapters: Sequence[Chapter]) -> list[dict[str, str]]:
    return [{"start": psc_start(c.start), "title": c.title, "href": c.url or "",
             "image": c.image or ""} for c in chapters]


def chapters_path(show: str, slug: str) -> str:
    return f"{show}/chapters/{slug}.chapters.json"


def transcript_paths(show: str, slug: str, fmt: str) -> list[tuple[str, str]]:
    """(public path, type) of a published transcript: SRT also gets a converted WebVTT."""
    vtt = (f"{show}/transcripts/{slug}.vtt", "text/vtt")
    if fmt == "srt":
        return [vtt, (f"{show}/transcripts/{slug}.srt", "application/x-subrip")]
    return [vtt]


__all__ = ["JSON_CHAPTERS_TYPE", "channel_tags", "chapters_path", "import_tags", "item_image",
           "item_tags", "linked_chapters", "persons", "psc", "soundbites", "transcript_paths",
           "validate_show_categories"]
