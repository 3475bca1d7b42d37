"""Single-PUT uploads without boto3: SigV4 over a pool of kept-alive connections.

Used for the cases `s3light.light_target` accepts (static credentials, explicit endpoint or
region, no proxy or custom CA). One PUT is at most `attempts` tries; what happens on each
answer is decided here and worded by `podman.storage.s3` like botocore's errors:

- 2xx: stored; the ETag is returned for the caller to compare with the MD5.
- 5xx, 429 and throttling codes, a refused or timed-out connection, no answer within the read
  timeout, a connection lost mid-request: tried again after a short random pause, then
  `WireFailure` (the error names the endpoint, never the credentials).
- A kept-alive connection the server closed while idle is replaced once, free of charge.
- Anything else (3xx, 4xx: credentials rejected, access denied, no such bucket, a region or
  digest the server does not like; a TLS handshake that fails): `StepAside` - the caller sends
  that file, and every later one, through boto3, whose answer and message are authoritative.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import os
import random
import select
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from podman.core.config import StorageConfig
from podman.storage.s3light import UNSIGNED_PAYLOAD, light_target, signed_headers, tls_context

EXPECT_LIMIT = 1024 * 1024  # bodies from this size wait for "100 Continue" (as botocore does)
CONTINUE_WAIT = 1.0  # seconds to wait for "100 Continue" before sending the body anyway
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
RETRY_CODES = frozenset({"RequestTimeout", "SlowDown", "Throttling", "ThrottlingException",
                         "InternalError", "ServiceUnavailable", "RequestTimeTooSkewed"})
_DROPPED = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError,
            http.client.RemoteDisconnected)


class WireFailure(Exception):
    """A PUT that failed every attempt. `kind`: connect, timeout, lost or status."""

    def __init__(self, kind: str, code: str = "", status: int | None = None) -> None:
        super().__init__(kind, code, status)
        self.kind, self.code, self.status = kind, code, status


class StepAside(Exception):
    """An answer that is boto3's to handle (and to word): send through boto3 from now on."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(status, code)
        self.status, self.code = status, code


