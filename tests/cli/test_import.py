"""`podman import` through the CLI against an old host on a loopback server: every quirk kept or
repaired, failures reported then retried, the built feed checked and its GUIDs compared byte for
byte with the old feed's."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from podman.audio.probe import probe_file
from podman.catalog.episodes import load_show_episodes
from tests.fixtures.cli import run, tree
from tests.fixtures.old_host import (
    GUID_AMP,
    GUID_BUSY,
    GUID_CDATA,
    GUID_DROP,
    GUID_HTML,
    GUID_MISSING,
    GUID_PERMALINK,
    GUID_SAME_DAY,
    OldHost,
)

NOW = "2030-01-01T00:00:00Z"


def guids_of(xml: bytes) -> list[str]:
    """Item GUIDs exactly as the XML carries them (lxml, no convenience parser)."""
    root = etree.fromstring(xml.lstrip())
    return [g.text or "" for g in root.iter("guid")]


def show_dir(ws: Path) -> Path:
    return ws / "feeds" / "old"


def do_import(ws: Path, source: str, *args: str):
    return run("-C", ws, "import", source, "--show", "old", *args)


def test_import_keeps_identity_reports_failures_and_retries(workspace: Path,
                                                            old_host: OldHost) -> None:
    first = do_import(workspace, old_host.url("/old-feed"))
    assert first.exit_code == 1, first.output
    out = first.stdout
    assert "301 " + old_host.url("/old-feed") in out  # the redirect is recorded
    assert "quirk      1 item(s) without a GUID" in out
    assert "quirk      1 item(s) repeat an earlier GUID and are left out (items 10)" in out
    assert "quirk      1 item(s) without an enclosure are left out (items 11)" in out
    assert "pubDate zone names: EST (1), GMT (5), PST (1)" in out
    assert "repair: removed blank space before the XML declaration" in out
    assert "repair: podcast namespace under its older URI" in out
    assert "repair: CDATA around 1 <guid> read as its content" in out
    assert f"{old_host.url('/missing.mp3')}: HTTP 404" in first.stderr
    assert "an HTML page (text/html) where audio should be" in first.stderr
    assert "7 imported, 2 failed, 0 already here" in out
    assert "differs: duration: the feed claims 39:29 (39:29), the audio is 0:02" in out

    # what was recorded
    eps = {ep.guid: ep for ep in load_show_episodes(show_dir(workspace))}
    assert set(eps) == {GUID_CDATA, old_host.url("/redirect.mp3/") + old_host.base[7:]
                        + "/r1/b.mp3", GUID_PERMALINK, GUID_AMP, GUID_BUSY, GUID_DROP,
                        GUID_SAME_DAY}
    for guid, name in ((GUID_CDATA, "a"), (GUID_BUSY, "e"), (GUID_DROP, "f")):
        facts = probe_file(old_host.files[name])
        assert eps[guid].duration == facts.duration  # exact, from the bytes
        assert (eps[guid].audio.bytes, eps[guid].audio.sha256) == (facts.bytes, facts.sha256)
        assert (workspace / "media" / eps[guid].audio.key).read_bytes() == \
            old_host.files[name].read_bytes()
    one = eps[GUID_CDATA]
    assert one.title == "One & only" and one.explicit is True
    assert one.published.isoformat() == "2020-01-06T15:00:00+00:00"  # EST kept as the instant
    assert one.notes_format == "html" and one.notes.startswith('<h3 class="x">Intro</h3>')
    assert [c.title for c in one.chapters] == ["Opening", "Closing"]  # JSON, past-the-end out
    assert one.extra["soundbites"] == [{"start": 0.5, "duration": 1.0, "title": "A bite"}]
    assert one.extra["persons"] == [{"name": "Ada Guest", "role": "guest",
                                     "href": "https://old.example/ada"}]
    assert one.articles[0].url == "https://old.example/one"
    imp = one.extra["import"]
    assert imp["enclosure_url"] == old_host.url("/audio/a.mp3")
    assert (imp["enclosure_length"], imp["enclosure_type"]) == ("0", "audio/mpeg")
    assert (imp["duration"], imp["pub_date"], imp["position"]) == (
        "39:29", "Mon, 06 Jan 2020 10:00:00 EST", 1)
    assert imp["source_feed"] == old_host.url("/old-feed")
    folder = show_dir(workspace) / "episodes"
    assert (folder / f"{one.slug}.vtt").read_text().startswith("WEBVTT")
    assert json.loads((folder / f"{one.slug}.transcript-2.json").read_text())["segments"]
    two = next(ep for ep in eps.values() if ep.guid.endswith("/r1/b.mp3"))
    assert [c.title for c in two.chapters] == ["Start", "Later"]  # psc:chapters
    assert two.extra["import"]["guid_missing"] is True
    assert two.extra["import"]["redirects"][0].startswith("302 ")
    assert eps[GUID_PERMALINK].extra["guid_permalink"] is True
    assert eps[GUID_PERMALINK].episode_type == "bonus"
    assert eps[GUID_PERMALINK].notes == "Summary only"
    image = eps[GUID_PERMALINK].image  # re-hosted, the original URL recorded
    assert image.startswith("old/images/") and (workspace / "media" / image).is_file()
    assert eps[GUID_PERMALINK].extra["import"]["image_url"] == old_host.url("/art.jpg")

    show = tomllib.loads((show_dir(workspace) / "show.toml").read_text())
    assert show["podcast_guid"] == "11111111-2222-5333-8444-555555555555"
    assert show["image"] == "artwork.jpg" and show["email"] == "owner@old.example"
    assert show["import"]["source_feed"] == old_host.url("/old-feed")
    assert show["import"]["final_url"] == old_host.url("/feed.xml")
    assert show["import"]["ignore_lock"] is False
    assert str(show["import"]["imported"]) != ""
    # the drop was resumed with Range + If-Range, not fetched again from byte 0
    resumed = [h for p, h in old_host.requests if p == "/drop/f.mp3" and "Range" in h]
    assert resumed and resumed[0]["If-Range"].startswith('"f-')

    # a re-run is a sync: only the two failed items are fetched again
    old_host.fixed = True
    old_host.requests.clear()
    second = do_import(workspace, old_host.url("/old-feed"))
    assert second.exit_code == 0, second.output
    assert "2 imported, 0 failed, 7 already here" in second.stdout
    fetched = {p for p, _ in old_host.requests if p.endswith(".mp3")}
    assert fetched == {"/missing.mp3", "/page.mp3"}
    assert not (workspace / ".podman-import").exists()

    # the built feed passes `podman check` and carries every GUID byte for byte
    assert run("-C", workspace, "build", "--now", NOW).exit_code == 0
    assert run("-C", workspace, "build", "--check", "--now", NOW).exit_code == 0  # deterministic
    check = run("-C", workspace, "check", "--show", "old")
    assert check.exit_code == 0, check.output
    built = (workspace / "public" / "old" / "feed.xml").read_bytes()
    old = old_host.feed()
    expected = list(dict.fromkeys(guids_of(old)))  # the duplicate appears once
    expected.remove("text-post")  # no enclosure: not an episode
    expected.insert(1, old_host.url("/redirect.mp3/") + old_host.base[7:] + "/r1/b.mp3")
    assert guids_of(built) == expected  # verbatim, in the old order
    assert guids_of(built)[-3:] == [GUID_MISSING, GUID_HTML, GUID_SAME_DAY]  # old order kept
    parsed = podcastparser.parse("feed.xml", __import__("io").BytesIO(built))
    assert len(parsed["episodes"]) == 9
    assert len(feedparser.parse(built).entries) == 9
    html = built.decode()
    assert "<script>" not in html and "onclick" not in html and "<p><strong>Intro" in html
    assert '<podcast:funding url="https://old.example/ep1">Ep fund</podcast:funding>' in html
    assert '<podcast:location geo="geo:1,2">Somewhere</podcast:location>' in html
    assert "<podcast:license>cc-by-4.0</podcast:license>" in html
    # removing an imported episode takes every transcript stored beside it
    assert run("-C", workspace, "rm", one.slug).exit_code == 0
    assert not list(folder.glob(f"{one.slug}*"))


def test_dry_run_writes_nothing_and_json_plan(workspace: Path, old_host: OldHost) -> None:
    before = tree(workspace)
    result = do_import(workspace, old_host.url("/home.html"), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    plan = data["plan"]
    assert (plan["items"], plan["to_import"], plan["guidless"]) == (11, 9, [2])
    assert plan["duplicate_guids"] == [{"item": 10, "same_as": 4, "guid": GUID_AMP}]
    assert plan["no_enclosure"] == [11] and plan["dead_urls"] == []
    assert plan["redirects"][0] == f"page links {old_host.url('/old-feed')}"
    assert {i["status"] for i in data["items"]} == {"planned"}
    assert tree(workspace) == before
    assert not any(p.endswith(".mp3") for p, _ in old_host.requests)


def test_locked_feed_is_refused_unless_ignored(workspace: Path, old_host: OldHost) -> None:
    before = tree(workspace)
    refused = do_import(workspace, old_host.url("/locked.xml"), "--no-download")
    assert refused.exit_code == 2
    assert "podcast:locked is yes: owner@old.example has asked" in refused.stderr
    assert "--ignore-lock" in refused.stderr
    assert "refused    podcast:locked" in refused.stdout
    assert tree(workspace) == before
    done = do_import(workspace, old_host.url("/locked.xml"), "--no-download", "--ignore-lock")
    assert done.exit_code == 0, done.output
    show = tomllib.loads((show_dir(workspace) / "show.toml").read_text())
    assert show["import"]["ignore_lock"] is True and show["locked"] is True
    build = run("-C", workspace, "build", "--now", NOW)  # unverified: the feed is not locked yet
    assert build.exit_code == 0
    assert b"<podcast:locked" in (workspace / "public" / "old" / "feed.xml").read_bytes()
    assert b">no</podcast:locked>" in (workspace / "public" / "old" / "feed.xml").read_bytes()
    again = do_import(workspace, old_host.url("/locked.xml"), "--no-download")  # the record holds
    assert again.exit_code == 0 and "0 imported, 0 failed, 9 already here" in again.stdout


def test_stale_feed_is_refused(workspace: Path, old_host: OldHost) -> None:
    before = tree(workspace)
    result = do_import(workspace, old_host.url("/stale.xml"))
    assert result.exit_code == 2
    assert "itunes:new-feed-url points to https://new.example/feed.xml" in result.stderr
    assert "hint: import the current feed: podman import https://new.example/feed.xml" in \
        result.stderr
    assert tree(workspace) == before


def test_no_download_keeps_old_urls_and_claims(workspace: Path, old_host: OldHost) -> None:
    result = do_import(workspace, old_host.url("/feed.xml"), "--no-download")
    assert result.exit_code == 0, result.output
    assert "durations and lengths are the feed's claims" in result.stderr
    assert not any(p.endswith((".mp3", ".jpg", ".json", ".vtt")) for p, _ in old_host.requests)
    eps = {ep.guid: ep for ep in load_show_episodes(show_dir(workspace))}
    one = eps[GUID_CDATA]
    assert one.audio.key == old_host.url("/audio/a.mp3") and one.duration == 39 * 60 + 29
    assert eps[GUID_PERMALINK].audio.bytes == 123
    assert run("-C", workspace, "build", "--now", NOW).exit_code == 0
    built = (workspace / "public" / "old" / "feed.xml").read_bytes()
    assert f'url="{old_host.url("/audio/a.mp3")}"'.encode() in built
    notes = workspace / "notes.md"
    notes.write_text("New **Markdown** notes")  # an edit after the import is Markdown again
    assert run("-C", workspace, "edit", one.slug, "--notes", notes).exit_code == 0
    edited = {ep.guid: ep for ep in load_show_episodes(show_dir(workspace))}[GUID_CDATA]
    assert (edited.notes_format, edited.guid) == ("markdown", GUID_CDATA)


def test_sync_refuses_a_show_from_another_feed(workspace: Path, old_host: OldHost) -> None:
    result = run("-C", workspace, "import", old_host.url("/feed.xml"), "--show", "daily",
                 "--no-download")
    assert result.exit_code == 2
    assert "show 'daily' exists and was not imported from this feed" in result.stderr


@pytest.mark.parametrize("content, message", [
    (b"", "empty, not a feed"),
    (b"<html><body>no feed</body></html>", "an HTML page that links no RSS feed"),
    (b"<rss><channel><item>", "the feed ends early, truncated"),
    (b"just words, no markup at all", "not well-formed XML"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not an RSS feed (root element <feed>)"),
])
def test_bad_source_file_one_line(workspace: Path, tmp_path: Path, content: bytes,
                                  message: str) -> None:
    src = tmp_path / "old.xml"
    src.write_bytes(content)
    before = tree(workspace)
    result = run("-C", workspace, "import", src)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"podman: error: {src}: {message}")
    assert "internal error" not in result.stderr
    assert tree(workspace) == before


def test_extra_source_merges_older_items(workspace: Path, old_host: OldHost,
                                         tmp_path: Path) -> None:
    older = tmp_path / "saved.xml"
    older.write_text(f"""<rss version="2.0"><channel><title>Old</title>
