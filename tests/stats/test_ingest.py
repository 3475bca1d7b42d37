"""Ingest: folders, gz, each log object once, late logs counted, bad input reported."""

from __future__ import annotations

import gzip
import os
from datetime import timedelta
from pathlib import Path

from tests.fixtures.cli import run
from tests.fixtures.logs import (
    BACK,
    DAY,
    LONG_SIZE,
    TRUTH,
    UA,
    Req,
    ingest,
    scenario,
    stats_json,
    write_catalog,
    write_log,
)


def test_folder_of_logs_gz_and_plain_read_once(catalog_ws, tmp_path: Path) -> None:
    workspace, cat = catalog_ws
    reqs = scenario(cat)
    logs = tmp_path / "logs"
    half = len(reqs) // 2
    write_log(logs / "a.log", reqs[:half], "combined")
    plain = write_log(tmp_path / "b.log", reqs[half:], "combined")
    (logs / "b.log.gz").write_bytes(gzip.compress(plain.read_bytes()))
    first = ingest(workspace, logs)
    assert "2 logs read, 0 already ingested" in first.stdout
    again = ingest(workspace, logs)
    assert "0 logs read, 2 already ingested" in again.stdout
    assert stats_json(workspace)["downloads"] == sum(TRUTH.values()) + BACK


def test_a_late_log_changes_the_earlier_days(workspace: Path, tmp_path: Path) -> None:
    """CDN logs arrive up to a day late: a new object for yesterday is counted in its day."""
    cat = write_catalog(workspace)
    r = Req(DAY + timedelta(hours=20), "192.0.2.1", UA["overcast"], cat.long.audio.key,
            sent=200_000)
    ingest(workspace, write_log(tmp_path / "today.log", [r], "podman"))
    assert stats_json(workspace)["downloads"] == 0
    late = Req(DAY + timedelta(hours=21), r.ip, r.ua, r.key, sent=300_000)
    ingest(workspace, write_log(tmp_path / "late.log", [late], "podman"))
    report = stats_json(workspace)
    assert report["downloads"] == 1 and report["daily"] == [{"day": "2025-03-15",
                                                             "downloads": 1}]


def test_a_changed_log_replaces_its_rows(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    path = write_log(tmp_path / "a.log", [Req(DAY, "192.0.2.1", UA["overcast"],
                                              cat.long.audio.key, sent=LONG_SIZE)], "podman")
    ingest(workspace, path)
    write_log(path, [Req(DAY, f"192.0.2.{i}", UA["overcast"], cat.long.audio.key,
                         sent=LONG_SIZE) for i in range(3)], "podman")
    os.utime(path, ns=(1, 1))
    assert "1 logs read" in ingest(workspace, path).stdout
    assert stats_json(workspace)["downloads"] == 3  # not 4: the old rows were replaced


def test_bad_input_is_reported_never_fatal(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    good = [Req(DAY, "192.0.2.1", UA["overcast"], cat.long.audio.key, sent=LONG_SIZE)]
    logs = tmp_path / "logs"
    text = write_log(tmp_path / "x.log", good * 500, "s3").read_bytes()
    data = gzip.compress(text)
    (logs).mkdir()
    (logs / "truncated.gz").write_bytes(data[: len(data) // 2])
    write_log(logs / "mixed.log", good, "combined")
    with (logs / "mixed.log").open("a") as fh:
        fh.write("this is not a log line\n")
    write_log(logs / "other.log", [Req(DAY, "192.0.2.2", UA["overcast"],
                                       "otherpodcast/episode.mp3", sent=LONG_SIZE)], "podman")
    (logs / "empty.log").write_text("")
    result = run("stats", "ingest", "-C", workspace, logs)
    assert result.exit_code == 0, result.stderr
    assert "truncated.gz: compressed data ends early" in result.stderr
    assert "mixed.log: 1 bad lines (line 2: not a combined log line)" in result.stderr
    report = stats_json(workspace)
    assert report["ingest"]["bad_lines"] == 1 and report["ingest"]["truncated_logs"] == 1
    assert {p["log"].rsplit("/", 1)[-1] for p in report["ingest"]["problems"]} == {
        "truncated.gz", "mixed.log"}
    assert report["unmatched_objects"] == [{"path": "/media/otherpodcast/episode.mp3",
                                            "requests": 1}]
    assert report["downloads"] == 1  # one IP+UA+day, however many lines
    text_report = run("stats", "-C", workspace)
    assert "warning: 1 bad log lines, 1 truncated logs" in text_report.stderr
    assert "not in the catalog: /media/otherpodcast/episode.mp3" in text_report.stderr


def test_missing_path_is_bad_input(workspace: Path, tmp_path: Path) -> None:
    result = run("stats", "ingest", "-C", workspace, tmp_path / "nope.log")
    assert result.exit_code == 2 and "nope.log: no such file or folder" in result.stderr


def test_forced_format_counts_other_lines_as_bad(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    path = write_log(tmp_path / "a.log", [Req(DAY, "192.0.2.1", UA["overcast"],
                                              cat.long.audio.key, sent=LONG_SIZE)], "combined")
    result = run("stats", "ingest", "-C", workspace, "--format", "s3", path)
    assert result.exit_code == 0 and "1 bad lines" in result.stderr


def test_empty_store_reports_zero(workspace: Path) -> None:
    write_catalog(workspace)
    report = stats_json(workspace)
    assert report["downloads"] == 0 and report["funnel"]["requests"] == 0
    assert all(e["downloads"] == 0 for e in report["episodes"])


def test_killed_ingest_leftovers_are_cleaned(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    leftover = workspace / ".podman" / "stats" / "tmp-dead"
    leftover.mkdir(parents=True)
    (leftover / "rows.tsv").write_text("half")
    ingest(workspace, write_log(tmp_path / "a.log", [Req(DAY, "192.0.2.1", UA["overcast"],
                                                         cat.long.audio.key)], "podman"))
    assert not leftover.exists()


def test_workspace_path_with_a_quote(tmp_path: Path) -> None:
    from tests.fixtures.cli import INIT_ARGS

    root = tmp_path / "it's mine"
    assert run("init", root, *INIT_ARGS).exit_code == 0
    cat = write_catalog(root)
    ingest(root, write_log(tmp_path / "a.log", [Req(DAY, "192.0.2.1", UA["overcast"],
                                                    cat.long.audio.key, sent=LONG_SIZE)],
                           "podman"))
    assert stats_json(root)["downloads"] == 1


def test_ingest_from_a_script_without_a_main_file(catalog_ws, tmp_path: Path) -> None:
    """`python -` has no main module workers could import: the logs are read in-process."""
    import subprocess
    import sys

    workspace, cat = catalog_ws
    reqs = scenario(cat)
    write_log(tmp_path / "logs" / "a.log", reqs[:50], "podman")
    write_log(tmp_path / "logs" / "b.log", reqs[50:], "podman")
    script = ("from pathlib import Path\n"
              "from podman.core.config import load_workspace\n"
              "from podman.stats.config import load_stats_config\n"
              "from podman.stats.ingest import ingest_paths\n"
              f"ws = load_workspace(Path({str(workspace)!r}))\n"
              f"r = ingest_paths(load_stats_config(ws), [Path({str(tmp_path / 'logs')!r})])\n"
              "print(len(r.read), sum(i.requests for i in r.read))\n")
    out = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", str(len(reqs))]
    assert stats_json(workspace)["downloads"] == sum(TRUTH.values()) + BACK
