"""Reads another host's feed as it is: raw XML through lxml, identity taken verbatim, repairs said.

Never a convenience parser: podcastparser rewrites GUIDs and feedparser sanitises HTML. The
parser resolves no entities, loads no DTD and touches no network; what apps forgive (a blank line
before `<?xml`, HTML entities, an undeclared prefix, any namespace prefix or either podcast
namespace URI) is accepted and each repair is recorded.
"""

from __future__ import annotations

import email.utils
import html.entities
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from podman.core.errors import BadInput
from podman.core.models import Chapter

# canonical prefix -> namespace URIs seen in the wild (compared without scheme, case, slash)
NAMESPACES = {
    "itunes": ("http://www.itunes.com/dtds/podcast-1.0.dtd",),
    "podcast": ("https://podcastindex.org/namespace/1.0",
                "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"),
    "content": ("http://purl.org/rss/1.0/modules/content/",),
    "atom": ("http://www.w3.org/2005/Atom",),
    "psc": ("http://podlove.org/simple-chapters",),
    "googleplay": ("http://www.google.com/schemas/play-podcasts/1.0",),
    "dc": ("http://purl.org/dc/elements/1.1/",),
}


def _bare(uri: str) -> str:
    return re.sub(r"^[a-z]+://", "", uri.strip().lower()).rstrip("/")


_BY_URI = {_bare(uri): prefix for prefix, uris in NAMESPACES.items() for uri in uris}
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
# zone names apps read that email.utils does not know (it knows UT, GMT, Z and the US zones)
_ZONES = {"CET": 1, "CEST": 2, "BST": 1, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1, "MSK": 3,
          "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12,
          "NZDT": 13, "HST": -10, "AKST": -9, "AKDT": -8, "IST": 5.5, "UTC": 0}
DYNAMIC_AD_HOSTS = ("megaphone.fm", "mgln.ai", "acast.com", "art19.com", "omny.fm",
                    "adswizz.com", "simplecastaudio.com", "anchor.fm", "spreaker.com",
                    "podbean.com", "audioboom.com", "iheart.com", "barstool.io")


@dataclass(frozen=True)
class Transcript:
    url: str
    type: str
    language: str = ""
    rel: str = ""


@dataclass
class SourceItem:
    """One <item>, verbatim where identity lives; `position` is its 1-based document order."""

    position: int
    guid: str | None
    guid_permalink: bool
    title: str
    pub_date_raw: str | None
    published: datetime | None
    enclosure_url: str | None  # trimmed, for fetching
    enclosure_length: str | None
    enclosure_type: str | None
    duration_raw: str | None
    duration_claim: float | None
    notes: str
    notes_source: str
    link: str = ""
    image: str = ""
    season: int | None = None
    episode: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    block: bool = False
    persons: list[dict[str, str]] = field(default_factory=list)
    soundbites: list[dict[str, Any]] = field(default_factory=list)
    funding: list[dict[str, str]] = field(default_factory=list)
    license: dict[str, str] = field(default_factory=dict)
    location: dict[str, str] = field(default_factory=dict)
    chapters_url: str = ""
    chapters_type: str = ""
    psc: tuple[Chapter, ...] = ()
    transcripts: tuple[Transcript, ...] = ()
    repairs: list[str] = field(default_factory=list)
    source: str = ""  # the feed (or page, or --extra-source) it was read from
    enclosure_raw: str | None = None  # the url attribute as written: a GUID-less item's GUID

    @property
    def key(self) -> str:
        """Identity compared trimmed; a GUID-less item is known by its enclosure URL."""
        return (self.guid or self.enclosure_url or "").strip()


