"""Tests for podman.check.feed: one test per feed rule, artwork, identity guard, online checks."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.check.feed import (
    FeedIdentity,
    Finding,
    check_artwork,
    check_feed,
    check_feed_source,
    feed_identity,
    identity_findings,
    online_findings,
)
from podman.check.rules import parse_rfc2822
from podman.core.errors import BadInput, PodmanError
from podman.core.models import podcast_guid, rfc2822
from tests.fixtures.http import QuietHandler, serving

FEED_URL = "https://pod.example.com/daily/feed.xml"
MP3 = "https://media.example.com/daily/2025-03-14-putin-3fa9c1d2e4.mp3"
M4A = "https://media.example.com/daily/2025-03-13-weather-77aa00bb11.m4a"
GUID1 = "1b4e28ba-2fa1-4d3b-a3f5-ef19f1ba7c52"
GUID2 = "9f0c6d1e-5a7b-4c3d-8e9f-0a1b2c3d4e5f"

FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" \
xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:atom="http://www.w3.org/2005/Atom" \
xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Daily Brief</title>
<description>News in ten minutes &amp; more.</description>
<link>https://pod.example.com/daily/</link>
<language>en-us</language>
<atom:link href="{FEED_URL}" rel="self" type="application/rss+xml"/>
<podcast:guid>{podcast_guid(FEED_URL)}</podcast:guid>
<podcast:locked>yes</podcast:locked>
<itunes:author>Ann Example</itunes:author>
<itunes:owner><itunes:name>Ann Example</itunes:name>\
<itunes:email>ann@example.com</itunes:email></itunes:owner>
<itunes:image href="https://pod.example.com/daily/artwork.jpg"/>
<itunes:category text="News"><itunes:category text="Daily News"/></itunes:category>
<itunes:category text="Society &amp; Culture"/>
<itunes:explicit>false</itunes:explicit>
<itunes:type>episodic</itunes:type>
<item>
<title>Putin urges Kiev</title>
<guid isPermaLink="false">{GUID1}</guid>
<pubDate>Fri, 14 Mar 2025 17:00:00 +0000</pubDate>
<link>https://news.example.com/2025/03/14/putin</link>
<description><![CDATA[<p>Notes with a <a href="https://news.example.com/x">link</a>.</p>]]></description>
<content:encoded><![CDATA[<p>Notes <strong>bold</strong></p><ul><li>0:00 Intro</li></ul>]]>\
</content:encoded>
<enclosure url="{MP3}" length="13504512" type="audio/mpeg"/>
<itunes:duration>1688</itunes:duration>
<itunes:episodeType>full</itunes:episodeType>
<itunes:season>1</itunes:season>
<itunes:episode>12</itunes:episode>
<itunes:explicit>false</itunes:explicit>
</item>
<item>
<title>Weather</title>
<guid isPermaLink="false">{GUID2}</guid>
<pubDate>Thu, 13 Mar 2025 06:00:00 GMT</pubDate>
<description>Plain text notes.</description>
<enclosure url="{M4A}" length="2048000" type="audio/x-m4a"/>
<itunes:duration>28:08</itunes:duration>
<itunes:episodeType>bonus</itunes:episodeType>
</item>
</channel>
</rss>
"""

LONG = "é" * 2001  # 4002 bytes


def _errors(xml: str | bytes) -> list[Finding]:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return [f for f in check_feed(data, source="feed.xml") if f.level == "error"]


def test_valid_feed_has_no_findings() -> None:
    assert check_feed(FEED.encode(), source="feed.xml") == []


def test_valid_feed_parses_in_real_clients() -> None:
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(FEED.encode()))
    assert parsed["title"] == "Daily Brief"
    assert [e["guid"] for e in parsed["episodes"]] == [GUID1, GUID2]
    assert parsed["episodes"][0]["total_time"] == 1688
    assert parsed["episodes"][0]["enclosures"][0]["file_size"] == 13504512
    result = feedparser.parse(FEED.encode())
    assert not result.bozo, result.get("bozo_exception")
    assert result.feed.title == "Daily Brief"
    assert result.entries[1].enclosures[0].type == "audio/x-m4a"


