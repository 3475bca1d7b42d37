"""Done means: `podman serve --access-log` with real range requests, plus S3 and CloudFront
logs, give the exact downloads per episode and by app in `podman stats --json` and the HTML."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podman.catalog.episodes import load_show_episodes
from podman.stats.episodes import id3_size
from tests.fixtures.audio import _add_id3, make_audio
from tests.fixtures.cli import SHOW, run
from tests.fixtures.logs import UA, Req, ingest, stats_json, write_log


@dataclass
class Served:
    root: Path
    base: str
    log: Path
    long_key: str
    short_key: str
    long_size: int
    short_size: int
    long_slug: str
    short_slug: str
    duration: float


@pytest.fixture
def served(workspace: Path, tmp_path: Path) -> Iterator[Served]:
    long = make_audio(tmp_path / "interview.mp3", 75.0, "mp3-low")
    _add_id3(long, artwork_bytes=20_000)  # the threshold must count the tag
    short = make_audio(tmp_path / "promo.mp3", 4.0, "mp3-low", tone=600)
    for path, date in ((long, "2025-03-14"), (short, "2025-03-13")):
        result = run("add", "-C", workspace, path, "--date", date)
        assert result.exit_code == 0, result.stderr
    eps = load_show_episodes(workspace / "feeds" / SHOW)
    long_ep = next(e for e in eps if e.duration > 60)
    short_ep = next(e for e in eps if e.duration < 60)
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "podman", "serve", "-C", str(workspace), "--port", "0",
         "--access-log", str(log)], stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert port, line
        yield Served(workspace, f"http://127.0.0.1:{port.group(1)}", log, long_ep.audio.key,
                     short_ep.audio.key, long_ep.audio.bytes, short_ep.audio.bytes,
                     long_ep.slug, short_ep.slug, long_ep.duration)
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()


def fetch(url: str, ua: str, rng: str | None = None, method: str = "GET") -> int:
    headers = {"User-Agent": ua}
    if rng:
        headers["Range"] = rng
    req = urllib.request.Request(url, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - loopback
        return len(resp.read())


def test_serve_s3_and_cloudfront_logs_count_exactly(served: Served, tmp_path: Path) -> None:
    long_url = f"{served.base}/media/{served.long_key}"
    short_url = f"{served.base}/media/{served.short_key}"
    # an iPhone streams: the 0-1 probe, then 16 KiB ranges to the end of the file
    assert fetch(long_url, UA["apple"], "bytes=0-1") == 2
    start, chunk = 0, 16 * 1024
    while start < served.long_size:
        start += fetch(long_url, UA["apple"], f"bytes={start}-{start + chunk - 1}")
    # Overcast downloads both files whole
    assert fetch(long_url, UA["overcast"]) == served.long_size
    assert fetch(short_url, UA["overcast"]) == served.short_size
    # Spotify plays ten seconds and stops; Pocket Casts only asks HEAD; curl is a bot
    assert fetch(long_url, UA["spotify"], "bytes=0-19999") == 20_000
    assert fetch(long_url, UA["pocketcasts"], method="HEAD") == 0
    assert fetch(short_url, UA["curl"]) == served.short_size
    # the short episode (under a minute) counts only when the whole file came
    assert fetch(short_url, UA["castbox"], "bytes=0-999") == 1000

    # the same show on S3 and behind CloudFront, from other listeners
    day = datetime.now(UTC).replace(microsecond=0)
    s3 = [Req(day, "192.0.2.10", UA["spotify"], served.long_key, sent=served.long_size),
          Req(day, "192.0.2.11", UA["addict"], served.short_key, 206, 1000, 0, 999),
          Req(day, "192.0.2.12", UA["watch"], served.long_key, sent=served.long_size)]
    half = served.long_size // 2
    cf = [Req(day, "198.51.100.1", UA["pocketcasts"], served.long_key, 206, half, 0, half - 1),
          Req(day, "198.51.100.1", UA["pocketcasts"], served.long_key, 206,
              served.long_size - half, half, served.long_size - 1),
          Req(day, "198.51.100.2", UA["castbox"], served.short_key, sent=served.short_size)]
    write_log(tmp_path / "logs" / "s3" / "2025-03-15-10-00-00-ABC", s3, "s3")
    write_log(tmp_path / "logs" / "cf" / "E2EXAMPLE.2025-03-15-10.abcd", cf, "cloudfront")
    ingest(served.root, served.log, tmp_path / "logs")

    report = stats_json(served.root)
    by_episode = {e["slug"]: e["downloads"] for e in report["episodes"]}
    long_slug, short_slug = served.long_slug, served.short_slug
    # long: iPhone (serve), Overcast (serve), Spotify (S3), Pocket Casts (CloudFront)
    # short: Overcast (serve), Castbox (CloudFront)
    assert by_episode == {long_slug: 4, short_slug: 2}
    assert report["apps"] == {"Overcast": 2, "Apple Podcasts": 1, "Castbox": 1,
                              "Pocket Casts": 1, "Spotify": 1}
    assert list(report["apps"])[0] == "Overcast"
    assert report["funnel"]["removed"]["bot"] == 1
    assert report["funnel"]["removed"]["apple_watch"] == 1
    assert report["funnel"]["probes_0_1"] == 1
    assert report["funnel"]["not_get_2xx"]["head"] == 1
    # the threshold counts the ID3 tag plus one minute at the file's bitrate
    media = served.root / "media" / served.long_key
    tag = id3_size(media.read_bytes()[:10])
    assert tag > 20_000
    long_ep = next(e for e in report["episodes"] if e["slug"] == long_slug)
    assert long_ep["threshold_bytes"] == tag + math.ceil(
        (served.long_size - tag) / served.duration * 60)
    short_ep = next(e for e in report["episodes"] if e["slug"] == short_slug)
    assert short_ep["threshold_bytes"] == served.short_size

    html = tmp_path / "stats.html"
    result = run("stats", "-C", served.root, "--html", html)
    assert result.exit_code == 0, result.stderr
    page = html.read_text()
    assert "<script" not in page and "<svg" in page
    assert re.search(r"<span class=\"big\">6</span> downloads", page)
    for app, n in report["apps"].items():
        assert f"<td>{app}</td><td>{n}</td>" in page
    for e in report["episodes"]:
        assert f"<td>{e['title']}</td>" in page
    assert report["downloads"] == 6
