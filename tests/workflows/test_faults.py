"""Fault injection (issue 9): kill -9 at random points of `add` (with processing), `build` and
`publish` to a local target; the next run must leave a clean, complete workspace: `podman
check` passes, git sees only the intended change, and no stray file remains anywhere (scratch
folders, temp files, partial copies) and no ffmpeg outlives podman.

The kill points come from a seeded generator (PODMAN_FAULT_SEED, printed on failure), plus
points chosen by state: while ffmpeg is running, while files are being stored. Times are never
asserted; the waits are guards against a hang.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import tomlkit

from podman.catalog.episodes import load_show_episodes
from tests.fixtures.audio import make_audio
from tests.fixtures.cli import INIT_ARGS, SHOW, run
from tests.fixtures.feed import png

SEED = int(os.environ.get("PODMAN_FAULT_SEED", "20261204"))
pytestmark = pytest.mark.slow


def podman(root: Path, *args: str | Path) -> subprocess.Popen[bytes]:
    """The real CLI as a child process (its own ffmpeg children included)."""
    return subprocess.Popen([sys.executable, "-m", "podman", "-C", str(root), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(root: Path, *args: str | Path) -> None:
    proc = podman(root, *args)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, (args, err.decode())


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def processes_under(root: Path) -> list[str]:
    """Command lines of live processes that name a path in the workspace (ffmpeg at work)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        command = cmdline(int(entry.name))
        if str(root) in command and "pytest" not in command and not gone(int(entry.name)):
            found.append(command)
    return found


def wait_for(condition: Callable[[], bool], guard: float = 60) -> bool:
    end = time.monotonic() + guard
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False


def kill_at(proc: subprocess.Popen[bytes], point: float | Callable[[], bool]) -> None:
    """SIGKILL `proc` (podman only, never its process group) after `point` seconds, or once
    `point()` holds; a run that finished first is simply a point past the end."""
    if callable(point):
        wait_for(lambda: point() or proc.poll() is not None)
    else:
        time.sleep(point)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    if proc.stderr:
        proc.stderr.close()


def children_of(pid: int) -> list[int]:
    """Live child processes of `pid` (podman's only children are ffmpeg runs)."""
    out = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid and fields[0] != "Z":
                    out.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


