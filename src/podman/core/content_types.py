"""Content-Type and Cache-Control for what podman serves and publishes, from file names."""

from __future__ import annotations

import mimetypes
import os
import re

FEED_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
SHORT_CACHE_CONTROL = "public, max-age=300"
FEED_CACHE_CONTROL = "public, max-age=300"

_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".js": "text/javascript",
    ".txt": "text/plain; charset=utf-8",
}
# a content hash in the name (`ep-3fa9c1d2e4.mp3`, `artwork-1a2b3c4d5e6f.jpg`): bytes never change
_HASHED = re.compile(r"[-._][0-9a-f]{8,}\.[a-z0-9]+$")


def content_type_for(name: str) -> str:
    """The Content-Type a file is served with, from its name."""
    lower = name.lower()
    if lower.endswith(".chapters.json"):
        return "application/json+chapters"
    if lower.endswith(".xml"):
        return FEED_CONTENT_TYPE
    suffix = os.path.splitext(lower)[1]
    return _TYPES.get(suffix) or mimetypes.guess_type(lower)[0] or "application/octet-stream"


def is_feed(key: str) -> bool:
    """Feeds (`<show>/feed.xml` and its archive pages) go last and stay short-cached."""
    return key.lower().endswith(".xml")


def cache_control_for(key: str) -> str:
    """Hashed names are immutable for a year; feeds, pages and JSON change: five minutes."""
    if is_feed(key):
        return FEED_CACHE_CONTROL
    if _HASHED.search(key.rsplit("/", 1)[-1].lower()):
        return MEDIA_CACHE_CONTROL
    return SHORT_CACHE_CONTROL