@dataclass
class SourceFeed:
    source: str
    title: str = ""
    description: str = ""
    link: str = ""
    language: str = ""
    author: str = ""
    owner_name: str = ""
    email: str = ""
    image: str = ""
    categories: list[tuple[str, ...]] = field(default_factory=list)
    explicit: bool = False
    type: str = "episodic"
    copyright: str = ""
    podcast_guid: str = ""
    locked: bool = False
    locked_owner: str = ""
    block: bool = False
    complete: bool = False
    new_feed_url: str = ""
    self_url: str = ""
    hub: str = ""
    next_url: str = ""
    prev_archive_url: str = ""
    generator: str = ""
    medium: str = ""
    funding: list[dict[str, str]] = field(default_factory=list)
    persons: list[dict[str, str]] = field(default_factory=list)
    license: dict[str, str] = field(default_factory=dict)
    location: dict[str, str] = field(default_factory=dict)
    items: list[SourceItem] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    not_kept: dict[str, int] = field(default_factory=dict)  # podcast: tags an import drops
    txt: list[dict[str, str]] = field(default_factory=list)
    trailers: list[dict[str, Any]] = field(default_factory=list)
    update_frequency: dict[str, Any] = field(default_factory=dict)


# -- XML -------------------------------------------------------------------------------------

def _parser(recover: bool):
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, recover=recover,
                           remove_comments=True, remove_pis=True, strip_cdata=True)


def _strip_lead(data: bytes, repairs: list[str]) -> bytes:
    body = data.removeprefix(b"\xef\xbb\xbf")
    stripped = body.lstrip(b" \t\r\n")
    if stripped != body:
        where = "the XML declaration" if stripped.startswith(b"<?xml") else "the first element"
        repairs.append(f"removed blank space before {where}")
    return stripped


def _html_entities(data: bytes, repairs: list[str]) -> bytes:
    names: set[str] = set()

    def entity(m: re.Match[bytes]) -> bytes:
        name = m.group(1).decode("ascii")
        if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return m.group(0)
        names.add(name)
        return f"&#{html.entities.name2codepoint[name]};".encode("ascii")

    fixed = _ENTITY.sub(entity, data)
    if names:
        repairs.append(f"HTML entities read as characters: {', '.join(sorted(names)[:6])}")
    return fixed


def parse_xml(data: bytes, source: str, repairs: list[str]):
    """The root element; strict first, then lxml's recovery (recorded), else one-line BadInput."""
    from lxml import etree

    if not data.strip():
        raise BadInput(f"{source}: empty, not a feed")
    data = _strip_lead(data, repairs)
    try:
        return etree.fromstring(data, _parser(False))
    except etree.XMLSyntaxError as exc:
        first = str(exc)
    if "Entity" in first:  # HTML entities apps read: only touched when strict parsing failed
        data = _html_entities(data, repairs)
        try:
            return etree.fromstring(data, _parser(False))
        except etree.XMLSyntaxError as exc:
            first = str(exc)
    if "Premature end of data" in first:  # a cut-off copy: recovering would drop items
        raise BadInput(f"{source}: the feed ends early, truncated ({first})")
    root = None
    try:
        root = etree.fromstring(data, _parser(True))
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise BadInput(f"{source}: not well-formed XML ({first})")
    repairs.append(f"malformed XML read the way apps read it ({first})")
    return root


def _canon(el) -> tuple[str, str]:
    """(canonical prefix or "", local name) of an element, whatever prefix the feed chose."""
    tag = el.tag
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        return _BY_URI.get(_bare(uri), uri), local
    if ":" in tag:  # undeclared prefix, kept by lxml's recovery
        prefix, local = tag.split(":", 1)
        return prefix.lower(), local
    return "", tag


def kids(el, ns: str, name: str) -> list:
    return [c for c in el if _canon(c) == (ns, name)]


def kid(el, ns: str, name: str):
    found = kids(el, ns, name)
    return found[0] if found else None


def text(el) -> str:
    return "" if el is None else "".join(el.itertext())


def inner_html(el) -> str:
    """Element content as it stands: CDATA/escaped HTML as text; raw child markup re-serialised."""
    from lxml import etree

    if el is None:
        return ""
    if len(el) == 0:
        return el.text or ""
    return (el.text or "") + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in el)


