"""`podman stats agents update` / `geo update`: bounded downloads of the optional lists."""

from __future__ import annotations

import gzip
import json
import urllib.parse
from datetime import UTC, datetime

from podman import __version__
from podman.core.errors import BadInput, PodmanError
from podman.core.fsio import atomic_write
from podman.stats.agents import OpawgList
from podman.stats.config import StatsConfig

USER_AGENT = f"podman/{__version__} (podcast stats list update)"
MAX_BYTES = 200 * 1024 * 1024


def download(url: str, *, timeout: float = 60, max_bytes: int = MAX_BYTES) -> bytes:
    """GET an http(s) URL within `timeout` seconds in all and `max_bytes`; one line naming the
    URL on failure (core.netfetch: the deadline covers the whole exchange)."""
    from podman.core.netfetch import fetch_bytes

    if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
        raise BadInput(f"{url}: only http(s) URLs")
    return fetch_bytes(url, timeout=timeout, max_bytes=max_bytes,
                       headers={"User-Agent": USER_AGENT}).data


def update_agents(cfg: StatsConfig, base_url: str) -> int:
    """Fetch bots/apps/libraries/browsers.json; all or nothing; return the pattern count."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    files = {}
    for kind in OpawgList.ORDER:
        url = base + f"{kind}.json"
        try:
            data = json.loads(download(url))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PodmanError(f"{url}: not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
            raise PodmanError(f"{url}: not an OPAWG pattern file (no `entries` list)")
        files[kind] = data
    folder = cfg.store / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    for kind, data in files.items():
        atomic_write(folder / f"{kind}.json", json.dumps(data, ensure_ascii=False))
    atomic_write(folder / "VERSION",
                 f"fetched {datetime.now(UTC).strftime('%Y-%m-%d')} from {base}\n")
    return len(OpawgList(folder).entries)


def update_geo(cfg: StatsConfig, url: str) -> int:
    """Fetch a country .mmdb (gz accepted), check it opens, install it; return its size."""
    import maxminddb

    data = download(url)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise PodmanError(f"{url}: broken gzip ({exc})") from None
    folder = cfg.store / "geo"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "country.mmdb.new"
    tmp.write_bytes(data)
    try:
        maxminddb.open_database(str(tmp), maxminddb.MODE_MEMORY).close()
    except (ValueError, OSError, maxminddb.InvalidDatabaseError) as exc:
        tmp.unlink()
        raise PodmanError(f"{url}: not a MaxMind database ({exc})") from None
    tmp.replace(folder / "country.mmdb")
    return len(data)
