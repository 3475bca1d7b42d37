"""`podman check` through the CLI on good and deliberately broken workspaces; chapters,
transcripts and article links through add/edit/link."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.audio import make_audio
from tests.fixtures.feed import NOW, make_full_workspace, run
from tests.fixtures.http import QuietHandler, running, serving

EP1 = "feeds/full/episodes/2025-05-20-budget-day.md"
EP2 = "feeds/full/episodes/2025-05-27-trailer.md"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PODMAN_BASE_URL", "PODMAN_PUBLIC_URL", "PODMAN_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    root = make_full_workspace(tmp_path / "ws")
    assert run("-C", str(root), "build", "--now", NOW).exit_code == 0
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def check(root: Path, *args: str):
    return run("-C", str(root), "check", *args)


def test_clean_workspace_passes(ws: Path) -> None:
    result = check(ws)
    assert (result.exit_code, result.stdout) == (0, "")
    assert "ok: 1 feed(s), 0 warning(s)" in result.stderr


def test_misspelt_category(ws: Path) -> None:
    edit(ws, "feeds/full/show.toml", '"Technology"', '"Technolgy"')
    result = check(ws)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        'error feeds/full/show.toml: [itunes-category] channel: "Technolgy" is not an Apple '
        'Podcasts category; did you mean "Technology"? (fix: ')
    assert "podman: error: 1 error(s)" in result.stderr


def test_serial_without_episode_numbers(ws: Path) -> None:
    edit(ws, "feeds/full/show.toml", 'type = "episodic"', 'type = "serial"')
    edit(ws, EP2, "episode = 1\n", "")
    assert run("-C", str(ws), "build", "--now", NOW).exit_code == 0
    result = check(ws)
    assert result.exit_code == 1
    assert "error full/feed.xml: [serial-episode-numbers]" in result.stdout


def test_guid_changed_against_the_feed_on_disk(ws: Path) -> None:
    edit(ws, EP1, "000000000001", "0000000000ff")
    result = check(ws)
    assert result.exit_code == 1
    assert "error public/full/feed.xml: [identity-guid-changed] item " \
           "0b7d5c2e-1111-4a3b-9c7d-000000000001" in result.stdout


def test_enclosure_url_changed_is_an_error_unless_recorded_as_replaced(ws: Path) -> None:
    edit(ws, EP1, "aaaaaaaaaa.mp3", "eeeeeeeeee.mp3")
    result = check(ws)
    assert result.exit_code == 1
    assert "[identity-enclosure-changed]" in result.stdout
    edit(ws, EP1, 'status = "published"', 'status = "published"\naudio_replaced = 2025-06-01')
    result = check(ws)
    assert result.exit_code == 0
    assert result.stdout.startswith("warning public/full/feed.xml: [identity-enclosure-changed]")


def test_guid_reused_for_other_audio(ws: Path) -> None:
    (ws / EP1).unlink()  # episode one goes, and episode two takes over its audio
    edit(ws, EP2, "2025-05-27-trailer-cccccccccc", "2025-05-20-budget-day-aaaaaaaaaa")
    result = check(ws)
    assert result.exit_code == 1
    assert "[identity-guid-reused] item 0b7d5c2e-1111-4a3b-9c7d-000000000002" in result.stdout


def test_podcast_guid_changed_in_show_toml(ws: Path) -> None:
    text = (ws / "feeds/full/show.toml").read_text()
    old = text.split('podcast_guid = "')[1].split('"')[0]
    edit(ws, "feeds/full/show.toml", old, "11111111-2222-5333-8444-555555555555")
    result = check(ws)
    assert result.exit_code == 1
    assert f"[identity-podcast-guid] channel: podcast:guid changed from {old}" in result.stdout


def git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_guid_changed_against_the_last_commit_after_a_rebuild(ws: Path) -> None:
    (ws / ".gitignore").write_text("/public/\n/media/\n")
    git(ws, "init", "-q")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "published")
    edit(ws, EP1, "000000000001", "0000000000ff")
    assert run("-C", str(ws), "build", "--now", NOW).exit_code == 0  # the disk feed agrees now
    result = check(ws)
    assert result.exit_code == 1
    assert "error HEAD: [identity-guid-changed]" in result.stdout


def test_podcast_guid_changed_against_the_last_commit_after_a_rebuild(ws: Path) -> None:
    (ws / ".gitignore").write_text("/public/\n/media/\n")
    git(ws, "init", "-q")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "published")
    show = ws / "feeds/full/show.toml"
    text = show.read_text()
    old = re.search(r'podcast_guid = "([^"]+)"', text).group(1)
    show.write_text(text.replace(old, "11111111-2222-5333-8444-555555555555"))
    assert run("-C", str(ws), "build", "--now", NOW).exit_code == 0  # the disk feed agrees now
    result = check(ws)
    assert result.exit_code == 1
    assert f"podcast:guid changed from {old}" in result.stdout


def test_check_any_feed_file_without_workspace_rules(ws: Path, tmp_path: Path) -> None:
    feed = ws / "public/full/feed.xml"
    result = run("check", str(feed))
    assert result.exit_code == 0, result.output
    broken = tmp_path / "broken.xml"
    broken.write_bytes(feed.read_bytes().replace(b"<itunes:type>episodic", b"<itunes:type>x"))
    result = run("check", str(broken))
    assert result.exit_code == 1
    assert "error broken.xml: [itunes-type]" in result.stdout
    assert run("check", str(tmp_path / "missing.xml")).exit_code == 2


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The full workspace built for and served by `podman serve` on a free port."""
    from podman.core.config import load_workspace
    from podman.storage.serve import make_server

    root = make_full_workspace(tmp_path / "ws")
    with running(make_server(load_workspace(root), "127.0.0.1", 0)) as base:
        monkeypatch.setenv("PODMAN_BASE_URL", base)
        monkeypatch.setenv("PODMAN_PUBLIC_URL", f"{base}/media")
        assert run("-C", str(root), "build", "--now", NOW).exit_code == 0
        yield root


