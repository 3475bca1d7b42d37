"""HTTP requests bounded as a whole: one deadline for connect, headers and body, and a byte cap.

urllib's `timeout` applies to each socket operation, so a server sending one byte every few
seconds holds a request forever. Here a watchdog shuts the request's sockets down when the
deadline passes, whatever the request is doing then, and the caller gets a TimeoutError.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any

from podman.core.errors import PodmanError
from podman.core.urls import redact


class FetchError(PodmanError):
    """A fetch failed: HTTP status, connection, deadline or size; the message names the URL."""


class _Deadline:
    """Shuts down every socket it watches once `seconds` have passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.01, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[_Deadline]:
    """A watchdog for code that opens its own connections: `watch(sock)` each socket; past
    `seconds` they are shut down and `expired` is True."""
    watchdog = _Deadline(seconds)
    try:
        yield watchdog
    finally:
        watchdog.cancel()


def _watched(base: type[http.client.HTTPConnection], deadline: _Deadline) -> Any:
    """A connection factory for urllib's do_open whose sockets the deadline watches."""

    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        kwargs["timeout"] = min(kwargs.get("timeout") or deadline.seconds, deadline.remaining())
        conn = base(host, **kwargs)
        create = conn._create_connection  # type: ignore[attr-defined]

        def connect(*args: Any, **kw: Any) -> socket.socket:
            sock = create(*args, **kw)
            deadline.watch(sock)
            return sock

        conn._create_connection = connect  # type: ignore[attr-defined]
        return conn

    return make


class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed to http(s) URLs only: urllib's own handler would follow one to
    ftp:, which no deadline watches and the URL policy never allows."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            fp.close()
            raise FetchError(f"{redact(req.full_url)}: redirected to a non-http URL "
                             f"{redact(newurl)}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline: _Deadline,
            handlers: tuple[urllib.request.BaseHandler, ...]) -> urllib.request.OpenerDirector:
    if not any(isinstance(h, urllib.request.HTTPRedirectHandler) for h in handlers):
        handlers = (*handlers, HttpOnlyRedirects())
    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_watched(http.client.HTTPConnection, deadline), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_watched(http.client.HTTPSConnection, deadline), req,
                                context=self._context)  # type: ignore[attr-defined]

    return urllib.request.build_opener(Http, Https, *handlers)


@contextlib.contextmanager
def bounded_open(request: urllib.request.Request, timeout: float,
                 handlers: tuple[urllib.request.BaseHandler, ...] = ()
                 ) -> Iterator[http.client.HTTPResponse]:
    """urlopen with `timeout` for the whole exchange, reading included: past it, whatever the
    request was doing raises TimeoutError. HTTP errors are urllib's HTTPError, as urlopen's."""
    deadline = _Deadline(timeout)
    try:
        with _opener(deadline, handlers).open(request, timeout=timeout) as response:
            yield response
            if deadline.expired:  # the body was cut short by the watchdog, not complete
                raise TimeoutError(f"no complete answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        if deadline.expired and not isinstance(exc, urllib.error.HTTPError):
            raise TimeoutError(f"no complete answer within {timeout:g} s") from None
        raise
    finally:
        deadline.cancel()


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: Message
    data: bytes


def fetch_bytes(url: str, *, timeout: float, max_bytes: int,
                headers: dict[str, str] | None = None,
                handlers: tuple[urllib.request.BaseHandler, ...] = ()) -> Fetched:
    """GET `url`: at most `max_bytes` of body within `timeout` seconds in all; FetchError with
    one line naming the URL otherwise (HTTP status, connection, timeout, size)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with bounded_open(request, timeout, handlers) as response:
            length = response.headers.get("Content-Length", "")
            if length.isascii() and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: larger than {max_bytes} bytes")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(f"{url}: larger than {max_bytes} bytes")
            return Fetched(response.geturl(), response.status, response.headers, data)
    except urllib.error.HTTPError as e:
        e.close()
        raise FetchError(f"{url}: HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise FetchError(f"{url}: timed out after {timeout:g} s") from None
        raise FetchError(f"{url}: cannot connect ({e.reason})") from None
    except TimeoutError:
        raise FetchError(f"{url}: timed out after {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as e:
        raise FetchError(f"{url}: network error ({e or type(e).__name__})") from None
