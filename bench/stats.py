"""Benchmark: `podman stats` ingest + count of generated access logs vs DuckDB's own read_csv.

DuckDB reading the same files into a table (all columns as text) is the floor: no parsing of
requests, no hashing, no counting. Each side runs in its own process so its peak RSS is its own.

Run: PYTHONPATH=src python bench/stats.py [--lines 2000000] [--files 8] [--episodes 200]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

UAS = [
    "AppleCoreMedia/1.0.0.20E252 (iPhone; U; CPU OS 16_4 like Mac OS X; en_us)",
    "Podcasts/1650.20 CFNetwork/1333.0.4 Darwin/21.5.0",
    "Spotify/8.6.0 Android/30 (SM-G991B)", "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
    "PocketCasts/1.0 (Pocket Casts - https://www.pocketcasts.com/; iOS)",
    "PodcastAddict/v5 (Linux; U; Android 10; SM-G960F)", "AntennaPod/3.2.0",
    "atc/1.0 watchOS/7.0.1 model/Watch5,4 hwp/t8006 build/18R410 (6; dt:202)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
]
SIZE = 4_800_000  # every episode: 10 minutes at 64 kbit/s


def generate(folder: Path, lines: int, files: int, episodes: int) -> list[Path]:
    """Combined-format logs: streams in 256 KiB ranges, whole files, probes, HEADs, bots."""
    rng = random.Random(42)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    chunk = 256 * 1024
    paths = []
    for f in range(files):
        path = folder / f"access-{f:02d}.log"
        t = start + timedelta(days=f * 30 / files)
        written = 0
        with path.open("w") as fh:
            while written < lines // files:
                ip = f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.1"
                ua = rng.choice(UAS)
                t += timedelta(seconds=rng.randrange(1, 4))
                head = (f'{ip} - - [{t.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "'
                        f'{{}} /media/show/ep-{rng.randrange(episodes):04d}.mp3 HTTP/1.1" ')
                tail = f' "-" "{ua}"\n'
                kind = rng.random()
                if kind < 0.1:
                    batch = [head.format("HEAD") + "200 0" + tail]
                elif kind < 0.4:
                    batch = [head.format("GET") + f"200 {SIZE}" + tail]
                else:  # a 0-1 probe, then ranges
                    get = head.format("GET")
                    batch = [get + "206 2" + tail]
                    batch += [get + f"206 {chunk}" + tail] * rng.randrange(1, 12)
                fh.writelines(batch)
                written += len(batch)
        paths.append(path)
    return paths


def child(cmd: str, *args: str) -> dict:
    """Run this script as `cmd` in a new process; its JSON result plus its own peak RSS."""
    result = subprocess.run([sys.executable, __file__, cmd, *args], capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_podman(root: str, logs: str) -> None:
    from podman.core.config import load_workspace
    from podman.stats.config import load_stats_config
    from podman.stats.ingest import ingest_paths
    from podman.stats.report import build_report

    ws = load_workspace(Path(root))
    cfg = load_stats_config(ws)
    t = time.perf_counter()
    result = ingest_paths(cfg, [Path(logs)])
    ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    report = build_report(ws, cfg)
    count_s = time.perf_counter() - t
    lines = sum(i.lines for i in result.read)
    print(json.dumps({"lines": lines, "ingest_s": ingest_s, "count_s": count_s,
                      "downloads": report["downloads"], **usage()}))


def run_duckdb(logs: str) -> None:
    import duckdb

    t = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{logs}/*.log', delim=' ', "
                "quote='\"', escape='\"', header=false, all_varchar=true, auto_detect=false, "
                "columns={'ip': 'VARCHAR', 'ident': 'VARCHAR', 'user': 'VARCHAR', "
                "'ts': 'VARCHAR', 'zone': 'VARCHAR', 'request': 'VARCHAR', "
                "'status': 'VARCHAR', 'bytes': 'VARCHAR', 'referer': 'VARCHAR', "
                "'ua': 'VARCHAR'})")
    lines = con.execute("SELECT count(*) FROM t").fetchone()[0]
    print(json.dumps({"lines": lines, "read_s": time.perf_counter() - t, **usage()}))


def usage() -> dict[str, float]:
    """Peak RSS (this process or its largest worker) and CPU seconds of all threads and
    worker processes (user + system)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"rss_mib": max(me.ru_maxrss, kids.ru_maxrss) / 1024, "rss_self_mib":
            me.ru_maxrss / 1024, "rss_workers_mib": kids.ru_maxrss / 1024,
            "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--episodes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="podman-bench-stats-") as tmp:
        root = Path(tmp) / "ws"
        make_workspace(root, args.episodes)
        logs = Path(tmp) / "logs"
        logs.mkdir()
        t = time.perf_counter()
        generate(logs, args.lines, args.files, args.episodes)
        size = sum(p.stat().st_size for p in logs.iterdir())
        print(f"{args.lines:,} lines requested in {args.files} files, {size / 1e6:.0f} MB, "
              f"generated in {time.perf_counter() - t:.1f} s")
        floor = child("duckdb", str(logs))
        ours = child("podman", str(root), str(logs))
        total = ours["ingest_s"] + ours["count_s"]
        print(f"  duckdb read_csv  {floor['lines']:>11,} lines {floor['read_s']:7.1f} s "
              f"{floor['lines'] / floor['read_s']:>11,.0f} lines/s  peak RSS "
              f"{floor['rss_mib']:6.0f} MiB  CPU {floor['cpu_s']:6.1f} s")
        print(f"  podman ingest    {ours['lines']:>11,} lines {ours['ingest_s']:7.1f} s "
              f"{ours['lines'] / ours['ingest_s']:>11,.0f} lines/s")
        print(f"  podman count                       {ours['count_s']:7.1f} s "
              f"({ours['downloads']:,} downloads)")
        print(f"  podman total                       {total:7.1f} s "
              f"{ours['lines'] / total:>11,.0f} lines/s  peak RSS {ours['rss_mib']:6.0f} MiB  "
              f"CPU {ours['cpu_s']:6.1f} s")
        print(f"  (peak RSS of the counting process {ours['rss_self_mib']:.0f} MiB, of the "
              f"largest ingest worker {ours['rss_workers_mib']:.0f} MiB)")
        print(f"  ratio to the DuckDB read floor: {total / floor['read_s']:.1f}x the wall time, "
              f"{ours['cpu_s'] / floor['cpu_s']:.1f}x the CPU time "
              "(wall times move with the machine's load; CPU times less)")


def make_workspace(root: Path, episodes: int) -> None:
    from podman.catalog.episodes import episode_path, episode_to_text
    from podman.core.models import AudioRef, Episode

    root.mkdir(parents=True)
    (root / "podman.toml").write_text("")
    show = root / "feeds" / "show"
    show.mkdir(parents=True)
    (show / "show.toml").write_text('title = "Bench"\ndescription = "d"\nlanguage = "en"\n'
                                    'author = "a"\nemail = "a@example.com"\n'
                                    'podcast_guid = "0f0f0f0f-0000-4000-8000-000000000000"\n')
    for i in range(episodes):
        ep = Episode(show="show", slug=f"2025-01-01-ep-{i:04d}", guid=f"bench-{i}",
                     title=f"Episode {i}", published=datetime(2025, 1, 1, tzinfo=UTC),
                     status="published", duration=600.0,
                     audio=AudioRef(f"show/ep-{i:04d}.mp3", SIZE, "audio/mpeg", "0" * 64))
        path = episode_path(show, ep.slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(episode_to_text(ep))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "podman":
        run_podman(sys.argv[2], sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "duckdb":
        run_duckdb(sys.argv[2])
    else:
        main()
