"""The channel rules of docs/feed-rules.md as pure lints over the bytes of a built RSS feed."""

from __future__ import annotations

import io
import re
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

from podman.core.categories import apple_categories, validate_categories
from podman.core.models import podcast_guid
from podman.core.urls import is_http_url

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
# Namespace URIs apps read besides the canonical one (compared without scheme and case)
ALIASES = {"podcast": ("github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",)}
ALLOWED_HTML = frozenset({"p", "ol", "ul", "li", "a", "b", "i", "strong", "em"})
MAX_DESCRIPTION_BYTES = 4000
APPLE_EXPLICIT = frozenset({"yes", "no", "clean", "explicit", "true", "false"})
# Apple's top-level categories before its 2019 list; it maps feeds that still name them.
RETIRED_CATEGORIES = frozenset({"Games & Hobbies", "Government & Organizations",
                                "News & Politics", "Science & Medicine", "Sports & Recreation"})
EXTENSION_TYPES = {
    "mp3": {"audio/mpeg", "audio/mp3"},
    "m4a": {"audio/mp4", "audio/x-m4a", "audio/m4a"},
    "mp4": {"audio/mp4", "video/mp4"},
    "m4v": {"video/x-m4v", "video/mp4"},
    "mov": {"video/quicktime"},
    "aac": {"audio/aac"},
    "ogg": {"audio/ogg"},
    "oga": {"audio/ogg"},
    "opus": {"audio/ogg", "audio/opus"},
    "flac": {"audio/flac", "audio/x-flac"},
    "wav": {"audio/wav", "audio/x-wav", "audio/wave"},
    "pdf": {"application/pdf"},
    "epub": {"application/epub+zip"},
}
# ISO 639-1 two-letter codes; three-letter ISO 639-2/3 codes are accepted by shape.
ISO_639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
    "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
    "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw "
    "ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
    "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr "
    "ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
    "yo za zh zu".split()
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC2822 = re.compile(
    r"^(?:(?P<wd>[A-Z][a-z]{2}), )?(?P<d>\d{1,2}) (?P<mon>[A-Z][a-z]{2}) (?P<y>\d{4}) "
    r"(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))? (?P<zone>[+-]\d{4}|GMT|UT)$"
)


@dataclass(frozen=True)
class Finding:
    """One broken rule: where it broke, what is wrong and how to fix it."""

    rule: str
    level: str  # "error" or "warning"
    where: str  # "channel", "item <guid or title>", "artwork <path>", "feed <url>" ...
    message: str
    fix: str = ""
    # A house rule: podman's own policy for the feeds it builds. On a feed from elsewhere it is
    # a warning, because no directory or app refuses or mishandles the feed for it.
    house: bool = False

    def line(self, source: str = "") -> str:
        prefix = f"{source}: " if source else ""
        fix = f" ({self.fix})" if self.fix else ""
        return f"{prefix}{self.level} [{self.rule}] {self.where}: {self.message}{fix}"


# RFC 822/2822 obsolete zone names apps still read (RFC 2822 section 4.3).
OBS_ZONES = {"UT": "+0000", "GMT": "+0000", "Z": "+0000", "EST": "-0500", "EDT": "-0400",
             "CST": "-0600", "CDT": "-0500", "MST": "-0700", "MDT": "-0600", "PST": "-0800",
             "PDT": "-0700"}
_LENIENT = re.compile(
    r"^(?:(?P<wd>[A-Z][a-z]{2}),?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[A-Z][a-z]{2})\s+(?P<y>\d{4})\s+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s+(?P<zone>[+-]\d{4}|[A-Z]{1,3})$"
)


