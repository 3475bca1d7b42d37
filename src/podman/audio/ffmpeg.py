"""Finds and runs ffmpeg (system binary, else imageio-ffmpeg's); the only subprocess runner."""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from podman.core.errors import FfmpegFailed, FfmpegMissing, StorageError

FFMPEG_HINT = (
    "install ffmpeg (apt install ffmpeg / brew install ffmpeg) or `pip install imageio-ffmpeg`, "
    "or set PODMAN_FFMPEG to the binary"
)


@functools.cache
def ffmpeg_path() -> str:
    """The ffmpeg binary: $PODMAN_FFMPEG, then PATH, then imageio-ffmpeg's bundled one."""
    env = os.environ.get("PODMAN_FFMPEG")
    if env:
        if Path(env).is_file() and os.access(env, os.X_OK):
            return env
        raise FfmpegMissing(f"PODMAN_FFMPEG={env}: not an executable file", FFMPEG_HINT)
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # imageio-ffmpeg raises RuntimeError when it has no binary
        raise FfmpegMissing("ffmpeg not found", FFMPEG_HINT) from exc
    return exe


PR_SET_PDEATHSIG = 1


@functools.cache
def _libc() -> Any:
    """libc, loaded before any fork: the child may only call into what is already mapped."""
    import ctypes
    import ctypes.util

    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn making the child get SIGKILL when podman dies, even by kill -9 (Linux's
    PR_SET_PDEATHSIG), so no ffmpeg outlives it writing into a swept work folder. None on
    systems without prctl; there the work folder's lock still lets the next run sweep."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = _libc().prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def setup() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # podman died before prctl took effect
            os._exit(1)

    return setup


def run(
    args: Sequence[str],
    *,
    what: str = "ffmpeg",
    check: bool = True,
    input: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with `args` (without the binary); raise FfmpegFailed with stderr's tail."""
    cmd = [ffmpeg_path(), "-hide_banner", "-nostdin", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, input=input,
                              preexec_fn=die_with_parent())
    except OSError as exc:
        raise FfmpegMissing(f"cannot run {cmd[0]}: {exc.strerror}", FFMPEG_HINT) from exc
    if check and proc.returncode != 0:
        raise failure(what, proc.stderr)
    return proc


def run_with_progress(
    args: Sequence[str],
    total_seconds: float | None,
    on_progress: Callable[[float], None] | None,
    what: str = "ffmpeg",
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg streaming `-progress pipe:1`, calling on_progress(seconds of media done).

    stderr goes to a temporary file rather than a pipe so a chatty ffmpeg (loudnorm prints its
    JSON there) can never block on a full pipe while we read progress lines from stdout.
    """
    cmd = [ffmpeg_path(), "-hide_banner", "-nostdin", "-progress", "pipe:1", "-nostats", *args]
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err,
                                    preexec_fn=die_with_parent())
        except OSError as exc:
            raise FfmpegMissing(f"cannot run {cmd[0]}: {exc.strerror}", FFMPEG_HINT) from exc
        with proc:  # closes the stdout pipe however we leave
            try:
                assert proc.stdout is not None
                for raw in proc.stdout:
                    key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                    # out_time_us and (despite its name) out_time_ms are both microseconds
                    if key == "out_time_us" and on_progress is not None and value.isdigit():
                        done = int(value) / 1e6
                        on_progress(min(done, total_seconds) if total_seconds else done)
                returncode = proc.wait()
            except BaseException:  # KeyboardInterrupt included: never leave ffmpeg running
                proc.kill()
                proc.wait()
                raise
        err.seek(0)
        stderr = err.read()
    if returncode != 0:
        raise failure(what, stderr)
    return subprocess.CompletedProcess(cmd, returncode, b"", stderr)


def failure(what: str, stderr: bytes) -> FfmpegFailed | StorageError:
    """The error for a failed ffmpeg run: a full disk is a storage problem, not an input one."""
    text = stderr.decode("utf-8", "replace")
    if "No space left on device" in text:
        return StorageError(f"{what}: disk full while ffmpeg was writing", "free some space")
    return FfmpegFailed(f"{what}: ffmpeg failed: {stderr_tail(stderr)}")


def stderr_tail(stderr: bytes, lines: int = 3) -> str:
    text = stderr.decode("utf-8", "replace").strip().splitlines()
    return " | ".join(line.strip() for line in text[-lines:]) or "no output"
