"""Runs the package's SQL files on DuckDB over the Parquet store; returns plain rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from podman.core.errors import PodmanError
from podman.stats.agents import Agent
from podman.stats.episodes import EpisodeFacts
from podman.stats.store import COLUMNS, Store, sql_string

MEMORY_LIMIT = "1GB"
PIPELINE = ("classify.sql", "{window}", "downloads.sql")
REPORTS = ("episodes", "daily", "agents", "countries", "listeners", "funnel", "unknown_agents",
           "unmatched")


def sql_files() -> list[str]:
    folder = resources.files("podman.stats") / "sql"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))


def read_sql(name: str) -> str:
    return (resources.files("podman.stats") / "sql" / name).read_text("utf-8")


def statements(sql: str) -> list[str]:
    """A file's statements: `;` at a line end closes one (no `;` inside strings here)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().rstrip(";").strip()]


@dataclass(frozen=True)
class Settings:
    window: str
    volume_limit: int
    unknown_agent_min: int
    since: datetime
    until: datetime


def _naive(dt: datetime) -> datetime:
    return dt.replace(tzinfo=None)


ClassifyUA = Callable[[str], Agent]
MapPaths = Callable[[list[str]], dict[str, str]]


def run(store: Store, facts: list[EpisodeFacts], classify_ua: ClassifyUA, map_paths: MapPaths,
        settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Classify, window and count; `classify_ua(ua) -> Agent`, `map_paths(paths) -> {p: guid}`
    are called once per distinct user agent and path."""
    import duckdb

    try:
        return _run(duckdb.connect(), store, facts, classify_ua, map_paths, settings)
    except duckdb.Error as exc:  # a damaged Parquet file, a full disk
        first = str(exc).splitlines()[0]
        raise PodmanError(f"{store.requests}: cannot count: {first}",
                          f"delete {store.folder} and ingest the logs again") from None


def _run(con: Any, store: Store, facts: list[EpisodeFacts], classify_ua: ClassifyUA,
         map_paths: MapPaths, settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    # bounded memory: a large store spills to disk inside the store (cleaned like any tmp-*),
    # never into the working directory
    con.execute(f"SET temp_directory = {sql_string(store.folder / 'tmp-duckdb')}")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    if store.has_data():
        con.execute(f"CREATE VIEW requests AS SELECT * EXCLUDE (day) FROM "
                    f"read_parquet({sql_string(store.parquet_glob())}, hive_partitioning = true, "
                    f"union_by_name = true)")
    else:
        con.execute(f"CREATE TABLE requests ({COLUMNS})")
    con.execute("CREATE TABLE episodes (guid VARCHAR, published TIMESTAMP, threshold BIGINT)")
    if facts:
        con.executemany("INSERT INTO episodes VALUES (?, ?, ?)",
                        [(f.guid, _naive(f.published), f.threshold) for f in facts])
    paths = [row[0] for row in con.execute("SELECT DISTINCT path FROM requests").fetchall()]
    con.execute("CREATE TABLE paths (path VARCHAR, guid VARCHAR, wanted BOOLEAN)")
    wanted = {f.guid for f in facts}
    mapped = [(p, g, g in wanted) for p, g in map_paths(paths).items()]
    if mapped:  # a path of an episode outside the report (another show) is left out
        con.executemany("INSERT INTO paths VALUES (?, ?, ?)", mapped)
    uas = [row[0] for row in con.execute("SELECT DISTINCT ua FROM requests").fetchall()]
    con.execute("CREATE TABLE agents (ua VARCHAR, app VARCHAR, device VARCHAR, "
                "platform VARCHAR, reason VARCHAR)")
    rows = []
    for ua in uas:
        agent = classify_ua(ua or "")
        rows.append((ua, agent.app, agent.device, agent.platform, agent.reason))
    if rows:
        con.executemany("INSERT INTO agents VALUES (?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE settings (volume_limit INTEGER, unknown_agent_min INTEGER, "
                "since TIMESTAMP, until TIMESTAMP)")
    con.execute("INSERT INTO settings VALUES (?, ?, ?, ?)",
                (settings.volume_limit, settings.unknown_agent_min, _naive(settings.since),
                 _naive(settings.until)))
    for name in PIPELINE:
        name = name.format(window=f"windows_{settings.window}.sql")
        for statement in statements(read_sql(name)):
            con.execute(statement)
    out = {name: con.execute(statements(read_sql(f"report_{name}.sql"))[0]).fetchall()
           for name in REPORTS}
    con.close()
    return out
