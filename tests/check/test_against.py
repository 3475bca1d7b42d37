"""compare_feeds: every difference an app would notice between an old feed and its replacement."""

from __future__ import annotations

import pytest

from podman.check.against import compare_feeds
from podman.core.errors import BadInput
from podman.core.models import podcast_guid
from tests.fixtures.feed import OLD_URL, old_feed, old_item

A = "https://old-host.example.com/a.mp3"
B = "https://old-host.example.com/b.mp3"
NEW_A = "https://media.example.org/brief/a-1234.mp3"
NEW_B = "https://media.example.org/brief/b-5678.mp3"
PG = podcast_guid(OLD_URL)


def old() -> bytes:
    return old_feed([
        old_item("guid-a", "Episode A &amp; more", "Tue, 08 Jan 2019 15:01:32 PST", A,
                 season="1", episode="1"),
        old_item("guid-b", "Episode B", "Wed, 09 Jan 2019 10:00:00 -0500", B, explicit="yes"),
    ])


def new(*items: str, **kw: str) -> bytes:
    kw.setdefault("podcast_guid", PG)
    return old_feed(list(items) or [
        old_item("guid-a", "Episode  A &amp; more", "Tue, 08 Jan 2019 23:01:32 +0000", NEW_A,
                 season="1", episode="01", explicit="false"),
        old_item("guid-b", "Episode B", "Wed, 09 Jan 2019 15:00:00 +0000", NEW_B,
                 explicit="true"),
    ], generator="podman 0.1.0", **kw)


def rules(found: list) -> list[tuple[str, str, str]]:
    return [(f.level, f.rule, f.where) for f in found]


def test_a_faithful_copy_has_no_finding() -> None:
    # other zone, same instant; whitespace in titles; explicit spelled true/false; "01" == "1"
    assert compare_feeds(old(), [new()], old_source="old.xml", old_url=OLD_URL) == []


def test_archive_pages_count_together() -> None:
    page1 = new(old_item("guid-a", "Episode A &amp; more", "Tue, 08 Jan 2019 23:01:32 +0000",
                         NEW_A, season="1", episode="1"))
    page2 = new(old_item("guid-b", "Episode B", "Wed, 09 Jan 2019 15:00:00 +0000", NEW_B,
                         explicit="yes"))
    assert compare_feeds(old(), [page1, page2], old_source="o", old_url=OLD_URL) == []


def test_missing_repeated_and_changed_items_are_each_one_line() -> None:
    a = old_item("guid-a", "Episode A, renamed", "Tue, 08 Jan 2019 23:01:33 +0000", NEW_A,
                 season="2", episode="1")
    found = compare_feeds(old(), [new(a, a)], old_source="o", old_url=OLD_URL)
    assert ("error", "against-guid-missing", "item guid-b") in rules(found)
    assert ("error", "against-guid-repeated", "item guid-a") in rules(found)
    for rule in ("against-title", "against-pubdate", "against-season"):
        assert ("error", rule, "item guid-a") in rules(found), rule
    assert sum(1 for f in found if f.rule == "against-title") == 1


def test_explicit_falls_back_to_the_channel() -> None:
    # the old item has no explicit of its own: the channel's "no" applies; "yes" differs
    a = old_item("guid-a", "Episode A &amp; more", "Tue, 08 Jan 2019 23:01:32 +0000", NEW_A,
                 season="1", episode="1", explicit="yes")
    b = old_item("guid-b", "Episode B", "Wed, 09 Jan 2019 15:00:00 +0000", NEW_B,
                 explicit="yes")
    found = compare_feeds(old(), [new(a, b)], old_source="o", old_url=OLD_URL)
    assert rules(found) == [("error", "against-explicit", "item guid-a")]


@pytest.mark.parametrize(("item", "duplicate"), [
    (old_item("fresh", "Something else", "Thu, 10 Jan 2019 10:00:00 +0000", A), True),
    (old_item("fresh", "episode b", "Wed, 09 Jan 2019 23:00:00 +0000", "https://x/c.mp3",
              duration="1750"), True),   # 9 min 10 s apart
    (old_item("fresh", "Episode B", "Wed, 09 Jan 2019 23:00:00 +0000", "https://x/c.mp3",
              duration="1860"), False),  # 11 minutes apart
    (old_item("fresh", "Episode B", "Thu, 10 Jan 2019 12:00:00 +0000", "https://x/c.mp3"),
     False),  # another day
])
def test_a_new_item_that_apps_would_take_for_an_old_one(item: str, duplicate: bool) -> None:
    found = compare_feeds(old(), [new(*_faithful(), item)], old_source="o", old_url=OLD_URL)
    assert (("error", "against-duplicate", "item fresh") in rules(found)) is duplicate
    assert all(f.rule == "against-duplicate" for f in found if f.level == "error")


