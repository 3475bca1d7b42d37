"""The raw-XML reader: identity verbatim, what apps forgive accepted and said, nothing fetched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.core.errors import BadInput
from podman.importer.reader import (
    feed_link_in_html,
    looks_like_html,
    parse_duration_claim,
    parse_pub_date,
    read_feed,
)

PODCAST_OLD = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"


def feed(items: str, channel: str = "", head: str = "") -> bytes:
    return (f'{head}<rss version="2.0" xmlns:i="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            f'xmlns:p="{PODCAST_OLD}"><channel><title>T</title>{channel}{items}</channel></rss>'
            ).encode()


_XML_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff",
                           min_codepoint=0x20)


@given(st.text(_XML_CHARS, min_size=1, max_size=60).filter(lambda s: s.strip()
                                                          and "]]>" not in s))
def test_guid_in_cdata_is_kept_verbatim(guid: str) -> None:
    item = feed(f"<item><guid isPermaLink='false'><![CDATA[{guid}]]></guid></item>")
    assert read_feed(item, "t").items[0].guid == guid


@given(st.text(_XML_CHARS, min_size=1, max_size=60).filter(str.strip))
def test_escaped_guid_is_kept_verbatim(guid: str) -> None:
    escaped = guid.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert read_feed(feed(f"<item><guid>{escaped}</guid></item>"), "t").items[0].guid == guid


def test_repairs_are_said_and_prefixes_do_not_matter() -> None:
    data = b'\n\n<?xml version="1.0"?>' + feed(
        "<item><title>A&nbsp;B</title><guid>g</guid><i:duration>1:02:03</i:duration>"
        "<p:transcript url='https://x.example/t.srt' type='application/srt'/></item>",
        channel="<p:locked email='me@x.example'>yes</p:locked>")
    got = read_feed(data, "t")
    assert got.items[0].title == "A\u00a0B" and got.items[0].duration_claim == 3723
    assert got.items[0].transcripts[0].type == "application/srt"
    assert (got.locked, got.locked_owner) == (True, "me@x.example")
    assert got.repairs == [
        "removed blank space before the XML declaration",
        "HTML entities read as characters: nbsp",
        "itunes namespace under the prefix 'i'",
        f"podcast namespace under its older URI {PODCAST_OLD}",
        "podcast namespace under the prefix 'p'",
        "podcast:locked names its owner in `email=`, read as owner",
    ]


def test_entities_inside_cdata_are_left_alone() -> None:
    got = read_feed(feed("<item><guid><![CDATA[a&nbsp;b]]></guid></item>"), "t")
    assert got.items[0].guid == "a&nbsp;b" and got.repairs[:1] != ["HTML entities"]


def test_notes_preference_and_permalink() -> None:
    got = read_feed(feed(
        "<item><guid>https://x.example/1</guid><description>d</description>"
        "<i:summary>s</i:summary></item>"
        "<item><guid isPermaLink='false'>2</guid><i:summary>s</i:summary></item>"), "t")
    one, two = got.items
    assert (one.notes, one.notes_source, one.guid_permalink) == ("d", "description", True)
    assert (two.notes, two.notes_source, two.guid_permalink) == ("s", "itunes:summary", False)


@pytest.mark.parametrize("raw, instant, why", [
    ("Sat, 04 Jan 2020 09:00:00 PST", datetime(2020, 1, 4, 17, tzinfo=UTC), ""),
    ("Mon, 06 Jan 2020 10:00:00 EST", datetime(2020, 1, 6, 15, tzinfo=UTC), ""),
    ("Wed, 15 Jan 2020 10:00:00 +0200", datetime(2020, 1, 15, 8, tzinfo=UTC), ""),  # wrong offset
    ("Wed, 15 Jan 2020 10:00:00 -0000", datetime(2020, 1, 15, 10, tzinfo=UTC), ""),
    ("Wed, 15 Jan 2020 10:00:00 CEST", datetime(2020, 1, 15, 8, tzinfo=UTC), ""),
    ("2020-01-15T10:00:00Z", datetime(2020, 1, 15, 10, tzinfo=UTC), "ISO 8601 pubDate read"),
    ("yesterday", None, "pubDate 'yesterday' is not a date"),
])
def test_pub_dates_keep_the_instant(raw: str, instant: datetime | None, why: str) -> None:
    assert parse_pub_date(raw) == (instant, why)


@pytest.mark.parametrize("raw, seconds", [
    ("1:04", 64.0), ("1:02:03", 3723.0), ("148:31", 8911.0), ("3600", 3600.0),
    ("12.5", 12.5), ("", None), ("about an hour", None), ("1:2:3:4", None),
])
def test_duration_claims(raw: str, seconds: float | None) -> None:
    assert parse_duration_claim(raw) == seconds


def test_html_page_links_its_feed() -> None:
    page = (b"<!DOCTYPE html><html><head><link rel='stylesheet' href='a.css'>"
            b"<link rel='alternate' type='application/rss+xml' href='/feed.xml'></head></html>")
    assert looks_like_html(page)
    assert feed_link_in_html(page, "https://old.example/show/") == "https://old.example/feed.xml"
    assert feed_link_in_html(b"<html></html>", "https://old.example/") is None


def test_no_network_and_no_entity_expansion() -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss><channel><title>&x;</title></channel></rss>")
    got = read_feed(evil, "t")
    assert "root:" not in got.title


def test_not_rss() -> None:
    with pytest.raises(BadInput, match="an HTML page, not a feed"):
        read_feed(b"<html><body/></html>", "t")


@given(st.binary(max_size=400))
def test_any_bytes_give_a_feed_or_one_bad_input(data: bytes) -> None:
    try:
        read_feed(data, "t")
    except BadInput as exc:
        assert exc.message.startswith("t: ")


_PIECES = st.sampled_from([
    "<item>", "</item>", "<guid>", "</guid>", "<pubDate>", "</pubDate>", "<![CDATA[", "]]>",
    "<enclosure url='https://x.example/a.mp3' length='x'/>", "<i:duration>", "</i:duration>",
    "&amp;", "&nbsp;", "&bogus;", "<p:season>", "</p:season>", "<i:episode>-1</i:episode>",
    "<p:soundbite startTime='a' duration='1'/>", "<p:locked>yes</p:locked>", "Tue, 31 Dec",
    "1:2:3", "<psc:chapters><psc:chapter start='x' title='t'/></psc:chapters>", "\n", "ü",
])


@given(st.lists(_PIECES, max_size=30))
def test_broken_items_never_crash(pieces: list[str]) -> None:
    data = feed("<item>" + "".join(pieces) + "</item>").replace(
        b"<rss ", b'<rss xmlns:psc="http://podlove.org/simple-chapters" ')
    try:
        got = read_feed(data, "t")
    except BadInput:
        return
    for item in got.items:
        assert item.guid is None or item.guid.strip()
        assert item.published is None or item.published.tzinfo is not None


@given(st.text(max_size=40))
def test_any_pub_date_text_is_read_or_explained(raw: str) -> None:
    instant, why = parse_pub_date(raw)
    assert instant is not None or why
