"""`podman check --against` on a workspace: the proof, its record in show.toml, what the feed
says before and after (new-feed-url, podcast:locked), and --online's one-hop redirect."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from podman.core.models import podcast_guid
from tests.fixtures.cli import SHOW, make_episode, run, write_episode
from tests.fixtures.feed import OLD_URL, old_feed, old_item
from tests.fixtures.http import QuietHandler, serving

NOW = "2025-06-01T12:00:00Z"
NEW_FEED = "http://127.0.0.1:8000/daily/feed.xml"


def old_xml() -> bytes:
    return old_feed([
        old_item("guid-a", "Episode A &amp; more", "Tue, 08 Jan 2019 15:01:32 PST",
                 "https://old-host.example.com/a.mp3", season="1", episode="1"),
        old_item("guid-b", "Episode B", "Wed, 09 Jan 2019 10:00:00 -0500",
                 "https://old-host.example.com/b.mp3", explicit="yes"),
    ], email="Owner@example.com")


def imported(root: Path, old_url: str = OLD_URL) -> Path:
    """The workspace as `podman import` leaves it: GUIDs, instants, numbers kept; an [import]
    table in show.toml; podcast_guid the UUIDv5 of the OLD URL (the old feed has none)."""
    show_toml = root / "feeds" / SHOW / "show.toml"
    text = re.sub(r'podcast_guid = "[^"]+"', f'podcast_guid = "{podcast_guid(old_url)}"',
                  show_toml.read_text())
    show_toml.write_text(text + f'\n[import]\nsource_feed = "{old_url}"\nfinal_url = '
                         f'"{old_url}"\nimported = 2025-06-01\nignore_lock = false\n')
    write_episode(root, make_episode(slug="2019-01-08-a", guid="guid-a", title="Episode A & more",
                                     published=datetime(2019, 1, 8, 23, 1, 32, tzinfo=UTC),
                                     duration=1200.0, season=1, episode=1))
    write_episode(root, make_episode(slug="2019-01-09-b", guid="guid-b", title="Episode B",
                                     published=datetime(2019, 1, 9, 15, 0, tzinfo=UTC),
                                     duration=1200.0, explicit=True))
    return show_toml


def build(root: Path) -> str:
    result = run("-C", root, "build", "--now", NOW)
    assert result.exit_code == 0, result.output
    return (root / "public" / SHOW / "feed.xml").read_text()


def test_a_proven_import_is_recorded_and_the_feed_locks(workspace: Path, tmp_path: Path) -> None:
    show_toml = imported(workspace)
    feed = build(workspace)
    assert f"<itunes:new-feed-url>{NEW_FEED}</itunes:new-feed-url>" in feed
    assert re.search(r"<podcast:locked[^>]*>no</podcast:locked>", feed)
    old = tmp_path / "old.xml"
    old.write_bytes(old_xml())

    result = run("-C", workspace, "check", "--against", old)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = show_toml.read_text()
    assert re.search(r"^verified = \d{4}-\d\d-\d\d$", text, re.M)
    assert f'verified_against = "{old}"' in text
    assert "# A show's channel metadata" in text  # tomlkit kept the comments
    feed = build(workspace)
    assert re.search(r"<podcast:locked[^>]*>yes</podcast:locked>", feed)
    assert f"<itunes:new-feed-url>{NEW_FEED}</itunes:new-feed-url>" in feed  # stays


def test_a_difference_fails_with_one_line_and_records_nothing(workspace: Path,
                                                               tmp_path: Path) -> None:
    show_toml = imported(workspace)
    write_episode(workspace, make_episode(slug="2019-01-09-b", guid="guid-b", title="Episode B!",
                                          published=datetime(2019, 1, 9, 15, 0, tzinfo=UTC),
                                          duration=1200.0, explicit=True))
    build(workspace)
    before = show_toml.read_bytes()
    old = tmp_path / "old.xml"
    old.write_bytes(old_xml())
    result = run("-C", workspace, "check", "--against", old)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "error public/daily/feed.xml: [against-title] item guid-b: title 'Episode B!' was "
        "'Episode B' (fix: keep the old title)"]
    assert "1 error(s)" in result.stderr
    assert show_toml.read_bytes() == before


def test_the_new_feed_itself_is_refused_as_the_old_one(workspace: Path) -> None:
    imported(workspace)
    build(workspace)
    result = run("-C", workspace, "check", "--against", workspace / "public" / SHOW / "feed.xml")
    assert result.exit_code == 2
    assert "a feed podman built, not the old one" in result.stderr
    assert "Traceback" not in result.output


def test_two_feed_files_compare_without_a_workspace(workspace: Path, tmp_path: Path) -> None:
    imported(workspace)
    build(workspace)
    old = tmp_path / "old.xml"
    old.write_bytes(old_xml())
    result = run("check", workspace / "public" / SHOW / "feed.xml", "--against", old)
    # outside the workspace the old URL is unknown to the old feed: its atom:self names it
    assert result.exit_code == 0, result.output


def test_online_wants_one_permanent_hop_to_the_new_feed(workspace: Path, tmp_path: Path) -> None:
    answers: dict[str, tuple[int, str]] = {}

    class OldHost(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path == "/feed.rss":
                self.send_body(200, old_xml(), "application/rss+xml")
                return
            status, location = answers[self.path]
            self.redirect(status, location)

    with serving(OldHost) as base:
        old_url = f"{base}/rss"
        imported(workspace, old_url)
        build(workspace)
        saved = tmp_path / "old.xml"
        saved.write_bytes(old_xml())
        answers["/rss"] = (301, NEW_FEED)
        ok = run("-C", workspace, "check", "--against", saved, "--online")
        assert ok.exit_code == 0, ok.output
        for status, location, message in (
                (302, NEW_FEED, "answered 302"),
                (301, f"{base}/hop", "not to " + NEW_FEED),
                (308, "/daily/feed.xml", f"redirects to {base}/daily/feed.xml")):
            answers["/rss"] = (status, location)
            bad = run("-C", workspace, "check", "--against", saved, "--online")
            assert bad.exit_code == 1, bad.output
            assert "[against-redirect]" in bad.stdout and message in bad.stdout
        # the old URL served by the old host is fetched with a bounded request
        answers.clear()
        fetched = run("-C", workspace, "check", "--against", f"{base}/feed.rss")
        assert fetched.exit_code == 0, fetched.output


def test_strict_makes_against_warnings_fail(workspace: Path, tmp_path: Path) -> None:
    show_toml = imported(workspace)
    build(workspace)
    text_post = old_item("post", "A text post", "Thu, 10 Jan 2019 10:00:00 +0000", "")
    old = tmp_path / "old.xml"
    old.write_bytes(old_xml().replace(b"</channel>", text_post.encode() + b"</channel>"))
    relaxed = run("-C", workspace, "check", "--against", old)
    assert relaxed.exit_code == 0 and "warning public/daily/feed.xml: [against-no-enclosure]" \
        in relaxed.stdout
    show_toml.write_text(show_toml.read_text().replace("verified", "was_verified"))
    strict = run("-C", workspace, "check", "--against", old, "--strict")
    assert strict.exit_code == 1 and "error public/daily/feed.xml: [against-no-enclosure]" \
        in strict.stdout
    assert "\nverified" not in show_toml.read_text()


def test_an_unlocked_show_is_told_how_to_lock(workspace: Path, tmp_path: Path) -> None:
    show_toml = imported(workspace)
    show_toml.write_text(show_toml.read_text().replace("[import]", "locked = false\n[import]"))
    build(workspace)
    old = tmp_path / "old.xml"
    old.write_bytes(old_xml())
    result = run("-C", workspace, "check", "--against", old)
    assert result.exit_code == 0, result.output
    assert "set locked = true to lock it" in result.stderr
    assert re.search(r"<podcast:locked[^>]*>no</podcast:locked>", build(workspace))
