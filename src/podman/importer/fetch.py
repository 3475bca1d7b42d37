"""Bounded HTTP for an import: time and size limits, redirects recorded, tracking prefixes
unwrapped (a dead prefix host falls back to the URL it wraps), retries honouring Retry-After,
resumable downloads (Range + If-Range) and a few requests per host at a time."""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from podman import __version__
from podman.core.errors import PodmanError
from podman.core.netfetch import deadline as watchdog

MB = 1024 * 1024
# (host suffix, path prefix pattern before the wrapped URL): tracking prefixes as hosts write them
PREFIXES: tuple[tuple[str, str], ...] = (
    ("podtrac.com", r"/(?:pts/)?redirect\.[a-z0-9]+/"),
    ("chtbl.com", r"/track/[^/]+/"),
    ("chrt.fm", r"/track/[^/]+/"),
    ("pdst.fm", r"/e/"),
    ("op3.dev", r"/e(?:,[^/]*)?/"),
    ("pfx.vpixl.com", r"/[^/]+/"),
    ("podscribe.com", r"/rss/p/"),
    ("pscrb.fm", r"/rss/p/"),
    ("mgln.ai", r"/e/[^/]+/"),
    ("arttrk.com", r"/p/[^/]+/"),
    ("clrtpod.com", r"/m/"),
    ("pdcn.co", r"/e/"),
    ("swap.fm", r"/track/[^/]+/"),
    ("byspotify.com", r"/e/"),
    ("anchor.fm", r"/s/[^/]+/podcast/play/[^/]+/"),
)
_HOSTLIKE = re.compile(r"^(?:https?(?::|%3A)(?://|%2F%2F))?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?"
                       r"(?:/|%2F)"
                       r"|^(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?/", re.IGNORECASE)
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class FetchFailed(PodmanError):
    """A URL could not be fetched: network, status, size, time, or not what was expected."""


@dataclass(frozen=True)
class FetchConfig:
    timeout: float = 30.0  # seconds per connect or read
    deadline: float = 6 * 3600.0  # seconds for one whole download, retries included
    small_deadline: float = 300.0  # seconds for a feed, chapters, transcript or image
    retries: int = 4
    backoff: float = 1.0  # first pause between attempts, doubled each time
    max_wait: float = 300.0  # the longest Retry-After honoured; longer ones fail the item
    per_host: int = 3  # requests in flight per host (2-4 is what hosts tolerate)
    max_redirects: int = 10
    prefix_hosts: tuple[str, ...] = ()  # more tracking-prefix hosts (podtrac-style paths)
    user_agent: str = f"podman/{__version__} (podcast import)"


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str]
    body: bytes = b""
    hops: list[str] = field(default_factory=list)  # "301 https://..." for each redirect
    fallbacks: list[str] = field(default_factory=list)  # dead prefix hosts skipped

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


# -- tracking prefixes -------------------------------------------------------------------------

