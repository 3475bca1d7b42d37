"""Benchmark: podman's exact MP3 probe vs mutagen's estimate vs a full ffmpeg decode.

Run: PYTHONPATH=src python bench/probe.py [--minutes 30] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import mutagen.mp3

from podman.audio import ffmpeg, mp3scan
from podman.audio.probe import measure_by_decode, probe_file

RATE = 44100
CASES = {
    "cbr-64k": ["-c:a", "libmp3lame", "-b:a", "64k"],
    "vbr-noxing": ["-c:a", "libmp3lame", "-q:a", "5", "-write_xing", "0"],
}


def make(path: Path, seconds: int, codec: list[str]) -> None:
    graph = (
        f"sine=frequency=440:sample_rate={RATE}:duration={seconds}[a];"
        f"anoisesrc=color=pink:sample_rate={RATE}:amplitude=0.1:seed=1:duration={seconds}[b];"
        "[a][b]amix=inputs=2:normalize=0[out]"
    )
    ffmpeg.run(["-y", "-filter_complex", graph, "-map", "[out]", "-ac", "1", *codec, str(path)])


def timed(fn: Callable[[], float], runs: int) -> tuple[float, float, float]:
    """(result, median ms, min ms) over `runs` calls."""
    times = []
    result = 0.0
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return result, statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, codec in CASES.items():
            path = Path(tmp) / f"{name}.mp3"
            t = time.perf_counter()
            make(path, args.minutes * 60, codec)
            made = time.perf_counter() - t
            size = path.stat().st_size
            print(f"\n{name}: {args.minutes} min, {size / 1e6:.1f} MB (made in {made:.1f} s)")

            truth, dec_ms, _ = timed(lambda p=path: measure_by_decode(p), 1)
            ours, ours_ms, ours_min = timed(lambda p=path: probe_file(p).samples, args.runs)
            theirs_s, mut_ms, mut_min = timed(
                lambda p=path: mutagen.mp3.MP3(p).info.length, args.runs
            )
            theirs = round(theirs_s * RATE)
            # probe_file also hashes the whole file; time the frame walk alone too.
            _, scan_ms, scan_min = timed(lambda p=path: mp3scan.scan(p).samples, args.runs)
            rows = [
                ("ffmpeg decode", truth, dec_ms, dec_ms),
                ("podman probe_file", ours, ours_ms, ours_min),
                ("podman mp3scan.scan", ours, scan_ms, scan_min),
                ("mutagen estimate", theirs, mut_ms, mut_min),
            ]
            print(
                f"  {'method':22} {'duration s':>12} {'err samples':>12} {'ms median':>10}"
                f" {'ms min':>8} {'x decode':>9}"
            )
            for label, samples, med, low in rows:
                print(
                    f"  {label:22} {samples / RATE:12.4f} {samples - truth:12d} {med:10.1f}"
                    f" {low:8.1f} {dec_ms / med:9.0f}"
                )
            status = "exact" if ours == truth else "WRONG"
            goal = "ok" if scan_ms < 30 else "over"
            print(f"  podman: {status}; frame walk {scan_ms:.1f} ms median ({goal} vs 30 ms goal)")


if __name__ == "__main__":
    main()