BREAKS = [
    ("xml-declaration", '<?xml version="1.0" encoding="UTF-8"?>\n', ""),
    ("xml-declaration", 'encoding="UTF-8"', 'encoding="ISO-8859-1"'),
    ("trailing-content", "</rss>\n", "</rss>\n<!-- tracking pixel -->\n"),
    ("xml-wellformed", "<title>Daily Brief</title>", "<title>Daily &nbsp; Brief</title>"),
    ("namespace-itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd",
     "http://www.itunes.com/DTDs/Podcast-1.0.dtd"),
    ("namespace-podcast", "https://podcastindex.org/namespace/1.0",
     "http://podcastindex.org/namespace/1.0/"),
    ("namespace-atom", "http://www.w3.org/2005/Atom", "https://www.w3.org/2005/Atom/"),
    ("namespace-content", "http://purl.org/rss/1.0/modules/content/",
     "http://purl.org/rss/1.0/modules/content"),
    ("rss-root", '<rss version="2.0"', '<rss version="0.92"'),
    ("channel-title", "<title>Daily Brief</title>", "<title> </title>"),
    ("channel-description", "<description>News in ten minutes &amp; more.</description>", ""),
    ("channel-description-length", "News in ten minutes &amp; more.", LONG),
    ("channel-link", "<link>https://pod.example.com/daily/</link>", "<link>daily</link>"),
    ("language", "<language>en-us</language>", "<language>english</language>"),
    ("language", "<language>en-us</language>", "<language>xx</language>"),
    ("language", "<language>en-us</language>", ""),
    ("itunes-image", "artwork.jpg", "artwork.gif"),
    ("itunes-image", '<itunes:image href="https://pod.example.com/daily/artwork.jpg"/>', ""),
    ("itunes-category", '"Daily News"', '"Daly News"'),
    ("itunes-category", 'text="News"', 'text="Technolgy"'),
    ("itunes-category", '<itunes:category text="Society &amp; Culture"/>',
     '<itunes:category text="Society &amp; Culture"/><itunes:category text="Comedy"/>'),
    ("itunes-category", '<itunes:category text="Society &amp; Culture"/>',
     '<itunes:category text="Society and Culture"/>'),
    ("itunes-explicit", "<itunes:explicit>false</itunes:explicit>",
     "<itunes:explicit>no</itunes:explicit>"),
    ("itunes-explicit", "<itunes:explicit>false</itunes:explicit>\n</item>",
     "<itunes:explicit>clean</itunes:explicit>\n</item>"),
    ("itunes-author", "<itunes:author>Ann Example</itunes:author>", ""),
    ("itunes-owner-email", "ann@example.com", "ann at example"),
    ("itunes-type", "<itunes:type>episodic</itunes:type>", "<itunes:type>seasonal</itunes:type>"),
    ("itunes-type", "<itunes:type>episodic</itunes:type>", ""),
    ("serial-episode-numbers", "<itunes:type>episodic", "<itunes:type>serial"),
    ("atom-self", 'rel="self"', 'rel="alternate"'),
    ("podcast-guid", podcast_guid(FEED_URL), "not-a-uuid"),
    ("podcast-guid", f"<podcast:guid>{podcast_guid(FEED_URL)}</podcast:guid>", ""),
    ("podcast-locked", "<podcast:locked>yes", "<podcast:locked>true"),
    ("item-title", "<title>Putin urges Kiev</title>", "<title></title>"),
    ("item-guid", f'<guid isPermaLink="false">{GUID1}</guid>', ""),
    ("guid-unique", f'<guid isPermaLink="false">{GUID2}', f'<guid isPermaLink="false">{GUID1}'),
    ("pubdate-rfc2822", "Fri, 14 Mar 2025 17:00:00 +0000", "2025-03-14T17:00:00Z"),
    ("pubdate-rfc2822", "Fri, 14 Mar 2025 17:00:00 +0000", "Fr, 14 Mär 2025 17:00:00 +0000"),
    ("pubdate-rfc2822", "Fri, 14 Mar 2025 17:00:00 +0000", "Thu, 14 Mar 2025 17:00:00 +0000"),
    ("pubdate-rfc2822", "Fri, 14 Mar 2025 17:00:00 +0000", "Fri, 14 Mar 2025 17:00:00 EST"),
    ("pubdate-rfc2822", "Fri, 14 Mar 2025 17:00:00 +0000", "Fri, 31 Feb 2025 17:00:00 +0000"),
    ("pubdate-rfc2822", "<pubDate>Fri, 14 Mar 2025 17:00:00 +0000</pubDate>", ""),
    ("enclosure", 'length="13504512"', 'length="0"'),
    ("enclosure", 'length="13504512"', 'length="13 MB"'),
    ("enclosure", ' type="audio/mpeg"', ""),
    ("enclosure", f'url="{MP3}"', 'url="/media/a.mp3"'),
    ("enclosure", f'<enclosure url="{MP3}" length="13504512" type="audio/mpeg"/>', ""),
    ("enclosure-type-extension", 'type="audio/mpeg"', 'type="audio/mp4"'),
    ("enclosure-type-extension", 'type="audio/x-m4a"', 'type="audio/mpeg"'),
    ("enclosure-url-unique", f'url="{M4A}" length="2048000" type="audio/x-m4a"',
     f'url="{MP3}" length="2048000" type="audio/mpeg"'),
    ("ascii-urls", "/2025/03/14/putin</link>", "/2025/03/14/pütin</link>"),
    ("ascii-urls", 'href="https://pod.example.com/daily/artwork.jpg"',
     'href="https://pod.example.com/daily/Künstler.jpg"'),
    ("itunes-duration", "<itunes:duration>1688<", "<itunes:duration>1688.5<"),
    ("itunes-duration", "<itunes:duration>28:08<", "<itunes:duration>28:8<"),
    ("season-episode-nonzero", "<itunes:episode>12<", "<itunes:episode>0<"),
    ("season-episode-nonzero", "<itunes:season>1<", "<itunes:season>-1<"),
    ("item-description-length", "Plain text notes.", LONG),
    ("html-tags", "<p>Notes with a", "<div>Notes with a"),
    ("html-tags", "<p>Notes <strong>", '<p><img src="https://x.example/p.gif"> <strong>'),
    ("html-tags", "Plain text notes.", "<h1>Plain</h1> <script>x()</script>"),
    ("html-tags", "News in ten minutes &amp; more.", "&lt;table&gt;News&lt;/table&gt;"),
    ("episode-type", "<itunes:episodeType>bonus<", "<itunes:episodeType>episode<"),
    ("http-urls", "<link>https://news.example.com/2025/03/14/putin</link>",
     "<link>javascript:alert(1)</link>"),
    ("http-urls", 'href="https://news.example.com/x"', 'href="javascript:alert(1)"'),
    ("http-urls", "<ul><li>0:00 Intro", '<ul><li><a href="data:text/html,x">0:00</a> Intro'),
    ("http-urls", "<itunes:episode>12</itunes:episode>", "<itunes:episode>12</itunes:episode>"
     '<podcast:transcript url="file:///etc/passwd" type="text/vtt"/>'),
]


