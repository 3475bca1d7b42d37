"""Client IPs -> keyed hash, country, data-centre flags: resolved at ingest, never stored."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

from podman.core.errors import BadInput
from podman.core.fsio import atomic_write

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
CACHE_LIMIT = 200_000


def workspace_key(path: Path) -> bytes:
    """The workspace's hashing key: made once (random, 32 bytes), kept in a git-ignored file."""
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        text = secrets.token_hex(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text + "\n")
        os.chmod(path, 0o600)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BadInput(f"{path}: not a 64-hex-digit key", "delete it to make a new one "
                       "(counts already stored then no longer join with new ones)")
    return key


def canonical_ip(raw: str) -> str:
    """IPv4 as is; IPv6 cut to its /64 network (IAB 5.5.4); IPv4-mapped IPv6 as IPv4."""
    try:
        addr = ipaddress.ip_address(raw.strip().strip("[]"))
    except ValueError:
        return raw.strip()
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.IPv6Network((addr, 64), strict=False))
    return str(addr)


def load_networks(path: Path | None) -> list[Network]:
    """A rules file: one CIDR (or single address) a line, `#` comments."""
    if path is None:
        return []
    nets: list[Network] = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as exc:
        raise BadInput(f"{path}: cannot read: {exc.strerror or exc}") from None
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            nets.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise BadInput(f"{path}: line {number}: {text!r} is not an IP network") from None
    return nets


class ClientResolver:
    """Raw IP -> (client hash, country, data-centre, allow-listed), cached per address."""

    def __init__(self, key: bytes, geo: Any = None, datacenters: list[Network] | None = None,
                 allow: list[Network] | None = None) -> None:
        self.key = key
        self.geo = geo
        self.datacenters = datacenters or []
        self.allow = allow or []
        self.cache: dict[str, tuple[str, str, bool, bool]] = {}

    def resolve(self, raw: str) -> tuple[str, str, bool, bool]:
        hit = self.cache.get(raw)
        if hit is None:
            if len(self.cache) >= CACHE_LIMIT:  # bounded memory for logs with many clients
                self.cache.clear()
            hit = self.cache[raw] = self._resolve(raw)
        return hit

    def _resolve(self, raw: str) -> tuple[str, str, bool, bool]:
        try:
            addr = ipaddress.ip_address(raw.strip().strip("[]"))
        except ValueError:  # kept (hashed as written) and counted like any client
            addr = None
        if isinstance(addr, ipaddress.IPv6Address):
            canon = canonical_ip(raw)
            addr = addr.ipv4_mapped or addr
        else:
            canon = raw.strip()
        digest = hmac.new(self.key, canon.encode(), hashlib.sha256).hexdigest()[:32]
        if addr is None:
            return digest, "", False, False
        country = self.country(addr) if self.geo is not None else ""
        allowed = bool(self.allow) and any(addr in net for net in self.allow)
        dc = not allowed and bool(self.datacenters) and any(
            addr in net for net in self.datacenters)
        return digest, country, dc, allowed

    def country(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
        if self.geo is None:
            return ""
        try:
            rec = self.geo.get(str(addr))
        except ValueError:
            return ""
        if not isinstance(rec, dict):
            return ""
        country = rec.get("country")
        if isinstance(country, dict):  # MaxMind / DB-IP layout
            return str(country.get("iso_code") or "")
        return str(rec.get("country_code") or "")  # ip-location-db layout