def comm(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(
            errors="replace")
    except OSError:
        return ""


def gone(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def ffmpeg_child_of(proc: subprocess.Popen[bytes]) -> Callable[[], bool]:
    """Holds once podman runs ffmpeg; that child is then frozen (SIGSTOP) so it cannot finish on
    its own: after podman's kill -9 it only goes away if it dies with its parent."""
    def running() -> bool:
        # exec'd by podman's runner (which always passes -hide_banner): not imageio-ffmpeg's
        # own `ffmpeg -version` probe, which podman does not start and which ends at once
        kids = [kid for kid in children_of(proc.pid)
                if "ffmpeg" in comm(kid) and "-hide_banner" in cmdline(kid)]
        for kid in kids:
            os.kill(kid, signal.SIGSTOP)
            frozen.append(kid)
        return bool(kids)
    return running


frozen: list[int] = []  # ffmpeg children stopped by the test: killed at the end whatever happens


def any_file(folder: Path, pattern: str = "*") -> Callable[[], bool]:
    return lambda: folder.is_dir() and any(p.is_file() for p in folder.rglob(pattern))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A committed workspace with a local publish target outside it."""
    root = tmp_path / "ws"
    assert run("init", root, *INIT_ARGS).exit_code == 0
    config = tomlkit.parse((root / "podman.toml").read_text("utf-8"))
    config["publish"]["target"] = str(tmp_path / "site")  # type: ignore[index]
    (root / "podman.toml").write_text(tomlkit.dumps(config), "utf-8")
    show = root / "feeds" / SHOW
    (show / "artwork.png").write_bytes(png())
    toml = (show / "show.toml").read_text("utf-8")
    (show / "show.toml").write_text(toml.replace('image = ""', 'image = "artwork.png"'), "utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
    return root


def assert_clean(root: Path, target: Path, episodes: int, why: str) -> None:
    """Complete and clean: the catalog has `episodes` episode files and nothing else changed,
    every stored object is referenced, public/ holds exactly what the build produced, the
    target mirrors it, and no temp file, scratch folder or partial copy is left anywhere."""
    eps = load_show_episodes(root / "feeds" / SHOW)
    assert len(eps) == episodes, why
    status = git(root, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(status) == sorted(f"?? feeds/{SHOW}/episodes/{ep.slug}.md" for ep in eps), (
        why, status)
    keys = {ep.audio.key for ep in eps} | {ep.extra["waveform"] for ep in eps
                                           if ep.extra.get("waveform")}
    keys |= {a["key"] for ep in eps for a in ep.extra.get("alternates", ())}
    media = root / "media"
    stored = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    assert stored == keys, (why, stored ^ keys)
    scratch = root / ".podman" / "tmp"
    assert not scratch.exists() or not any(scratch.iterdir()), (why, list(scratch.iterdir()))
    assert not [p.name for p in root.iterdir() if p.name.startswith(".podman-")], why
    public = root / "public"
    built = set((public / ".podman-built").read_text().split())
    present = {p.relative_to(public).as_posix() for p in public.rglob("*") if p.is_file()}
    assert present == built | {".podman-built"}, (why, present ^ (built | {".podman-built"}))
    if target.exists():
        mirrored = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
        assert mirrored == built, (why, mirrored ^ built)
    assert wait_for(lambda: not processes_under(root)), (why, processes_under(root))


def test_kill_9_anywhere_then_rerun_leaves_a_clean_complete_workspace(ws: Path,
                                                                       tmp_path: Path) -> None:
    rnd = random.Random(SEED)
    target = tmp_path / "site"
    audio = [make_audio(tmp_path / "in" / f"take_{i}.mp3", 40.0, tone=300 + 60 * i)
             for i in range(3)]
    add = ("add", "--normalize", "--also", "opus-mono-32k")
    media = ws / "media"
    points: list[tuple[str, float | Callable[[subprocess.Popen[bytes]], Callable[[], bool]]]] = [
        ("while ffmpeg runs", ffmpeg_child_of),
        ("while storing", lambda proc: any_file(media, ".upload-*.part")),
        *((f"after {t:.2f} s", t) for t in (rnd.uniform(0.2, 4.0) for _ in range(3))),
    ]
    for n, (where, point) in enumerate(points):
        source = audio[n % len(audio)]
        why = f"seed {SEED}: add killed {where}"
        proc = podman(ws, *add, source)
        try:
            kill_at(proc, point(proc) if callable(point) else point)
            assert all(wait_for(lambda kid=kid: gone(kid)) for kid in frozen), (
                why, "ffmpeg outlived podman")
        finally:
            for kid in frozen:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(kid, signal.SIGKILL)
        assert where != "while ffmpeg runs" or frozen, "the kill point was never reached"
        frozen.clear()
        assert wait_for(lambda: not processes_under(ws)), (why, processes_under(ws))
        finish(ws, *add, source)  # the re-run (or "unchanged" if the killed run got there)
        finish(ws, "build")
        finish(ws, "check")
        assert_clean(ws, target, len({a.name for a in audio[:n + 1]}), why)

    for command, span in (("build", 0.6), ("publish", 0.8)):
        for t in (rnd.uniform(0.05, span) for _ in range(4)):
            why = f"seed {SEED}: {command} killed after {t:.2f} s"
            finish(ws, "edit", load_show_episodes(ws / "feeds" / SHOW)[0].slug,
                   "--title", f"Retitled {t:.3f}")  # so there is something to write
            if command == "publish":
                finish(ws, "build")
            kill_at(podman(ws, command), t)
            finish(ws, command)
            finish(ws, "build", "--check")
            finish(ws, "check")
            if command == "build":
                finish(ws, "publish")
            assert_clean(ws, target, len(audio), why)
