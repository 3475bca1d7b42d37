"""The SQL files: every statement transpiles to Trino and Spark; DuckDB runs the originals."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from podman.stats.engine import read_sql, sql_files, statements
from tests.fixtures.logs import ingest, scenario, stats_json, write_catalog, write_log

FILES = sql_files()


def test_the_package_ships_the_sql() -> None:
    assert {"classify.sql", "windows_calendar.sql", "windows_rolling.sql",
            "downloads.sql"} <= set(FILES)
    assert all(statements(read_sql(name)) for name in FILES)


@pytest.mark.parametrize("dialect", ["trino", "spark"])
@pytest.mark.parametrize("name", FILES)
def test_transpiles(name: str, dialect: str) -> None:
    for statement in statements(read_sql(name)):
        [out] = sqlglot.transpile(statement, read="duckdb", write=dialect,
                                  unsupported_level=ErrorLevel.RAISE)
        assert out.strip()
        # and the result parses back in the target dialect
        assert sqlglot.parse_one(out, read=dialect) is not None


@pytest.mark.parametrize("name", FILES)
def test_duckdb_parses_the_originals(name: str) -> None:
    con = duckdb.connect()
    for statement in statements(read_sql(name)):
        con.extract_statements(statement)  # raises on a syntax error


def test_store_layout_is_hive_partitioned_by_utc_day(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    ingest(workspace, write_log(tmp_path / "a.log", scenario(cat), "podman"))
    days = sorted(p.name for p in (workspace / ".podman/stats/requests").iterdir())
    assert days == ["day=2025-03-15", "day=2025-03-16"]
    con = duckdb.connect()
    cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{workspace}/.podman/stats/requests"
                       "/*/*.parquet', hive_partitioning = true)").fetchall()
    assert [c[0] for c in cols] == ["ts", "client", "country", "dc", "allow", "method", "status",
                                    "path", "bytes", "range_start", "range_end", "ua",
                                    "referer", "day"]
    assert stats_json(workspace)["downloads"] > 0


def test_damaged_store_is_one_line_exit_1(workspace: Path, tmp_path: Path) -> None:
    from tests.fixtures.cli import run

    cat = write_catalog(workspace)
    ingest(workspace, write_log(tmp_path / "a.log", scenario(cat), "podman"))
    [part] = list((workspace / ".podman/stats/requests/day=2025-03-16").iterdir())
    part.write_bytes(b"PAR1 not really parquet")
    result = run("stats", "-C", workspace)
    assert result.exit_code == 1
    assert "cannot count" in result.stderr and "ingest the logs again" in result.stderr
    assert "internal error" not in result.stderr
