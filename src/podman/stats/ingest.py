"""`podman stats ingest` / `pull`: read log objects once each into the store, hashing IPs."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
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


def ingest_sources(cfg: StatsConfig, sources: Iterable[Source], fmt: str = "auto",
                   workers: int | None = None) -> IngestResult:
    """Ingest each source not yet ingested with the same identity; state saved after each.

    Several logs are read in parallel, one process per core: each log is its own Parquet files,
    so they never touch each other's rows; only this process writes the state."""
    if fmt != "auto" and fmt not in FORMATS:
        raise BadInput(f"--format {fmt!r}: one of auto, {', '.join(FORMATS)}")
    store = Store(cfg.store)
    result = IngestResult()
    with workspace_lock(cfg.root):
        store.ensure()
        store.clean()
        resolver = make_resolver(cfg)  # also makes the key once, before any worker reads it
        state = store.state()
        todo = []
        for name, identity, fetch in sources:
            known = state.get(name)
            if known is not None and known.identity == identity:
                result.skipped += 1
            else:
                todo.append((name, identity, fetch))
        workers = min(workers or os.cpu_count() or 1, len(todo), MAX_WORKERS)
        tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=store.folder))
        try:
            if workers > 1:
                try:
                    _parallel(cfg, store, state, result, todo, fmt, workers, tmp)
                except BrokenProcessPool:  # no worker could start (e.g. `python -` has no
                    pass  # importable main module): read what is left in this process
            read = {r.name for r in result.read}
            for i, (name, identity, fetch) in enumerate(todo):
                if name not in read:
                    done = ingest_file(store, fetch(_slot(tmp, i)), fmt, resolver, name, identity)
                    _record(store, state, result, done)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


MAX_WORKERS = 8
_WORKER: dict[str, object] = {}


def _slot(tmp: Path, i: int) -> Path:
    folder = tmp / str(i)
    folder.mkdir(exist_ok=True)
    return folder


def _record(store: Store, state: dict[str, Ingested], result: IngestResult,
            done: Ingested) -> None:
    state[done.name] = done
    store.save_state(state)
    result.read.append(done)


def _parallel(cfg: StatsConfig, store: Store, state: dict[str, Ingested], result: IngestResult,
              todo: list[Source], fmt: str, workers: int, tmp: Path) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from multiprocessing import get_context

    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=_init_worker, initargs=(cfg,)) as pool:
        pending = set()
        for i, (name, identity, fetch) in enumerate(todo):
            local = fetch(_slot(tmp, i))  # downloads stay in this process, one at a time
            pending.add(pool.submit(_ingest_worker, str(local), fmt, name, identity))
            if len(pending) >= 2 * workers:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    _record(store, state, result, future.result())
        for future in pending:
            _record(store, state, result, future.result())


def _init_worker(cfg: StatsConfig) -> None:
    _WORKER["store"] = Store(cfg.store)
    _WORKER["resolver"] = make_resolver(cfg)


def _ingest_worker(path: str, fmt: str, name: str, identity: str) -> Ingested:
    return ingest_file(_WORKER["store"], Path(path), fmt, _WORKER["resolver"],  # type: ignore[arg-type]
                       name, identity)


def ingest_paths(cfg: StatsConfig, paths: Iterable[Path], fmt: str = "auto") -> IngestResult:
    """Ingest every log file named or under folders named; an unchanged file is skipped."""
    files = list(log_files(paths))
    for path in files:
        if not path.is_file():
            raise BadInput(f"{path}: no such file or folder")
    sources = [(str(p.resolve()), file_identity(p), lambda _tmp, p=p: p) for p in files]
    return ingest_sources(cfg, sources, fmt)