def _faithful() -> list[str]:
    return [old_item("guid-a", "Episode A &amp; more", "Tue, 08 Jan 2019 23:01:32 +0000", NEW_A,
                     season="1", episode="1"),
            old_item("guid-b", "Episode B", "Wed, 09 Jan 2019 15:00:00 +0000", NEW_B,
                     explicit="yes")]


def test_podcast_guid_and_owner_email() -> None:
    found = compare_feeds(old(), [new(*_faithful(), podcast_guid=podcast_guid(
        "https://new.example.org/brief/feed.xml"), email="other@example.com")],
        old_source="o", old_url=OLD_URL)
    assert rules(found) == [("error", "against-podcast-guid", "channel"),
                            ("error", "against-owner-email", "channel")]
    assert PG in found[0].message  # the UUIDv5 of the OLD URL
    kept = old_feed([], podcast_guid="917393E3-1B1E-5CEF-ACE4-EDAA54E1F810")
    same = old_feed([], podcast_guid="917393e3-1b1e-5cef-ace4-edaa54e1f810")
    assert compare_feeds(kept, [same], old_source="o") == []


def test_guidless_old_item_is_known_by_its_enclosure_url_and_parsers_are_compared() -> None:
    link = "<link>https://old-host.example.com/ep/c</link>"
    before = old_feed([old_item(None, "C", "Thu, 10 Jan 2019 10:00:00 +0000", A, extra=link)])
    after = new(old_item(A, "C", "Thu, 10 Jan 2019 10:00:00 +0000", NEW_A, extra=link))
    found = compare_feeds(before, [after], old_source="o", old_url=OLD_URL)
    # ours keeps the enclosure URL as GUID; podcastparser keyed the old item on its <link>
    assert {(f.rule, f.where) for f in found} == {
        ("against-parsers", "item https://old-host.example.com/ep/c"),
        ("against-parsers", f"item {A}")}
    assert all("podcastparser" in f.message for f in found)


def test_old_items_without_enclosure_are_not_required() -> None:
    text_post = old_item("post", "A text post", "Thu, 10 Jan 2019 10:00:00 +0000", "")
    before = old_feed([*_faithful()[:0], text_post])
    found = compare_feeds(before, [new(*_faithful())], old_source="o", old_url=OLD_URL)
    assert rules(found) == [("warning", "against-no-enclosure", "item post")]


def test_a_blank_line_before_the_declaration_is_forgiven_but_broken_xml_is_bad_input() -> None:
    found = compare_feeds(b"\n" + old(), [new()], old_source="o", old_url=OLD_URL)
    # podcastparser refuses such a feed, which the check says as a warning
    assert rules(found) == [("warning", "against-parsers", "feed")]
    with pytest.raises(BadInput, match="old.xml: not well-formed"):
        compare_feeds(b"<rss><channel>", [new()], old_source="old.xml")


def test_numbers_and_guid_under_the_older_podcast_namespace_uri() -> None:
    older = 'xmlns:podcast="https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"'
    extra = "<podcast:season>2</podcast:season><podcast:episode>7</podcast:episode>"
    before = old_feed([old_item("g", "T", "Thu, 10 Jan 2019 10:00:00 +0000", A, extra=extra)],
                      podcast_guid=PG).replace(
        b'xmlns:podcast="https://podcastindex.org/namespace/1.0"', older.encode())
    same = new(old_item("g", "T", "Thu, 10 Jan 2019 10:00:00 +0000", NEW_A, season="2",
                        episode="7"))
    assert compare_feeds(before, [same], old_source="o") == []
    other = new(old_item("g", "T", "Thu, 10 Jan 2019 10:00:00 +0000", NEW_A, season="3",
                         episode="7"))
    assert rules(compare_feeds(before, [other], old_source="o")) == [
        ("error", "against-season", "item g")]


def test_a_missing_episode_is_one_line_not_three() -> None:
    found = compare_feeds(old(), [new(_faithful()[0])], old_source="o", old_url=OLD_URL)
    assert rules(found) == [("error", "against-guid-missing", "item guid-b")]


# -- regressions found by importing the quirk feed (tests/fixtures/old_host.py) -----------------

GITHUB_NS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"


