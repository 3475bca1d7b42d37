"""Content types and cache policy for what podman serves and publishes, by file name."""

from __future__ import annotations

TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".opus": "audio/ogg",
    ".ogg": "audio/ogg",
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


def content_type(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".chapters.json"):
        return "application/json+chapters"
    dot = lower.rfind(".")
    return TYPES.get(lower[dot:] if dot >= 0 else "", "application/octet-stream")


def cache_control(name: str, *, media: bool = False) -> str:
    """Media and content-hashed files never change; feeds and pages must be re-fetched soon."""
    base = name.rsplit("/", 1)[-1]
    if media or base.startswith("artwork-"):
        return IMMUTABLE
    return SHORT
