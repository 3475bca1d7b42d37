"""The item rules of docs/feed-rules.md (GUIDs, dates, enclosures, iTunes tags, HTML, URLs)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime

from podman.check.rules import (
    ALLOWED_HTML,
    EXTENSION_TYPES,
    FeedDoc,
    Finding,
    Rule,
    error,
    house,
    html_links,
    html_tags,
    item_label,
    parse_rfc822_lenient,
    parse_rfc2822,
    text_of,
    too_long,
    url_path,
    warning,
)
from podman.core.errors import BadInput
from podman.core.urls import ascii_url, has_scheme, is_http_url, redact


def _items(doc: FeedDoc) -> Iterator[Finding]:
    guids: dict[str, int] = {}
    enclosures: dict[str, int] = {}
    for index, item in enumerate(doc.items()):
        where = item_label(doc, item, index)
        yield from _item(doc, item, where)
        guid = text_of(item.find("guid"))
        if guid:
            if guid in guids:
                yield error("guid-unique", where, f"the GUID is also used by item #{guids[guid]}",
                            "give every episode its own GUID")
            guids.setdefault(guid, index + 1)
        enclosure = item.find("enclosure")
        url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
        if url:
            if url in enclosures:
                yield error("enclosure-url-unique", where,
                            f"the enclosure URL is also used by item #{enclosures[url]}",
                            "every episode needs its own media file URL")
            enclosures.setdefault(url, index + 1)


def _item(doc: FeedDoc, item: ET.Element, where: str) -> Iterator[Finding]:
    if not text_of(item.find("title")):
        yield error("item-title", where, "the item has no <title>", "give the episode a title")
    guid_el = item.find("guid")
    if not text_of(guid_el):
        # Apps fall back to the enclosure URL; podman always writes a GUID.
        yield house("item-guid", where, "the item has no <guid>",
                    "add a GUID minted once and never changed")
    elif guid_el is not None and guid_el.get("isPermaLink") != "false":
        yield warning("item-guid", where, 'the <guid> lacks isPermaLink="false"',
                      'add isPermaLink="false": a GUID is not a URL that may move')
    pub = text_of(item.find("pubDate"))
    if parse_rfc2822(pub) is None:
        # Unreadable dates are errors; ones apps read (EST, no weekday) or none are house rules.
        make = error if pub and parse_rfc822_lenient(pub) is None else house
        yield make("pubdate-rfc2822", where, f"<pubDate> {pub or 'missing'!r} is not RFC 2822",
                   "use e.g. 'Fri, 14 Mar 2025 17:00:00 +0000' (English names, numeric zone)")
    yield from _enclosure(item, where)
    yield from _itunes_item(doc, item, where)
    for name in ("description", "content:encoded"):
        el = doc.find(item, name)
        text = (el.text or "") if el is not None else ""
        if name == "description":
            yield from too_long("item-description-length", where, text)
        if el is not None and len(el):
            yield house("html-tags", where, f"<{name}> contains unescaped markup "
                        f"<{el[0].tag}>", "put HTML inside CDATA")
        bad = sorted(html_tags(text) - ALLOWED_HTML)
        if bad:
            yield house("html-tags", where, f"<{name}> uses HTML tags {', '.join(bad)}",
                        "use only p ol ul li a b i strong em")


def _enclosure(item: ET.Element, where: str) -> Iterator[Finding]:
    enclosure = item.find("enclosure")
    if enclosure is None:
        yield error("enclosure", where, "the item has no <enclosure>", "attach the audio file")
        return
    url = (enclosure.get("url") or "").strip()
    length = (enclosure.get("length") or "").strip()
    mime = (enclosure.get("type") or "").strip()
    if not is_http_url(url):
        yield error("enclosure", where, f"enclosure url is {url or 'missing'!r}",
                    "use an absolute http(s) URL")
    digits = length.isascii() and length.isdigit()  # "²".isdigit(), but int("²") fails
    if not digits or int(length) == 0:
        # length="0" (Megaphone) is read by every app; a missing length breaks RSS 2.0.
        make = house if digits else error
        yield make("enclosure", where, f"enclosure length is {length or 'missing'!r}",
                    "use the exact file size in bytes")
    if not mime:
        yield error("enclosure", where, "enclosure type is missing", "set e.g. audio/mpeg")
    ext = url_path(url).rsplit("/", 1)[-1].rpartition(".")[2].lower()
    if mime and ext in EXTENSION_TYPES and mime not in EXTENSION_TYPES[ext]:
        yield error("enclosure-type-extension", where, f"type {mime} does not match .{ext}",
                    f"use {' or '.join(sorted(EXTENSION_TYPES[ext]))}")
    elif mime and url and ext not in EXTENSION_TYPES:
        yield warning("enclosure-type-extension", where, f"unknown media extension {ext!r}",
                      "publish audio as .mp3, .m4a, .ogg or .opus")


def _itunes_item(doc: FeedDoc, item: ET.Element, where: str) -> Iterator[Finding]:
    duration = text_of(doc.find(item, "itunes:duration"))
    if not duration:
        yield warning("itunes-duration", where, "the item has no <itunes:duration>",
                      "give the duration in whole seconds")
    elif not re.fullmatch(r"\d+|\d+:[0-5]\d|\d+:[0-5]\d:[0-5]\d", duration):
        yield house("itunes-duration", where, f"<itunes:duration> {duration!r} is not whole "
                    "seconds or H:MM:SS", "give the duration in whole seconds")
    for name in ("itunes:season", "itunes:episode"):
        el = doc.find(item, name)
        if el is not None and not re.fullmatch(r"0*[1-9]\d*", text_of(el)):
            yield error("season-episode-nonzero", where, f"<{name}> is {text_of(el)!r}",
                        "use a positive whole number, or leave it out")
    episode_type = doc.find(item, "itunes:episodeType")
    if episode_type is None:
        yield warning("episode-type", where, "the item has no <itunes:episodeType>",
                      "add full, trailer or bonus")
    elif text_of(episode_type) not in ("full", "trailer", "bonus"):
        make = house if not text_of(episode_type) else error  # empty reads as full
        yield make("episode-type", where, f"<itunes:episodeType> is {text_of(episode_type)!r}",
                    "use full, trailer or bonus")


_URL_ATTRIBUTES = ("url", "href", "src", "img")


def _ascii_urls(doc: FeedDoc) -> Iterator[Finding]:
    seen: set[str] = set()
    for el in doc.root.iter():
        values = [el.get(a) or "" for a in _URL_ATTRIBUTES]
        local = el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""
        if local in ("link", "new-feed-url", "url", "docs"):
            values.append(el.text or "")
        for value in values:
            value = value.strip()
            if value and not value.isascii() and re.match(r"[a-zA-Z]+:", value):
                if value in seen:
                    continue
                seen.add(value)
                try:
                    fixed = f"use {ascii_url(value)}"
                except BadInput:
                    fixed = "percent-encode it"
                yield error("ascii-urls", "feed", f"URL {value} is not ASCII", fixed)


_URL_ELEMENTS = ("link", "url", "new-feed-url")
_HTML_ELEMENTS = ("description", "encoded", "summary")
_NOTE_SCHEMES = ("mailto:", "tel:")  # harmless in an HTML description: a warning there


def _http_urls(doc: FeedDoc) -> Iterator[Finding]:
    """Every URL the feed names is http(s): no javascript:, data:, file: in a link an app or a
    web page makes clickable (relative and missing URLs are other rules' business)."""
    seen: set[str] = set()
    for el in doc.root.iter():
        local = el.tag.rpartition("}")[2] if isinstance(el.tag, str) else ""
        urls = [el.get(a) or "" for a in (*_URL_ATTRIBUTES, "image")]
        if local in _URL_ELEMENTS:
            urls.append(el.text or "")
        notes = html_links(el.text or "") if local in _HTML_ELEMENTS and el.text else []
        for url, in_notes in [(u, False) for u in urls] + [(u, True) for u in notes]:
            url = url.strip()
            if not url or not has_scheme(url) or is_http_url(url) or url in seen:
                continue
            seen.add(url)
            shown = redact(url if len(url) <= 60 else url[:57] + "...")
            if in_notes and url.lower().startswith(_NOTE_SCHEMES):
                yield warning("http-urls", "feed", f"a description links to {shown}",
                              "podman writes only http(s) links")
            else:
                yield error("http-urls", "feed", f"URL {shown} is not http(s)",
                            "use an http:// or https:// URL, or remove it")


def future_findings(doc: FeedDoc, now: datetime) -> Iterator[Finding]:
    """Items dated after the build clock should not be in the feed yet."""
    for index, item in enumerate(doc.items()):
        dt = parse_rfc2822(text_of(item.find("pubDate")))
        if dt is not None and dt > now:
            yield warning("pubdate-future", item_label(doc, item, index),
                          f"the item is dated in the future ({text_of(item.find('pubDate'))})",
                          "leave scheduled items out until they are due")


ITEM_RULES: tuple[Rule, ...] = (
    _items,
    _ascii_urls,
    _http_urls,
)