def _t(el, ns: str, name: str) -> str:
    return text(kid(el, ns, name)).strip()


def _attr(el, ns: str, name: str, attr: str) -> str:
    found = kid(el, ns, name)
    return (found.get(attr) or "").strip() if found is not None else ""


# -- values ----------------------------------------------------------------------------------

def yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1")


def explicit_value(value: str) -> bool | None:
    v = value.strip().lower()
    if v in ("yes", "true", "explicit"):
        return True
    if v in ("no", "false", "clean"):
        return False
    return None


def parse_pub_date(raw: str) -> tuple[datetime | None, str]:
    """The instant a pubDate names (zone names and wrong offsets kept as the same instant);
    (None, why) when no reading is possible."""
    value = raw.strip()
    if not value:
        return None, "empty pubDate"
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        dt = None
    if dt is not None:
        if dt.tzinfo is None:  # -0000, or a zone name email.utils does not know
            zone = value.rsplit(None, 1)[-1].upper()
            hours = _ZONES.get(zone, 0)
            dt = dt.replace(tzinfo=timezone(timedelta(hours=hours)))
            if zone not in _ZONES and zone not in ("-0000", "+0000"):
                return dt.astimezone(UTC), f"unknown zone {zone!r} read as UTC"
        return dt.astimezone(UTC), ""
    try:
        iso = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, f"pubDate {value!r} is not a date"
    if iso.tzinfo is None:
        iso = iso.replace(tzinfo=UTC)
    return iso.astimezone(UTC), "ISO 8601 pubDate read"


