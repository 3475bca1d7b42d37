"""`podman build` on real audio: the feed read back by podcastparser and feedparser, rebuilds."""

from __future__ import annotations

import html
import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import podcastparser
import pytest

from podman.audio.probe import probe_file
from podman.catalog.episodes import load_show_episodes
from tests.fixtures.cli import SHOW, run, tree

NOW = "2026-01-01T00:00:00Z"
NAMESPACES = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


@pytest.fixture
def built(workspace: Path, episode_mp3s: list[Path]) -> Path:
    """Three real episodes (one with two articles, one with none), built at NOW."""
    adds = [
        (episode_mp3s[0], ["--title", "Rates & <inflation>", "--date", "2025-03-12",
                           "--article", "https://news.example.com/rates?a=1&b=2",
                           "--article-title", "Rates story",
                           "--article", "https://news.example.com/second"]),
        (episode_mp3s[1], ["--title", "Kursk “quotes” — émoji 🎉", "--date", "2025-03-13",
                           "--article", "https://news.example.com/kursk"]),
        (episode_mp3s[2], ["--date", "2025-03-14T06:30:00Z"]),
    ]
    for path, args in adds:
        result = run("add", "-C", workspace, path, *args)
        assert result.exit_code == 0, result.stderr
    result = run("build", "-C", workspace, "--now", NOW)
    assert result.exit_code == 0, result.stderr
    return workspace


def feed_bytes(ws: Path) -> bytes:
    return (ws / "public" / SHOW / "feed.xml").read_bytes()


def test_feed_read_back_by_podcastparser_and_feedparser(built: Path,
                                                        episode_mp3s: list[Path]) -> None:
    data = feed_bytes(built)
    catalog = {ep.guid: ep for ep in load_show_episodes(built / "feeds" / SHOW)}
    sources = {probe_file(p).sha256: p for p in episode_mp3s[:3]}
    parsed = podcastparser.parse("http://127.0.0.1:8000/daily/feed.xml", io.BytesIO(data))
    fp = feedparser.parse(data)
    assert not fp.bozo, fp.get("bozo_exception")
    assert len(parsed["episodes"]) == len(fp.entries) == 3
    fp_by_guid = {e.id: e for e in fp.entries}
    for item in parsed["episodes"]:
        ep = catalog[item["guid"]]
        src = sources[ep.audio.sha256]
        assert item["title"] == ep.title
        assert item["total_time"] == round(probe_file(src).duration)
        [enc] = item["enclosures"]
        assert enc["url"] == f"http://127.0.0.1:8000/media/{ep.audio.key}"
        assert enc["file_size"] == src.stat().st_size == ep.audio.bytes
        assert enc["mime_type"] == "audio/mpeg"
        assert item["published"] == int(ep.published.timestamp())
        entry = fp_by_guid[ep.guid]
        assert entry.title == ep.title
        assert entry.itunes_duration == str(round(ep.duration))
        assert entry.enclosures[0]["href"] == enc["url"]
        assert entry.enclosures[0]["length"] == str(ep.audio.bytes)
        if ep.articles:
            assert item["link"] == ep.articles[0].url
            assert entry.link == ep.articles[0].url
            for article in ep.articles:
                assert article.url in html.unescape(item["description_html"])
                assert article.url in html.unescape(entry.description)
        else:
            assert item["link"] in ("", None) or "news.example.com" not in item["link"]


def test_feed_xml_declaration_and_namespaces(built: Path) -> None:
    data = feed_bytes(built)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"')
    assert data.rstrip().endswith(b"</rss>")
    head = data.split(b">", 2)[1].decode()
    for prefix, uri in NAMESPACES.items():
        assert f'xmlns:{prefix}="{uri}"' in head
    root = ET.fromstring(data)
    channel = root.find("channel")
    assert channel is not None
    assert channel.find("itunes:type", NAMESPACES).text == "episodic"
    assert channel.find("podcast:guid", NAMESPACES).text
    self_link = channel.find("atom:link", NAMESPACES)
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == "http://127.0.0.1:8000/daily/feed.xml"
    cat = channel.find("itunes:category", NAMESPACES)
    assert cat.get("text") == "News"
    assert cat.find("itunes:category", NAMESPACES).get("text") == "Daily News"
    for item in channel.findall("item"):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        assert item.find("itunes:episodeType", NAMESPACES).text == "full"


def test_rebuild_is_byte_identical_and_leaves_mtimes(built: Path) -> None:
    public = built / "public"
    before = tree(public)
    mtimes = {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()}
    result = run("build", "-C", built, "--now", NOW)
    assert result.exit_code == 0
    assert "0 written" in result.stderr
    assert tree(public) == before
    assert {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()} == mtimes


def test_build_check(built: Path) -> None:
    result = run("build", "-C", built, "--check", "--now", NOW)
    assert result.exit_code == 0, result.stderr
    assert "up to date" in result.stderr
    [path] = [p for p in (built / "feeds" / SHOW / "episodes").glob("*.md")
              if "rates" in p.name]
    path.write_text(path.read_text().replace("Rates & <inflation>", "Rates edited"))
    before = tree(built)
    result = run("build", "-C", built, "--check", "--now", NOW)
    assert result.exit_code == 1
    # feed, show page, episode page and its oEmbed, embed, the show's articles.json, the
    # site-wide articles.json, and the box and fragment of each of the episode's two articles
    assert "11 file(s) out of date" in result.stderr
    assert tree(built) == before
    assert run("build", "-C", built, "--now", NOW).exit_code == 0
    assert run("build", "-C", built, "--check", "--now", NOW).exit_code == 0


