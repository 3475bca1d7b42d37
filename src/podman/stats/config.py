"""The `[stats]` table of podman.toml and where the stats store lives in the workspace."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podman.core.config import WORKSPACE_FILE, WorkspaceConfig
from podman.core.errors import ConfigError

AGENTS_URL = "https://raw.githubusercontent.com/opawg/user-agents-v2/master/src/"
GEO_URL = ("https://cdn.jsdelivr.net/npm/@ip-location-db/geo-whois-asn-country-mmdb/"
           "geo-whois-asn-country.mmdb")
WINDOWS = ("calendar", "rolling")


@dataclass(frozen=True)
class StatsConfig:
    root: Path  # the workspace
    window: str = "calendar"  # one download per IP+UA+episode per UTC day, or rolling 24 h
    publish: bool = False  # also write public/<show>/stats.html on `podman stats`
    bucket: str = ""  # `podman stats pull`: where the log objects are
    prefix: str = ""
    endpoint_url: str = ""
    region: str = ""
    addressing_style: str = ""  # "" = [storage] addressing_style
    datacenters: Path | None = None  # CIDR rules file: requests from these are not listeners
    allow: Path | None = None  # CIDR allow-list: busy shared IPs (campus, office) always count
    volume_limit: int = 40  # more distinct episodes from one IP in one UTC day = implausible
    unknown_agent_min: int = 10  # list unknown user agents with at least this many requests
    agents_url: str = AGENTS_URL
    geo_url: str = GEO_URL

    @property
    def store(self) -> Path:
        return self.root / ".podman" / "stats"


def _inside(root: Path, value: str, where: str) -> Path | None:
    if not value:
        return None
    path = (root / value).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ConfigError(f"{where}: {value!r} is outside the workspace")
    return path


def load_stats_config(ws: WorkspaceConfig) -> StatsConfig:
    path = ws.root / WORKSPACE_FILE
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh).get("stats", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    where = f"{path} [stats]"
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table")
    defaults = StatsConfig(root=ws.root)
    values: dict[str, Any] = {}
    for key in ("window", "bucket", "prefix", "endpoint_url", "region", "addressing_style",
                "agents_url", "geo_url",
                "datacenters", "allow", "publish", "volume_limit", "unknown_agent_min"):
        if key not in data:
            continue
        value = data[key]
        expected = type(getattr(defaults, key)) if key not in ("datacenters", "allow") else str
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: `{key}` must be a {expected.__name__}")
        values[key] = value
    unknown = sorted(set(data) - set(values) - {"datacenters", "allow"})
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}`")
    if values.get("window", "calendar") not in WINDOWS:
        raise ConfigError(f"{where}: window must be \"calendar\" or \"rolling\"")
    for key in ("agents_url", "geo_url"):
        if key in values and not values[key].startswith(("http://", "https://")):
            raise ConfigError(f"{where}: `{key}` must be an http(s) URL")
    for key in ("datacenters", "allow"):
        if key in values:
            values[key] = _inside(ws.root, values[key], where)
    if values.get("addressing_style", "") not in ("", "auto", "path", "virtual"):
        raise ConfigError(f"{where}: addressing_style must be auto, path or virtual")
    if values.get("volume_limit", 1) < 1:
        raise ConfigError(f"{where}: volume_limit must be at least 1")
    values["prefix"] = values.get("prefix", "").strip("/")
    return StatsConfig(root=ws.root, **values)