def parse_duration_claim(raw: str) -> float | None:
    """itunes:duration as apps read it: seconds, M:SS, H:MM:SS, MMM:SS; None when unreadable."""
    value = raw.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    parts = value.split(":")
    if not 2 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(?:\.\d+)?", p) for p in parts):
        return None
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _positive(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _http(url: str) -> str:
    url = url.strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


def _persons(el) -> list[dict[str, str]]:
    out = []
    for p in kids(el, "podcast", "person"):
        name = text(p).strip()
        if name:
            row = {"name": name}
            for key in ("role", "group", "img", "href"):
                if (p.get(key) or "").strip():
                    row[key] = p.get(key).strip()
            out.append(row)
    return out


def _funding(el) -> list[dict[str, str]]:
    return [{"url": _http(f.get("url") or ""), "text": text(f).strip()}
            for f in kids(el, "podcast", "funding") if _http(f.get("url") or "")]


def _license(el) -> dict[str, str]:
    found = kid(el, "podcast", "license")
    if found is None or not text(found).strip():
        return {}
    out = {"name": text(found).strip()}
    if _http(found.get("url") or ""):
        out["url"] = _http(found.get("url"))
    return out


def _location(el) -> dict[str, str]:
    found = kid(el, "podcast", "location")
    if found is None or not text(found).strip():
        return {}
    out = {"name": text(found).strip()}
    for key in ("geo", "osm"):
        if (found.get(key) or "").strip():
            out[key] = found.get(key).strip()
    return out


def _psc(item, repairs: list[str]) -> tuple[Chapter, ...]:
    from podman.catalog.chapters import parse_time

    block = kid(item, "psc", "chapters")
    if block is None:
        return ()
    out = []
    for ch in kids(block, "psc", "chapter"):
        start = (ch.get("start") or "").strip()
        try:
            seconds = parse_time(start) if ":" in start else float(start)
        except ValueError:
            repairs.append(f"psc:chapter start {start!r} unreadable, chapter left out")
            continue
        out.append(Chapter(seconds, (ch.get("title") or "").strip() or "Chapter",
                           _http(ch.get("href") or "") or None,
                           _http(ch.get("image") or "") or None))
    return tuple(sorted(out, key=lambda c: c.start))


def _soundbites(item) -> list[dict[str, Any]]:
    out = []
    for sb in kids(item, "podcast", "soundbite"):
        try:
            start, length = float(sb.get("startTime", "")), float(sb.get("duration", ""))
        except ValueError:
            continue
        out.append({"start": start, "duration": length, "title": text(sb).strip()})
    return out


def read_item(el, position: int, source: str) -> SourceItem:
    repairs: list[str] = []
    guid_el = kid(el, "", "guid")
    guid = None if guid_el is None or not text(guid_el).strip() else text(guid_el)
    permalink = guid_el is not None and (guid_el.get("isPermaLink") or "true").strip().lower() \
        == "true"
    enc = kid(el, "", "enclosure")
    enc_url = (enc.get("url") or "").strip() if enc is not None else ""
    pub_el = kid(el, "", "pubDate")
    pub_raw = text(pub_el) if pub_el is not None else None
    published, why = parse_pub_date(pub_raw) if pub_raw is not None else (None, "no pubDate")
    if why:
        repairs.append(why)
    duration_raw = _t(el, "itunes", "duration") or None
    for ns, name in (("content", "encoded"), ("", "description"), ("itunes", "summary")):
        notes = inner_html(kid(el, ns, name)).strip()
        if notes:
            notes_source = f"{ns}:{name}" if ns else name
            break
    else:
        notes, notes_source = "", ""
    title = _t(el, "", "title") or _t(el, "itunes", "title")
    ep_type = _t(el, "itunes", "episodeType").lower() or "full"
    if ep_type not in ("full", "trailer", "bonus"):
        repairs.append(f"itunes:episodeType {ep_type!r} read as full")
        ep_type = "full"
    chapters = kid(el, "podcast", "chapters")
    img_el = kid(el, "", "image")
    image = _attr(el, "itunes", "image", "href") or (
        _t(img_el, "", "url") if img_el is not None else "")
    transcripts = tuple(
        Transcript(_http(t.get("url") or ""), (t.get("type") or "").strip(),
                   (t.get("language") or "").strip(), (t.get("rel") or "").strip())
        for t in kids(el, "podcast", "transcript") if _http(t.get("url") or ""))
    return SourceItem(
        position=position, guid=guid, guid_permalink=permalink, title=title,
        pub_date_raw=pub_raw, published=published, enclosure_url=enc_url or None,
        enclosure_length=(enc.get("length") if enc is not None else None),
        enclosure_type=(enc.get("type") if enc is not None else None),
        duration_raw=duration_raw,
        duration_claim=parse_duration_claim(duration_raw) if duration_raw else None,
        notes=notes, notes_source=notes_source, link=_http(_t(el, "", "link")),
        image=_http(image), season=_positive(_t(el, "itunes", "season")
                                             or _t(el, "podcast", "season")),
        episode=_positive(_t(el, "itunes", "episode") or _t(el, "podcast", "episode")),
        episode_type=ep_type, explicit=explicit_value(_t(el, "itunes", "explicit")),
        block=yes(_t(el, "itunes", "block")), persons=_persons(el),
        soundbites=_soundbites(el), funding=_funding(el), license=_license(el),
        location=_location(el),
        chapters_url=_http(chapters.get("url") or "") if chapters is not None else "",
        chapters_type=(chapters.get("type") or "").strip() if chapters is not None else "",
        psc=_psc(el, repairs), transcripts=transcripts, repairs=repairs, source=source,
        enclosure_raw=enc.get("url") if enc is not None and enc_url else None,
    )


def _email(value: str) -> str:
    m = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", value)
    return m.group(0) if m else ""


def _categories(channel) -> list[tuple[str, ...]]:
    out = []
    for cat in kids(channel, "itunes", "category"):
        top = (cat.get("text") or "").strip()
        if not top:
            continue
        sub = kid(cat, "itunes", "category")
        sub_text = (sub.get("text") or "").strip() if sub is not None else ""
        out.append((top, sub_text) if sub_text else (top,))
    return out


def _atom_links(channel) -> dict[str, str]:
    links: dict[str, str] = {}
    for link in kids(channel, "atom", "link"):
        rel, href = (link.get("rel") or "").strip(), (link.get("href") or "").strip()
        if rel and href and rel not in links:
            links[rel] = href
    return links


_CDATA = re.compile(rb"<(guid|pubDate|[A-Za-z0-9]+:duration|[A-Za-z0-9]+:new-feed-url)\b[^>]*>"
                    rb"\s*<!\[CDATA\[")


def cdata_notes(data: bytes) -> list[str]:
    """CDATA around identity and dates: read verbatim (its content, whitespace included)."""
    found: dict[str, int] = {}
    for m in _CDATA.finditer(data):
        name = m.group(1).decode("ascii", "replace")
        found[name] = found.get(name, 0) + 1
    return [f"CDATA around {n} <{name}> read as its content" for name, n in sorted(found.items())]


def namespace_notes(root) -> list[str]:
    """Namespaces under an older URI or an unusual prefix: read all the same."""
    notes = []
    for prefix, uri in sorted((root.nsmap or {}).items(), key=lambda kv: str(kv[0])):
        canon = _BY_URI.get(_bare(uri or ""))
        if canon is None:
            continue
        if canon == "podcast" and _bare(uri) != _bare(NAMESPACES["podcast"][0]):
            notes.append(f"podcast namespace under its older URI {uri}")
        if prefix and prefix != canon:
            notes.append(f"{canon} namespace under the prefix {prefix!r}")
    return notes


def read_feed(data: bytes, source: str, base_url: str = "") -> SourceFeed:
    """Parse one RSS document (a page of the feed); raises BadInput when it is no RSS feed."""
    feed = SourceFeed(source=source)
    root = parse_xml(data, source, feed.repairs)
    feed.repairs.extend(namespace_notes(root))
    feed.repairs.extend(cdata_notes(data))
    channel = kid(root, "", "channel") if _canon(root) == ("", "rss") else None
    if channel is None:
        if _canon(root)[1] in ("html", "HTML"):
            raise BadInput(f"{source}: an HTML page, not a feed")
        raise BadInput(f"{source}: not an RSS feed (root element <{_canon(root)[1]}>)")
    c = channel
    feed.title = _t(c, "", "title") or _t(c, "itunes", "title")
    feed.description = (_t(c, "", "description") or _t(c, "itunes", "summary"))
    feed.link = _http(_t(c, "", "link"))
    feed.language = _t(c, "", "language")
    owner = kid(c, "itunes", "owner")
    feed.owner_name = _t(owner, "itunes", "name") if owner is not None else ""
    feed.email = (_email(_t(owner, "itunes", "email")) if owner is not None else "") \
        or _email(_t(c, "itunes", "email")) or _email(_t(c, "", "managingEditor")) \
        or _email(_t(c, "", "webMaster"))
    feed.author = (_t(c, "itunes", "author") or _t(c, "", "managingEditor")
                   or _t(c, "dc", "creator") or feed.owner_name)
    img = kid(c, "", "image")
    feed.image = _http(_attr(c, "itunes", "image", "href")
                       or (_t(img, "", "url") if img is not None else ""))
    feed.categories = _categories(c)
    feed.explicit = bool(explicit_value(_t(c, "itunes", "explicit")))
    feed.type = "serial" if _t(c, "itunes", "type").lower() == "serial" else "episodic"
    feed.copyright = _t(c, "", "copyright")
    feed.podcast_guid = _t(c, "podcast", "guid")
    lock = kid(c, "podcast", "locked")
    if lock is not None:
        feed.locked = yes(text(lock))
        feed.locked_owner = (lock.get("owner") or lock.get("email") or "").strip()
        if lock.get("owner") is None and lock.get("email"):
            feed.repairs.append("podcast:locked names its owner in `email=`, read as owner")
    feed.block = yes(_t(c, "itunes", "block"))
    feed.complete = yes(_t(c, "itunes", "complete"))
    feed.new_feed_url = _http(_t(c, "itunes", "new-feed-url"))
    links = _atom_links(c)
    resolve = (lambda u: urljoin(base_url, u)) if base_url else (lambda u: u)
    feed.self_url = _http(resolve(links.get("self", "")))
    feed.hub = _http(links.get("hub", ""))
    feed.next_url = _http(resolve(links.get("next", "")))
    feed.prev_archive_url = _http(resolve(links.get("prev-archive", "")))
    feed.generator = _t(c, "", "generator")
    feed.medium = _t(c, "podcast", "medium")
    feed.funding, feed.persons = _funding(c), _persons(c)
    feed.license, feed.location = _license(c), _location(c)
    feed.items = [read_item(el, n, source) for n, el in enumerate(kids(c, "", "item"), 1)]
    feed.not_kept = not_kept(c)
    feed.txt = [{k: v for k, v in (("value", text(t).strip()),
                                   ("purpose", (t.get("purpose") or "").strip())) if v}
                for t in kids(c, "podcast", "txt") if text(t).strip()]
    feed.trailers = [t for t in map(_trailer, kids(c, "podcast", "trailer")) if t]
    freq = kid(c, "podcast", "updateFrequency")
    if freq is not None and text(freq).strip():
        feed.update_frequency = {"text": text(freq).strip()}
        if (freq.get("rrule") or "").strip():
            feed.update_frequency["rrule"] = freq.get("rrule").strip()
        if yes(freq.get("complete") or ""):
            feed.update_frequency["complete"] = True
    return feed


def _trailer(el) -> dict[str, Any] | None:
    """A podcast:trailer as show.toml's [[trailers]] (title, url, pubdate; the rest optional)."""
    url, title = _http(el.get("url") or ""), text(el).strip()
    when, _why = parse_pub_date(el.get("pubdate") or "")
    if not url or not title or when is None:
        return None
    row: dict[str, Any] = {"title": title, "url": url, "pubdate": when}
    length = (el.get("length") or "").strip()
    if length.isdigit():
        row["length"] = int(length)
    if (el.get("type") or "").strip():
        row["type"] = el.get("type").strip()
    season = _positive(el.get("season") or "")
    if season:
        row["season"] = season
    return row


KEPT = {"channel": {"guid", "locked", "funding", "person", "license", "location", "medium",
                    "txt", "trailer", "updateFrequency"},
        "item": {"season", "episode", "transcript", "chapters", "soundbite", "person",
                 "funding", "license", "location"}}


def not_kept(channel) -> dict[str, int]:
    """podcast: tags of the channel and its items that an import does not carry over."""
    found: dict[str, int] = {}
    for parent, kept in [(channel, KEPT["channel"])] + [(i, KEPT["item"])
                                                         for i in kids(channel, "", "item")]:
        for child in parent:
            ns, name = _canon(child)
            if ns == "podcast" and name not in kept:
                found[f"podcast:{name}"] = found.get(f"podcast:{name}", 0) + 1
    return dict(sorted(found.items()))


# -- HTML pages that link their feed -----------------------------------------------------------

class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link" and "alternate" in a.get("rel", "").lower().split() and \
                a.get("type", "").lower() in ("application/rss+xml", "application/xml",
                                              "text/xml") and a.get("href"):
            self.found.append(a["href"].strip())


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head and not head.startswith(b"<?xml"))


def feed_link_in_html(data: bytes, base_url: str) -> str | None:
    """The first `<link rel="alternate" type="application/rss+xml">` of a page, absolute."""
    parser = _FeedLinks()
    parser.feed(data.decode("utf-8", "replace"))
    for href in parser.found:
        url = urljoin(base_url, href) if base_url else href
        if _http(url):
            return url
    return None
