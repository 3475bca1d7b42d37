"""core.fsio: atomic writes leave old or new content, never half, and no temp files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podman.core.errors import StorageError
from podman.core.fsio import atomic_write, write_chunks


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.md"
    atomic_write(target, "one")
    atomic_write(target, b"two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.md"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_write_chunks_replaces_only_what_differs_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "big.json"
    assert write_chunks(target, [b"one ", b"two"]) is True  # new file
    assert target.read_bytes() == b"one two"
    inode = target.stat().st_ino
    assert write_chunks(target, [b"one", b" two"]) is False  # same bytes, other pieces
    assert target.stat().st_ino == inode  # not rewritten
    assert write_chunks(target, [b"three"], apply=False) is True  # --check: reported only
    assert target.read_bytes() == b"one two"
    assert write_chunks(target, iter([b"thr", b"ee"])) is True
    assert target.read_bytes() == b"three"
    assert sorted(p.name for p in target.parent.iterdir()) == ["big.json"]


def test_write_chunks_interrupted_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    """A render that fails halfway (here its chunks raise) leaves the old file whole; a write
    error is the one-line StorageError naming the file."""
    target = tmp_path / "articles.json"
    write_chunks(target, [b"old"])

    def chunks(error: BaseException):
        yield b"half of the new "
        raise error

    with pytest.raises(RuntimeError):
        write_chunks(target, chunks(RuntimeError("render failed")))
    with pytest.raises(StorageError, match=f"{target}: cannot write"):
        write_chunks(target, chunks(OSError("disk full")))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["articles.json"]


def test_atomic_write_failure_keeps_old_content(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file.md"
    atomic_write(target, "old")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(StorageError, match=f"{target}: cannot write"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.md"]


# -- leftovers of killed runs (issue 9, finding 11) ------------------------------------------

def _killed_writer(code: str, *args: str) -> None:
    """Run `code` in a child that is SIGKILLed by itself mid-write: a real kill -9."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, check=False)
    assert done.returncode == -9, done.stderr.decode()


def test_sweep_removes_what_a_killed_writer_left_and_spares_live_ones(tmp_path: Path) -> None:
    from podman.core.fsio import locked_temp, sweep, work_dir

    root = tmp_path
    folder = root / "feeds" / "daily" / "episodes"
    folder.mkdir(parents=True)
    _killed_writer(
        "import os, signal, sys; from pathlib import Path\n"
        "from podman.core.fsio import locked_temp, work_dir\n"
        "root = Path(sys.argv[1])\n"
        "locked_temp(root / 'feeds/daily/episodes', '.ep.md.', '.tmp')\n"
        "locked_temp(root / 'feeds/daily/episodes', '.upload-', '.part')\n"
        "ctx = work_dir(root); work = ctx.__enter__(); (work / 'half.mp3').write_bytes(b'x')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n", str(root))
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 2 and len(list((root / ".podman/tmp").iterdir())) == 2  # dir + lock
    live_fd, live = locked_temp(folder, ".other.md.", ".tmp")  # a concurrent writer's
    try:
        with work_dir(root) as mine:
            assert sweep(root, root / "feeds") == 3
            assert mine.is_dir() and live.is_file()  # in use: kept
            assert sorted(p.name for p in folder.iterdir()) == [live.name]
            assert [p for p in (root / ".podman/tmp").iterdir()
                    if p.name not in (mine.name, f"{mine.name}.lock")] == []
        assert list((root / ".podman/tmp").iterdir()) == []
    finally:
        os.close(live_fd)
    assert (root / ".podman/.gitignore").read_text().strip().endswith("*")


def test_unrelated_dot_files_are_never_swept(tmp_path: Path) -> None:
    from podman.core.fsio import sweep

    for name in (".gitignore", ".env.tmp", ".podman-built", "notes.tmp", ".x.upload.part"):
        (tmp_path / name).write_text("keep")
    assert sweep(tmp_path, tmp_path) == 0
    assert len(list(tmp_path.iterdir())) == 5
