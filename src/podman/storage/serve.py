"""`podman serve`: preview server for public/ and local media, with HEAD, byte ranges, ETags."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import urllib.parse
from datetime import UTC, datetime
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from podman.core.config import WorkspaceConfig
from podman.core.content_types import MEDIA_CACHE_CONTROL, cache_control_for, content_type_for
from podman.core.errors import PodmanError

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024
HEADER_TIMEOUT = 10.0  # seconds for a request line and its headers to arrive in full
IDLE_TIMEOUT = 30.0  # seconds of silence on a socket (keep-alive, a stalled reader) before closing


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One byte range -> (start, end inclusive); ValueError when malformed or unsatisfiable."""
    match = _RANGE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        raise ValueError(header)
    first, last = match.groups()
    if not first:  # suffix range: the last N bytes
        n = int(last)
        if n == 0:
            raise ValueError(header)
        return max(0, size - n), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise ValueError(header)
    return start, end


def media_mount(ws: WorkspaceConfig) -> str:
    """URL path under which local media are served, taken from `[storage] public_url`."""
    path = urllib.parse.urlsplit(ws.storage.public_url).path.rstrip("/")
    return (path or "/media") + "/"


class AccessLog:
    """`podman serve --access-log FILE`: one JSON object a line, the `podman stats` schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        try:
            self.fh = path.open("a", encoding="utf-8", buffering=1)
        except OSError as exc:
            raise PodmanError(f"{path}: cannot open the access log: {exc.strerror}") from exc

    def write(self, *, ip: str, method: str, path: str, status: int, sent: int,
              start: int | None, end: int | None, ua: str, referer: str) -> None:
        now = datetime.now(UTC)
        record = {"time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
                  "ip": ip, "method": method, "path": path, "status": status, "bytes": sent,
                  "range_start": start, "range_end": end, "ua": ua, "referer": referer}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self.lock:
            self.fh.write(line)

    def close(self) -> None:
        self.fh.close()


def make_handler(public: Path, media: Path | None, mount: str,
                 access_log: AccessLog | None = None,
                 header_timeout: float = HEADER_TIMEOUT,
                 idle_timeout: float = IDLE_TIMEOUT) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "podman-serve"
        protocol_version = "HTTP/1.1"
        timeout = idle_timeout  # every read and write on the socket: a silent peer is dropped
        _timer: threading.Timer | None = None
        _cut = False

        def handle_one_request(self) -> None:
            """The request line and headers must arrive within `header_timeout` in all, or the
            connection is shut: a client trickling bytes cannot hold a thread (slowloris)."""
            self._cut = False
            self._timer = threading.Timer(header_timeout, self._cut_off)
            self._timer.daemon = True
            self._timer.start()
            try:
                super().handle_one_request()
            finally:
                self._timer.cancel()
            if self._cut:
                self.close_connection = True

        def _cut_off(self) -> None:
            self._cut = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def parse_request(self) -> bool:
            ok = super().parse_request()
            if self._timer is not None:
                self._timer.cancel()
            if self._cut:  # headers ended by the shutdown, not by the client: do not answer
                self.close_connection = True
                return False
            return ok

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            if os.environ.get("PODMAN_SERVE_LOG"):
                super().log_message(format, *args)

        def resolve(self) -> tuple[Path | None, bool]:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            if "\0" in path:  # pathlib raises on NUL: a 404, not a dropped connection
                return None, False
            base, rel, is_media = public, path, False
            if media is not None and path.startswith(mount):
                base, rel, is_media = media, path[len(mount):], True
            target = (base / rel.lstrip("/")).resolve()
            if not target.is_relative_to(base.resolve()):
                return None, is_media
            if target.is_dir():
                target = target / "index.html"
            return (target if target.is_file() else None), is_media

        def do_HEAD(self) -> None:  # noqa: N802
            self.respond(head=True)

        def do_GET(self) -> None:  # noqa: N802
            self.respond(head=False)

        def access(self, status: int, sent: int = 0, start: int | None = None,
                   end: int | None = None) -> None:
            if access_log is not None:
                access_log.write(
                    ip=self.client_address[0], method=self.command,
                    path=urllib.parse.urlsplit(self.path).path, status=int(status), sent=sent,
                    start=start, end=end, ua=self.headers.get("User-Agent", ""),
                    referer=self.headers.get("Referer", ""))

        def respond(self, head: bool) -> None:
            target, is_media = self.resolve()
            if target is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                self.access(HTTPStatus.NOT_FOUND)
                return
            stat = target.stat()
            size = stat.st_size
            etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
            start, end, status = 0, size - 1, HTTPStatus.OK
            if self.headers.get("If-None-Match") == etag:
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.access(HTTPStatus.NOT_MODIFIED)
                return
            if self.headers.get("Range") and _RANGE.match(self.headers["Range"].strip()):
                # RFC 9110: a Range we do not support (several ranges, other units) is ignored
                try:
                    start, end = parse_range(self.headers["Range"], size)
                    status = HTTPStatus.PARTIAL_CONTENT
                except ValueError:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    self.access(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    return
            length = max(0, end - start + 1)
            self.send_response(status)
            self.send_header("Content-Type", content_type_for(target.name))
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
            self.send_header("Cache-Control",
                             MEDIA_CACHE_CONTROL if is_media else cache_control_for(target.name))
            if status == HTTPStatus.PARTIAL_CONTENT:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.end_headers()
            ranged = status == HTTPStatus.PARTIAL_CONTENT
            if head:
                self.access(status, 0, start if ranged else None, end if ranged else None)
                return
            remaining = length
            try:
                with target.open("rb") as fh:
                    fh.seek(start)
                    while remaining > 0:
                        chunk = fh.read(min(CHUNK, remaining))
                        if not chunk:
                            break
                        try:
                            self.wfile.write(chunk)
                        except OSError:  # the reader left, or stalled past the idle timeout
                            self.close_connection = True
                            return
                        remaining -= len(chunk)
            finally:  # what was really sent, also when the listener went away early
                self.access(status, length - remaining, start if ranged else None,
                            end if ranged else None)

    return Handler


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a podcast app opens several connections at once; 5 made them wait


def make_server(ws: WorkspaceConfig, host: str = "127.0.0.1", port: int = 8000,
                access_log: AccessLog | None = None, *,
                header_timeout: float = HEADER_TIMEOUT,
                idle_timeout: float = IDLE_TIMEOUT) -> ThreadingHTTPServer:
    media = ws.storage.path if ws.storage.backend == "local" else None
    handler = make_handler(ws.public_dir, media, media_mount(ws), access_log, header_timeout,
                           idle_timeout)
    try:
        server = PreviewServer((host, port), handler)
    except OSError as exc:
        raise PodmanError(f"{host}:{port}: cannot listen: {exc.strerror}",
                          "choose another --port") from exc
    server.daemon_threads = True
    return server
