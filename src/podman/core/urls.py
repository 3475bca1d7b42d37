"""The one URL policy: only http(s) URLs with a host are emitted; userinfo is never printed."""

from __future__ import annotations

import re
import urllib.parse

SCHEMES = ("http", "https")
# `scheme://user[:password]@` anywhere in a text (a message, a botocore error, a URL).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]*@")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f\"<>\\^`{|}]")


def is_http_url(url: str) -> bool:
    """An absolute http or https URL with a host (what the feed rules accept)."""
    try:
        parts = urllib.parse.urlsplit(url)
        return parts.scheme.lower() in SCHEMES and bool(parts.hostname)
    except ValueError:  # "http://[::1" and other broken hosts
        return False


def url_problem(url: str) -> str | None:
    """Why `url` may not be written into a feed or a page, or None when it may: http(s) with a
    host, no white space, control characters or quotes, no `user:password@`."""
    if not isinstance(url, str):
        return "is not a string"
    if not is_http_url(url):
        return "is not an http(s) URL with a host"
    if _BAD_CHARS.search(url):
        return "contains spaces, control characters or quotes"
    if "@" in urllib.parse.urlsplit(url).netloc:
        return "contains a user name or password"
    return None


def safe_url(url: str | None) -> str:
    """The renderer's last line: `url` when it may be emitted, else "" (the link is dropped)."""
    return url if url and url_problem(url) is None else ""


def has_scheme(value: str) -> bool:
    """`javascript:…`, `data:…`, `https://…`: the value names a scheme (a storage key does not)."""
    return bool(_SCHEME.match(value))


def redact(text: str) -> str:
    """Every `scheme://user:password@` in `text` becomes `scheme://***@`."""
    return _USERINFO.sub(r"\1***@", text) if "@" in text else text