@pytest.mark.parametrize(("rule", "old", "new"), BREAKS, ids=[f"{b[0]}:{i}" for i, b in
                                                             enumerate(BREAKS)])
def test_each_rule_fires_alone(rule: str, old: str, new: str) -> None:
    assert old in FEED
    broken = FEED.replace(old, new, 1)
    errors = _errors(broken)
    assert errors, f"{rule} did not fire"
    assert {f.rule for f in errors} == {rule}, [f.line() for f in errors]
    for finding in errors:
        assert finding.message and finding.fix and finding.where


WARNINGS = [
    ("item-guid", 'isPermaLink="false">' + GUID1, 'isPermaLink="true">' + GUID1),
    ("item-guid", 'isPermaLink="false">' + GUID1, ">" + GUID1),
    ("podcast-guid", podcast_guid(FEED_URL), GUID2),
    ("itunes-duration", "<itunes:duration>28:08</itunes:duration>", ""),
    ("episode-type", "<itunes:episodeType>bonus</itunes:episodeType>", ""),
    ("enclosure-type-extension", f'url="{M4A}"', 'url="https://media.example.com/a.xyz"'),
    ("http-urls", 'href="https://news.example.com/x"', 'href="mailto:desk@example.com"'),
]


@pytest.mark.parametrize(("rule", "old", "new"), WARNINGS)
def test_warnings(rule: str, old: str, new: str) -> None:
    assert old in FEED
    findings = check_feed(FEED.replace(old, new, 1).encode(), source="feed.xml")
    assert [(f.rule, f.level) for f in findings] == [(rule, "warning")]


def test_future_items_warn_with_a_clock() -> None:
    now = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
    findings = check_feed(FEED.encode(), source="feed.xml", now=now)
    assert [(f.rule, f.where) for f in findings] == [("pubdate-future", f"item {GUID1}")]


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31),
                    timezones=st.just(UTC)))
def test_pubdate_parser_accepts_what_models_writes(dt: datetime) -> None:
    assert parse_rfc2822(rfc2822(dt)) == dt.replace(microsecond=0)


@pytest.mark.parametrize(
    "text",
    ["Fri, 14 Mar 2025 17:00 -0500", "14 Mar 2025 17:00:00 GMT", "Fri, 7 Mar 2025 17:00:00 +0100"],
)
def test_pubdate_parser_accepts_rfc2822_variants(text: str) -> None:
    assert parse_rfc2822(text) is not None