def test_now_before_an_episode_leaves_it_out(built: Path) -> None:
    result = run("build", "-C", built, "--now", "2025-03-12T12:00:00Z")
    assert result.exit_code == 0
    assert "(1 episodes)" in result.stdout
    parsed = podcastparser.parse("u", io.BytesIO(feed_bytes(built)))
    assert [e["title"] for e in parsed["episodes"]] == ["Rates & <inflation>"]


def test_site_outputs_exist(built: Path) -> None:
    public = built / "public"
    assert (public / "index.html").is_file()
    assert (public / SHOW / "index.html").is_file()
    assert len(list((public / SHOW / "episodes").glob("*.html"))) == 3
    assert len(list((public / SHOW / "embed").glob("*.html"))) == 3
    assert b"https://news.example.com/kursk" in (public / SHOW / "articles.json").read_bytes()


def test_build_with_corrupt_podman_toml_exit_2(built: Path) -> None:
    (built / "podman.toml").write_text("[storage\n")
    result = run("build", "-C", built)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "podman.toml" in result.stderr


def test_build_writes_nothing_new_when_unchanged_even_under_umask(built: Path) -> None:
    old = os.umask(0o077)
    try:
        assert run("build", "-C", built, "--now", NOW).exit_code == 0
    finally:
        os.umask(old)


def test_pages_of_an_episode_made_draft_are_removed(built: Path) -> None:
    [path] = [p for p in (built / "feeds" / SHOW / "episodes").glob("*.md") if "rates" in p.name]
    page = built / "public" / SHOW / "episodes" / f"{path.stem}.html"
    embed = built / "public" / SHOW / "embed" / f"{path.stem}.html"
    assert page.is_file() and embed.is_file()
    assert run("edit", "-C", built, path.stem, "--draft").exit_code == 0
    check = run("build", "-C", built, "--check", "--now", NOW)
    assert check.exit_code == 1 and page.is_file()  # --check reports, changes nothing
    assert run("build", "-C", built, "--now", NOW).exit_code == 0
    assert not page.exists() and not embed.exists()
    assert run("build", "-C", built, "--check", "--now", NOW).exit_code == 0


# -- issue 9: nothing outside public/ is ever deleted -------------------------------------------

@pytest.mark.parametrize("line", ["../podman.toml", "{abs}", "daily/../../podman.toml",
                                  "./../podman.toml", "daily/./x/../../../podman.toml"])
def test_a_hostile_manifest_line_deletes_nothing_outside_public(workspace: Path,
                                                                line: str) -> None:
    victim = workspace / "podman.toml"
    before = victim.read_bytes()
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    manifest = workspace / "public" / ".podman-built"
    manifest.write_text(manifest.read_text() + line.format(abs=victim) + "\n")
    check = run("build", "-C", workspace, "--check", "--now", NOW)
    assert str(victim) not in check.output and "podman.toml" not in check.output
    result = run("build", "-C", workspace, "--now", NOW)
    assert result.exit_code == 0, result.stderr
    assert victim.read_bytes() == before
    assert "podman.toml" not in manifest.read_text()


def test_a_manifest_line_through_a_symlink_out_of_public_deletes_nothing(workspace: Path,
                                                                        tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    (workspace / "public" / "link").symlink_to(outside)
    manifest = workspace / "public" / ".podman-built"
    manifest.write_text(manifest.read_text() + "link/keep.txt\n")
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    assert (outside / "keep.txt").read_text() == "mine"


# -- issue 9 #14: what a build writes passes podman's own check ---------------------------------

@pytest.mark.parametrize(("title", "notes"), [
    ("T" * 60_000, ""),
    ("word " * 12_000, ""),
    ("ünï " * 20_000, "short notes"),
    ("Short", "<b>x</b> " * 3000),
    ("<script>x</script> <h1>Tags</h1> in a title", ""),
])
def test_overlong_text_is_cut_to_what_check_allows(workspace: Path, title: str,
                                                   notes: str) -> None:
    from tests.fixtures.cli import make_episode, write_episode

    write_episode(workspace, make_episode(guid="6f1d3c52-2b1c-4e0c-9a0e-3f6a1c0b7d21",
                                          title=title, notes=notes))
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    result = run("check", "-C", workspace)
    item_errors = [line for line in result.output.splitlines()
                   if line.startswith("error ") and "] item " in line]
    assert item_errors == [], result.output
    root = ET.parse(workspace / "public" / SHOW / "feed.xml").getroot()
    item = root.find("channel/item")
    assert len(item.findtext("description").encode("utf-8")) <= 4000
    assert item.findtext("title").startswith(title[:20])


def test_markup_in_the_show_description_passes_check(workspace: Path) -> None:
    show = workspace / "feeds" / SHOW / "show.toml"
    show.write_text(show.read_text().replace('description = "The Daily Test"',
                                             'description = "<div>News</div> & <h1>more</h1>"'))
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    result = run("check", "-C", workspace)
    assert "[html-tags]" not in result.output, result.output
