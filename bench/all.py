"""Every benchmark of the performance table, one after the other, in one invocation.

    python bench/all.py [--quick] [--out bench/RESULTS.txt]

Runs build.py (feed render; CLI builds at 2,000, 10,000 and 50,000 episodes in 50 shows),
upload.py (no-op publish planning and the three upload sets), startup.py and process.py, each
as a child with this interpreter, and writes what they print, with the machine's load before
each, to --out. `--quick` uses small sizes to check that everything runs (its figures are not
the table's). The table in docs/benchmarks.md is copied from a full run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent

FULL = [
    ["build.py", "--sizes", "10000", "--catalog", "0", "--cli", "2000:1,10000:1,50000:50"],
    ["upload.py", "--scale", "1"],
    ["startup.py", "--runs", "10"],
    ["process.py", "--minutes", "30", "--repeat", "2", "--no-loudnorm"],
]
QUICK = [
    ["build.py", "--sizes", "500", "--catalog", "0", "--cli", "200:1"],
    ["upload.py", "--scale", "0.02", "--plan-files", "100"],
    ["startup.py", "--runs", "3"],
    ["process.py", "--minutes", "1", "--no-loudnorm"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: does it all run?")
    parser.add_argument("--out", type=Path, default=ROOT / "RESULTS.txt")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT.parent / "src"), str(ROOT.parent),
                                                        os.environ.get("PYTHONPATH", "")])}
    failed = 0
    with args.out.open("w", encoding="utf-8") as out:
        def say(text: str) -> None:
            print(text, flush=True)
            out.write(text + "\n")
            out.flush()

        say(f"# bench/all.py{' --quick' if args.quick else ''}, "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
            f"python {sys.version.split()[0]}")
        for script, *rest in QUICK if args.quick else FULL:
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            say(f"\n## python bench/{script} {' '.join(rest)}   (load average {load})")
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, str(ROOT / script), *rest], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            say(proc.stdout.rstrip())
            say(f"[{script}: exit {proc.returncode}, {time.perf_counter() - started:.0f} s]")
            failed += proc.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
