"""Rule levels on feeds podman did not build: only what a directory or app acts on is an error;
podman's house rules are warnings with their rule id; --strict makes them errors."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.check.feed import check_feed
from podman.check.rules import (
    _DAYS,
    _MONTHS,
    OBS_ZONES,
    leveled,
    parse_rfc822_lenient,
    parse_rfc2822,
)
from podman.core.models import podcast_guid
from podman.workflows.lint import check_source, is_foreign
from tests.fixtures.cli import run
from tests.fixtures.feed import OLD_URL, old_feed, old_item

# ../shared/feeds/real beside the repository; PODMAN_REAL_FEEDS names it from a worktree elsewhere
REAL = Path(os.environ.get("PODMAN_REAL_FEEDS")
            or Path(__file__).resolve().parents[2].parent / "shared" / "feeds" / "real")
MP3 = "https://cdn.example.com/a.mp3"

# What `podman check FEED` still calls an error on each real feed, and why it is real
# (docs/feed-rules.md, "Real feeds"). Feeds not named here get no error at all.
REMAINING = {
    "Podcast-Server__rss.lesGrandesGueules.xml": {"namespace-itunes", "itunes-category",
                                                  "itunes-explicit"},
    "node-podcast-parser__rtve-podcast.xml": {"itunes-category"},
    "partytime__homegrown-hits.xml": {"itunes-image"},
    "partytime__sentimental-garbage.xml": {"xml-wellformed"},
    "partytime__themnshow.xml": {"itunes-explicit"},
    "rss-parser__itunes-category.xml": {"namespace-itunes", "itunes-image"},
    "stalla__ardradiofeature.xml": {"namespace-itunes"},
    "stalla__revolutions.xml": {"enclosure", "item-description-length"},
}


def levels(xml: bytes, *, foreign: bool = True) -> dict[str, set[str]]:
    found = leveled(check_feed(xml, source="t"), foreign=foreign)
    return {level: {f.rule for f in found if f.level == level} for level in ("error", "warning")}


def test_house_rules_are_warnings_on_a_foreign_feed_and_errors_on_ours() -> None:
    body = old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 PST", MP3, explicit="yes",
                    extra="<description><![CDATA[<h3>Hi</h3>]]></description>")
    xml = old_feed([body])
    foreign = levels(xml)
    assert foreign["error"] == set()
    assert {"podcast-guid", "podcast-locked", "html-tags", "itunes-explicit", "pubdate-rfc2822",
            "itunes-type"} <= foreign["warning"]
    ours = levels(xml, foreign=False)
    assert {"podcast-guid", "podcast-locked", "html-tags", "itunes-explicit",
            "pubdate-rfc2822"} <= ours["error"]


@pytest.mark.parametrize(("item", "rule"), [
    (old_item("g1", "One", "Tue, 32 Foo 2019 15:01:32 +0000", MP3), "pubdate-rfc2822"),
    (old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 XYZ", MP3), "pubdate-rfc2822"),
    (old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3, explicit="maybe"),
     "itunes-explicit"),
    (old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", ""), "enclosure"),
    (old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3) * 2, "guid-unique"),
    (old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3, season="0"),
     "season-episode-nonzero"),
])
def test_what_apps_act_on_stays_an_error(item: str, rule: str) -> None:
    assert rule in levels(old_feed([item]))["error"]


def test_zero_length_is_a_warning_but_a_missing_length_an_error() -> None:
    good = old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3)
    zero = levels(old_feed([good.replace('length="1234"', 'length="0"')]))
    assert "enclosure" in zero["warning"] and "enclosure" not in zero["error"]
    missing = levels(old_feed([good.replace(' length="1234"', "")]))
    assert "enclosure" in missing["error"]


def test_categories_apple_maps_are_warnings_unknown_ones_errors() -> None:
    item = old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3)
    retired = old_feed([item], channel='<itunes:category text="Games &amp; Hobbies"/>')
    assert "itunes-category" not in levels(retired)["error"]
    made_up = old_feed([item], channel='<itunes:category text="Cheese"/>')
    assert "itunes-category" in levels(made_up)["error"]


def test_artwork_url_ending_in_a_query_jpg_is_accepted() -> None:
    item = old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3)
    xml = old_feed([item]).replace(b"art.jpg", b"art/variant?.jpg")
    assert "itunes-image" not in levels(xml, foreign=False)["error"]
    gif = old_feed([item]).replace(b"art.jpg", b"art.gif")
    assert "itunes-image" in levels(gif)["error"]


def test_lenient_dates_keep_the_instant() -> None:
    est = parse_rfc822_lenient("07 Nov 2015 12:00:00 EST")
    assert est is not None and est.isoformat() == "2015-11-07T12:00:00-05:00"
    assert parse_rfc822_lenient("Mon, 08 Jan 2019 15:01:32 PST") is not None  # wrong weekday
    assert parse_rfc822_lenient("8 janvier 2019 15:01") is None


def test_a_feed_podman_built_is_checked_in_full(tmp_path: Path) -> None:
    item = old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3)
    ours = old_feed([item], generator="podman 0.1.0")
    assert not is_foreign(ours) and is_foreign(old_feed([item])) and is_foreign(b"<rss")
    path = tmp_path / "feed.xml"
    path.write_bytes(ours)
    report = check_source(str(path))
    assert {f.rule for _, f in report.findings if f.level == "error"} >= {"podcast-guid"}


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_bytes(old_feed([old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3)]))
    relaxed = run("check", path)
    assert relaxed.exit_code == 0, relaxed.output
    assert "warning old.xml: [podcast-guid]" in relaxed.output
    strict = run("check", path, "--strict")
    assert strict.exit_code == 1
    assert "error old.xml: [podcast-guid]" in strict.output


@pytest.mark.realworld
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/feeds/real is not here")
def test_real_feeds_keep_only_real_errors() -> None:
    feeds = sorted(REAL.glob("*.xml"))
    assert len(feeds) == 25
    for path in feeds:
        report = check_source(str(path))
        errors = {f.rule for _, f in report.findings if f.level == "error"}
        assert errors == REMAINING.get(path.name, set()), path.name
        # every warning names its rule, and --strict would fail each feed that has one
        strict = check_source(str(path), strict=True)
        assert strict.errors == report.errors + report.warnings
    garbage = check_source(str(REAL / "partytime__sentimental-garbage.xml"))
    assert [f.fix for _, f in garbage.findings] == [
        "remove what comes before <?xml (expat and podcastparser refuse it)"]
    podlovers = check_source(str(REAL / "metalove__podlovers.xml"))
    assert podlovers.errors == 0
    assert {f.rule for _, f in podlovers.findings} == {"podcast-guid", "podcast-locked",
                                                       "html-tags"}


@given(when=st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)),
       zone=st.sampled_from(sorted(OBS_ZONES)))
def test_zone_names_mean_their_offsets(when: datetime, zone: str) -> None:
    when = when.replace(microsecond=0)
    day = f"{_DAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]}"
    text = f"{day} {when:%Y %H:%M:%S} {zone}"
    numeric = f"{text.rsplit(' ', 1)[0]} {OBS_ZONES[zone]}"
    assert parse_rfc822_lenient(text) == parse_rfc2822(numeric) is not None


@given(st.text(max_size=40))
def test_the_lenient_parser_never_raises(text: str) -> None:
    assert parse_rfc822_lenient(text) is None or parse_rfc822_lenient(text).tzinfo is not None


def test_podcast_tags_are_read_by_namespace_uri_whatever_the_prefix() -> None:
    """`pod:guid` under the older GitHub URI of the podcast namespace is a podcast:guid."""
    github = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
    plain = old_feed([old_item("g1", "One", "Tue, 08 Jan 2019 15:01:32 +0000", MP3)],
                     podcast_guid=podcast_guid(OLD_URL))  # the UUIDv5 of its own URL
    assert "podcast-guid" not in levels(plain)["warning"]
    aliased = plain.replace(b'xmlns:podcast="https://podcastindex.org/namespace/1.0"',
                            f'xmlns:pod="{github}"'.encode()).replace(b"podcast:guid>",
                                                                     b"pod:guid>")
    assert f"<pod:guid>{podcast_guid(OLD_URL)}".encode() in aliased
    assert "podcast-guid" not in levels(aliased)["warning"]
    unread = aliased.replace(github.encode(), b"https://elsewhere.example/ns")
    assert "podcast-guid" in levels(unread)["warning"]
