"""The one loudness measurement in podman: ffmpeg's ebur128 (BS.1770, true peak), its summary."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from podman.audio import ffmpeg
from podman.core.errors import FfmpegFailed

__all__ = [
    "FLOOR", "SILENT", "WINDOW_LU", "Loudness", "ebur128", "layout_name", "measure",
    "measure_loudness", "misses", "parse_summaries",
]

WINDOW_LU = 0.5  # how far from the integrated target a published file may land
SILENT = -70.0  # ebur128's absolute gate: nothing louder than this is in the file
FLOOR = -99.0  # silence measures -inf; the catalog (TOML) and JSON keep this instead

_NUMBER = r"(-?(?:\d+(?:\.\d+)?|inf))"
_FIELDS = {
    "integrated": re.compile(rf"I:\s+{_NUMBER} LUFS"),
    "threshold": re.compile(rf"Threshold:\s+{_NUMBER} LUFS"),  # the first one: integrated's
    "lra": re.compile(rf"LRA:\s+{_NUMBER} LU\b"),
    "true_peak": re.compile(rf"Peak:\s+{_NUMBER} dBFS"),
}


@dataclass(frozen=True)
class Loudness:
    """One file's (or one channel layout's) loudness, as ebur128 prints it: 0.1 precision."""

    integrated: float  # LUFS
    true_peak: float  # dBTP (ebur128 says dBFS of the 4x oversampled signal)
    lra: float  # LU
    threshold: float  # LUFS, the relative gate of the integrated measurement

    @property
    def silent(self) -> bool:
        return self.integrated <= SILENT


def layout_name(channels: int | None) -> str | None:
    """The ffmpeg channel layout a preset's channel count is measured and encoded as."""
    return {None: None, 1: "mono", 2: "stereo"}.get(channels, f"{channels}c")


def ebur128(name: str) -> str:
    """The filter, named so its summary can be found among others in one ffmpeg run.

    framelog=verbose keeps the ten-lines-a-second frame log out of ffmpeg's info output."""
    return f"ebur128@{name}=peak=true:framelog=verbose"


def parse_summaries(stderr: bytes, names: Sequence[str], what: str) -> dict[str, Loudness]:
    """The summary each named ebur128 filter printed when the run ended."""
    text = stderr.decode("utf-8", "replace")
    found: dict[str, Loudness] = {}
    for name in names:
        start = text.rfind(f"[ebur128@{name} @ ")
        start = text.find("Summary:", start) if start >= 0 else -1
        if start < 0:
            raise FfmpegFailed(f"{what}: no loudness measurement in ffmpeg's output")
        end = text.find("\n[", start)
        block = text[start : end if end >= 0 else len(text)]
        values: dict[str, float] = {}
        for key, pattern in _FIELDS.items():
            match = pattern.search(block)
            if match is None:
                raise FfmpegFailed(f"{what}: ffmpeg's loudness summary has no {key}")
            values[key] = max(float(match.group(1)), FLOOR)
        found[name] = Loudness(**values)
    return found


def measure(
    path: Path,
    layouts: Sequence[str | None] = (None,),
    *,
    on_progress: Callable[[float], None] | None = None,
) -> list[Loudness]:
    """Loudness of `path` as heard in each channel layout (None = the file's own), one decode.

    Layouts matter: a stereo file whose channels differ is quieter downmixed to mono."""
    path = Path(path)
    names = [f"m{i}" for i in range(len(layouts))]
    chains = [
        (f"aformat=channel_layouts={layout}," if layout else "") + ebur128(name)
        for name, layout in zip(names, layouts, strict=True)
    ]
    args = ["-i", str(path)]
    if len(chains) == 1:
        args += ["-map", "0:a:0", "-af", chains[0], "-f", "null", "-"]
    else:
        graph = f"[0:a:0]asplit={len(chains)}" + "".join(f"[s{i}]" for i in range(len(chains)))
        graph += "".join(f";[s{i}]{chain}[o{i}]" for i, chain in enumerate(chains))
        args += ["-filter_complex", graph]
        for i in range(len(chains)):
            args += ["-map", f"[o{i}]", "-f", "null", "-"]
    proc = ffmpeg.run_with_progress(args, None, on_progress, what=path.name)
    found = parse_summaries(proc.stderr, names, path.name)
    return [found[name] for name in names]


def measure_loudness(
    path: Path, *, channels: int | None = None, on_progress: Callable[[float], None] | None = None
) -> Loudness:
    """Integrated loudness, true peak and LRA of `path` as is (or downmixed to `channels`)."""
    return measure(path, [layout_name(channels)], on_progress=on_progress)[0]


def misses(
    integrated: float, true_peak: float, target_i: float, target_tp: float
) -> str | None:
    """Why a measured file is outside the published window, or None when it lands."""
    problems = []
    if abs(integrated - target_i) > WINDOW_LU + 1e-9:
        problems.append(f"{integrated:.1f} LUFS integrated, not {target_i:g} ± {WINDOW_LU:g}")
    if true_peak > target_tp + 1e-9:
        problems.append(f"true peak {true_peak:.1f} dBTP above the {target_tp:g} dBTP ceiling")
    return "; ".join(problems) or None
