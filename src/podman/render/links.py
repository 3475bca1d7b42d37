"""Links inside public/ are relative (any port, any sub-path); feeds and social tags are not."""

from __future__ import annotations

import hashlib
import posixpath

from podman.core.config import WorkspaceConfig
from podman.core.urls import safe_url


def http_url(url: str | None) -> str:
    """Only http(s) URLs become links; anything else (javascript:, data:) renders as text.
    The policy itself is podman.core.urls.safe_url (one place for every URL podman emits)."""
    return safe_url((url or "").strip())


def relative(here: str, target: str) -> str:
    """`target` (a path under public/) as seen from the page at `here` (a path under public/)."""
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


def absolute(ws: WorkspaceConfig, path: str) -> str:
    """A path under public/ as the published URL, for feeds, oEmbed and social tags."""
    return f"{ws.publish.base_url.rstrip('/')}/{path}"


def local(ws: WorkspaceConfig, here: str, url: str) -> str:
    """A URL under base_url (local media, artwork) made relative to `here`; others unchanged."""
    base = ws.publish.base_url.rstrip("/") + "/"
    return relative(here, url[len(base):]) if url.startswith(base) else url


def article_id(url: str) -> str:
    """The box of an article: a short, stable hash of its URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