def test_finding_line() -> None:
    f = Finding("itunes-type", "error", "channel", "<itunes:type> is 'x'", "use episodic")
    assert f.line("feed.xml") == "feed.xml: error [itunes-type] channel: <itunes:type> is 'x' " \
        "(use episodic)"


# -- artwork ----------------------------------------------------------------------------------


def png(width: int, height: int, color_type: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    raw = (b"\x00" + b"\x00" * width * channels) * height
    ihdr = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def jpeg(width: int, height: int, components: int = 3, progressive: bool = False) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff" + (b"\xc2" if progressive else b"\xc0") + struct.pack(
        ">HBHHB", 8 + 3 * components, 8, height, width, components)
    sof += b"".join(bytes([i + 1, 0x11, 0]) for i in range(components))
    return b"\xff\xd8" + app0 + b"\xff\xff" + sof + b"\xff\xda\x00\x02" + b"\xff\xd9"


def test_artwork_header_parser_reads_the_synthetic_images(tmp_path: Path) -> None:
    """check_artwork uses podman.audio.artwork's parser: it reads these headers as well."""
    from podman.audio.artwork import BadArtwork, read_image_info

    cases = [(png(1400, 1400), ("png", 1400, 1400, "rgb")),
             (jpeg(3000, 3000), ("jpeg", 3000, 3000, "rgb")),
             (jpeg(2000, 1000, 4, progressive=True), ("jpeg", 2000, 1000, "cmyk"))]
    for i, (data, expected) in enumerate(cases):
        path = tmp_path / f"{i}.img"
        path.write_bytes(data)
        info = read_image_info(path)
        assert (info.format, info.width, info.height, info.color) == expected
    for i, data in enumerate([b"\xff\xd8\xff\xd9", b""]):
        path = tmp_path / f"bad{i}.img"
        path.write_bytes(data)
        with pytest.raises(BadArtwork):
            read_image_info(path)


