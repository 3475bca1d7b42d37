"""CLI start-up benchmark: `podman --help` and `podman list` against bare `python -c pass`.

A script, never a timed test: each command runs in a fresh subprocess, best of --runs, and the
ratios against bare Python are measured in the same run. Then it lists which heavy modules
`import podman.cli`, `podman --help` and `podman list` load (a subprocess prints sys.modules),
and the slowest imports of `podman --help` from `python -X importtime`.

    PYTHONPATH=src python bench/startup.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("boto3", "botocore", "mutagen", "jinja2", "markdown_it", "ffmpeg", "tomlkit", "nh3",
         "tqdm", "imageio_ffmpeg", "click", "markupsafe", "tomllib", "json")
# Run podman's CLI in-process, then report the heavy modules it loaded (on stderr, last line).
_PROBE = """
import sys
args = sys.argv[1:]
try:
    if args == ["import"]:
        import podman.cli
    else:
        from podman.cli import cli
        cli(args, prog_name="podman", standalone_mode=False)
except SystemExit:
    pass
heavy = {heavy!r}
print(" ".join(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


def best_of(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - t0)
    return best


def loaded(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run([sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, check=False)
    return (proc.stderr.strip().splitlines() or ["?"])[-1] or "(none)"


def slowest_imports(env: dict[str, str], n: int) -> list[tuple[int, str]]:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "podman", "--help"],
                          env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            if len(name) - len(name.lstrip()) <= 3:  # top-level imports and their children
                rows.append((int(parts[1]), name.strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="subprocess runs per command (best)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    py = sys.executable
    cmds = {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import click'": [py, "-c", "import click"],
        "python -c 'import podman.cli'": [py, "-c", "import podman.cli"],
        "podman --help": [py, "-m", "podman", "--help"],
        "podman --version": [py, "-m", "podman", "--version"],
        "podman add --help (click)": [py, "-m", "podman", "add", "--help"],
        "podman list": [py, "-m", "podman", "-C", str(ROOT), "list"],
    }
    print(f"python {sys.version.split()[0]}; best of {args.runs} subprocess runs")
    print(f"  {'command':<32}{'ms':>8}{'x python':>10}")
    base = None
    for name, cmd in cmds.items():
        t = best_of(cmd, args.runs, env)
        base = base or t
        print(f"  {name:<32}{t * 1000:8.1f}{t / base:9.2f}x")
    print("\nheavy modules loaded")
    for label, argv in (("import podman.cli", ["import"]), ("podman --help", ["--help"]),
                        ("podman list", ["-C", str(ROOT), "list"])):
        print(f"  {label:<20} {loaded(argv, env)}")
    print("\nslowest imports of `podman --help` (cumulative us, -X importtime)")
    for us, name in slowest_imports(env, 8):
        print(f"  {us:>8}  {name}")


if __name__ == "__main__":
    main()
