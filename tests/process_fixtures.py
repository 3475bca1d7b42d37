"""Generated test audio and images (ffmpeg lavfi) and independent measurements of results."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from podman import ffmpeg

SECONDS = 6.0


def speech_like(
    dest: Path, *, volume_db: float, channels: int = 1, codec: list[str] | None = None
) -> Path:
    """Pink noise plus a low tone, amplitude-modulated at a syllable-ish 4 Hz.

    Stereo uses a different noise seed per channel, so the channels are not identical and a
    mono downmix is quieter than either channel (the case loudness handling must get right).
    """
    noise = [
        f"anoisesrc=d={SECONDS}:c=pink:r=44100:a=0.5:seed={seed}" for seed in range(1, channels + 1)
    ]
    inputs = [arg for src in noise for arg in ("-f", "lavfi", "-i", src)]
    inputs += ["-f", "lavfi", "-i", f"sine=f=180:d={SECONDS}:r=44100"]
    tone = f"[{channels}]"
    if channels == 2:
        graph = (
            f"[0][1]join=inputs=2:channel_layout=stereo[n];{tone}aformat=channel_layouts=stereo[t];"
        )
        mix = "[n][t]"
    else:
        graph, mix = "", f"[0]{tone}"
    graph += f"{mix}amix=inputs=2:normalize=0,tremolo=f=4:d=0.9,volume={volume_db}dB"
    ffmpeg.run(["-y", *inputs, "-filter_complex", graph, *(codec or []), str(dest)], what="fixture")
    return dest


def image(dest: Path, size: str, *extra: str) -> Path:
    ffmpeg.run(
        ["-y", "-f", "lavfi", "-i", f"color=c=red:s={size}", "-frames:v", "1", *extra, str(dest)],
        what="fixture",
    )
    return dest


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's ebur128, not loudnorm."""
    proc = ffmpeg.run(
        ["-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        what=path.name,
    )
    text = proc.stderr.decode()
    summary = text[text.rfind("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return integrated, peak


def decoded_seconds(path: Path) -> float:
    """Duration by decoding every sample (encoder delay and padding removed by the decoder)."""
    proc = ffmpeg.run(
        ["-i", str(path), "-ac", "1", "-ar", "48000", "-f", "s16le", "-"], what=path.name
    )
    return len(proc.stdout) / 2 / 48000


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
