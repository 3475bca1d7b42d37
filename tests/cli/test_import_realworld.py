"""The 25 real public feeds in ../shared/feeds/real: each imports with --no-download or is refused
with its reason (locked, stale), never an internal error, and its plan names its quirks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podman.catalog.episodes import load_show_episodes
from podman.importer.reader import read_feed
from tests.fixtures.cli import run

# ../shared/feeds/real beside the repository; PODMAN_REAL_FEEDS names it from a worktree elsewhere
REAL = Path(os.environ.get("PODMAN_REAL_FEEDS")
            or Path(__file__).resolve().parents[2].parent / "shared" / "feeds" / "real")
FEEDS = sorted(REAL.glob("*.xml")) if REAL.is_dir() else []
LOCKED = {"partytime__launched.xml", "partytime__pc20rss.xml", "stalla__o-tarz-mi.xml"}
# a quirk each plan must name (SOURCES.md says what each feed exercises)
QUIRKS = {
    "metalove__twit_feed.mp3.xml": "pubDate zone names: PST (10)",
    "partytime__sentimental-garbage.xml": "removed blank space before the XML declaration",
    "partytime__1865.xml": "tracking prefixes on 61 enclosure(s): dts.podtrac.com > chrt.fm",
    "partytime__launched.xml": "podcast:locked names its owner in `email=`",
    "partytime__themnshow.xml": "3 enclosure(s) claim length 0 or none",
    "node-podcast-parser__libsyn-example-podcast.xml": "CDATA around 6 <guid>",
    "stalla__revolutions.xml": "2 item(s) without an enclosure are left out",
    "stalla__reply-all.xml": "188 enclosure(s) claim length 0 or none",
    "stalla__dac-nhan-tam.xml": "tracking prefixes on 30 enclosure(s): anchor.fm",
    "stalla__mythes-et-legendes.xml": "items share a pubDate with another",
    "stalla__ardradiofeature.xml": "CDATA around 20 <pubDate>",
    "stalla__gemischtes-hack.xml": "page https://feeds.soundcloud.com/",
    "podcast-feed-parser__serial.xml": "tracking prefixes on 40 enclosure(s): dts.podtrac.com",
    "partytime__pc20rss.xml": "podcast:locked is yes (owner adam@curry.com)",
    "partytime__homegrown-hits.xml": "not carried over: podcast:block (1), podcast:complete (1), "
                                     "podcast:images (5), podcast:liveItem (1), podcast:value (5)",
}

pytestmark = [pytest.mark.realworld,
              pytest.mark.skipif(not FEEDS, reason="../shared/feeds/real is absent")]


@pytest.mark.parametrize("feed", FEEDS, ids=lambda p: p.name)
def test_real_feed_imports_or_is_refused_with_its_reason(workspace: Path, feed: Path) -> None:
    result = run("-C", workspace, "import", feed, "--no-download", "--show", "real")
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.output
    if feed.name in LOCKED:
        assert result.exit_code == 2
        assert "podcast:locked is yes" in result.stderr
        assert not (workspace / "feeds" / "real").exists()
    else:
        assert result.exit_code == 0, result.output
        old = read_feed(feed.read_bytes(), feed.name)
        kept = {ep.guid for ep in load_show_episodes(workspace / "feeds" / "real")}
        expected = {i.guid if i.guid is not None else i.enclosure_raw
                    for i in old.items if i.enclosure_url}
        assert kept == expected  # every GUID verbatim
        assert run("-C", workspace, "build").exit_code == 0
    if feed.name in QUIRKS:
        assert QUIRKS[feed.name] in result.stdout


@pytest.mark.skipif(not (REAL / "partytime__sentimental-garbage.xml").is_file(),
                    reason="../shared/feeds/real is absent")
def test_host_boilerplate_only_when_asked(workspace: Path) -> None:
    feed = REAL / "partytime__sentimental-garbage.xml"
    kept = run("-C", workspace, "import", feed, "--no-download", "--show", "kept")
    assert "host boilerplate in the notes: Acast (138)" in kept.stdout
    stripped = run("-C", workspace, "import", feed, "--no-download", "--show", "stripped",
                   "--strip-boilerplate")
    assert (kept.exit_code, stripped.exit_code) == (0, 0)
    as_is = load_show_episodes(workspace / "feeds" / "kept")
    cut = load_show_episodes(workspace / "feeds" / "stripped")
    assert all("Hosted on Acast" in ep.notes for ep in as_is)
    assert not any("Hosted on Acast" in ep.notes for ep in cut)
    assert all(ep.extra["import"]["boilerplate_removed"] == ["Acast"] for ep in cut)
    assert [ep.guid for ep in cut] == [ep.guid for ep in as_is]