@pytest.mark.parametrize(
    ("name", "data", "rules"),
    [
        ("art.jpg", jpeg(3000, 3000), []),
        ("art.png", png(1400, 1400), []),
        ("art.png", jpeg(3000, 3000), ["artwork-extension"]),
        ("art.jpg", jpeg(3000, 2000), ["artwork-square"]),
        ("art.jpg", jpeg(1000, 1000), ["artwork-size"]),
        ("art.jpg", jpeg(4000, 4000), ["artwork-size"]),
        ("art.jpg", jpeg(3000, 3000, 4), ["artwork-color"]),
        ("art.png", png(1400, 1400, 0), ["artwork-color"]),
        ("art.png", png(1400, 1400, 6), ["artwork-color"]),
        ("art.jpg", b"GIF89a" + b"\x00" * 20, ["artwork-format"]),
    ],
)
def test_check_artwork(tmp_path: Path, name: str, data: bytes, rules: list[str]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert [f.rule for f in check_artwork(path)] == rules


def test_check_feed_resolves_artwork(tmp_path: Path) -> None:
    art = tmp_path / "artwork.jpg"
    art.write_bytes(jpeg(1000, 1000))
    seen: list[str] = []

    def resolve(url: str) -> Path:
        seen.append(url)
        return art

    findings = check_feed(FEED.encode(), source="feed.xml", artwork_path_resolver=resolve)
    assert seen == ["https://pod.example.com/daily/artwork.jpg"]
    assert [f.rule for f in findings] == ["artwork-size"]


# -- identity ---------------------------------------------------------------------------------


def test_feed_identity() -> None:
    identity = feed_identity(FEED.encode())
    assert identity == FeedIdentity(
        podcast_guid(FEED_URL), {GUID1: MP3, GUID2: M4A}, {MP3: GUID1, M4A: GUID2}
    )


def test_identity_unchanged_or_grown_is_fine() -> None:
    pg = podcast_guid(FEED_URL)
    new = {GUID1: MP3, GUID2: M4A, "new-guid": "https://media.example.com/new.mp3"}
    assert identity_findings(FEED.encode(), new, None, pg) == []
    assert identity_findings(None, new, None, pg) == []
    assert identity_findings(FEED.encode(), {GUID1: MP3}, None, pg) == []  # removal is allowed


@pytest.mark.parametrize(
    ("new", "new_pg", "rules"),
    [
        ({GUID1: MP3, GUID2: M4A}, GUID2, ["identity-podcast-guid"]),
        ({GUID1: MP3, GUID2: M4A.replace("77aa", "88bb")}, None, ["identity-enclosure-changed"]),
        ({GUID1: MP3, "fresh-guid": M4A}, None, ["identity-guid-changed"]),
        ({GUID1: M4A}, None, ["identity-guid-reused"]),
    ],
)
def test_identity_changes(new: dict[str, str], new_pg: str | None, rules: list[str]) -> None:
    findings = identity_findings(feed_identity(FEED.encode()), new, None, new_pg)
    assert [f.rule for f in findings] == rules
    assert all(f.level == "error" for f in findings)


# -- loading and online checks ------------------------------------------------------------------

BODY = b"ID3" + bytes(range(256)) * 4


class _Handler(QuietHandler):
    ranges = True

    def _headers(self, status: int, length: int, extra: dict[str, str]) -> None:
        self.send_response(status)
        kind = "application/rss+xml" if self.path.endswith(".xml") else "audio/mpeg"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        if self.path.endswith(".xml"):
            self.send_header("ETag", '"abc"')
            self.send_header("Cache-Control", "public, max-age=300")
        elif "/bad-cache/" not in self.path:
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()

    def _body(self) -> bytes | None:
        if self.path.endswith("feed.xml"):
            return FEED.encode()
        if self.path.endswith(".mp3"):
            return BODY
        return None

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        body = self._body()
        if body is None:
            self._headers(404, 0, {})
        else:
            self._headers(200, len(body), {})

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = self._body()
        if body is None:
            self._headers(404, 0, {})
            return
        if self.ranges and self.headers.get("Range") == "bytes=0-1":
            self._headers(206, 2, {"Content-Range": f"bytes 0-1/{len(body)}"})
            self.wfile.write(body[:2])
        else:
            self._headers(200, len(body), {})
            self.wfile.write(body)


class _NoRanges(_Handler):
    ranges = False


def _serve(handler: type[QuietHandler]) -> Iterator[str]:
    with serving(handler) as base:
        yield base


@pytest.fixture
def server() -> Iterator[str]:
    yield from _serve(_Handler)


@pytest.fixture
def no_ranges_server() -> Iterator[str]:
    yield from _serve(_NoRanges)


def test_online_all_good(server: str) -> None:
    urls = [
        ("feed", server + "/daily/feed.xml", None, "application/rss+xml"),
        ("enclosure", server + "/m/a.mp3", len(BODY), "audio/mpeg"),
    ]
    assert online_findings(urls, timeout=5) == []


def test_online_problems(server: str) -> None:
    urls = [
        ("enclosure", server + "/m/missing.m4a", 10, "audio/mp4"),
        ("enclosure", server + "/m/a.mp3", len(BODY) + 1, "audio/mp4"),
        ("enclosure", server + "/bad-cache/a.mp3", len(BODY), "audio/mpeg"),
    ]
    findings = online_findings(urls, timeout=5)
    assert [(f.rule, f.level) for f in findings] == [
        ("online-head", "error"),
        ("online-length", "error"),
        ("online-type", "error"),
        ("online-length", "error"),
        ("online-cache", "warning"),
    ]


def test_online_without_range_support(no_ranges_server: str) -> None:
    urls = [("enclosure", no_ranges_server + "/m/a.mp3", len(BODY), "audio/mpeg")]
    findings = online_findings(urls, timeout=5)
    assert [f.rule for f in findings] == ["online-range"]
    assert "answered 200, not 206" in findings[0].message


def test_online_unreachable() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    findings = online_findings([("feed", f"http://127.0.0.1:{port}/f.xml", None, None)], 2)
    assert [f.rule for f in findings] == ["online-unreachable"]


def test_check_feed_source(server: str, tmp_path: Path) -> None:
    assert check_feed_source(server + "/daily/feed.xml") == FEED.encode()
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED.encode())
    assert check_feed_source(str(path)) == FEED.encode()
    with pytest.raises(PodmanError, match="HTTP 404") as info:
        check_feed_source(server + "/nope.xml")
    assert not isinstance(info.value, BadInput)
    with pytest.raises(BadInput, match="no such feed file"):
        check_feed_source(str(tmp_path / "missing.xml"))
    with pytest.raises(BadInput, match="only files and http"):
        check_feed_source("ftp://example.com/feed.xml")


@given(st.integers(0, len(FEED)), st.integers(0, 200), st.binary(max_size=20))
def test_damaged_feeds_give_findings_not_crashes(start: int, length: int, junk: bytes) -> None:
    data = FEED.encode()
    damaged = data[:start] + junk + data[start + length :]
    findings = check_feed(damaged, source="feed.xml")
    assert all(isinstance(f, Finding) and f.level in ("error", "warning") for f in findings)
