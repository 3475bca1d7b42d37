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
