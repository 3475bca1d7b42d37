"""After a publish that changed a feed: tell its WebSub hub and the Podcast Index, so apps
fetch the new episode in minutes instead of at their next poll. A failure is only a warning."""

from __future__ import annotations

import http.client
import ipaddress
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from podman.catalog.articles import USER_AGENT
from podman.core.config import WorkspaceConfig, load_show
from podman.core.errors import PodmanError
from podman.core.netfetch import bounded_open

MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class Notice:
    """One notification sent (or skipped): which service, for which feed, and how it went."""

    service: str  # "websub" or "podcastindex"
    feed_url: str
    ok: bool
    detail: str
    sent: bool = True  # False when skipped (a loopback feed a remote service cannot read)


def changed_feeds(uploaded: Iterable[str]) -> list[str]:
    """Show slugs whose main feed (`<slug>/feed.xml`) was uploaded in this publish."""
    out = []
    for key in uploaded:
        slug, _, rest = key.partition("/")
        if rest == "feed.xml" and slug not in out:
            out.append(slug)
    return out


def notify_changed(ws: WorkspaceConfig, uploaded: Iterable[str]) -> list[Notice]:
    """Notify for every show whose feed.xml changed; nothing at all when none did."""
    out: list[Notice] = []
    pub = ws.publish
    for slug in changed_feeds(uploaded):
        feed_url = ws.feed_url(slug)
        if pub.websub:
            try:
                hub = str(load_show(ws.feeds_dir / slug).raw.get("websub_hub") or "").strip()
            except PodmanError:
                hub = ""
            if hub:
                body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed_url})
                out.append(_send("websub", hub, feed_url, "POST", body.encode(),
                                 pub.notify_timeout))
        if pub.podcastindex:
            sep = "&" if "?" in pub.podcastindex_url else "?"
            url = f"{pub.podcastindex_url}{sep}{urllib.parse.urlencode({'url': feed_url})}"
            out.append(_send("podcastindex", url, feed_url, "GET", None, pub.notify_timeout))
    return out


def _send(service: str, url: str, feed_url: str, method: str, body: bytes | None,
          timeout: float) -> Notice:
    if not url.startswith(("http://", "https://")):
        return Notice(service, feed_url, False, f"{url!r} is not an http(s) URL")
    if _local(feed_url) and not _local(url):
        return Notice(service, feed_url, True, "skipped: the feed URL is on this machine, "
                      f"which {urllib.parse.urlsplit(url).hostname} cannot read", sent=False)
    headers = {"User-Agent": USER_AGENT}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    where = urllib.parse.urlsplit(url).netloc
    try:
        with bounded_open(request, timeout) as response:  # `timeout` for the whole exchange
            response.read(MAX_ANSWER)
            return Notice(service, feed_url, True, f"{where} answered {response.status}")
    except urllib.error.HTTPError as e:
        e.close()
        return Notice(service, feed_url, False, f"{where} answered {e.code} {e.reason}")
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
        reason = getattr(e, "reason", e)
        return Notice(service, feed_url, False, f"{where}: no answer ({reason})")


def _local(url: str) -> bool:
    """A loopback or private host: a service elsewhere could not fetch this URL."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


__all__ = ["Notice", "changed_feeds", "notify_changed"]
