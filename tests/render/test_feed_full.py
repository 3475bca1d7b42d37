"""Every feed tag end to end: golden feed, read back by podcastparser/feedparser, archives."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import podcastparser
import pytest

from tests.fixtures.feed import BASE, NOW, make_full_workspace, run
from tests.fixtures.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden" / "full-feed.xml"
FEED_URL = f"{BASE}/full/feed.xml"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PODMAN_BASE_URL", "PODMAN_PUBLIC_URL", "PODMAN_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    root = make_full_workspace(tmp_path / "ws")
    result = run("-C", str(root), "build", "--now", NOW)
    assert result.exit_code == 0, result.output
    return root


def feed_bytes(root: Path, name: str = "full/feed.xml") -> bytes:
    return (root / "public" / name).read_bytes()


def test_full_feed_matches_golden(ws: Path) -> None:
    actual = feed_bytes(ws).decode("utf-8")
    assert_golden(GOLDEN, actual)


def test_rebuild_is_byte_identical(ws: Path) -> None:
    result = run("-C", str(ws), "build", "--now", NOW)
    assert result.exit_code == 0
    assert "0 written" in result.stderr


def test_podcastparser_reads_chapters_transcripts_durations(ws: Path) -> None:
    parsed = podcastparser.parse(FEED_URL, io.BytesIO(feed_bytes(ws)))
    budget, trailer = parsed["episodes"][1], parsed["episodes"][0]
    assert [(e["title"], e["total_time"]) for e in parsed["episodes"]] == [
        ("Trailer: the new season", 61), ("Budget day: what it means", 1688)]
    assert [c["title"] for c in budget["chapters"]] == ["Intro", "Budget 2025 in full",
                                                        "Markets"]
    assert budget["chapters"][1]["start"] == 95
    assert budget["chapters"][2]["href"] == "https://news.example.com/2025/05/20/markets"
    assert budget["episode_art_url"] == f"{BASE}/media/full/ep1-cover.jpg"
    assert trailer["type"] == "trailer"
    assert budget["enclosures"][0]["file_size"] == 10000
    assert budget["link"] == "https://news.example.com/2025/05/20/budget"
    assert "Not yet" not in {e["title"] for e in parsed["episodes"]}


def test_podcast_namespace_links(ws: Path) -> None:
    # podcastparser 0.6 only maps the namespace's old GitHub URI, so read these with ElementTree.
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    items = ET.fromstring(feed_bytes(ws)).findall("channel/item")
    budget = items[1]
    assert budget.find("podcast:chapters", ns).get("url") == (
        f"{BASE}/full/chapters/2025-05-20-budget-day.chapters.json")
    assert [(t.get("url").rsplit("/", 1)[1], t.get("type"))
            for t in budget.findall("podcast:transcript", ns)] == [
        ("2025-05-20-budget-day.vtt", "text/vtt"),
        ("2025-05-20-budget-day.srt", "application/x-subrip")]
    assert budget.find("podcast:soundbite", ns).attrib == {"startTime": "73.5", "duration": "30"}
    assert budget.find("podcast:person", ns).text == "Ben Guest"


def test_feedparser_reads_enclosures_and_articles(ws: Path) -> None:
    parsed = feedparser.parse(feed_bytes(ws))
    assert not parsed.bozo
    assert parsed.feed.title == "The Full Show"
    budget = parsed.entries[1]
    assert budget.enclosures[0].href.endswith("budget-day-aaaaaaaaaa.mp3")
    assert budget.itunes_duration == "1688"
    assert 'href="https://news.example.com/2025/05/20/markets"' in budget.content[0].value
    assert budget.link == "https://news.example.com/2025/05/20/budget"


def test_chapters_and_transcripts_are_published(ws: Path) -> None:
    chapters = json.loads(feed_bytes(ws, "full/chapters/2025-05-20-budget-day.chapters.json"))
    assert chapters["version"] == "1.2.0"
    assert chapters["chapters"][1] == {"startTime": 95.5, "title": "Budget 2025 in full",
                                       "url": "https://news.example.com/2025/05/20/budget"}
    vtt = feed_bytes(ws, "full/transcripts/2025-05-20-budget-day.vtt").decode()
    assert vtt.startswith("WEBVTT\n") and "00:00:04.500 --> 00:00:08.000" in vtt
    assert feed_bytes(ws, "full/transcripts/2025-05-20-budget-day.srt").startswith(b"1\n")


def test_articles_json_has_duration_text_audio_and_page(ws: Path) -> None:
    index = json.loads(feed_bytes(ws, "full/articles.json"))
    (entry,) = index["https://news.example.com/2025/05/20/budget"]
    assert entry["duration_text"] == "28:08"
    assert entry["audio_url"].endswith(".mp3")
    assert entry["page"] == f"{BASE}/full/episodes/2025-05-20-budget-day.html"


def test_check_passes_on_the_full_workspace(ws: Path) -> None:
    result = run("-C", str(ws), "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_misspelt_category_stops_the_build(ws: Path) -> None:
    toml = ws / "feeds" / "full" / "show.toml"
    toml.write_text(toml.read_text().replace("Technology", "Technolgy"))
    result = run("-C", str(ws), "build", "--now", NOW)
    assert result.exit_code == 2
    assert "feeds/full/show.toml" in result.stderr
    assert 'did you mean "Technology"' in result.stderr


def test_bad_show_key_is_a_config_error(ws: Path) -> None:
    toml = ws / "feeds" / "full" / "show.toml"
    toml.write_text(toml.read_text().replace('medium = "podcast"', 'medium = "radio"'))
    result = run("-C", str(ws), "build", "--now", NOW)
    assert result.exit_code == 2
    assert "medium 'radio'" in result.stderr


def _more_episodes(root: Path, count: int) -> None:
    episodes = root / "feeds" / "full" / "episodes"
    source = (episodes / "2025-05-27-trailer.md").read_text()
    for n in range(count):
        text = source.replace("000000000002", f"{n + 100:012d}").replace(
            "2025-05-27T06", f"2025-04-{n + 1:02d}T06").replace(
            "cccccccccc", f"{n:010d}").replace("Trailer: the new season", f"Old {n}")
        (episodes / f"2025-04-{n + 1:02d}-old.md").write_text(text)


def test_feed_limit_writes_stable_rfc5005_archives(ws: Path) -> None:
    _more_episodes(ws, 5)  # 7 due episodes
    (ws / "podman.toml").write_text((ws / "podman.toml").read_text()
                                    + "\n[build]\nfeed_limit = 3\n")
    assert run("-C", str(ws), "build", "--now", NOW).exit_code == 0
    feed = podcastparser.parse(FEED_URL, io.BytesIO(feed_bytes(ws)))
    assert len(feed["episodes"]) == 4  # one full page archived; 4 of 7 stay current
    page = feed_bytes(ws, "full/archive/1.xml").decode()
    assert "<fh:archive/>" in page and 'rel="current"' in page
    assert [e["title"] for e in podcastparser.parse("x", io.BytesIO(page.encode()))["episodes"]] \
        == ["Old 2", "Old 1", "Old 0"]
    assert f'href="{BASE}/full/archive/1.xml" rel="prev-archive"' in feed_bytes(ws).decode()
    full = podcastparser.parse("x", io.BytesIO(feed_bytes(ws, "full/feed-full.xml")))
    assert len(full["episodes"]) == 7
    _more_episodes_after(ws)
    assert run("-C", str(ws), "build", "--now", NOW).exit_code == 0
    page1 = feed_bytes(ws, "full/archive/1.xml").decode()
    assert _items(page1) == _items(page)  # a full page keeps its items; only links are added
    assert f'href="{BASE}/full/archive/2.xml" rel="next-archive"' in page1
    page2 = feed_bytes(ws, "full/archive/2.xml").decode()
    assert f'href="{BASE}/full/archive/1.xml" rel="prev-archive"' in page2
    assert run("-C", str(ws), "check").exit_code == 0


def _items(xml: str) -> str:
    return xml[xml.index("<item>"):]


def _more_episodes_after(root: Path) -> None:
    episodes = root / "feeds" / "full" / "episodes"
    source = (episodes / "2025-05-27-trailer.md").read_text()
    for n in range(3):
        text = source.replace("000000000002", f"{n + 200:012d}").replace(
            "2025-05-27T06", f"2025-05-{n + 28:02d}T06").replace(
            "cccccccccc", f"{n + 50:010d}").replace("Trailer: the new season", f"New {n}")
        (episodes / f"2025-05-{n + 28:02d}-new.md").write_text(text)


def test_show_example_toml_builds_and_checks(ws: Path) -> None:
    example = (Path(__file__).parents[2] / "show.example.toml").read_text("utf-8")
    guid = (ws / "feeds/full/show.toml").read_text().split('podcast_guid = "')[1].split('"')[0]
    example = example.replace('"artwork.jpg"', '"artwork.png"').replace(
        "9b024349-ccf0-5f69-a609-6b82873eab3c", guid)
    (ws / "feeds/full/show.toml").write_text(example, "utf-8")
    result = run("-C", str(ws), "build", "--now", NOW)
    assert result.exit_code == 0, result.output
    feed = feed_bytes(ws).decode()
    for tag in ("podcast:funding", "podcast:person", "podcast:location", "podcast:license",
                "podcast:medium", "podcast:txt", "podcast:trailer", "podcast:updateFrequency"):
        assert f"<{tag}" in feed
    result = run("-C", str(ws), "check")
    assert result.exit_code == 0, result.output
