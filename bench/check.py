"""`podman check FEED` on big generated feeds, against feedparser and podcastparser reading them.

A script, never a timed test. Each contender parses the same generated feed in its own
subprocess; the table prints seconds, MB per second and the ratio to podcastparser (a plain
streaming parser, the lower bound) measured in the same run. Growth that is linear in the feed
size keeps `s/MB` flat across sizes; a quadratic step (finding 6 of issue 9: 2/4/8 MB took
5/19/77 s) shows as `s/MB` doubling with each size.

    PYTHONPATH=src python bench/check.py                 # 2, 8 and 48 MB (the cap is 50 MB)
    PYTHONPATH=src python bench/check.py --sizes 2,4,8

The items are deliberately faulty (no title, a bad enclosure type, a duplicate GUID per pair),
so the checker produces several findings per item: the case that used to be quadratic.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = ("podcastparser", "podman", "feedparser")

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
 xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>Big</title><description>A big generated feed.</description>
<link>https://example.com/</link><language>en</language>
<itunes:author>Bench</itunes:author><itunes:image href="https://example.com/a.jpg"/>
"""
ITEM = """<item><guid isPermaLink="false">guid-{half}</guid>
<description>Episode {i}: {filler}</description><pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate>
<enclosure url="https://example.com/{i}.mp3" length="{i}" type="audio/wav"/></item>
"""


def make_feed(path: Path, megabytes: float) -> int:
    target = int(megabytes * 1_000_000)
    filler = "words of the show notes " * 8
    written, i = 0, 0
    with path.open("w", encoding="utf-8") as fh:
        written += fh.write(HEAD)
        while written < target:
            written += fh.write(ITEM.format(i=i, half=i // 2, filler=filler))
            i += 1
        fh.write("</channel></rss>\n")
    return i


RUNNERS = {
    "podman": "from podman.workflows.lint import check_source; r = check_source(sys.argv[1]); "
              "n = len(r.findings)",
    "feedparser": "import feedparser; n = len(feedparser.parse(sys.argv[1]).entries)",
    "podcastparser": "import podcastparser; fh = open(sys.argv[1], 'rb'); "
                     "n = len(podcastparser.parse('file://x', fh)['episodes'])",
}


def time_one(name: str, feed: Path) -> tuple[float, str]:
    code = f"import sys, time; t = time.perf_counter(); {RUNNERS[name]}; " \
           "print(time.perf_counter() - t, n)"
    done = subprocess.run([sys.executable, "-c", code, str(feed)], capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT / "src")}, check=False)
    if done.returncode != 0:
        return float("nan"), done.stderr.strip().splitlines()[-1]
    seconds, count = done.stdout.split()
    return float(seconds), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2,8,48", help="feed sizes in MB, comma-separated")
    args = parser.parse_args()
    print(f"{'MB':>5} {'items':>7} {'contender':<14} {'s':>8} {'s/MB':>7} {'x podcastparser':>16}"
          "  findings/episodes")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (float(s) for s in args.sizes.split(",")):
            feed = Path(tmp) / f"feed-{size:g}.xml"
            items = make_feed(feed, size)
            results = {name: time_one(name, feed) for name in CONTENDERS}
            bound = results["podcastparser"][0]
            for name, (seconds, count) in results.items():
                print(f"{size:>5g} {items:>7} {name:<14} {seconds:>8.2f} {seconds / size:>7.3f} "
                      f"{seconds / bound:>16.1f}  {count}")


if __name__ == "__main__":
    main()
