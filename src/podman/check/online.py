"""Hosting lints over HTTP: HEAD and byte-range answers, lengths, types and cache headers."""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from collections.abc import Iterator

from podman.catalog.articles import USER_AGENT
from podman.check.rules import Finding, error, warning
from podman.core.netfetch import bounded_open, deadline

IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_KINDS = ("enclosure", "media", "audio")


def _fetch(
    url: str, timeout: float, method: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage]:
    """(status, headers) without reading the body, within `timeout` seconds in all; HTTP
    errors are answers, not exceptions."""
    request = urllib.request.Request(
        url, method=method, headers={"User-Agent": USER_AGENT, **(headers or {})}
    )
    try:
        with bounded_open(request, timeout) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as e:
        e.close()
        return e.code, e.headers


def _max_age(cache_control: str) -> int | None:
    m = re.search(r"max-age=(\d+)", cache_control)
    return int(m[1]) if m else None


def probe_url(
    what: str, url: str, length: int | None, mime: str | None, timeout: float
) -> Iterator[Finding]:
    """Findings for one hosted URL: HEAD 200, Range 206, length, type, cache headers."""
    where = f"{what} {url}"
    kind = what.split()[0].lower() if what else ""
    try:
        status, headers = _fetch(url, timeout, "HEAD")
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
        reason = getattr(e, "reason", e)
        yield error("online-unreachable", where, f"no answer ({reason})",
                    "check the URL and that the server is up")
        return
    if status != 200:
        yield error("online-head", where, f"HEAD answered {status}, not 200",
                    "serve the file at this URL")
        return
    size = headers.get("Content-Length")
    if length is not None and size != str(length):
        yield error("online-length", where,
                    f"Content-Length is {size or 'missing'}, the feed says {length}",
                    "set the enclosure length to the exact file size")
    served = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if mime and served != mime.lower():
        yield error("online-type", where, f"Content-Type is {served or 'missing'}, "
                    f"the feed says {mime}", "serve the file with the type the feed declares")
    cache = (headers.get("Cache-Control") or "").lower()
    if kind == "feed":
        if not headers.get("ETag") and not headers.get("Last-Modified"):
            yield warning("online-validators", where, "the feed has no ETag or Last-Modified",
                          "let apps make conditional requests")
        max_age = _max_age(cache)
        if "immutable" in cache or (max_age is not None and max_age > 3600):
            yield warning("online-cache", where, f"the feed is cached too long ({cache})",
                          "serve the feed with a short max-age, e.g. max-age=300")
    elif kind in MEDIA_KINDS and not ("immutable" in cache and _max_age(cache) == 31536000):
        yield warning("online-cache", where, f"Cache-Control is {cache or 'missing'!r}",
                      f"serve media with Cache-Control: {IMMUTABLE}")
    try:
        status, headers = _fetch(url, timeout, "GET", {"Range": "bytes=0-1"})
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
        reason = getattr(e, "reason", e)
        yield error("online-range", where, f"the Range request failed ({reason})",
                    "serve byte ranges")
        return
    content_range = headers.get("Content-Range") or ""
    total = content_range.rpartition("/")[2]
    if status != 206 or not content_range.startswith("bytes 0-1/"):
        yield error("online-range", where, f"Range: bytes=0-1 answered {status}, not 206",
                    "serve byte ranges (Apple requires them for enclosures)")
    elif length is not None and total != str(length):
        yield error("online-length", where, f"Content-Range total is {total}, "
                    f"the feed says {length}", "set the enclosure length to the exact file size")


def redirect_findings(old_url: str, new_url: str, timeout: float = 10) -> list[Finding]:
    """`--against --online`: the old feed URL answers 301 or 308 with Location = the new feed,
    in one hop (apps update a subscription only on a permanent redirect; chains get lost)."""
    import urllib.parse

    where = f"feed {old_url}"
    parts = urllib.parse.urlsplit(old_url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.netloc, timeout=timeout)
    try:
        with deadline(timeout) as watchdog:  # the whole answer within `timeout`, not per read
            conn.connect()
            watchdog.watch(conn.sock)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path,
                         headers={"User-Agent": USER_AGENT})
            response = conn.getresponse()
            status, location = response.status, response.getheader("Location") or ""
            if watchdog.expired:
                raise TimeoutError(f"timed out after {timeout:g} s")
    except (OSError, http.client.HTTPException, ValueError) as e:
        return [error("against-redirect", where, f"no answer ({e})",
                      "check the old URL and that the old host is up")]
    finally:
        conn.close()
    target = urllib.parse.urljoin(old_url, location) if location else ""
    if status not in (301, 308):
        got = f"{status} to {target}" if target else str(status)
        return [error("against-redirect", where, f"answered {got}, not a permanent redirect",
                      f"make the old host answer 301 (or 308) with Location: {new_url}")]
    if target != new_url:
        return [error("against-redirect", where, f"redirects to {target}, not to {new_url}",
                      "point the redirect straight at the new feed, in one hop")]
    return []
