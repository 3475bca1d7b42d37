"""Crashes found by the hardening pass (issue 9, finding 12): each is one line naming the file
or value and the problem, exit 2 for bad input and 1 for a failure, never "internal error"."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from tests.fixtures.cli import make_episode, run, write_episode

GUID = "1b4e28ba-2fa1-4d3b-a3f5-ef19f1ba7c52"
OUT_OF_RANGE = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"]


def one_line(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("hint:")]
    assert len(lines) == 1 and lines[0].startswith("podman: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], result.stderr


@pytest.fixture
def episode(workspace: Path) -> Path:
    return write_episode(workspace, make_episode(guid=GUID))


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize("date", OUT_OF_RANGE)
def test_out_of_range_date_options_are_bad_input(workspace: Path, episode: Path,
                                                 episode_mp3s: list[Path], date: str) -> None:
    one_line(run("-C", workspace, "add", episode_mp3s[0], "--date", date), 2, "--date", date)
    one_line(run("-C", workspace, "edit", GUID, "--date", date), 2, "--date", date)
    one_line(run("-C", workspace, "build", "--now", date), 2, "--now", date)


@pytest.mark.parametrize("date", OUT_OF_RANGE)
def test_out_of_range_date_in_front_matter(workspace: Path, episode: Path, date: str) -> None:
    rewrite(episode, "published = 2025-03-14T17:00:00Z", f"published = {date}")
    for command in ("list", "build"):
        one_line(run("-C", workspace, command), 2, episode.name, "published")


def test_alternates_that_are_not_tables(workspace: Path, episode: Path) -> None:
    rewrite(episode, "+++\n", "+++\nalternates = [5]\n")
    for command in ("list", "build"):
        one_line(run("-C", workspace, command), 2, episode.name, "alternates")


def test_episode_file_with_a_bom_is_read(workspace: Path, episode: Path) -> None:
    episode.write_bytes(b"\xef\xbb\xbf" + episode.read_bytes())
    result = run("-C", workspace, "list")
    assert result.exit_code == 0, result.stderr
    assert "First" in result.stdout
    assert run("-C", workspace, "build").exit_code == 0


@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/feed.xml"])
def test_check_a_malformed_url(url: str) -> None:
    one_line(run("check", url), 2, url)


# -- full and read-only file systems (real mounts; skipped where mounting is not allowed) ------

@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> None:
    """Write until the file system says ENOSPC."""
    with (folder / "filler").open("wb") as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()


@pytest.fixture
def mounted(tmp_path: Path, workspace: Path, episode: Path) -> Iterator[Path]:
    """The workspace copied onto its own 8 MB tmpfs."""
    with tmpfs(tmp_path / "mnt", "8m") as mnt:
        root = mnt / "ws"
        shutil.copytree(workspace, root)
        yield root


def files(root: Path) -> list[Path]:
    """Every file but the (empty, git-ignored) lock file, which outlives runs by design."""
    return sorted(p.relative_to(root) for p in root.rglob("*")
                  if not p.is_dir() and p.name != ".podman.lock")


def test_full_disk_is_one_line(mounted: Path, episode_mp3s: list[Path]) -> None:
    fill(mounted.parent)
    before = files(mounted)
    one_line(run("-C", mounted, "build"), 1, "No space left")
    one_line(run("-C", mounted, "edit", GUID, "--title", "Second"), 1, "No space left")
    added = run("-C", mounted, "add", episode_mp3s[1])
    one_line(added, 1, str(mounted))  # the file it could not write, or the audio in work
    assert "disk full" in added.stderr or "No space left" in added.stderr
    assert files(mounted) == before  # nothing half-written


def test_read_only_workspace_is_one_line(mounted: Path, episode_mp3s: list[Path]) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mounted.parent)], check=True)
    one_line(run("-C", mounted, "build"), 1, "Read-only file system")
    one_line(run("-C", mounted, "edit", GUID, "--title", "Second"), 1, "Read-only file system")
    one_line(run("-C", mounted, "add", episode_mp3s[1]), 1, "Read-only file system")
    assert run("-C", mounted, "list").exit_code == 0  # reading still works