def test_online_against_podman_serve(served: Path) -> None:
    result = check(served, "--online")
    assert "online-head" not in result.stdout and "online-range" not in result.stdout
    assert "online-length" not in result.stdout
    assert result.exit_code == 0, result.output
    url = os.environ["PODMAN_BASE_URL"] + "/full/feed.xml"
    result = run("check", url, "--online")  # any feed by URL, outside the workspace
    assert result.exit_code == 0, result.output
    (served / "media/full/2025-05-27-trailer-cccccccccc.mp3").unlink()
    result = check(served, "--online")
    assert result.exit_code == 1
    assert "[online-head] enclosure 0b7d5c2e-1111-4a3b-9c7d-000000000002" in result.stdout


# -- chapters and transcripts through edit and add ----------------------------------------------

def test_edit_chapters_past_the_duration_writes_nothing(ws: Path, tmp_path: Path) -> None:
    before = (ws / EP2).read_text()
    chapters = tmp_path / "ch.txt"
    chapters.write_text("0:00 Intro\n# a comment\n1:30 Too late\n")
    result = run("-C", str(ws), "edit", "2025-05-27-trailer", "--chapters", str(chapters))
    assert result.exit_code == 2
    assert f"{chapters}:3: chapter at 1:30 is past the end of the audio (1:01)" in result.stderr
    assert (ws / EP2).read_text() == before


def test_edit_chapters_and_transcript(ws: Path, tmp_path: Path) -> None:
    chapters = tmp_path / "ch.txt"
    chapters.write_text("0:00 Intro\n0:30 News https://news.example.com/n\n")
    srt = tmp_path / "t.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
    result = run("-C", str(ws), "edit", "2025-05-27-trailer", "--chapters", str(chapters),
                 "--transcript", str(srt))
    assert result.exit_code == 0, result.output
    assert 'url = "https://news.example.com/n"' in (ws / EP2).read_text()
    episodes = ws / "feeds/full/episodes"
    assert (episodes / "2025-05-27-trailer.srt").is_file()
    assert not (episodes / "2025-05-27-trailer.vtt").exists()  # replaced, not doubled
    assert run("-C", str(ws), "build", "--now", NOW).exit_code == 0
    feed = (ws / "public/full/feed.xml").read_text()
    assert "2025-05-27-trailer.chapters.json" in feed
    assert 'title="News" href="https://news.example.com/n"' in feed
    assert "transcripts/2025-05-27-trailer.srt" in feed


