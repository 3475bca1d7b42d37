"""`podman stats ingest` / `pull`: read log objects once each into the store, hashing IPs."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from podman.core.errors import BadInput
from podman.core.fsio import workspace_lock
from podman.stats.clients import ClientResolver, load_networks, workspace_key
from podman.stats.config import StatsConfig
from podman.stats.readers import FORMATS
from podman.stats.store import Ingested, Store, file_identity, ingest_file, log_files

# (name, identity, fetch): fetch(tmp folder) -> the local file to read
Source = tuple[str, str, Callable[[Path], Path]]


@dataclass
class IngestResult:
    read: list[Ingested] = field(default_factory=list)
    skipped: int = 0  # log objects already ingested, unchanged


def geo_path(cfg: StatsConfig) -> Path:
    return cfg.store / "geo" / "country.mmdb"


def open_geo(cfg: StatsConfig):
    path = geo_path(cfg)
    if not path.is_file():
        return None
    import maxminddb

    try:
        return maxminddb.open_database(str(path))
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        raise BadInput(f"{path}: not a MaxMind database ({exc})",
                       "run `podman stats geo update` again") from None


def make_resolver(cfg: StatsConfig) -> ClientResolver:
    return ClientResolver(workspace_key(cfg.store / "key"), open_geo(cfg),
                          load_networks(cfg.datacenters), load_networks(cfg.allow))


def ingest_sources(cfg: StatsConfig, sources: Iterable[Source], fmt: str = "auto") -> IngestResult:
    """Ingest each source not yet ingested with the same identity; state saved after each."""
    if fmt != "auto" and fmt not in FORMATS:
        raise BadInput(f"--format {fmt!r}: one of auto, {', '.join(FORMATS)}")
    store = Store(cfg.store)
    result = IngestResult()
    with workspace_lock(cfg.root):
        store.ensure()
        store.clean()
        resolver = make_resolver(cfg)
        state = store.state()
        for name, identity, fetch in sources:
            known = state.get(name)
            if known is not None and known.identity == identity:
                result.skipped += 1
                continue
            tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=store.folder))
            try:
                done = ingest_file(store, fetch(tmp), fmt, resolver, name, identity)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            state[name] = done
            store.save_state(state)
            result.read.append(done)
    return result


def ingest_paths(cfg: StatsConfig, paths: Iterable[Path], fmt: str = "auto") -> IngestResult:
    """Ingest every log file named or under folders named; an unchanged file is skipped."""
    files = list(log_files(paths))
    for path in files:
        if not path.is_file():
            raise BadInput(f"{path}: no such file or folder")
    sources = [(str(p.resolve()), file_identity(p), lambda _tmp, p=p: p) for p in files]
    return ingest_sources(cfg, sources, fmt)