<item><title>From 2015</title><guid>ancient-1</guid><pubDate>Thu, 01 Jan 2015 00:00:00 GMT</pubDate>
<enclosure url="{old_host.url('/audio/a.mp3')}?v=old" length="5" type="audio/mpeg"/></item>
<item><title>Dup</title><guid>{GUID_PERMALINK}</guid>
<enclosure url="{old_host.url('/audio/c.mp3')}" length="5" type="audio/mpeg"/></item>
</channel></rss>""")
    result = do_import(workspace, old_host.url("/feed.xml"), "--no-download", "--extra-source",
                       str(older))
    assert result.exit_code == 0, result.output
    assert f"merged     {older}: 1 more item(s)" in result.stdout
    guids = {ep.guid for ep in load_show_episodes(show_dir(workspace))}
    assert "ancient-1" in guids and len(guids) == 10


@pytest.mark.parametrize("flag", ["--no-download", "--dry-run"])
def test_non_http_enclosure_is_a_failed_item_never_emitted(workspace: Path, tmp_path: Path,
                                                            flag: str) -> None:
    src = tmp_path / "old.xml"
    src.write_text('<rss><channel><title>Odd</title><item><title>A</title><guid>a</guid>'
                   '<enclosure url="ftp://old.example/a.mp3" length="1" type="audio/mpeg"/>'
                   '</item></channel></rss>')
    result = run("-C", workspace, "import", src, flag)
    if flag == "--dry-run":
        assert result.exit_code == 0 and "would import #1 A" in result.stdout
        assert "1 enclosure URL(s) are not http(s): those items will fail" in result.stdout
        return
    assert result.exit_code == 1
    assert "failed   #1 A: ftp://old.example/a.mp3: not an http(s) URL" in result.stderr
    assert not list((workspace / "feeds" / "odd" / "episodes").glob("*.md"))


def test_unreachable_source_is_one_line_exit_1(workspace: Path, old_host: OldHost) -> None:
    before = tree(workspace)
    result = do_import(workspace, old_host.url("/nothing-here.xml"))
    assert result.exit_code == 1
    assert result.stderr == f"podman: error: {old_host.url('/nothing-here.xml')}: HTTP 404\n"
    assert tree(workspace) == before


def test_a_well_formed_old_feed_passes_check_against(workspace: Path, old_host: OldHost,
                                                     tmp_path: Path) -> None:
    old = tmp_path / "old.xml"
    old.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
 xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Clean Old Show</title><link>https://old.example/</link>
<description>d</description><language>en</language>
<itunes:owner><itunes:name>O</itunes:name><itunes:email>owner@old.example</itunes:email>
</itunes:owner><itunes:author>O</itunes:author><itunes:category text="Technology"/>
<itunes:image href="{old_host.url('/art.jpg')}"/><itunes:explicit>false</itunes:explicit>
<podcast:guid>22222222-3333-5444-8555-666666666666</podcast:guid>
<item><title>A &amp; B</title><guid isPermaLink="false"><![CDATA[ tag:old,2020:1 ]]></guid>
<pubDate>Mon, 06 Jan 2020 10:00:00 EST</pubDate><itunes:duration>39:29</itunes:duration>
<enclosure url="{old_host.url('/audio/a.mp3')}" length="0" type="audio/mpeg"/>
<itunes:episode>2</itunes:episode><itunes:explicit>yes</itunes:explicit></item>
<item><title>C</title><guid>{old_host.url('/episodes/c')}</guid>
<pubDate>Sat, 04 Jan 2020 09:00:00 PST</pubDate>
<enclosure url="{old_host.url('/audio/c.mp3')}" length="1" type="audio/mpeg"/>
<itunes:episode>1</itunes:episode></item>
</channel></rss>""")
    assert run("-C", workspace, "import", old, "--show", "clean").exit_code == 0
    assert run("-C", workspace, "build", "--now", NOW).exit_code == 0
    result = run("-C", workspace, "check", "--show", "clean", "--against", old)
    assert result.exit_code == 0, result.output
    assert "[import] verified" in result.output
