"""Finds and runs ffmpeg (system binary, else imageio-ffmpeg's); the only subprocess runner."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from podman.errors import FfmpegFailed, FfmpegMissing

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
        proc = subprocess.run(cmd, capture_output=True, input=input)
    except OSError as exc:
        raise FfmpegMissing(f"cannot run {cmd[0]}: {exc.strerror}", FFMPEG_HINT) from exc
    if check and proc.returncode != 0:
        raise FfmpegFailed(f"{what}: ffmpeg failed: {stderr_tail(proc.stderr)}")
    return proc


def stderr_tail(stderr: bytes, lines: int = 3) -> str:
    text = stderr.decode("utf-8", "replace").strip().splitlines()
    return " | ".join(line.strip() for line in text[-lines:]) or "no output"
