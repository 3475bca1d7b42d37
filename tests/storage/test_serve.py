"""`podman serve`: feed and media over HTTP with HEAD, byte ranges, ETags and cache headers."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from podman.catalog.episodes import load_show_episodes
from podman.core.config import load_workspace
from podman.storage.serve import make_server, parse_range
from tests.fixtures.cli import SHOW, run
from tests.fixtures.http import running


@pytest.fixture
def served(workspace: Path, episode_mp3s: list[Path]) -> Iterator[tuple[int, Path, str]]:
    """(port, workspace, media URL path of the one episode) with the server running."""
    assert run("add", "-C", workspace, episode_mp3s[3], "--date", "2025-03-14").exit_code == 0
    assert run("build", "-C", workspace, "--now", "2026-01-01").exit_code == 0
    [ep] = load_show_episodes(workspace / "feeds" / SHOW)
    server = make_server(load_workspace(workspace), "127.0.0.1", 0)
    with running(server):
        yield server.server_port, workspace, f"/media/{ep.audio.key}"


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None
            ) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp, resp.read()
    finally:
        conn.close()


def test_feed_get(served) -> None:
    port, ws, _ = served
    resp, body = request(port, "GET", f"/{SHOW}/feed.xml")
    assert resp.status == 200
    assert resp.getheader("Content-Type").startswith("application/rss+xml")
    assert body == (ws / "public" / SHOW / "feed.xml").read_bytes()
    assert resp.getheader("ETag") and resp.getheader("Last-Modified")
    assert "immutable" not in resp.getheader("Cache-Control")
    etag = resp.getheader("ETag")
    resp, body = request(port, "GET", f"/{SHOW}/feed.xml", {"If-None-Match": etag})
    assert resp.status == 304 and body == b""


def test_media_head(served) -> None:
    port, ws, path = served
    size = (ws / path.lstrip("/")).stat().st_size
    resp, body = request(port, "HEAD", path)
    assert resp.status == 200
    assert int(resp.getheader("Content-Length")) == size
    assert resp.getheader("Content-Type") == "audio/mpeg"
    assert resp.getheader("Accept-Ranges") == "bytes"
    assert resp.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert resp.getheader("ETag") and resp.getheader("Last-Modified")
    assert body == b""


def test_media_ranges(served) -> None:
    port, ws, path = served
    data = (ws / path.lstrip("/")).read_bytes()
    size = len(data)
    resp, body = request(port, "GET", path, {"Range": "bytes=0-1"})
    assert resp.status == 206
    assert resp.getheader("Content-Range") == f"bytes 0-1/{size}"
    assert resp.getheader("Content-Length") == "2"
    assert body == data[:2]
    resp, body = request(port, "GET", path, {"Range": "bytes=-100"})
    assert resp.status == 206 and body == data[-100:]
    assert resp.getheader("Content-Range") == f"bytes {size - 100}-{size - 1}/{size}"
    resp, body = request(port, "GET", path, {"Range": f"bytes={size - 10}-"})
    assert resp.status == 206 and body == data[-10:]
    resp, body = request(port, "GET", path, {"Range": f"bytes=10-{size * 2}"})
    assert resp.status == 206 and body == data[10:]
    resp, body = request(port, "HEAD", path, {"Range": "bytes=0-1"})
    assert resp.status == 206 and resp.getheader("Content-Length") == "2"
    resp, _ = request(port, "GET", path, {"Range": f"bytes={size}-"})
    assert resp.status == 416
    assert resp.getheader("Content-Range") == f"bytes */{size}"
    resp, body = request(port, "GET", path)
    assert resp.status == 200 and body == data


TRAVERSALS = ["/../podman.toml", "/%2e%2e/podman.toml", "/media/../podman.toml",
              "/media/%2e%2e/podman.toml", "/media/..%2fpodman.toml",
              "/%2e%2e%2f%2e%2e%2fetc/passwd", "/nope.xml", "/media/nope.mp3"]


def test_traversal_and_missing_are_404(served) -> None:
    port, _, _ = served
    for path in TRAVERSALS:
        resp, body = request(port, "GET", path)
        assert resp.status == 404, path
        assert b"[storage]" not in body


def test_null_byte_in_path_is_404(served) -> None:
    port, _, _ = served
    resp, _ = request(port, "GET", "/%00.xml")
    assert resp.status in (400, 404)


def test_home_and_show_index(served) -> None:
    port, _, _ = served
    resp, _ = request(port, "GET", "/")
    assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/html")
    resp, _ = request(port, "GET", f"/{SHOW}/")
    assert resp.status == 200


@pytest.mark.parametrize(("header", "size", "expected"), [
    ("bytes=0-1", 10, (0, 1)),
    ("bytes=-3", 10, (7, 9)),
    ("bytes=-30", 10, (0, 9)),
    ("bytes=5-", 10, (5, 9)),
    ("bytes=5-100", 10, (5, 9)),
])
def test_parse_range(header: str, size: int, expected: tuple[int, int]) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=5-2", "bytes=-0", "bytes=-", "items=0-1",
                                    "bytes=0-1,3-4"])
def test_parse_range_rejects(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, 10)


def test_access_log_records_each_request(workspace: Path, episode_mp3s: list[Path],
                                         tmp_path: Path) -> None:
    """`--access-log`: one JSON line per request in the `podman stats` schema."""
    import json

    from podman.storage.serve import AccessLog

    assert run("add", "-C", workspace, episode_mp3s[0], "--date", "2025-03-14").exit_code == 0
    [ep] = load_show_episodes(workspace / "feeds" / SHOW)
    path = f"/media/{ep.audio.key}"
    log = AccessLog(tmp_path / "access.log")
    server = make_server(load_workspace(workspace), "127.0.0.1", 0, log)
    ua = {"User-Agent": "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"}
    with running(server):
        port = server.server_port
        request(port, "GET", path + "?from=rss", {**ua, "Range": "bytes=0-1"})
        resp, _ = request(port, "GET", path, ua)
        request(port, "HEAD", path, ua)
        request(port, "GET", path, {**ua, "If-None-Match": resp.getheader("ETag")})
        request(port, "GET", "/nope.mp3", ua)
    log.close()
    lines = [json.loads(line) for line in (tmp_path / "access.log").read_text().splitlines()]
    size = ep.audio.bytes
    # each handler thread logs once its response is out, so two quick requests may log in
    # either order (as in any server's log): compare the records, not their order
    assert sorted((r["method"], r["status"], r["bytes"], r["range_start"] or 0, r["range_end"] or 0)
                  for r in lines) == sorted([("GET", 206, 2, 0, 1), ("GET", 200, size, 0, 0),
                                             ("HEAD", 200, 0, 0, 0), ("GET", 304, 0, 0, 0),
                                             ("GET", 404, 0, 0, 0)])
    assert {r["path"] for r in lines if r["status"] == 206} == {path}
    assert all(r["ip"] == "127.0.0.1" for r in lines)
    assert all(r["ua"].startswith("Overcast/3.0") and r["time"].endswith("Z") for r in lines)


def test_half_open_and_slow_connections_are_dropped(workspace: Path) -> None:
    """Issue 9 finding 10: 50 connections that never finish their request held 50 threads
    forever. Silent ones, trickling ones and an idle keep-alive are all closed by the server;
    the client's own socket timeout is only a guard (a hang fails, no time is asserted)."""
    import contextlib
    import socket
    import threading
    import time

    assert run("build", "-C", workspace, "--now", "2026-01-01").exit_code == 0
    server = make_server(load_workspace(workspace), "127.0.0.1", 0, header_timeout=1.0,
                         idle_timeout=1.0)
    stop = threading.Event()

    def trickle(sock: socket.socket) -> None:
        for byte in b"GET /daily/feed.xml HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 500:
            if stop.is_set():
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return  # the server closed it: what we want
            time.sleep(0.1)

    with running(server):
        port = server.server_port
        socks = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(50)]
        for sock in socks[:20]:
            sock.sendall(b"GET /daily/feed.xml HTTP/1.1\r\n")  # half a request, then silence
        tricklers = [threading.Thread(target=trickle, args=(s,), daemon=True) for s in socks[20:30]]
        for t in tricklers:
            t.start()
        # socks[30:]: connected and silent (a client that went away without a FIN)
        keep = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        keep.request("GET", f"/{SHOW}/feed.xml")
        assert keep.getresponse().read()
        try:
            for sock in socks:
                with contextlib.suppress(ConnectionResetError):  # a reset is closed too
                    while sock.recv(65536):  # an error answer may come first, then the end
                        pass
            assert keep.sock is not None and keep.sock.recv(1) == b""  # idle keep-alive closed
            resp, body = request(port, "GET", f"/{SHOW}/feed.xml")  # still serving
            assert resp.status == 200 and body
        finally:
            stop.set()
            for sock in socks:
                sock.close()
            keep.close()
