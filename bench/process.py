"""Benchmark: `podman add --normalize --encode` vs the same ffmpeg commands run by hand.

    PYTHONPATH=src python bench/process.py [--minutes 30] [--repeat 1] [--preset mp3-mono-96k]

Generates a speech-like FLAC episode and a workspace, then:
  1. records the ffmpeg commands `podman add --normalize --encode PRESET` runs (an ffmpeg
     wrapper logs them: measure with ebur128, encode with gain or limiter, measure the
     encoded file while drawing its waveform, and any correction);
  2. times, alternately on the same file, the real `podman add` (the CLI in a subprocess:
     probe, process, tags, store, catalog) and those same commands run by hand (without
     podman's progress reporting) followed by a copy to storage.
Prints both times and podman/by-hand (goal <= 1.05), and the old two-pass loudnorm for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from podman.audio import ffmpeg


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


def podman(*args: str | Path, env: dict | None = None) -> None:
    exe = Path(sys.executable).with_name("podman")  # the installed console script
    cmd = [str(exe) if exe.exists() else "podman", *(str(a) for a in args)]
    subprocess.run(cmd, check=True, capture_output=True, env=env)


def workspace(root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    podman("init", root, "--show", "s", "--title", "Bench", "--author", "B",
           "--email", "b@example.com", "--language", "en", "--category", "News")
    return root


def add(ws: Path, src: Path, preset: str, env: dict | None = None) -> None:
    podman("add", src, "-C", ws, "--normalize", "--encode", preset, env=env)


def record_commands(src: Path, preset: str, d: Path) -> list[list[str]]:
    """The ffmpeg argument lists one `podman add` runs, logged by a wrapper around ffmpeg."""
    log = d / "commands.jsonl"
    wrapper = d / "ffmpeg-logging"
    wrapper.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"os.execv({ffmpeg.ffmpeg_path()!r}, [{ffmpeg.ffmpeg_path()!r}, *sys.argv[1:]])\n"
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    add(workspace(d / "ws-record"), src, preset, env={**os.environ, "PODMAN_FFMPEG": str(wrapper)})
    return [json.loads(line) for line in log.read_text().splitlines()]


def by_hand(commands: list[list[str]], src: Path, work: Path) -> None:
    """The recorded commands, paths in podman's scratch folders moved to `work`, then the
    encoded file copied to a media folder as storage would."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    outputs = []
    for args in commands:
        if "-progress" in args:  # podman's progress reporting is podman's own overhead
            at = args.index("-progress")
            del args[at : at + 2]
        args = [str(work / Path(a).name) if "/.podman-" in a else a for a in args]
        subprocess.run([ffmpeg.ffmpeg_path(), *args], check=True, capture_output=True)
        outputs += [a for a in args if a.startswith(str(work)) and a.endswith(".mp3")]
    (work / "media").mkdir()
    shutil.copyfile(outputs[-1], work / "media" / "episode.mp3")


def loudnorm_two_pass(src: Path, out: Path) -> None:
    """What producers typed before: two loudnorm passes (for scale; it misses the target)."""
    target = "I=-16:TP=-2.0:LRA=11"
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
    parser.add_argument("--preset", default="mp3-mono-96k")
    parser.add_argument("--no-loudnorm", action="store_true", help="skip the old two-pass run")
    args = parser.parse_args()
    audio_seconds = args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t = time.perf_counter()
        src = make_episode(d / "episode.flac", args.minutes)
        print(f"generated {args.minutes:g} min FLAC in {time.perf_counter() - t:.1f} s")
        commands = record_commands(src, args.preset, d)
        print(f"podman add ran {len(commands)} ffmpeg commands:")
        for c in commands:
            graph = next((c[i + 1] for i, a in enumerate(c) if a in ("-af", "-filter_complex")),
                         "")
            print(f"  ffmpeg ... {graph[:110]}")
        podman_times, hand_times, old_times = [], [], []
        for _ in range(args.repeat):
            ws = workspace(d / "ws")
            t = time.perf_counter()
            add(ws, src, args.preset)
            podman_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            by_hand(commands, src, d / "hand")
            hand_times.append(time.perf_counter() - t)
            if not args.no_loudnorm:
                t = time.perf_counter()
                loudnorm_two_pass(src, d / "loudnorm.mp3")
                old_times.append(time.perf_counter() - t)
    podman_s, hand_s = min(podman_times), min(hand_times)
    print(f"podman add: {podman_s:7.1f} s wall  {audio_seconds / podman_s:7.1f} s audio / s")
    print(f"by hand   : {hand_s:7.1f} s wall  {audio_seconds / hand_s:7.1f} s audio / s")
    if old_times:
        print(f"loudnorm two-pass by hand (old method, for scale): {min(old_times):7.1f} s wall")
    print(f"ratio podman/by-hand time: {podman_s / hand_s:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
