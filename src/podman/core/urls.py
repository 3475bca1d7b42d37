"""The one URL policy: only http(s) URLs with a host are emitted; userinfo is never printed."""

from __future__ import annotations

import functools
import re
import urllib.parse

from podman.core.errors import BadInput

SCHEMES = ("http", "https")
# `scheme://user[:password]@` anywhere in a text (a message, a botocore error, a URL).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#]*@")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_BAD_KEY_CHARS = re.compile(r"[\s\x00-\x1f\x7f-\x9f\"'<>\\^`{|}?#]")
# The common URL, decided without urlsplit: lower-case http(s), a host of letters, digits, dots
# and hyphens (so no userinfo, port or IPv6 literal), then printable ASCII only. Everything it
# matches the full check accepts unchanged (tests/core/test_urls.py proves it on generated
# text); anything else takes the full check.
_PLAIN_HTTP = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#][!-~]*)?\Z")
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


def _split(url: str) -> urllib.parse.SplitResult | None:
    """The parts of an absolute http(s) URL with a host, else None."""
    try:
        parts = urllib.parse.urlsplit(url)
        ok = parts.scheme.lower() in SCHEMES and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port past 65535 or not a number
    except ValueError:  # "http://[::1", "http://a:99999/" and other broken hosts
        return None
    return parts if ok else None


def is_http_url(url: str) -> bool:
    """An absolute http or https URL with a host (what the feed rules accept)."""
    return _split(url) is not None


def url_problem(url: str) -> str | None:
    """Why `url` may not be written into a feed or a page, or None when it may: http(s) with a
    host, no white space or control characters, no `user:password@` (quotes and angle brackets are
    escaped by every template, so they cannot end an attribute)."""
    if not isinstance(url, str):
        return "is not a string"
    return None if _PLAIN_HTTP.match(url) else _problem(url)


@functools.lru_cache(maxsize=8192)  # a build checks each article URL several times
def _problem(url: str) -> str | None:
    parts = _split(url)
    if parts is None:
        return "is not an http(s) URL with a host"
    if _SPACE_OR_CONTROL.search(url):
        return "contains spaces or control characters"
    if "@" in parts.netloc:
        return "contains a user name or password"
    return None


def safe_url(url: str | None) -> str:
    """The renderer's last line: `url` as ASCII when it may be emitted, else "" (dropped)."""
    if not url:
        return ""
    if type(url) is str and _PLAIN_HTTP.match(url):
        return url  # what the full check below returns for it, a feed's worth faster
    if url_problem(url) is not None:
        return ""
    return _safe(url)


@functools.lru_cache(maxsize=8192)
def _safe(url: str) -> str:
    try:
        return ascii_url(url)
    except BadInput:
        return ""


def has_scheme(value: str) -> bool:
    """`javascript:…`, `data:…`, `https://…`: the value names a scheme (a storage key does not)."""
    return bool(_SCHEME.match(value))


def redact(text: str) -> str:
    """Every `scheme://user:password@` in `text` becomes `scheme://***@`."""
    return _USERINFO.sub(r"\1***@", text) if "@" in text else text


def key_problem(key: str) -> str | None:
    """Why a storage key (appended to public_url) is unsafe, or None: a relative path of plain
    names without spaces, quotes, control characters, `?`, `#` or a scheme."""
    if not isinstance(key, str) or not key:
        return "is empty"
    if has_scheme(key) or key.startswith("/") or _BAD_KEY_CHARS.search(key):
        return "is not a plain relative storage key (a-z, 0-9, / . - _)"
    if any(part in ("", ".", "..") for part in key.split("/")):
        return "has an empty, `.` or `..` path segment"
    return None


def ascii_url(url: str) -> str:
    """An IRI as an ASCII URI: IDNA host, percent-encoded UTF-8 elsewhere; ASCII is unchanged."""
    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, _, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        if host.startswith("["):
            host, colon, port = hostport, "", ""
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise BadInput(f"{redact(url)}: the host name cannot be converted to ASCII") from None
        userinfo = urllib.parse.quote(userinfo, safe=":%") if userinfo else ""
        netloc = (userinfo + "@" if userinfo else "") + host + colon + port
    return urllib.parse.urlunsplit(
        (
            parts.scheme,
            netloc,
            urllib.parse.quote(parts.path, safe=_SAFE_PATH),
            urllib.parse.quote(parts.query, safe=_SAFE_QUERY),
            urllib.parse.quote(parts.fragment, safe=_SAFE_QUERY),
        )
    )
