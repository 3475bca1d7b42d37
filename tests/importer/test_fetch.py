"""The bounded HTTP client against loopback servers: redirects recorded, tracking prefixes
unwrapped (a dead prefix host falls back), Retry-After honoured, resume, limits, HTML refused."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from podman.importer.fetch import (
    FetchConfig,
    Fetcher,
    FetchFailed,
    prefix_chain,
    retry_after,
    unwrap,
    unwrapped,
)
from tests.fixtures.http import QuietHandler, serving
from tests.fixtures.old_host import OldHost


@pytest.mark.parametrize("url, inner", [
    ("https://dts.podtrac.com/redirect.mp3/traffic.libsyn.com/x/a.mp3?dest-id=1",
     "https://traffic.libsyn.com/x/a.mp3?dest-id=1"),
    ("http://www.podtrac.com/pts/redirect.mp3/twit.cachefly.net/a.mp3",
     "http://twit.cachefly.net/a.mp3"),
    ("https://chrt.fm/track/ABC123/pdst.fm/e/rss.art19.com/episodes/x.mp3",
     "https://pdst.fm/e/rss.art19.com/episodes/x.mp3"),
    ("https://op3.dev/e,pg=7a2d292c/https://media.example.com/a.mp3",
     "https://media.example.com/a.mp3"),
    ("https://anchor.fm/s/2b2a98bc/podcast/play/1/https%3A%2F%2Fd3ctxlq1ktw2nl.cloudfront.net"
     "%2Fa.m4a", "https://d3ctxlq1ktw2nl.cloudfront.net/a.m4a"),
    ("https://media.example.com/e/episode.mp3", None),  # /e/ on a host that is no prefix
    ("https://pdst.fm/e/not-a-host", None),
])
def test_unwrap(url: str, inner: str | None) -> None:
    assert unwrap(url) == inner


def test_prefix_chain_outermost_first() -> None:
    url = "https://dts.podtrac.com/redirect.mp3/chrt.fm/track/X/pdst.fm/e/rss.art19.com/a.mp3"
    assert prefix_chain(url) == ["dts.podtrac.com", "chrt.fm", "pdst.fm"]
    assert unwrapped(url) == "https://rss.art19.com/a.mp3"


def test_retry_after_seconds_and_date() -> None:
    assert retry_after("7", 0.0) == 7.0
    assert retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 40.0) == 60.0
    assert retry_after("soon", 0.0) is None


def test_redirect_chain_recorded(old_host: OldHost, tmp_path: Path) -> None:
    resp = Fetcher().download(old_host.url("/r1/b.mp3"), tmp_path / "b", limit=10**8)
    assert resp.hops == [f"307 {old_host.url('/r1/b.mp3')}", f"308 {old_host.url('/r2/b.mp3')}"]
    assert (tmp_path / "b").read_bytes() == old_host.files["b"].read_bytes()


def test_429_waits_as_told(old_host: OldHost, tmp_path: Path) -> None:
    waits: list[float] = []
    fetcher = Fetcher(FetchConfig(), sleep=waits.append)
    fetcher.download(old_host.url("/busy/e.mp3"), tmp_path / "e", limit=10**8)
    assert waits == [1.0]  # the server's Retry-After, not the backoff
    assert (tmp_path / "e").read_bytes() == old_host.files["e"].read_bytes()


def test_retry_after_longer_than_allowed_fails(old_host: OldHost, tmp_path: Path) -> None:
    fetcher = Fetcher(FetchConfig(max_wait=0.5), sleep=lambda s: None)
    with pytest.raises(FetchFailed, match="asked to retry after 1 s"):
        fetcher.download(old_host.url("/busy/e.mp3"), tmp_path / "e", limit=10**8)
    assert not (tmp_path / "e").exists()


def test_dropped_connection_resumes_with_if_range(old_host: OldHost, tmp_path: Path) -> None:
    Fetcher(sleep=lambda s: None).download(old_host.url("/drop/f.mp3"), tmp_path / "f",
                                           limit=10**8)
    assert (tmp_path / "f").read_bytes() == old_host.files["f"].read_bytes()
    ranges = [h.get("Range") for p, h in old_host.requests if p == "/drop/f.mp3"]
    half = len(old_host.files["f"].read_bytes()) // 2
    assert ranges == [None, f"bytes={half}-"]
    assert not list(tmp_path.glob("*.part*"))


def test_404_and_html_fail_without_leftovers(old_host: OldHost, tmp_path: Path) -> None:
    fetcher = Fetcher(sleep=lambda s: None)
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetcher.download(old_host.url("/missing.mp3"), tmp_path / "g", limit=10**8)
    with pytest.raises(FetchFailed, match="an HTML page"):
        fetcher.download(old_host.url("/page.mp3"), tmp_path / "h", limit=10**8)
    assert [p for p, _ in old_host.requests].count("/missing.mp3") == 1  # 404: no retry
    assert not (tmp_path / "g").exists() and not (tmp_path / "h").exists()


def test_size_limit(old_host: OldHost, tmp_path: Path) -> None:
    with pytest.raises(FetchFailed, match="more than"):
        Fetcher().download(old_host.url("/audio/a.mp3"), tmp_path / "a", limit=1000)
    with pytest.raises(FetchFailed, match="more than"):
        Fetcher().get(old_host.url("/feed.xml"), limit=100)


def test_dead_prefix_host_falls_back_to_the_wrapped_url(old_host: OldHost,
                                                        tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on: the prefix service is gone
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"
    url = f"http://{dead}/redirect.mp3/{old_host.base[7:]}/audio/a.mp3"
    fetcher = Fetcher(FetchConfig(prefix_hosts=(dead,)))
    resp = fetcher.download(url, tmp_path / "a", limit=10**8)
    assert resp.url == old_host.url("/audio/a.mp3")
    assert resp.fallbacks and resp.fallbacks[0].startswith(f"{dead} unreachable")
    assert prefix_chain(url, (dead,)) == [dead]


def test_only_http_urls(tmp_path: Path) -> None:
    with pytest.raises(FetchFailed, match="only http"):
        Fetcher().get("file:///etc/passwd", limit=100)


def test_requests_per_host_are_bounded(tmp_path: Path) -> None:
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    class Slow(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            time.sleep(0.1)  # hold the slot so overlapping requests would show
            with lock:
                state["now"] -= 1
            self.send_body(200, b"ID3" + bytes(100), "audio/mpeg")

    fetcher = Fetcher(FetchConfig(per_host=2))
    with serving(Slow) as base, ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda n: fetcher.download(f"{base}/{n}.mp3", tmp_path / str(n),
                                                 limit=10**6), range(6)))
    assert state["max"] <= 2
    assert len(list(tmp_path.iterdir())) == 6


def test_a_trickle_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    class Trickle(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(10**6))
            self.end_headers()
            for _ in range(50):  # each read succeeds, the whole never ends in time
                self.wfile.write(b"\xff" * 300_000)
                self.wfile.flush()

    ticks = iter(range(10**6))  # a clock that advances one second per look
    fetcher = Fetcher(FetchConfig(deadline=3, small_deadline=3, retries=0),
                      clock=lambda: float(next(ticks)))
    with serving(Trickle) as base:
        with pytest.raises(FetchFailed, match="too slow"):
            fetcher.download(f"{base}/a.mp3", tmp_path / "a", limit=10**8)
        with pytest.raises(FetchFailed, match="too slow"):
            fetcher.get(f"{base}/feed.xml", limit=10**8)


def test_spaces_and_non_ascii_in_paths_are_escaped(old_host: OldHost, tmp_path: Path) -> None:
    with pytest.raises(FetchFailed, match="HTTP 404"):  # reached the server, escaped
        Fetcher().get(old_host.url("/Folge 1 – Anfang.mp3?x=ä b"), limit=1000)
    assert old_host.requests[-1][0] == "/Folge%201%20%E2%80%93%20Anfang.mp3?x=%C3%A4%20b"
    with pytest.raises(FetchFailed, match="not a valid host name or port"):
        Fetcher().get("http://127.0.0.1:99999/a.mp3", limit=1000)


class _Trickler(QuietHandler):
    """Sends its headers, then one byte every 0.2 s: each byte well inside the per-read
    timeout, so only a bound on the whole request stops it."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "audio/mpeg")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        with contextlib.suppress(OSError):
            for _ in range(150):  # 30 s: far beyond the bounds below
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)


@pytest.mark.parametrize("how", ["get", "download"])
def test_a_trickling_server_is_cut_off_at_the_deadline(tmp_path: Path, how: str) -> None:
    config = FetchConfig(timeout=5, deadline=1.5, small_deadline=1.5, retries=0)
    fetcher = Fetcher(config, sleep=lambda s: None)
    with serving(_Trickler) as base:
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="too slow, stopped"):
            if how == "get":
                fetcher.get(f"{base}/feed.xml", limit=10**6)
            else:
                fetcher.download(f"{base}/a.mp3", tmp_path / "a.mp3", limit=10**6)
        assert time.monotonic() - started < 15  # a guard against hanging, not a timing test
    assert not (tmp_path / "a.mp3").exists()
