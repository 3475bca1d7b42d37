"""`podman add` through the CLI: contract fields, options, duplicates, bad inputs leave nothing."""

from __future__ import annotations

import hashlib
import time
import tomllib
import uuid
from pathlib import Path

import pytest

from podman.audio.probe import probe_file
from podman.catalog.episodes import load_show_episodes
from tests.fixtures.audio import BAD
from tests.fixtures.cli import SHOW, run, tree

EPISODES = Path("feeds") / SHOW / "episodes"


def episode_files(ws: Path) -> list[Path]:
    return sorted((ws / EPISODES).glob("*.md"))


def media_files(ws: Path) -> list[Path]:
    """Stored audio objects (each episode also stores a waveform PNG beside its audio)."""
    media = ws / "media"
    if not media.exists():
        return []
    return sorted(p for p in media.rglob("*") if p.is_file() and p.suffix != ".png")


def front(path: Path) -> dict:
    text = path.read_text()
    return tomllib.loads(text.split("+++\n")[1])


def test_add_mp3_writes_contract_fields_and_stores_object(workspace: Path,
                                                          audio_files: dict[str, Path]) -> None:
    src = audio_files["mp3-big-id3"]  # title tag "Putin urges Kiev"
    result = run("add", "-C", workspace, src, "--date", "2025-03-14T17:00:00Z")
    assert result.exit_code == 0, result.stderr
    [path] = episode_files(workspace)
    assert path.name == "2025-03-14-putin-urges-kiev.md"
    data = front(path)
    assert uuid.UUID(data["guid"]).version == 4
    assert data["title"] == "Putin urges Kiev"
    assert data["published"].isoformat() == "2025-03-14T17:00:00+00:00"
    assert data["status"] == "published"
    facts = probe_file(src)
    assert data["duration"] == facts.duration
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    audio = data["audio"]
    assert audio == {"key": audio["key"], "bytes": src.stat().st_size, "type": "audio/mpeg",
                     "sha256": digest}
    assert audio["key"].startswith(f"{SHOW}/2025-03-14-putin-urges-kiev-")
    assert digest[:10] in audio["key"] and audio["key"].endswith(".mp3")
    [stored] = media_files(workspace)
    assert stored == workspace / "media" / audio["key"]
    assert stored.read_bytes() == src.read_bytes()
    assert f"added {SHOW}/2025-03-14-putin-urges-kiev" in result.stdout
    assert data["guid"] in result.stdout


def test_title_falls_back_to_file_name(workspace: Path, episode_mp3s: list[Path]) -> None:
    result = run("add", "-C", workspace, episode_mp3s[0], "--date", "2025-03-01")
    assert result.exit_code == 0, result.stderr
    [path] = episode_files(workspace)
    assert front(path)["title"] == "episode 0"
    assert path.name == "2025-03-01-episode-0.md"


