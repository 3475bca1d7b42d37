"""`podman check --against OLD`: prove a moved show's feed is the old one to every app."""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from podman.check.rules import (
    XML_ERRORS,
    FeedDoc,
    Finding,
    error,
    parse_rfc822_lenient,
    parse_rfc2822,
    text_of,
    warning,
)
from podman.core.errors import BadInput
from podman.core.models import podcast_guid

DUPLICATE_WINDOW = 600  # seconds: same title, same day, durations this close = the same episode
_TRUE = {"yes", "true", "explicit"}
_FALSE = {"no", "false", "clean"}


@dataclass(frozen=True)
class Item:
    """What apps key and show per item, read from the raw XML (never a convenience parser)."""

    guid: str  # trimmed; an item without one is known by its enclosure URL
    title: str
    published: datetime | None
    pub_text: str
    url: str
    duration: float | None
    season: str
    episode: str
    explicit: bool  # the item's own value, else the channel's, else false (as apps assume)


@dataclass(frozen=True)
class Feed:
    items: list[Item]
    podcast_guid: str
    email: str
    self_url: str
    no_enclosure: list[str]  # items apps do not show (no enclosure): not required afterwards
    repeated: list[str]  # GUIDs met again after their first item (apps keep the first only)


def parse_feed(data: bytes, source: str) -> Feed:
    """Read a feed as apps do: a blank line before `<?xml` is forgiven (apps accept it)."""
    try:
        doc = FeedDoc(data.lstrip())
    except XML_ERRORS as e:
        raise BadInput(f"{source}: not well-formed XML ({e})") from None
    if doc.channel is None:
        raise BadInput(f"{source}: not an RSS feed (no <channel>)")
    ch = doc.channel
    # no channel flag, or one apps cannot read, is "not explicit": what apps show, and what
    # the new feed spells out as false
    channel_explicit = bool(_explicit(text_of(doc.find(ch, "itunes:explicit"))))
    items, no_enclosure, repeated, seen = [], [], [], set()
    for item in doc.items():
        enclosure = item.find("enclosure")
        url = (enclosure.get("url") or "").strip() if enclosure is not None else ""
        guid = text_of(item.find("guid")) or url
        if not url:
            no_enclosure.append(guid or text_of(item.find("title")))
            continue
        if guid in seen:
            repeated.append(guid)
        seen.add(guid)
        pub = text_of(item.find("pubDate"))
        own = _explicit(text_of(doc.find(item, "itunes:explicit")))
        items.append(Item(
            guid=guid, title=_words(item.findtext("title") or ""),
            published=parse_rfc2822(pub) or parse_rfc822_lenient(pub), pub_text=pub, url=url,
            duration=_seconds(text_of(doc.find(item, "itunes:duration"))),
            season=_number(_first(doc, item, "itunes:season", "podcast:season")),
            episode=_number(_first(doc, item, "itunes:episode", "podcast:episode")),
            explicit=channel_explicit if own is None else own,
        ))
    self_links = [el.get("href") or "" for el in doc.findall(ch, "atom:link")
                  if el.get("rel") == "self"]
    return Feed(items, text_of(doc.find(ch, "podcast:guid")).lower(),
                text_of(doc.find(ch, "itunes:owner/itunes:email")).lower(),
                self_links[0].strip() if self_links else "", no_enclosure, repeated)


def _first(doc: FeedDoc, item: ET.Element, *names: str) -> str:
    """The number an app shows: Apple's tag, else the Podcasting 2.0 one."""
    for name in names:
        value = text_of(doc.find(item, name))
        if value:
            return value
    return ""


def _words(text: str) -> str:
    return " ".join(text.split())


def _explicit(value: str) -> bool | None:
    value = value.lower()
    return True if value in _TRUE else False if value in _FALSE else None


def _number(value: str) -> str:
    return str(int(value)) if value.isdigit() else value


def _seconds(text: str) -> float | None:
    """itunes:duration as apps read it: seconds, M:SS or H:MM:SS (minutes may pass 59)."""
    if not re.fullmatch(r"\d+(?:\.\d+)?(?::\d+(?:\.\d+)?){0,2}", text):
        return None
    total = 0.0
    for part in text.split(":"):
        total = total * 60 + float(part)
    return total


