"""A producer's local files (notes, chapters, transcript, a feed, a saved page) are read only
when they are regular files under a size cap: a FIFO, a device or a huge file is one line."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from podman.core.errors import BadInput
from podman.core.textfile import MAX_TEXT_BYTES, read_file_bytes, read_text_file


def podman(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child process with 1 GB of address space, so a file read without a
    cap (/dev/zero) fails there, not on the machine; the timeout is only a guard against a
    FIFO that blocks forever (never an assertion on speed)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "podman", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=60, preexec_fn=limit,
                          check=False)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    os.mkfifo(path)
    return path


@pytest.fixture
def huge(tmp_path: Path) -> Path:
    """A sparse file bigger than every cap (no disk space used)."""
    path = tmp_path / "huge.vtt"
    with path.open("wb") as fh:
        fh.truncate(MAX_TEXT_BYTES * 4 + 60_000_000)
    return path


def one_line(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    for needle in needles:
        assert needle in first, done.stderr


@pytest.mark.parametrize("option", ["--notes", "--chapters", "--transcript"])
def test_add_refuses_a_fifo_device_or_huge_side_file(workspace: Path, episode_mp3s: list[Path],
                                                     fifo: Path, huge: Path,
                                                     option: str) -> None:
    for path, what in ((fifo, "not a regular file"), (Path("/dev/zero"), "not a regular file"),
                       (huge, "larger than")):
        done = podman("-C", workspace, "add", episode_mp3s[0], option, path)
        one_line(done, str(path), what)
    assert not list((workspace / "feeds/daily/episodes").glob("*.md"))


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "huge", "dir"])
def test_check_refuses_what_is_not_a_regular_feed_file(tmp_path: Path, fifo: Path, huge: Path,
                                                       special: str) -> None:
    path = {"fifo": fifo, "/dev/zero": Path("/dev/zero"), "huge": huge, "dir": tmp_path}[special]
    done = podman("check", path)
    one_line(done, str(path))


def test_link_html_from_a_fifo(workspace: Path, fifo: Path) -> None:
    done = podman("-C", workspace, "link", "no-such-episode", "https://example.com/a",
                  "--html", fifo)
    assert done.returncode == 2 and "internal error" not in done.stderr


def test_read_text_file_in_process(tmp_path: Path, fifo: Path) -> None:
    good = tmp_path / "notes.txt"
    good.write_bytes(b"\xef\xbb\xbfHello\n")
    assert read_text_file(good, "notes") == "Hello\n"
    with pytest.raises(BadInput, match="not a regular file"):
        read_file_bytes(fifo, "notes")
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 11)
    with pytest.raises(BadInput, match="larger than 10 bytes"):
        read_file_bytes(small, "notes", max_bytes=10)
    with pytest.raises(BadInput, match="no such notes file"):
        read_file_bytes(tmp_path / "missing", "notes")