def test_add_with_every_option(workspace: Path, episode_mp3s: list[Path], tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("Show notes with **bold** & a [link](https://example.com/x).\n")
    result = run("add", "-C", workspace, episode_mp3s[1], "--title", "  Rates hold  ",
                 "--date", "2025-03-13T18:00:00+01:00", "--notes", notes,
                 "--article", "https://news.example.com/a", "--article-title", "Article A",
                 "--article", "https://news.example.com/b", "--season", "2", "--episode", "7",
                 "--type", "bonus", "--explicit", "--draft")
    assert result.exit_code == 0, result.stderr
    [path] = episode_files(workspace)
    data = front(path)
    assert data["title"] == "Rates hold"
    assert data["published"].isoformat() == "2025-03-13T17:00:00+00:00"
    assert data["status"] == "draft"
    assert (data["season"], data["episode"], data["type"], data["explicit"]) == (2, 7, "bonus",
                                                                                 True)
    assert data["articles"] == [{"url": "https://news.example.com/a", "title": "Article A"},
                                {"url": "https://news.example.com/b"}]
    assert path.read_text().endswith(
        "+++\nShow notes with **bold** & a [link](https://example.com/x).\n")
    [ep] = load_show_episodes(workspace / "feeds" / SHOW)
    assert ep.notes.startswith("Show notes")


def test_clean_flag(workspace: Path, episode_mp3s: list[Path]) -> None:
    assert run("add", "-C", workspace, episode_mp3s[2], "--clean").exit_code == 0
    [path] = episode_files(workspace)
    assert front(path)["explicit"] is False


@pytest.mark.parametrize(("args", "needle"), [
    (["--date", "tomorrow"], "--date"),
    (["--article", "news.example.com/a"], "--article"),
    (["--article-title", "orphan"], "--article-title"),
    (["--show", "nope"], "nope"),
])
def test_bad_options_exit_2_and_write_nothing(workspace: Path, episode_mp3s: list[Path],
                                              args: list[str], needle: str) -> None:
    before = tree(workspace)
    result = run("add", "-C", workspace, episode_mp3s[0], *args)
    assert result.exit_code == 2
    assert needle in result.stderr.splitlines()[0]
    assert tree(workspace) == before


@pytest.mark.parametrize("args", [["--season", "0"], ["--type", "movie"]])
def test_click_rejects_bad_values(workspace: Path, episode_mp3s: list[Path],
                                  args: list[str]) -> None:
    before = tree(workspace)
    assert run("add", "-C", workspace, episode_mp3s[0], *args).exit_code == 2
    assert tree(workspace) == before


def test_dry_run_writes_nothing(workspace: Path, episode_mp3s: list[Path]) -> None:
    before = tree(workspace)
    result = run("add", "-C", workspace, episode_mp3s[0], "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"would add {SHOW}/")
    assert tree(workspace) == before
    assert not (workspace / "media").exists()


def test_adding_the_same_audio_twice_changes_nothing(workspace: Path,
                                                     episode_mp3s: list[Path]) -> None:
    assert run("add", "-C", workspace, episode_mp3s[0]).exit_code == 0
    before = tree(workspace)
    result = run("add", "-C", workspace, episode_mp3s[0], "--title", "Another title")
    assert result.exit_code == 0
    assert "unchanged" in result.stderr
    assert f"{SHOW}/" in result.stderr
    assert result.stdout == ""
    assert tree(workspace) == before
    # also under another name
    copy = workspace.parent / "renamed.mp3"
    copy.write_bytes(episode_mp3s[0].read_bytes())
    result = run("add", "-C", workspace, copy)
    assert result.exit_code == 0 and "unchanged" in result.stderr
    assert tree(workspace) == before


def _assert_one_error_naming(stderr: str, path: Path) -> None:
    lines = stderr.splitlines()
    assert lines, "no message"
    assert lines[0].startswith("podman: error: ")
    assert path.name in lines[0]
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("hint: ")), stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("bad", BAD)
def test_bad_input_exit_2_leaves_nothing(workspace: Path, audio_files: dict[str, Path],
                                         bad: str) -> None:
    before = tree(workspace)
    result = run("add", "-C", workspace, audio_files[bad])
    assert result.exit_code == 2
    _assert_one_error_naming(result.stderr, audio_files[bad])
    assert result.stdout == ""
    assert episode_files(workspace) == []
    assert media_files(workspace) == []
    assert tree(workspace) == before


@pytest.mark.parametrize("name", ["wav", "flac"])
def test_lossless_input_is_encoded_to_mp3(workspace: Path, audio_files: dict[str, Path],
                                          name: str) -> None:
    """Podcast apps do not play WAV/FLAC: they are always encoded (mp3-mono-96k by default)."""
    source = audio_files[name]
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    result = run("add", "-C", workspace, source)
    assert result.exit_code == 0, result.output
    (episode,) = episode_files(workspace)
    data = front(episode)
    assert data["audio"]["type"] == "audio/mpeg" and data["audio"]["key"].endswith(".mp3")
    assert data["source_sha256"] == before
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before  # original untouched
    (stored,) = media_files(workspace)
    assert stored.stat().st_size == data["audio"]["bytes"]
    assert stored.with_suffix(".png").is_file()  # the waveform for the site


def test_good_files_added_when_one_is_bad(workspace: Path, audio_files: dict[str, Path],
                                          episode_mp3s: list[Path]) -> None:
    result = run("add", "-C", workspace, episode_mp3s[0], audio_files["bad-text"],
                 episode_mp3s[1])
    assert result.exit_code == 2
    assert len(episode_files(workspace)) == 2
    assert len(media_files(workspace)) == 2
    assert result.stdout.count("added ") == 2
    errors = [line for line in result.stderr.splitlines()
              if line.startswith(("podman: ", "hint: "))]
    _assert_one_error_naming("\n".join(errors), audio_files["bad-text"])


def test_nonexistent_file_exit_2(workspace: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.mp3"
    result = run("add", "-C", workspace, missing)
    assert result.exit_code == 2
    assert "missing.mp3" in result.stderr
    assert "Traceback" not in result.stderr
    assert episode_files(workspace) == []


@pytest.mark.parametrize(("name", "mime", "ext"), [
    ("m4a", "audio/mp4", ".m4a"), ("opus", "audio/ogg", ".opus"), ("ogg", "audio/ogg", ".ogg"),
])
def test_other_publishable_formats(workspace: Path, audio_files: dict[str, Path], name: str,
                                   mime: str, ext: str) -> None:
    result = run("add", "-C", workspace, audio_files[name])
    assert result.exit_code == 0, result.stderr
    [path] = episode_files(workspace)
    audio = front(path)["audio"]
    assert audio["type"] == mime
    assert audio["key"].endswith(ext)
    assert audio["bytes"] == audio_files[name].stat().st_size
    assert front(path)["duration"] == probe_file(audio_files[name]).duration


def test_two_titles_on_one_day_get_unique_slugs(workspace: Path,
                                                episode_mp3s: list[Path]) -> None:
    result = run("add", "-C", workspace, *episode_mp3s[:3], "--title", "Same", "--date",
                 "2025-03-14")
    assert result.exit_code == 0, result.stderr
    names = [p.name for p in episode_files(workspace)]
    assert names == ["2025-03-14-same-2.md", "2025-03-14-same-3.md", "2025-03-14-same.md"]
    keys = {front(p)["audio"]["key"] for p in episode_files(workspace)}
    assert len(keys) == 3


def test_default_date_is_the_current_utc_time_in_any_timezone(
        workspace: Path, episode_mp3s: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --date, `published` is now in UTC, not the local wall clock labelled UTC."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert run("add", "-C", workspace, episode_mp3s[0]).exit_code == 0
    finally:
        monkeypatch.undo()
        time.tzset()
    [path] = episode_files(workspace)
    published = front(path)["published"]
    assert abs(published.timestamp() - time.time()) < 120
    # and a build at the real current time (another machine, CI in UTC) includes it
    result = run("build", "-C", workspace)
    assert "(1 episodes)" in result.stdout


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8 \x81", None])
def test_unreadable_notes_file_exit_2_nothing_written(workspace: Path, episode_mp3s: list[Path],
                                                      tmp_path: Path,
                                                      content: bytes | None) -> None:
    notes = tmp_path / "notes.md"
    if content is not None:
        notes.write_bytes(content)
    result = run("add", "-C", workspace, episode_mp3s[0], "--notes", notes)
    assert result.exit_code == 2
    _assert_one_error_naming(result.stderr, notes)
    assert episode_files(workspace) == [] and media_files(workspace) == []


def test_same_file_twice_in_one_command_adds_it_once(workspace: Path,
                                                     episode_mp3s: list[Path]) -> None:
    result = run("add", "-C", workspace, episode_mp3s[0], episode_mp3s[0])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("added ") == 1 and "unchanged" in result.stderr
    assert len(episode_files(workspace)) == 1


def test_local_storage_unwritable_exit_1_nothing_recorded(workspace: Path,
                                                          episode_mp3s: list[Path]) -> None:
    """A file where the media folder should be: real failure of the local backend."""
    (workspace / "media").write_text("not a folder")
    result = run("add", "-C", workspace, episode_mp3s[0], episode_mp3s[1])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("podman: ")]
    assert len(lines) == 1 and "media" in lines[0] and "Traceback" not in result.stderr
    assert episode_files(workspace) == []