class _Conn:
    """One socket; `reader` is what http.client.HTTPResponse parses the current answer from."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.used = False
        self.reader: Any = None

    def makefile(self, mode: str) -> Any:
        return self.reader

    def close(self) -> None:
        try:
            if self.reader is not None:
                self.reader.close()  # else the socket waits for it to be collected
            self.sock.close()
        except OSError:
            pass


class _Replay(io.RawIOBase):
    """A line already read, then the rest of a reader: an early answer parsed whole."""

    def __init__(self, first: bytes, rest: Any) -> None:
        self.first, self.rest = first, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.first:
            n = min(len(buffer), len(self.first))
            buffer[:n], self.first = self.first[:n], self.first[n:]
            return n
        return self.rest.readinto1(buffer)  # what is buffered, or one read: never waits for more


class WireS3:
    """PUTs to one bucket; thread-safe: each request takes an idle connection or opens one."""

    def __init__(self, scheme: str, host: str, path: str, region: str,
                 creds: tuple[str, str, str], *, connect_timeout: float, read_timeout: float,
                 attempts: int) -> None:
        self.scheme, self.host, self.path, self.region = scheme, host, path, region
        self._creds = creds
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.attempts = max(1, attempts)
        self._idle: list[_Conn] = []
        self._lock = threading.Lock()
        # called with (method, full key, headers) before each request is sent: for tests and
        # tracing, like botocore's before-send event
        self.watchers: list[Callable[[str, str, Mapping[str, str]], None]] = []

    @classmethod
    def open(cls, config: StorageConfig, *, connect_timeout: float, read_timeout: float,
             attempts: int) -> WireS3 | None:
        """A client for `config`'s bucket, or None when the case is boto3's."""
        found = light_target(config)
        if found is None:
            return None
        scheme, host, path, region, creds = found
        return cls(scheme, host, path, region, creds, connect_timeout=connect_timeout,
                   read_timeout=read_timeout, attempts=attempts)

    # -- the one operation ----------------------------------------------------------------
    def put(self, key: str, body: bytes | Path, headers: Mapping[str, str]) -> str:
        """PUT `body` at the full `key` with `headers` (lower-case names, all signed; the
        caller gives content-md5); the ETag without quotes. WireFailure or StepAside.
        A Path is streamed from disk (sendfile where the socket allows), never held whole."""
        path = f"{self.path}/{key}"
        failure = WireFailure("lost")
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(random.random())  # noqa: S311 - jitter, as botocore's standard mode
            try:
                return self._put_once(path, body, headers)
            except WireFailure as exc:
                failure = exc
        raise failure

    def close(self) -> None:
        """Hang up the idle connections (also done when the client is dropped)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    __del__ = close

    # -- one try --------------------------------------------------------------------------
    def _put_once(self, path: str, body: bytes, headers: Mapping[str, str]) -> str:
        conn = self._take()
        try:
            try:
                status, answer, etag, keep = self._exchange(conn, path, body, headers)
            except _DROPPED:
                if not conn.used:
                    raise
                conn.close()  # a kept-alive connection the server had closed: once, anew
                conn = self._take(fresh=True)
                status, answer, etag, keep = self._exchange(conn, path, body, headers)
        except WireFailure:
            conn.close()
            raise
        except TimeoutError as exc:
            conn.close()
            raise WireFailure("timeout") from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise WireFailure("lost") from exc
        if keep:
            conn.used = True
            with self._lock:
                self._idle.append(conn)
        else:
            conn.close()
        if 200 <= status < 300:
            return etag.strip('"')
        code = _error_code(answer)
        if status in RETRY_STATUS or code in RETRY_CODES:
            raise WireFailure("status", code, status)
        raise StepAside(status, code)

    def _take(self, fresh: bool = False) -> _Conn:
        """An idle connection still open, or a new one (WireFailure("connect") if none)."""
        while not fresh:
            with self._lock:
                if not self._idle:
                    break
                conn = self._idle.pop()
            if not _readable(conn.sock, 0):  # an idle connection says nothing unless closed
                return conn
            conn.close()
        where = urlsplit(f"//{self.host}")
        host = where.hostname or self.host
        port = where.port or (443 if self.scheme == "https" else 80)
        try:
            sock = socket.create_connection((host, port), self.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            raise WireFailure("connect") from exc
        if self.scheme == "https":
            try:
                sock = tls_context().wrap_socket(sock, server_hostname=host)
            except TimeoutError as exc:
                sock.close()
                raise WireFailure("connect") from exc
            except OSError as exc:  # a certificate boto3 may trust (its bundle): its call
                sock.close()
                raise StepAside(0, "TLS") from exc
        sock.settimeout(self.read_timeout)
        return _Conn(sock)

    def _exchange(self, conn: _Conn, path: str, body: bytes | Path,
                  headers: Mapping[str, str]) -> tuple[int, bytes, str, bool]:
        """Send one PUT and read its answer: (status, body, ETag, connection reusable)."""
        if isinstance(body, Path):
            with body.open("rb") as fh:
                return self._exchange_file(conn, path, fh, headers)
        return self._exchange_file(conn, path, body, headers)

    def _exchange_file(self, conn: _Conn, path: str, body: bytes | BinaryIO,
                       headers: Mapping[str, str]) -> tuple[int, bytes, str, bool]:
        size = len(body) if isinstance(body, bytes) else os.fstat(body.fileno()).st_size
        signed = signed_headers("PUT", self.host, path, {}, self.region, self._creds,
                                dt.datetime.now(dt.UTC), dict(headers), UNSIGNED_PAYLOAD)
        for watch in self.watchers:
            watch("PUT", path[len(self.path) + 1:], signed)
        expect = size >= EXPECT_LIMIT
        lines = [f"PUT {quote(path, safe='/-_.~')} HTTP/1.1",
                 *(f"{name}: {value}" for name, value in signed.items()),
                 f"content-length: {size}", "user-agent: podman"]
        if expect:
            lines.append("expect: 100-continue")
        conn.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        conn.reader = conn.sock.makefile("rb")
        sent = not expect or self._continued(conn)
        if sent and isinstance(body, bytes):
            conn.sock.sendall(memoryview(body))
        elif sent:
            if conn.sock.sendfile(body, 0, size) != size:
                raise http.client.HTTPException("the file shrank while it was sent")
        resp = http.client.HTTPResponse(conn, method="PUT")  # type: ignore[arg-type]
        resp.begin()
        answer = resp.read()
        # a final answer before the body went: the server may still expect it, so hang up
        keep = sent and not resp.will_close
        return resp.status, answer, resp.getheader("ETag", ""), keep

    def _continued(self, conn: _Conn) -> bool:
        """After headers with `Expect: 100-continue`: True once the server said "100
        Continue", or said nothing within CONTINUE_WAIT (send anyway, as curl and botocore
        do); False when a final answer came first (left in `conn.reader` to be parsed)."""
        if not _readable(conn.sock, CONTINUE_WAIT):
            return True
        conn.sock.settimeout(CONTINUE_WAIT)
        try:
            line = conn.reader.readline(65537)
        except TimeoutError:  # readable, yet no answer (TLS housekeeping): send anyway
            conn.reader = conn.sock.makefile("rb")  # a timed-out reader reads no more
            return True
        finally:
            conn.sock.settimeout(self.read_timeout)
        if not line:
            raise http.client.RemoteDisconnected("closed without an answer")
        if line.split(None, 2)[1:2] == [b"100"]:
            while conn.reader.readline(65537) not in (b"\r\n", b"\n", b""):
                pass
            return True
        conn.reader = io.BufferedReader(_Replay(line, conn.reader))
        return False


def _readable(sock: socket.socket, timeout: float) -> bool:
    """Whether `sock` has something to read (or was closed) within `timeout` seconds; poll
    where there is one (no limit on descriptor numbers), select elsewhere."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(int(timeout * 1000)))
    return bool(select.select([sock], [], [], timeout)[0])


def _error_code(answer: bytes) -> str:
    try:
        node = ElementTree.fromstring(answer).find("Code")
    except ElementTree.ParseError:
        return ""
    return (node.text or "") if node is not None else ""


__all__ = ["StepAside", "WireFailure", "WireS3"]