def test_podcast_guid_under_the_older_uri_and_any_prefix_is_read() -> None:
    kept = "11111111-2222-5333-8444-555555555555"
    before = old_feed([old_item("g", "T", "Thu, 10 Jan 2019 10:00:00 +0000", A)],
                      podcast_guid=kept).replace(
        b'xmlns:podcast="https://podcastindex.org/namespace/1.0"',
        f'xmlns:pod="{GITHUB_NS}"'.encode()).replace(b"podcast:guid>", b"pod:guid>")
    assert b"<pod:guid>" in before
    same = new(old_item("g", "T", "Thu, 10 Jan 2019 10:00:00 +0000", NEW_A), podcast_guid=kept)
    assert compare_feeds(before, [same], old_source="o", old_url=OLD_URL) == []
    other = new(old_item("g", "T", "Thu, 10 Jan 2019 10:00:00 +0000", NEW_A))  # UUIDv5 of URL
    found = compare_feeds(before, [other], old_source="o", old_url=OLD_URL)
    assert rules(found) == [("error", "against-podcast-guid", "channel")]
    assert "the old feed's is " + kept in found[0].message


def test_a_guid_the_old_feed_repeats_is_compared_with_its_first_item_only() -> None:
    first = old_item("guid-a", "Episode A", "Tue, 08 Jan 2019 23:01:32 +0000", A)
    again = old_item("guid-a", "Episode A again", "Mon, 07 Jan 2019 10:00:00 +0000", B)
    before = old_feed([first, again, again])
    found = compare_feeds(before, [new(first.replace(A, NEW_A))], old_source="o",
                          old_url=OLD_URL)
    assert rules(found) == [("warning", "against-old-duplicate", "item guid-a")]
    assert "OLD feed" in found[0].message
    # the first item is what counts: a new feed that kept the second copy's title differs
    found = compare_feeds(before, [new(again.replace(B, NEW_A))], old_source="o",
                          old_url=OLD_URL)
    assert {f.rule for f in found if f.level == "error"} == {"against-title", "against-pubdate"}


@pytest.mark.parametrize("channel_flag", ["", "<itunes:explicit>maybe</itunes:explicit>"])
def test_an_unset_old_explicit_flag_is_false(channel_flag: str) -> None:
    before = old_feed([
        old_item("guid-a", "A", "Tue, 08 Jan 2019 23:01:32 +0000", A),
        old_item("guid-b", "B", "Wed, 09 Jan 2019 15:00:00 +0000", B, explicit="yes"),
    ]).replace(b"<itunes:explicit>no</itunes:explicit>", channel_flag.encode())
    assert b"<itunes:explicit>no<" not in before
    faithful = [old_item("guid-a", "A", "Tue, 08 Jan 2019 23:01:32 +0000", NEW_A,
                         explicit="false"),
                old_item("guid-b", "B", "Wed, 09 Jan 2019 15:00:00 +0000", NEW_B,
                         explicit="true")]
    assert compare_feeds(before, [new(*faithful)], old_source="o", old_url=OLD_URL) == []
    flipped = [faithful[0].replace(">false<", ">true<"), faithful[1]]
    found = compare_feeds(before, [new(*flipped)], old_source="o", old_url=OLD_URL)
    assert rules(found) == [("error", "against-explicit", "item guid-a")]
    assert "explicit is true, was false" in found[0].message


def test_feedparser_ids_of_a_malformed_old_feed_are_compared_unescaped() -> None:
    guids = ("  tag:old,2019:1?a=1&b=2  ", "ep-4 &amp; &lt;friends&gt;")  # CDATA, then escaped
    items = [old_item(guids[0], "One", "Tue, 08 Jan 2019 23:01:32 +0000", A),
             old_item(None, "Four", "Wed, 09 Jan 2019 15:00:00 +0000", B,
                      extra=f'<guid isPermaLink="false">{guids[1]}</guid>')]
    after = new(items[0].replace(A, NEW_A), items[1].replace(B, NEW_B))
    well_formed = old_feed(items)
    assert compare_feeds(well_formed, [after], old_source="o", old_url=OLD_URL) == []
    # a blank line before <?xml: feedparser's loose mode leaves &amp; in both ids
    found = compare_feeds(b"\n" + well_formed, [after], old_source="o", old_url=OLD_URL)
    assert [f.level for f in found] == ["warning", "warning"]
    assert "podcastparser cannot read the old feed" in found[0].message
    assert "feedparser reads the old feed only loosely" in found[1].message
    assert "2 id(s) entity-escaped" in found[1].message
    # a real difference still shows through the normalisation
    changed = new(items[0].replace(A, NEW_A), items[1].replace(B, NEW_B).replace("ep-4", "ep-5"))
    found = compare_feeds(b"\n" + well_formed, [changed], old_source="o", old_url=OLD_URL)
    assert ("error", "against-guid-missing", "item ep-4 & <friends>") in rules(found)
