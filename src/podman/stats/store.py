"""The stats store: normalised requests as Parquet by UTC day, and the list of ingested logs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from podman.core.fsio import atomic_write
from podman.stats.clients import ClientResolver
from podman.stats.readers import Hit, ReadReport, read_hits

COLUMNS = ("ts TIMESTAMP, client VARCHAR, country VARCHAR, dc BOOLEAN, allow BOOLEAN, "
           "method VARCHAR, status INTEGER, path VARCHAR, bytes BIGINT, range_start BIGINT, "
           "range_end BIGINT, ua VARCHAR, referer VARCHAR")
NULL = "\\N"
_COLUMN_TYPES = {name: kind for name, kind in
                 (c.strip().split(" ") for c in COLUMNS.split(","))}


@dataclass
class Ingested:
    """One log object as the store remembers it."""

    name: str  # absolute path or s3://bucket/key
    identity: str  # size and mtime, or the ETag: a changed object is read again
    format: str
    lines: int
    requests: int
    bad: int
    first_bad: str = ""
    truncated: str = ""


def sql_string(value: object) -> str:
    """A SQL string literal (paths with quotes in them stay one literal)."""
    return "'" + str(value).replace("'", "''") + "'"


def source_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:16]


class Store:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests = folder / "requests"
        self.state_path = folder / "ingested.json"

    def ensure(self) -> None:
        self.requests.mkdir(parents=True, exist_ok=True)
        ignore = self.folder.parent / ".gitignore"
        if not ignore.exists():  # .podman/ never goes into git, whatever the workspace ignores
            atomic_write(ignore, "*\n")

    def state(self) -> dict[str, Ingested]:
        try:
            data = json.loads(self.state_path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return {k: Ingested(**v) for k, v in data.items()}

    def save_state(self, state: dict[str, Ingested]) -> None:
        text = json.dumps({k: asdict(v) for k, v in sorted(state.items())}, indent=1)
        atomic_write(self.state_path, text + "\n")

    def parquet_glob(self) -> str:
        return str(self.requests / "*" / "*.parquet")

    def has_data(self) -> bool:
        return any(self.requests.glob("*/*.parquet"))

    def clean(self) -> None:
        """Remove what a killed ingest left: temporary folders."""
        for tmp in self.folder.glob("tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)

    def write(self, name: str, hits: Iterable[Hit], resolver: ClientResolver) -> int:
        """Replace the rows of log object `name` with `hits`; return how many were stored."""
        import duckdb

        sid = source_id(name)
        self.ensure()
        tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=self.folder))
        try:
            tsv = tmp / "rows.tsv"
            count = _write_tsv(tsv, hits, resolver)
            out = tmp / "out"
            if count:
                con = duckdb.connect()
                cols = ", ".join(f"'{k}': '{v}'" for k, v in _COLUMN_TYPES.items())
                con.execute(
                    f"COPY (SELECT *, CAST(ts AS DATE) AS day FROM read_csv({sql_string(tsv)}, "
                    f"delim='\t', quote='', escape='', header=false, nullstr='\\N', "
                    f"columns={{{cols}}})) TO {sql_string(out)} (FORMAT parquet, "
                    f"PARTITION_BY (day), FILENAME_PATTERN '{sid}_{{i}}')")
                con.close()
            for old in self.requests.glob(f"*/{sid}_*.parquet"):
                old.unlink()
            if count:
                for part in out.iterdir():
                    target = self.requests / part.name
                    target.mkdir(exist_ok=True)
                    for file in part.iterdir():
                        os.replace(file, target / file.name)
            return count
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _clean(text: str) -> str:
    if "\t" in text or "\n" in text or "\r" in text or "\\" in text:
        return text.replace("\\", "/").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return text


def _write_tsv(path: Path, hits: Iterable[Hit], resolver: ClientResolver) -> int:
    count = 0
    resolve = resolver.resolve
    last_ts, stamp = None, ""
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        write = fh.write
        for h in hits:
            client, country, dc, allow = resolve(h.ip)
            if h.ts != last_ts:
                last_ts, stamp = h.ts, h.ts.strftime("%Y-%m-%d %H:%M:%S.%f")
            write(f"{stamp}\t{client}\t{country}\t"
                  f"{'true' if dc else 'false'}\t{'true' if allow else 'false'}\t"
                  f"{_clean(h.method)}\t{h.status}\t{_clean(h.path)}\t{h.bytes}\t"
                  f"{NULL if h.range_start is None else h.range_start}\t"
                  f"{NULL if h.range_end is None else h.range_end}\t{_clean(h.ua)}\t"
                  f"{_clean(h.referer)}\n")
            count += 1
    return count


def log_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and every file under folders named (sorted), skipping hidden ones."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and not p.name.startswith("."))
        else:
            yield path


def file_identity(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def ingest_file(store: Store, path: Path, fmt: str, resolver: ClientResolver,
                name: str | None = None, identity: str | None = None) -> Ingested:
    report = ReadReport()
    stored = store.write(name or str(path), read_hits(path, fmt, report), resolver)
    return Ingested(name=name or str(path), identity=identity or file_identity(path),
                    format=report.format or fmt, lines=report.lines, requests=stored,
                    bad=report.bad, first_bad=report.first_bad, truncated=report.truncated)
