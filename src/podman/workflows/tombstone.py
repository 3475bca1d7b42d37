"""`podman publish --tombstone NEW_URL`: leave podman without losing a listener. The old feed
is published once more with one change, itunes:new-feed-url = NEW_URL, and where the storage
can (S3 website redirect metadata) the feed object also answers 301 to NEW_URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from podman.core.config import SHOW_FILE, WorkspaceConfig
from podman.core.content_types import FEED_CACHE_CONTROL, FEED_CONTENT_TYPE
from podman.core.errors import BadInput
from podman.core.fsio import atomic_write, workspace_lock
from podman.workflows.against import pick_show
from podman.workflows.publish import Target, open_target

_TAG = re.compile(rb"<itunes:new-feed-url>[^<]*</itunes:new-feed-url>")
# where feed.xml.j2 writes the tag, so a later build renders the very same bytes
_BEFORE = (b"<itunes:image ", b"<itunes:category ", b"<itunes:explicit>")


@dataclass(frozen=True)
class Tombstone:
    key: str  # the feed's key on the target
    feed_url: str  # the old (podman) feed URL
    new_url: str
    redirect_sent: bool  # WebsiteRedirectLocation was set on the upload (S3)
    redirect_kept: bool  # ... and the storage returns it on HEAD (SeaweedFS drops it)
    target: str


def with_new_feed_url(feed: bytes, new_url: str) -> bytes:
    """The feed with itunes:new-feed-url set to `new_url`, and nothing else changed."""
    tag = f"<itunes:new-feed-url>{escape(new_url)}</itunes:new-feed-url>".encode()
    head_end = feed.find(b"<item>")
    head = feed if head_end < 0 else feed[:head_end]
    if _TAG.search(head):
        return _TAG.sub(lambda _m: tag, feed, count=1)
    spots = [i for i in (head.find(marker) for marker in _BEFORE) if i >= 0]
    if not spots:
        raise BadInput("the built feed has no channel artwork, category or explicit tag: "
                       "is it a feed podman built?")
    at = min(spots)
    return feed[:at] + tag + b"\n" + feed[at:]


def tombstone(ws: WorkspaceConfig, new_url: str, *, show: str | None = None,
              storage: Target | None = None) -> Tombstone:
    """Publish the show's built feed with the new URL, record `new_feed_url` in show.toml so
    every later build keeps it, and set the redirect where the target supports one."""
    if not re.fullmatch(r"https?://[^\s/]+\S*", new_url):
        raise BadInput(f"--tombstone {new_url!r}: not an http(s) URL")
    show_dir = pick_show(ws, show)
    slug = show_dir.name
    feed_url = ws.feed_url(slug)
    if new_url == feed_url:
        raise BadInput(f"--tombstone {new_url}: that is this feed's own URL")
    path = ws.public_dir / slug / "feed.xml"
    if not path.is_file():
        raise BadInput(f"public/{slug}/feed.xml: no feed has been built", "run `podman build`")
    data = with_new_feed_url(path.read_bytes(), new_url)
    target, where = (storage, "storage") if storage is not None else open_target(ws)
    redirect = bool(getattr(target, "redirects", False))
    key = f"{slug}/feed.xml"
    with workspace_lock(ws.root):
        _record(show_dir / SHOW_FILE, new_url)
        atomic_write(path, data, durable=False)
    target.put_bytes(data, key, content_type=FEED_CONTENT_TYPE,
                     cache_control=FEED_CACHE_CONTROL, redirect=new_url if redirect else "")
    kept = False
    if redirect and hasattr(target, "head"):
        kept = target.head(key).get("WebsiteRedirectLocation") == new_url
    return Tombstone(key, feed_url, new_url, redirect, kept, where)


def _record(path: Path, new_url: str) -> None:
    import tomlkit

    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc["new_feed_url"] = new_url
    atomic_write(path, tomlkit.dumps(doc))
