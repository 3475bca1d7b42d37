"""Benchmark: podman's normalise+encode vs the two hand-typed ffmpeg loudnorm commands.

    PYTHONPATH=src python bench/process.py [--minutes 30] [--repeat 1]

Generates a speech-like FLAC episode, then times, alternately on the same file:
  podman: process_audio(normalize=True, preset="mp3-mono-96k")
  by hand: ffmpeg -af loudnorm=...:print_format=json -f null -  then
           ffmpeg -af loudnorm=...measured...:linear=true -ar 44100 -ac 1 -c:a libmp3lame -b:a 96k
Prints seconds of audio per wall second for both and podman/by-hand (goal >= 0.95).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from podman.audio import ffmpeg
from podman.audio.process import process_audio


def make_episode(dest: Path, minutes: float) -> Path:
    seconds = minutes * 60
    ffmpeg.run(
        ["-y", "-f", "lavfi", "-i", f"anoisesrc=d={seconds}:c=pink:r=44100:a=0.3:seed=7",
         "-f", "lavfi", "-i", f"sine=f=170:d={seconds}:r=44100",
         "-filter_complex", "amix=inputs=2:normalize=0,tremolo=f=4:d=0.9,volume=-6dB",
         "-ac", "1", str(dest)],
        what="bench",
    )
    return dest


def by_hand(src: Path, out: Path) -> None:
    """What a producer types: two loudnorm passes at the same settings podman uses."""
    target = "I=-16:TP=-2.0:LRA=11"  # podman aims 1 dB under the -1 dBTP ceiling for MP3
    first = ffmpeg.run(
        ["-i", str(src), "-af", f"loudnorm={target}:print_format=json", "-f", "null", "-"]
    )
    text = first.stderr.decode()
    m = json.loads(text[text.rfind("{") : text.rfind("}") + 1])
    measured = (
        f"measured_I={m['input_i']}:measured_TP={m['input_tp']}:measured_LRA={m['input_lra']}"
        f":measured_thresh={m['input_thresh']}:offset={m['target_offset']}:linear=true"
    )
    ffmpeg.run(
        ["-y", "-i", str(src), "-af", f"aformat=channel_layouts=mono,loudnorm={target}:{measured}",
         "-ar", "44100", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "96k", str(out)]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes", type=float, default=float(os.environ.get("PODMAN_BENCH_MINUTES", 30))
    )
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    audio_seconds = args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        src = make_episode(d / "episode.flac", args.minutes)
        print(f"generated {args.minutes:g} min FLAC in {time.perf_counter() - t:.1f} s")
        podman_times, hand_times = [], []
        for i in range(args.repeat):
            t = time.perf_counter()
            process_audio(src, d / f"podman{i}", normalize=True, preset="mp3-mono-96k",
                          duration=audio_seconds)
            podman_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            by_hand(src, d / f"hand{i}.mp3")
            hand_times.append(time.perf_counter() - t)
    podman_s, hand_s = min(podman_times), min(hand_times)
    print(f"podman : {podman_s:7.1f} s wall  {audio_seconds / podman_s:7.1f} s audio / s")
    print(f"by hand: {hand_s:7.1f} s wall  {audio_seconds / hand_s:7.1f} s audio / s")
    print(f"ratio podman/by-hand throughput: {hand_s / podman_s:.3f} (goal >= 0.95)")


if __name__ == "__main__":
    main()