def parse_rfc822_lenient(text: str) -> datetime | None:
    """A date apps read although podman would not write it: obsolete zone names (EST, PST),
    a wrong or missing weekday. None when no app could place it in time."""
    m = _LENIENT.match(text.strip())
    if not m or m["mon"] not in _MONTHS or (m["wd"] and m["wd"] not in _DAYS):
        return None
    zone = m["zone"] if m["zone"][0] in "+-" else OBS_ZONES.get(m["zone"])
    if zone is None:
        return None
    try:
        return datetime.strptime(
            f"{m['y']}-{_MONTHS.index(m['mon']) + 1:02d}-{int(m['d']):02d} "
            f"{int(m['H']):02d}:{m['M']}:{m['S'] or '00'} {zone}", "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None


def parse_rfc2822(text: str) -> datetime | None:
    """Strict RFC 2822 date with English names; None when it is not one."""
    m = _RFC2822.match(text.strip())
    if not m or m["mon"] not in _MONTHS or (m["wd"] and m["wd"] not in _DAYS):
        return None
    zone = m["zone"]
    zone = "+0000" if zone in ("GMT", "UT") else zone
    try:
        dt = datetime.strptime(
            f"{m['y']}-{_MONTHS.index(m['mon']) + 1:02d}-{int(m['d']):02d} "
            f"{m['H']}:{m['M']}:{m['S'] or '00'} {zone}",
            "%Y-%m-%d %H:%M:%S %z",
        )
    except ValueError:
        return None
    if m["wd"] and _DAYS[dt.weekday()] != m["wd"]:
        return None
    return dt


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.links: list[str] = []  # href and src values, in order

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.links.extend(v or "" for k, v in attrs if k in ("href", "src"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _parsed(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


def html_tags(text: str) -> set[str]:
    return _parsed(text).tags


def html_links(text: str) -> list[str]:
    """Every href and src in an HTML description."""
    return _parsed(text).links


def text_of(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def url_path(url: str) -> str:
    """The path of a URL from a feed, "" when it cannot be parsed ("http://[::1")."""
    try:
        return urllib.parse.urlsplit(url).path
    except ValueError:
        return ""


# What parsing hostile bytes can raise: malformed XML, an unknown encoding named in the XML
# declaration (LookupError), one expat cannot read ("multi-byte encodings", ValueError).
XML_ERRORS = (ET.ParseError, LookupError, ValueError)


class FeedDoc:
    """A parsed feed with the namespace URIs it really declares, so one typo does not cascade."""

    def __init__(self, data: bytes) -> None:
        self.declared: dict[str, str] = {}
        every: list[tuple[str, str]] = []
        for _event, (prefix, uri) in ET.iterparse(io.BytesIO(data), events=("start-ns",)):
            self.declared.setdefault(prefix, uri)
            every.append((prefix, uri))
        self.root = ET.fromstring(data)
        self.uris = dict(NS)
        for prefix, canonical in NS.items():
            self.uris[prefix] = _namespace_uri(prefix, canonical, every)
        self.channel = self.root.find("channel")

    def q(self, name: str) -> str:
        """`itunes:image` → `{uri}image`; a name without prefix is returned as is."""
        prefix, _, local = name.rpartition(":")
        return f"{{{self.uris[prefix]}}}{local}" if prefix else name

    def find(self, el: ET.Element, name: str) -> ET.Element | None:
        path = "/".join(self.q(part) for part in name.split("/"))
        return el.find(path)

    def findall(self, el: ET.Element, name: str) -> list[ET.Element]:
        return el.findall(self.q(name))

    def items(self) -> list[ET.Element]:
        return self.channel.findall("item") if self.channel is not None else []


def _namespace_uri(prefix: str, canonical: str, declared: list[tuple[str, str]]) -> str:
    """The URI a namespace's elements are under in this feed. Apps go by the URI, not the
    prefix (`pod:guid` under the older GitHub URI is the podcast:guid): the canonical URI when
    declared, else a variant apps read under the usual prefix, else one under any prefix."""
    accepted = (_loose(canonical), *ALIASES.get(prefix, ()))
    variants = [(p, uri) for p, uri in declared if _loose(uri) in accepted]
    if any(uri == canonical for _p, uri in variants):
        return canonical
    variants.sort(key=lambda pair: pair[0] != prefix)  # stable: the usual prefix first
    return variants[0][1] if variants else canonical


def _loose(uri: str) -> str:
    return re.sub(r"^https?://", "", uri.lower()).rstrip("/")


def item_label(doc: FeedDoc, item: ET.Element, index: int) -> str:
    guid = text_of(item.find("guid"))
    title = text_of(item.find("title"))
    return f"item {guid or title or f'#{index + 1}'}"


Rule = Callable[[FeedDoc], Iterator[Finding]]


def error(rule_id: str, where: str, message: str, fix: str = "") -> Finding:
    return Finding(rule_id, "error", where, message, fix)


def warning(rule_id: str, where: str, message: str, fix: str = "") -> Finding:
    return Finding(rule_id, "warning", where, message, fix)


def house(rule_id: str, where: str, message: str, fix: str = "") -> Finding:
    """An error in a feed podman builds, a warning in a feed from elsewhere (docs/feed-rules.md)."""
    return Finding(rule_id, "error", where, message, fix, house=True)


def leveled(findings: list[Finding], *, foreign: bool, strict: bool = False) -> list[Finding]:
    """Findings at the level they carry for this feed: house rules are warnings on a feed
    podman did not build; `strict` makes every warning an error."""
    from dataclasses import replace

    out = []
    for f in findings:
        level = "warning" if foreign and f.house else f.level
        out.append(replace(f, level="error" if strict else level))
    return out


def built_by_podman(doc: FeedDoc) -> bool:
    """The feed's <generator> names podman: its house rules apply in full."""
    generator = text_of(doc.channel.find("generator")) if doc.channel is not None else ""
    return generator.startswith("podman")


def too_long(rule_id: str, where: str, text: str) -> Iterator[Finding]:
    """Apple's limit is 4000 characters; podman keeps to 4000 bytes (a house rule)."""
    size = len(text.encode("utf-8"))
    if size <= MAX_DESCRIPTION_BYTES:
        return
    make = error if len(text) > MAX_DESCRIPTION_BYTES else house
    yield make(rule_id, where, f"the description is {size} bytes ({len(text)} characters)",
               f"shorten it to {MAX_DESCRIPTION_BYTES} bytes or less")


def raw_findings(data: bytes) -> list[Finding]:
    """Rules on the bytes themselves: the XML declaration, UTF-8, nothing after </rss>."""
    out: list[Finding] = []
    head = data.removeprefix(b"\xef\xbb\xbf")
    m = re.match(rb"<\?xml\s[^>]*\?>", head)
    declared = ""
    if not m and re.match(rb"\s+<\?xml\s", head):
        pass  # a blank line before the declaration: xml-wellformed reports it, with the fix
    elif not m:
        out.append(house("xml-declaration", "feed", "the feed does not start with an XML "
                         "declaration", 'start it with <?xml version="1.0" encoding="UTF-8"?>'))
    else:
        enc = re.search(rb"encoding=[\"']([\w.-]+)[\"']", m[0])
        declared = enc[1].decode("ascii").lower().replace("_", "-") if enc else ""
        if declared and declared != "utf-8":
            out.append(house("xml-declaration", "feed", f"the feed is encoded as "
                             f"{enc[1].decode('ascii')}, not UTF-8", "write the feed as UTF-8"))
    try:
        if declared in ("", "utf-8"):
            data.decode("utf-8")
    except UnicodeDecodeError as e:
        out.append(error("xml-declaration", "feed", f"the feed is not valid UTF-8 (byte {e.start})",
                         "write the feed as UTF-8"))
    end = data.rfind(b"</rss>")
    if end >= 0 and data[end + len(b"</rss>"):].strip():
        out.append(error("trailing-content", "feed", "there is content after </rss>",
                         "remove everything after the closing </rss> tag"))
    return out


def _namespaces(doc: FeedDoc) -> Iterator[Finding]:
    for prefix in ("itunes", "podcast", "atom", "content"):
        declared = doc.declared.get(prefix)
        if declared == NS[prefix]:
            continue
        if declared is None and prefix == "content":
            continue  # only needed when content:encoded is used, and then it must be declared
        what = "is not declared" if declared is None else f"is declared as {declared!r}"
        # Apple documents the itunes URI as case-sensitive and ignores every itunes tag under
        # another spelling; the other namespaces' variants are read by the apps that use them.
        make = error if prefix == "itunes" and declared is not None else house
        yield make(f"namespace-{prefix}", "channel", f"the {prefix} namespace {what}",
                    f'declare xmlns:{prefix}="{NS[prefix]}" (exact spelling and case)')


def _rss_root(doc: FeedDoc) -> Iterator[Finding]:
    if doc.root.tag != "rss" or doc.root.get("version") != "2.0" or doc.channel is None:
        yield error("rss-root", "feed", "the document is not RSS 2.0 with a <channel>",
                    'use <rss version="2.0"><channel>…</channel></rss>')


def _channel_basics(doc: FeedDoc) -> Iterator[Finding]:
    ch = doc.channel
    if ch is None:
        return
    if not text_of(ch.find("title")):
        yield error("channel-title", "channel", "the channel has no <title>", "set the show title")
    description = text_of(ch.find("description"))
    if not description:
        yield error("channel-description", "channel", "the channel has no <description>",
                    "set a show description")
    else:
        yield from too_long("channel-description-length", "channel", description)
    bad = sorted(html_tags(description) - ALLOWED_HTML)
    if bad:
        yield house("html-tags", "channel", f"<description> uses HTML tags {', '.join(bad)}",
                    "use only p ol ul li a b i strong em")
    link = text_of(ch.find("link"))
    if not is_http_url(link):
        yield house("channel-link", "channel", f"<link> is {link or 'missing'!r}, not an http(s) "
                    "URL", "set the show's website URL")
    language = text_of(ch.find("language"))
    primary = language.split("-")[0].lower()
    shape = re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", language)
    if not shape or (len(primary) == 2 and primary not in ISO_639_1):
        yield error("language", "channel", f"<language> {language or 'missing'!r} is not an "
                    "ISO 639 code", "use a code like en, en-us, de or pt-br")
    if not text_of(doc.find(ch, "itunes:author")):
        yield house("itunes-author", "channel", "no <itunes:author>", "set the show's author")
    email = text_of(doc.find(ch, "itunes:owner/itunes:email"))
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        yield house("itunes-owner-email", "channel",
                    f"<itunes:owner><itunes:email> is {email or 'missing'!r}",
                    "set the owner's e-mail address; Apple uses it to verify ownership")


def _itunes_image(doc: FeedDoc) -> Iterator[Finding]:
    ch = doc.channel
    if ch is None:
        return
    image = doc.find(ch, "itunes:image")
    href = (image.get("href") or "").strip() if image is not None else ""
    if not is_http_url(href):
        yield error("itunes-image", "channel", f"<itunes:image href> is {href or 'missing'!r}",
                    "point it at the square JPEG or PNG artwork")
    elif not any(part.lower().endswith((".jpg", ".jpeg", ".png"))
                 for part in (url_path(href), href)):
        # Apple reads the end of the URL: hosts append `?.jpg` to extension-less image URLs.
        yield error("itunes-image", "channel", f"artwork {href} does not end in .jpg or .png",
                    "publish the artwork as .jpg or .png")


def _itunes_category(doc: FeedDoc) -> Iterator[Finding]:
    ch = doc.channel
    if ch is None:
        return
    cats: list[tuple[str, ...]] = []
    for el in doc.findall(ch, "itunes:category"):
        subs = doc.findall(el, "itunes:category")
        name = el.get("text") or ""
        cats.append((name, subs[0].get("text") or "") if subs else (name,))
        if len(subs) > 1:
            yield house("itunes-category", "channel", f'"{name}" has {len(subs)} subcategories',
                        "give each category at most one subcategory")
    known = apple_categories()
    for problem in validate_categories(tuple(cats)):
        # Apple refuses a show without a category or with one it never had; it reads only the
        # first category, maps the names it retired in 2019 and falls back to the parent for
        # a subcategory it does not list.
        unknown = [c[0] for c in cats if c and c[0] not in known and c[0] not in RETIRED_CATEGORIES]
        make = error if problem.startswith("no category") or any(
            problem.startswith(f'"{name}" is not an Apple') for name in unknown) else house
        yield make("itunes-category", "channel", problem,
                   "use Apple's category list with its exact spelling")


def _itunes_explicit(doc: FeedDoc) -> Iterator[Finding]:
    ch = doc.channel
    if ch is None:
        return
    yield from _explicit("channel", text_of(doc.find(ch, "itunes:explicit")))
    for index, item in enumerate(doc.items()):
        el = doc.find(item, "itunes:explicit")
        if el is not None:
            yield from _explicit(item_label(doc, item, index), text_of(el))


def _explicit(where: str, value: str) -> Iterator[Finding]:
    if value in ("true", "false"):
        return
    # Apple still reads yes/no/clean/explicit (any case); anything else it cannot place.
    make = house if value.lower() in APPLE_EXPLICIT else error
    yield make("itunes-explicit", where, f"<itunes:explicit> is {value or 'missing'!r}",
               "use true or false")


def _itunes_type(doc: FeedDoc) -> Iterator[Finding]:
    ch = doc.channel
    if ch is None:
        return
    show_type = text_of(doc.find(ch, "itunes:type"))
    if show_type not in ("episodic", "serial"):
        make = house if not show_type else error  # Apple treats a missing type as episodic
        yield make("itunes-type", "channel", f"<itunes:type> is {show_type or 'missing'!r}",
                    "use episodic or serial")
    if show_type == "serial":
        for index, item in enumerate(doc.items()):
            if not text_of(doc.find(item, "itunes:episode")):
                yield house("serial-episode-numbers", item_label(doc, item, index),
                            "a serial show's item has no <itunes:episode>",
                            "number every episode of a serial show")


def _atom_self_and_podcast(doc: FeedDoc) -> Iterator[Finding]:
    ch = doc.channel
    if ch is None:
        return
    self_links = [el for el in doc.findall(ch, "atom:link") if el.get("rel") == "self"]
    href = (self_links[0].get("href") or "").strip() if self_links else ""
    if not is_http_url(href):
        yield house("atom-self", "channel", f'<atom:link rel="self"> is {href or "missing"!r}',
                    "add the feed's own URL as atom:link rel=self")
    guid = text_of(doc.find(ch, "podcast:guid"))
    try:
        valid = bool(guid) and str(uuid.UUID(guid)) == guid.lower()
    except ValueError:
        valid = False
    if not valid:
        yield house("podcast-guid", "channel", f"<podcast:guid> is {guid or 'missing'!r}",
                    "use the UUIDv5 of the feed URL, stored once in show.toml")
    elif href and guid.lower() != podcast_guid(href):
        yield warning("podcast-guid", "channel",
                      f"<podcast:guid> {guid} is not the UUIDv5 of the feed URL "
                      f"({podcast_guid(href)})",
                      "fine for a moved feed; never change a published podcast:guid")
    locked = text_of(doc.find(ch, "podcast:locked"))
    if locked not in ("yes", "no"):
        yield house("podcast-locked", "channel", f"<podcast:locked> is {locked or 'missing'!r}",
                    "use yes (recommended) or no")


CHANNEL_RULES: tuple[Rule, ...] = (
    _namespaces,
    _rss_root,
    _channel_basics,
    _itunes_image,
    _itunes_category,
    _itunes_explicit,
    _itunes_type,
    _atom_self_and_podcast,
)