def compare_feeds(old_data: bytes, new_data: Iterable[bytes], *, old_source: str,
                  old_url: str = "") -> list[Finding]:
    """One finding per difference an app would notice between the old feed and the new one(s)
    (feed.xml and its archive pages together). `old_url` is the old feed's address, whose
    UUIDv5 the new podcast:guid must be when the old feed has none."""
    old = parse_feed(old_data, old_source)
    old = replace(old, items=_first_of_each(old.items))
    new_docs = list(new_data)
    news = [parse_feed(data, "the new feed") for data in new_docs]
    new_items = [item for feed in news for item in feed.items]
    out = _identity(old, new_items)
    out += _channel(old, news[0] if news else None, old_url or old.self_url)
    out += _parsers(old_data, new_docs, old, new_items)
    return out


def _first_of_each(items: list[Item]) -> list[Item]:
    """Apps keep the first item with a GUID and drop those that repeat it (so does import)."""
    first: dict[str, Item] = {}
    for item in items:
        first.setdefault(item.guid, item)
    return list(first.values())


def _identity(old: Feed, new_items: list[Item]) -> list[Finding]:
    out: list[Finding] = []
    counts = Counter(item.guid for item in new_items)
    by_guid = {item.guid: item for item in new_items}
    for guid in dict.fromkeys(old.repeated):
        out.append(warning("against-old-duplicate", f"item {guid}", "the OLD feed repeats this "
                           "GUID; apps keep its first item, so only that one is compared and "
                           "required"))
    for guid in old.no_enclosure:
        out.append(warning("against-no-enclosure", f"item {guid}", "the old item has no "
                           "enclosure, so no app lists it; it is not required in the new feed"))
    for item in old.items:
        where = f"item {item.guid}"
        if counts[item.guid] == 0:
            out.append(error("against-guid-missing", where, "the old GUID is not in the new feed",
                             "import it again; apps would lose the episode"))
            continue
        if counts[item.guid] > 1:
            out.append(error("against-guid-repeated", where,
                             f"the old GUID appears {counts[item.guid]} times in the new feed",
                             "keep exactly one item per GUID"))
        out += _same_item(item, by_guid[item.guid], where)
    old_guids = {item.guid for item in old.items}
    for item in new_items:
        if item.guid not in old_guids:
            twin = _twin(item, old.items)
            if twin is not None:
                reason = _why(item, twin)
                out.append(error("against-duplicate", f"item {item.guid}",
                                 f"looks like old item {twin.guid} under a new GUID ({reason})",
                                 f"give it the old GUID {twin.guid}; apps would list it twice"))
    return out


def _same_item(old: Item, new: Item, where: str) -> list[Finding]:
    out: list[Finding] = []
    if old.title != new.title:
        out.append(error("against-title", where, f"title {new.title!r} was {old.title!r}",
                         "keep the old title"))
    if old.published is None:
        out.append(warning("against-pubdate", where, f"the old pubDate {old.pub_text!r} is not a "
                           "date apps read, so it cannot be compared"))
    elif new.published != old.published:
        out.append(error("against-pubdate", where,
                         f"pubDate {new.pub_text!r} is not the old instant {old.pub_text!r}",
                         "keep the exact old instant; apps re-sort or re-notify otherwise"))
    for name in ("season", "episode"):
        if getattr(old, name) != getattr(new, name):
            out.append(error(f"against-{name}", where, f"the {name} number {getattr(new, name)!r} "
                             f"was {getattr(old, name)!r}", f"keep the old {name} number"))
    if old.explicit != new.explicit:
        out.append(error("against-explicit", where, f"explicit is {_yes_no(new.explicit)}, was "
                         f"{_yes_no(old.explicit)}", "keep the old explicit flag"))
    return out


def _yes_no(value: bool) -> str:
    return str(value).lower()


def _twin(item: Item, old_items: list[Item]) -> Item | None:
    """The old item a new one duplicates under the rules apps use: the same audio URL, or the
    same title on the same day with durations within ten minutes (either unknown: any)."""
    for old in old_items:
        if item.url == old.url:
            return old
        if (item.title.casefold() == old.title.casefold() and item.published and old.published
                and _day(item.published) == _day(old.published)
                and (item.duration is None or old.duration is None
                     or abs(item.duration - old.duration) <= DUPLICATE_WINDOW)):
            return old
    return None


def _why(item: Item, old: Item) -> str:
    return "the same audio URL" if item.url == old.url else "the same title and day"


def _day(when: datetime) -> date:
    return when.astimezone(UTC).date()


