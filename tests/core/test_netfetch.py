"""Every fetch is bounded as a whole, in time and in size (issue 9, finding 7): a server that
trickles one byte at a time, in its headers or its body, or streams without end, is cut off."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from podman.catalog.articles import fetch_article
from podman.check.feed import check_feed_source
from podman.core.errors import ArticleError, PodmanError
from podman.core.netfetch import FetchError, fetch_bytes
from tests.fixtures.http import QuietHandler, serving

FEED = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel/></rss>\n'
TRICKLE_FOR = 30  # seconds a trickling server keeps going: far beyond every bound below


class Trickler(QuietHandler):
    """/to-ftp: a redirect to ftp:; /head: headers one byte at a time; /body: a body one byte
    at a time; /endless: a body as fast as it goes, with no Content-Length; /ok: a small feed.
    Each trickled byte comes well inside any per-read timeout, so only a bound on the whole
    fetch stops it."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        try:
            if self.path == "/ok":
                self.send_body(200, FEED, "application/rss+xml")
            elif self.path == "/to-ftp":
                self.redirect(302, "ftp://example.com/feed.xml")
            elif self.path == "/head":
                self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Pad: " + b"a" * 999)
            elif self.path == "/body":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self._trickle(b"<html><title>t</title>" + b" " * 9999)
            elif self.path == "/endless":
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.end_headers()
                while True:
                    self.wfile.write(b"<x/>" * 16384)
        except OSError:
            pass  # the client gave up: that is the point

    def _trickle(self, data: bytes) -> None:
        end = time.monotonic() + TRICKLE_FOR
        for byte in data:
            if time.monotonic() > end:
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.1)


@pytest.fixture(scope="module")
def trickler() -> str:
    with serving(Trickler) as base:
        yield base


@pytest.mark.parametrize("path", ["/head", "/body"])
def test_a_trickling_feed_times_out_as_a_whole(trickler: str, path: str) -> None:
    with pytest.raises(PodmanError, match=r"timed out after 1\.5 s"):
        check_feed_source(trickler + path, timeout=1.5)


def test_an_endless_feed_is_cut_at_the_cap(trickler: str) -> None:
    with pytest.raises(PodmanError, match="larger than 100000 bytes"):
        check_feed_source(trickler + "/endless", max_bytes=100_000)


def test_a_trickling_article_page_times_out(trickler: str) -> None:
    with pytest.raises(ArticleError, match=r"timed out after 1\.5 s"):
        fetch_article(trickler + "/body", timeout=1.5)


def test_fetch_bytes(trickler: str) -> None:
    got = fetch_bytes(trickler + "/ok", timeout=5, max_bytes=1000)
    assert got.data == FEED and got.status == 200
    assert got.headers["Content-Type"] == "application/rss+xml"
    with pytest.raises(FetchError, match="larger than 10 bytes"):
        fetch_bytes(trickler + "/ok", timeout=5, max_bytes=10)
    with pytest.raises(FetchError, match=r"timed out after 1 s"):
        fetch_bytes(trickler + "/head", timeout=1, max_bytes=1000)


def test_every_bounded_fetch_follows_redirects_to_http_only(trickler: str) -> None:
    """urllib alone would follow a redirect to ftp: (no deadline, not an http URL)."""
    with pytest.raises(FetchError, match="redirected to a non-http URL ftp://example.com/"):
        fetch_bytes(trickler + "/to-ftp", timeout=5, max_bytes=1000)
    with pytest.raises(PodmanError, match="redirected to a non-http URL"):
        check_feed_source(trickler + "/to-ftp", timeout=5)


def test_a_trickling_stats_list_download_times_out_as_a_whole(trickler: str) -> None:
    from podman.stats.fetch import download

    with pytest.raises(PodmanError, match=r"timed out after 1\.5 s"):
        download(trickler + "/body", timeout=1.5)


def test_check_cli_still_reads_a_feed(trickler: str, tmp_path: Path) -> None:
    from tests.fixtures.cli import run

    result = run("check", trickler + "/ok")
    assert "internal error" not in result.stderr
    assert "[rss-root]" not in result.stdout


def test_a_trickling_old_host_times_out_in_the_redirect_check(trickler: str) -> None:
    from podman.check.online import redirect_findings

    [finding] = redirect_findings(trickler + "/head", "https://new.example.com/feed.xml",
                                  timeout=1.5)
    assert finding.rule == "against-redirect" and "no answer" in finding.message
