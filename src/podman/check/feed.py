"""Feed and hosting lints (docs/feed-rules.md): feed rules, artwork, identity, online checks."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from podman.catalog.articles import USER_AGENT
from podman.check.items import ITEM_RULES, future_findings
from podman.check.online import probe_url
from podman.check.rules import (
    CHANNEL_RULES,
    XML_ERRORS,
    FeedDoc,
    Finding,
    error,
    raw_findings,
    warning,
)
from podman.core.errors import BadInput
from podman.core.netfetch import fetch_bytes
from podman.core.textfile import read_file_bytes

__all__ = [
    "FeedIdentity",
    "Finding",
    "check_artwork",
    "check_feed",
    "check_feed_source",
    "feed_identity",
    "identity_findings",
    "online_findings",
]

MAX_FEED_BYTES = 50_000_000


def check_feed(
    xml: bytes,
    *,
    source: str,
    artwork_path_resolver: Callable[[str], Path | None] | None = None,
    now: datetime | None = None,
) -> list[Finding]:
    """Every rule over one feed; `artwork_path_resolver(url)` maps the artwork URL to a file."""
    findings = raw_findings(xml)
    try:
        doc = FeedDoc(xml)
    except XML_ERRORS as e:
        blank = re.match(rb"\s+<\?xml\s", xml.removeprefix(b"\xef\xbb\xbf"))
        findings.append(error("xml-wellformed", "feed", f"{source} is not well-formed XML ({e})",
                              "remove what comes before <?xml (expat and podcastparser refuse it)"
                              if blank else "fix the XML syntax"))
        return findings
    for rule in (*CHANNEL_RULES, *ITEM_RULES):
        findings.extend(rule(doc))
    if now is not None:
        findings.extend(future_findings(doc, now))
    if artwork_path_resolver is not None and doc.channel is not None:
        image = doc.find(doc.channel, "itunes:image")
        href = (image.get("href") or "").strip() if image is not None else ""
        path = artwork_path_resolver(href) if href else None
        if path is not None:
            findings.extend(check_artwork(path))
    return findings


# -- artwork ----------------------------------------------------------------------------------

def check_artwork(path: str | Path) -> list[Finding]:
    """Apple's artwork rules: real JPEG/PNG matching the extension, square, RGB, 1400–3000 px.

    The header is read by podman.audio.artwork, the same parser that checks artwork on ingest."""
    from podman.audio.artwork import MAX_SIDE, MIN_SIDE, BadArtwork, read_image_info

    path = Path(path)
    where = f"artwork {path}"
    try:
        info = read_image_info(path)
    except BadArtwork as e:
        return [error("artwork-format", where, e.message, "save it as JPEG or PNG")]
    if info.format not in ("jpeg", "png") or info.width is None or info.height is None:
        return [error("artwork-format", where, f"the artwork is {info.format.upper()}, "
                      "not a JPEG or PNG image", "save it as JPEG or PNG")]
    fmt, width, height = info.format, info.width, info.height
    out: list[Finding] = []
    ext = path.suffix.lower().lstrip(".")
    if {"jpg": "jpeg", "jpeg": "jpeg", "png": "png"}.get(ext) != fmt:
        out.append(error("artwork-extension", where, f"a {fmt.upper()} image named .{ext}",
                         f"name it .{'jpg' if fmt == 'jpeg' else 'png'}"))
    if width != height:
        out.append(error("artwork-square", where, f"the artwork is {width}x{height}, not square",
                         "crop it to a square"))
    if not (MIN_SIDE <= min(width, height) and max(width, height) <= MAX_SIDE):
        out.append(error("artwork-size", where, f"the artwork is {width}x{height} px",
                         "use 1400x1400 to 3000x3000 px (3000 recommended)"))
    if info.color in ("rgba", "palette+alpha"):
        out.append(warning("artwork-color", where, "the PNG has an alpha channel",
                           "flatten it to RGB"))
    elif info.color not in ("rgb", "palette"):
        kind = {"gray": "greyscale", "gray+alpha": "greyscale", "cmyk": "CMYK"}.get(
            info.color or "", "not RGB")
        out.append(error("artwork-color", where, f"the artwork is {kind}", "convert it to RGB"))
    return out


# -- loading ----------------------------------------------------------------------------------


def check_feed_source(source: str, *, timeout: float = 20,
                      max_bytes: int = MAX_FEED_BYTES) -> bytes:
    """The bytes of a feed from a file path or an http(s) URL (`podman check FEED`); a URL is
    fetched within `timeout` seconds in all and `max_bytes`, a file must be a regular one."""
    if source.startswith(("http://", "https://")):
        try:
            parts = urllib.parse.urlsplit(source)
            if not parts.hostname or parts.port == 0:
                raise ValueError("no host")
        except ValueError as e:
            raise BadInput(f"{source}: not a valid URL ({e})") from None
        fetched = fetch_bytes(source, timeout=timeout, max_bytes=max_bytes,
                              headers={"User-Agent": USER_AGENT})
        return fetched.data
    if "://" in source:
        raise BadInput(f"{source}: only files and http(s) URLs can be checked")
    return read_file_bytes(Path(source), "feed", max_bytes=max_bytes)


# -- identity ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedIdentity:
    """What must never change once published: the show's podcast:guid, GUID ↔ enclosure."""

    podcast_guid: str | None
    items: dict[str, str] = field(default_factory=dict)  # guid → enclosure URL
    enclosure_to_guid: dict[str, str] = field(default_factory=dict)