def _channel(old: Feed, new: Feed | None, old_url: str) -> list[Finding]:
    out: list[Finding] = []
    if new is None:
        return [error("against-guid-missing", "feed", "no new feed to compare")]
    expected = old.podcast_guid
    if not expected and old_url:
        expected = podcast_guid(old_url)
    if not expected:
        out.append(warning("against-podcast-guid", "channel", "the old feed has no podcast:guid "
                           "and its URL is unknown, so the new one cannot be checked",
                           "pass the old feed's URL, or import it by URL"))
    elif new.podcast_guid != expected:
        source = "the old feed's" if old.podcast_guid else f"the UUIDv5 of {old_url}"
        out.append(error("against-podcast-guid", "channel", f"podcast:guid is "
                         f"{new.podcast_guid or 'missing'}, {source} is {expected}",
                         f"set podcast_guid = \"{expected}\" in show.toml; the Podcast Index "
                         "splits the show otherwise"))
    if old.email and new.email != old.email:
        out.append(error("against-owner-email", "channel", f"owner email is "
                         f"{new.email or 'missing'}, was {old.email}",
                         "keep the old owner email; directories verify ownership with it"))
    return out


# -- what two widely used parsers make of both feeds --------------------------------------------

def _parsers(old_data: bytes, new_docs: list[bytes], old: Feed,
             new_items: list[Item]) -> list[Finding]:
    out: list[Finding] = []
    new_guids = {i.guid for i in new_items}
    genuinely_new = new_guids - {i.guid for i in old.items}
    # an old GUID missing from the new feed is already one against-guid-missing line
    reported = {i.guid for i in old.items} - new_guids
    for name, ids in (("podcastparser", podcastparser_ids), ("feedparser", feedparser_ids)):
        before, escaped = _old_ids(name, ids, old_data)
        if before is None:
            out.append(warning("against-parsers", "feed", f"{name} cannot read the old feed, "
                               "so apps built on it never saw it"))
            continue
        if escaped:
            out.append(warning("against-parsers", "feed", f"{name} reads the old feed only "
                               f"loosely (it is not well-formed XML) and leaves {len(escaped)} "
                               f"id(s) entity-escaped, e.g. {escaped[0]!r}; they are compared "
                               "unescaped, as the XML text says them"))
        after: set[str] = set()
        for data in new_docs:
            got = ids(data)
            if got is None:
                out.append(error("against-parsers", "feed", f"{name} cannot read the new feed"))
                got = set()
            after |= got
        for guid in sorted(before - after - reported):
            out.append(error("against-parsers", f"item {guid}", f"{name} finds this old episode "
                             "id in the old feed but not in the new one",
                             "apps built on it would download the episode again"))
        for guid in sorted(after - before - genuinely_new):
            out.append(error("against-parsers", f"item {guid}", f"{name} finds an episode id "
                             "the old feed did not give", "apps built on it would list it twice"))
    return out


def _old_ids(name: str, ids: Callable[[bytes], set[str] | None],
             data: bytes) -> tuple[set[str] | None, list[str]]:
    """The old feed's ids in one parser, and those feedparser's loose mode left escaped."""
    if name != "feedparser":
        return ids(data), []
    raw = _feedparser_raw(data)
    if raw is None:
        return None, []
    ids_ = _unescaped(*raw)
    return ids_, sorted(raw[0] - ids_)


def podcastparser_ids(data: bytes) -> set[str] | None:
    """Episode ids as gPodder's podcastparser gives them (it rewrites permalink GUIDs)."""
    import podcastparser

    try:
        parsed = podcastparser.parse("https://feed.invalid/", io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any refusal means apps on it cannot read the feed
        return None
    return {ep["guid"] for ep in parsed.get("episodes", [])
            if ep.get("guid") and ep.get("enclosures")}


def feedparser_ids(data: bytes) -> set[str] | None:
    """Entry ids as feedparser gives them (the enclosure URL for an entry without one), trimmed.
    On a feed that is not well-formed (a blank line before `<?xml`) feedparser falls back to
    its loose parser, which leaves entities in ids escaped (`a &amp; b`, also inside CDATA);
    those are unescaped here so that the same XML text compares equal."""
    raw = _feedparser_raw(data)
    return None if raw is None else _unescaped(*raw)


def _unescaped(ids: set[str], loose: bool) -> set[str]:
    return {html.unescape(i).strip() for i in ids} if loose else ids


def _feedparser_raw(data: bytes) -> tuple[set[str], bool] | None:
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.entries and parsed.get("bozo"):
        return None
    out: set[str] = set()
    for entry in parsed.entries:
        links = [link.get("href") for link in entry.get("links", [])
                 if link.get("rel") == "enclosure" and link.get("href")]
        if not links:
            continue
        out.add((entry.get("id") or links[0]).strip())
    return out, bool(parsed.get("bozo"))