def test_edit_bad_transcript_writes_nothing(ws: Path, tmp_path: Path) -> None:
    before = (ws / EP2).read_text()
    bad = tmp_path / "bad.vtt"
    bad.write_text("WEBVTT\n\n00:01.000 -> 00:02.000\nno arrow\n")
    result = run("-C", str(ws), "edit", "2025-05-27-trailer", "--title", "New",
                 "--transcript", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:4: expected a cue timing" in result.stderr
    assert (ws / EP2).read_text() == before


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PODMAN_BASE_URL", "PODMAN_PUBLIC_URL", "PODMAN_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "fresh"
    result = run("init", str(root), "--show", "s", "--title", "S", "--author", "A",
                 "--email", "a@example.com", "--category", "News")
    assert result.exit_code == 0, result.output
    return root


def _stored(root: Path) -> list[str]:
    """Episode files, transcripts and stored media: what a rejected add must not leave."""
    found = [*(root / "feeds/s/episodes").glob("*"), *(root / "media").rglob("*")]
    return sorted(str(p.relative_to(root)) for p in found if p.is_file())


@pytest.mark.parametrize(("option", "name", "text", "message"), [
    ("--chapters", "ch.txt", "0:00 Intro\n0:05 After the end\n",
     ":2: chapter at 0:05 is past the end of the audio"),
    ("--transcript", "bad.srt", "one\n00:00:00,000 --> 00:00:01,000\nx\n",
     ":1: expected a cue number"),
])
def test_add_with_a_bad_side_file_writes_nothing(fresh: Path, tmp_path: Path, option: str,
                                                 name: str, text: str, message: str) -> None:
    audio = make_audio(tmp_path / "ep.mp3", 3.0)
    side = tmp_path / name
    side.write_text(text)
    result = run("-C", str(fresh), "add", str(audio), option, str(side))
    assert result.exit_code == 2
    assert f"{side}{message}" in result.stderr
    assert _stored(fresh) == []


def test_add_with_chapters_and_transcript(fresh: Path, tmp_path: Path) -> None:
    audio = make_audio(tmp_path / "ep.mp3", 3.0)
    chapters = tmp_path / "ch.txt"
    chapters.write_text("0:00 Intro\n0:02 End\n")
    vtt = tmp_path / "t.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n")
    result = run("-C", str(fresh), "add", str(audio), "--title", "Ep", "--date", "2025-05-01",
                 "--chapters", str(chapters), "--transcript", str(vtt),
                 "--article", "https://news.example.com/a", "--article-title", "A")
    assert result.exit_code == 0, result.output
    episodes = fresh / "feeds/s/episodes"
    assert (episodes / "2025-05-01-ep.vtt").read_text() == vtt.read_text()
    assert 'title = "End"' in (episodes / "2025-05-01-ep.md").read_text()
    assert run("-C", str(fresh), "build", "--now", NOW).exit_code == 0
    feed = (fresh / "public/s/feed.xml").read_text()
    assert 'transcripts/2025-05-01-ep.vtt" type="text/vtt"' in feed
    assert '<psc:chapter start="00:00:02.000" title="End"/>' in feed


# -- link -------------------------------------------------------------------------------------

PAGE = b"""<html><head><title>Fallback</title>
<meta property="og:title" content="Budget: the numbers">
<meta property="article:published_time" content="2025-05-20T05:00:00Z">
<meta property="og:image" content="/img/budget.jpg"></head><body>x</body></html>"""


def test_link_reads_a_saved_page(ws: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGE)
    url = "https://news.example.com/budget-numbers"
    result = run("-C", str(ws), "link", "2025-05-27-trailer", url, "--html", str(page))
    assert result.exit_code == 0, result.output
    text = (ws / EP2).read_text()
    assert 'title = "Budget: the numbers"' in text
    assert 'image = "https://news.example.com/img/budget.jpg"' in text
    assert 'published = "2025-05-20T05:00:00Z"' in text


@pytest.fixture
def page_server() -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/article":
                self.send_error(404)
                return
            self.send_body(200, PAGE, "text/html; charset=utf-8")

    with serving(Handler) as base:
        yield base


def test_link_fetches_the_page(ws: Path, page_server: str) -> None:
    result = run("-C", str(ws), "link", "2025-05-27-trailer", f"{page_server}/article")
    assert result.exit_code == 0, result.output
    assert 'title = "Budget: the numbers"' in (ws / EP2).read_text()


def test_link_fetch_failure_is_exit_1_unless_titled(ws: Path, page_server: str) -> None:
    before = (ws / EP2).read_text()
    result = run("-C", str(ws), "link", "2025-05-27-trailer", f"{page_server}/gone")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("podman: error: ")
    assert "HTTP 404" in result.stderr
    assert (ws / EP2).read_text() == before
    result = run("-C", str(ws), "link", "2025-05-27-trailer", f"{page_server}/gone",
                 "--title", "Offline title")
    assert result.exit_code == 0
    assert 'title = "Offline title"' in (ws / EP2).read_text()