def feed_identity(xml: bytes) -> FeedIdentity:
    """Identity of a feed's bytes (the feed on disk, or `git show HEAD:public/...`)."""
    try:
        doc = FeedDoc(xml)
    except XML_ERRORS as e:
        raise BadInput(f"cannot read the previous feed: {e}") from None
    guid = None
    if doc.channel is not None:
        el = doc.find(doc.channel, "podcast:guid")
        guid = ((el.text or "").strip() or None) if el is not None else None
    items: dict[str, str] = {}
    for item in doc.items():
        item_guid = (item.findtext("guid") or "").strip()
        enclosure = item.find("enclosure")
        url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
        if item_guid:
            items.setdefault(item_guid, url)
    return FeedIdentity(guid, items, _invert(items))


def _invert(items: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for guid, url in items.items():
        if url:
            out.setdefault(url, guid)
    return out


def identity_findings(
    old_feed: bytes | FeedIdentity | None,
    new_items: dict[str, str],
    old_podcast_guid: str | None = None,
    new_podcast_guid: str | None = None,
) -> list[Finding]:
    """Published identity that changed between the old feed and the new items (guid → URL)."""
    if isinstance(old_feed, bytes):
        old_feed = feed_identity(old_feed)
    if old_feed is None:
        old_feed = FeedIdentity(None)
    old_pg = old_podcast_guid or old_feed.podcast_guid
    out: list[Finding] = []
    if old_pg and new_podcast_guid and old_pg.lower() != new_podcast_guid.lower():
        out.append(error("identity-podcast-guid", "channel",
                         f"podcast:guid changed from {old_pg} to {new_podcast_guid}",
                         "restore the old podcast:guid in show.toml; it never changes"))
    new_by_url = _invert(new_items)
    for guid, new_url in sorted(new_items.items()):
        old_url = old_feed.items.get(guid)
        if old_url is None or not new_url or old_url == new_url:
            continue
        owner = old_feed.enclosure_to_guid.get(new_url)
        if owner and owner != guid:
            out.append(error("identity-guid-reused", f"item {guid}",
                             f"the GUID now points at the audio of episode {owner}",
                             "give each episode its own GUID and never reuse one"))
        else:
            out.append(error("identity-enclosure-changed", f"item {guid}",
                             f"the enclosure URL changed from {old_url} to {new_url}",
                             "a published episode keeps its enclosure URL"))
    for url, old_guid in sorted(old_feed.enclosure_to_guid.items()):
        new_guid = new_by_url.get(url)
        # A new GUID on old audio; a GUID that existed before is reported as reused above.
        if (new_guid and new_guid != old_guid and old_guid not in new_items
                and new_guid not in old_feed.items):
            out.append(error("identity-guid-changed", f"item {old_guid}",
                             f"the episode at {url} now has GUID {new_guid}",
                             f"restore its GUID {old_guid}; apps would download it again"))
    return out


def _bare_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def online_findings(
    urls: Iterable[tuple[str, str, int | None, str | None]], timeout: float = 10
) -> list[Finding]:
    """HEAD and `Range: bytes=0-1` per (what, url, length, type); what: feed, artwork, enclosure."""
    out: list[Finding] = []
    for what, url, length, mime in urls:
        out.extend(probe_url(what, url, length, mime, timeout))
    return out