def unwrap(url: str, extra_hosts: tuple[str, ...] = ()) -> str | None:
    """The URL a tracking prefix wraps, or None when `url` is no known prefix."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = parts.netloc.lower()
    rules = list(PREFIXES) + [(h.lower(), PREFIXES[0][1]) for h in extra_hosts]
    for suffix, pattern in rules:
        if not (host == suffix or host.endswith("." + suffix) or netloc == suffix):
            continue
        m = re.match(pattern, parts.path)
        if not m:
            continue
        rest = parts.path[m.end():] + (f"?{parts.query}" if parts.query else "")
        if not _HOSTLIKE.match(rest):
            continue
        if rest.lower().startswith(("http%3a", "https%3a")):
            return unquote(rest)
        if rest.lower().startswith(("http:/", "https:/")):
            return re.sub(r"^(https?):/+", r"\1://", rest, flags=re.IGNORECASE)
        return f"{parts.scheme}://{rest}"
    return None


def prefix_chain(url: str, extra_hosts: tuple[str, ...] = ()) -> list[str]:
    """Every prefix host wrapped around an enclosure URL, outermost first."""
    chain, current = [], url
    for _ in range(10):
        inner = unwrap(current, extra_hosts)
        if inner is None:
            break
        chain.append(urlsplit(current).netloc)
        current = inner
    return chain


def unwrapped(url: str, extra_hosts: tuple[str, ...] = ()) -> str:
    current = url
    for _ in range(10):
        inner = unwrap(current, extra_hosts)
        if inner is None:
            break
        current = inner
    return current


# -- the client --------------------------------------------------------------------------------

def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


class _Retry(Exception):
    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class Fetcher:
    """One per import run; thread-safe. `sleep` and `clock` are injectable for the backoff."""

    def __init__(self, config: FetchConfig | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config or FetchConfig()
        self._sleep, self._clock = sleep, clock
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Semaphore] = {}
        self._local = threading.local()  # the running request's watchdog, per thread

    @contextmanager
    def _bounded(self, url: str, seconds: float, limit: float) -> Iterator[None]:
        """Shut the request's sockets when `seconds` run out, however slowly the server sends
        (per-read timeouts alone let a server trickle a byte at a time for ever)."""
        with watchdog(max(0.01, seconds)) as dog:
            self._local.dog = dog
            try:
                yield
            except (OSError, http.client.HTTPException, _Retry):
                if dog.expired:
                    raise FetchFailed(f"{url}: too slow, stopped after {limit:.0f} s") from None
                raise
            finally:
                self._local.dog = None
            if dog.expired:
                raise FetchFailed(f"{url}: too slow, stopped after {limit:.0f} s")

    @contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            sem = self._hosts.setdefault(host, threading.Semaphore(self.config.per_host))
        with sem:
            yield

    # one request, redirects followed by hand so each hop is recorded and checked
    def _connect(self, url: str) -> http.client.HTTPConnection:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchFailed(f"{url}: only http(s) URLs are fetched")
        timeout = self.config.timeout
        try:
            host, port = parts.hostname.encode("idna").decode("ascii"), parts.port
        except (UnicodeError, ValueError):
            raise FetchFailed(f"{url}: not a valid host name or port") from None
        if parts.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _request(self, url: str, headers: dict[str, str]):
        parts = urlsplit(url)
        conn = self._connect(url)
        safe = "/%:@!$&'()*+,;=-._~"  # spaces and non-ASCII as old feeds write them: escaped
        path = quote(parts.path or "/", safe=safe) + (
            f"?{quote(parts.query, safe=safe + '?')}" if parts.query else "")
        try:
            conn.request("GET", path, headers={"User-Agent": self.config.user_agent,
                                               "Accept-Encoding": "identity", **headers})
            dog = getattr(self._local, "dog", None)
            if dog is not None and conn.sock is not None:
                dog.watch(conn.sock)
            return conn, conn.getresponse()
        except BaseException:
            conn.close()
            raise

    def _follow(self, url: str, headers: dict[str, str], resp_out: Response):
        """Open `url`, following redirects and falling back past dead prefix hosts."""
        current = url
        for _ in range(self.config.max_redirects + 1):
            try:
                conn, resp = self._request(current, headers)
            except (OSError, http.client.HTTPException) as exc:
                inner = unwrap(current, self.config.prefix_hosts)
                if inner is not None:
                    resp_out.fallbacks.append(f"{urlsplit(current).netloc} unreachable "
                                              f"({_why(exc)}): fetched {inner}")
                    current = inner
                    continue
                raise
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.getheader("Location", "")
                resp.close()
                conn.close()
                if not location:
                    raise FetchFailed(f"{current}: HTTP {resp.status} without a Location")
                resp_out.hops.append(f"{resp.status} {current}")
                current = urljoin(current, location)
                continue
            inner = unwrap(current, self.config.prefix_hosts)
            if resp.status >= 400 and resp.status not in RETRY_STATUS and inner is not None:
                resp.close()
                conn.close()
                resp_out.fallbacks.append(f"{urlsplit(current).netloc} answered "
                                          f"{resp.status}: fetched {inner}")
                current = inner
                continue
            resp_out.url, resp_out.status = current, resp.status
            resp_out.headers = {k.lower(): v for k, v in resp.getheaders()}
            return conn, resp
        raise FetchFailed(f"{url}: more than {self.config.max_redirects} redirects")

    def _attempts(self, url: str, once: Callable[[], Response], deadline: float) -> Response:
        start = self._clock()
        last = ""
        for attempt in range(self.config.retries + 1):
            try:
                return once()
            except _Retry as exc:
                last, wait = str(exc), exc.wait
            except socket.gaierror as exc:  # no such host: asking again will not help
                raise FetchFailed(f"{url}: {_why(exc)}") from None
            except (OSError, http.client.HTTPException) as exc:
                last, wait = _why(exc), None
            if attempt == self.config.retries:
                break
            wait = self.config.backoff * 2 ** attempt if wait is None else wait
            if wait > self.config.max_wait:
                raise FetchFailed(f"{url}: {last}; asked to retry after {wait:.0f} s, longer "
                                  f"than {self.config.max_wait:.0f} s")
            if self._clock() - start + wait > deadline:
                break
            self._sleep(wait)
        raise FetchFailed(f"{url}: {last} (after {self.config.retries + 1} attempts)")

    def _check_status(self, url: str, resp_out: Response, resp, ok: tuple[int, ...]) -> None:
        if resp.status in ok:
            return
        if resp.status in RETRY_STATUS:
            raise _Retry(f"HTTP {resp.status}",
                         retry_after(resp.getheader("Retry-After"), time.time()))
        raise FetchFailed(f"{url}: HTTP {resp.status}" + (
            f" (at {resp_out.url})" if resp_out.url != url else ""))

    def get(self, url: str, *, limit: int, accept: str = "*/*") -> Response:
        """The whole body of `url` in memory (feeds, chapters, transcripts, images)."""

        start = self._clock()

        def once() -> Response:
            out = Response(url, 0, {})
            left = start + self.config.small_deadline - self._clock()
            with self._slot(url), self._bounded(url, left, self.config.small_deadline):
                conn, resp = self._follow(url, {"Accept": accept}, out)
                try:
                    self._check_status(url, out, resp, (200,))
                    declared = resp.getheader("Content-Length")
                    if declared and declared.isdigit() and int(declared) > limit:
                        raise FetchFailed(f"{url}: {declared} bytes, more than the "
                                          f"{limit // MB} MB allowed")
                    out.body = self._read(url, resp, limit, start + self.config.small_deadline)
                    if len(out.body) > limit:
                        raise FetchFailed(f"{url}: more than the {limit // MB} MB allowed")
                    if declared and declared.isdigit() and len(out.body) != int(declared):
                        raise _Retry(f"connection closed after {len(out.body)} of "
                                     f"{declared} bytes")
                finally:
                    resp.close()
                    conn.close()
            return out

        return self._attempts(url, once, self.config.small_deadline)

    def _read(self, url: str, resp, limit: int, until: float) -> bytes:
        chunks, size = [], 0
        while True:
            chunk = resp.read(64 * 1024)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            chunks.append(chunk)
            if size > limit:
                return b"".join(chunks)  # the caller reports the size
            if self._clock() > until:
                raise FetchFailed(f"{url}: too slow, stopped after "
                                  f"{self.config.small_deadline:.0f} s")

    def download(self, url: str, dest: Path, *, limit: int,
                 progress: Callable[[int], None] | None = None) -> Response:
        """Stream `url` into `dest`, resuming a partial `dest.part` (Range + If-Range on the
        ETag or Last-Modified recorded beside it); refuses HTML and short bodies."""
        part = dest.with_name(dest.name + ".part")
        start = self._clock()
        meta = dest.with_name(dest.name + ".part.json")

        def once() -> Response:
            out = Response(url, 0, {})
            have = part.stat().st_size if part.exists() else 0
            validator = _read_validator(meta, url) if have else None
            headers = {"Accept": "audio/*, video/*, */*;q=0.5"}
            if have and validator:
                headers.update({"Range": f"bytes={have}-", "If-Range": validator})
            left = start + self.config.deadline - self._clock()
            with self._slot(url), self._bounded(url, left, self.config.deadline):
                conn, resp = self._follow(url, headers, out)
                try:
                    self._check_status(url, out, resp, (200, 206))
                    if out.content_type in ("text/html", "application/xhtml+xml"):
                        raise FetchFailed(f"{url}: an HTML page ({out.content_type}) where "
                                          "audio should be")
                    offset, total = _span(resp, have)
                    if total is not None and total > limit:
                        raise FetchFailed(f"{url}: {total} bytes, more than the "
                                          f"{limit // MB} MB allowed")
                    validator = resp.getheader("ETag") or resp.getheader("Last-Modified")
                    if validator and not validator.startswith("W/"):
                        meta.write_text(json.dumps({"url": url, "validator": validator}))
                    else:
                        meta.unlink(missing_ok=True)
                    got = _stream(url, resp, part, offset, limit, progress,
                                  lambda: self._clock() - start > self.config.deadline)
                finally:
                    resp.close()
                    conn.close()
            if total is not None and got != total:
                raise _Retry(f"connection closed after {got} of {total} bytes")
            with part.open("rb") as fh:
                if _is_html(fh.read(512)):
                    raise FetchFailed(f"{url}: an HTML page where audio should be")
            part.replace(dest)
            meta.unlink(missing_ok=True)
            out.headers["x-received"] = str(got)
            return out

        return self._attempts(url, once, self.config.deadline)


def _why(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    if isinstance(exc, http.client.IncompleteRead):
        return "connection closed mid-transfer"
    return str(exc) or type(exc).__name__


def _read_validator(meta: Path, url: str) -> str | None:
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    return data.get("validator") if data.get("url") == url else None


def _span(resp, have: int) -> tuple[int, int | None]:
    """(offset to write at, total size of the file or None) from a 200 or a 206."""
    if resp.status == 206:
        m = re.match(r"bytes (\d+)-(\d+)/(\d+|\*)", resp.getheader("Content-Range", ""))
        if not m or int(m.group(1)) != have:
            raise _Retry("the server resumed at the wrong byte")
        return have, int(m.group(3)) if m.group(3) != "*" else None
    length = resp.getheader("Content-Length")
    return 0, int(length) if length and length.isdigit() else None


def _stream(url: str, resp, part: Path, offset: int, limit: int,
            progress: Callable[[int], None] | None, late: Callable[[], bool]) -> int:
    """Write the body at `offset` (0 = from scratch); return the file's size afterwards. The
    part file keeps what arrived before a dropped connection, for the next attempt."""
    mode = "ab" if offset else "wb"
    size = offset
    with part.open(mode) as fh:
        if offset:
            fh.truncate(offset)
        while True:
            try:
                chunk = resp.read(256 * 1024)
            except http.client.IncompleteRead as exc:
                fh.write(exc.partial)
                raise
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise FetchFailed(f"{url}: more than the {limit // MB} MB allowed")
            fh.write(chunk)
            if progress:
                progress(len(chunk))
            if late():  # a trickle that never times out a read still ends here
                raise FetchFailed(f"{url}: too slow, stopped at the time limit")
    return size


def _is_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))
