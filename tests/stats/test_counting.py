"""The IAB counting rules, each with a known truth, through `podman stats --json`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.fixtures.logs import (
    BACK,
    DAY,
    LONG_SIZE,
    TRUTH,
    TRUTH_APPS,
    TRUTH_REMOVED,
    UA,
    Req,
    ingest,
    scenario,
    stats_json,
    write_log,
)


def per_episode(report: dict) -> dict[str, int]:
    return {e["guid"]: e["downloads"] for e in report["episodes"]}


@pytest.mark.parametrize("fmt", ["podman", "s3", "cloudfront", "combined"])
def test_scenario_counts_exactly_in_every_format(catalog_ws, tmp_path: Path, fmt: str) -> None:
    root, cat = catalog_ws
    reqs = scenario(cat)
    ingest(root, write_log(tmp_path / f"access.{fmt}.log", reqs, fmt))
    report = stats_json(root)
    counts = per_episode(report)
    assert counts["guid-long"] == TRUTH["guid-long"]
    assert counts["guid-short"] == TRUTH["guid-short"]
    assert all(counts[ep.guid] == 1 for ep in cat.back)  # the campus, on the allow-list
    assert report["downloads"] == sum(TRUTH.values()) + BACK
    assert report["apps"] == dict(sorted(TRUTH_APPS.items(), key=lambda kv: (-kv[1], kv[0])))
    funnel = report["funnel"]
    assert funnel["requests"] == len(reqs)
    assert funnel["removed"] == TRUTH_REMOVED
    assert funnel["not_get_2xx"]["head"] == 1 and funnel["not_get_2xx"]["not_modified"] == 1
    assert funnel["probes_0_1"] == 2
    assert funnel["unknown_objects"] == 1
    assert funnel["downloads"] == report["downloads"]
    assert report["unmatched_objects"] == [{"path": "/media/daily/old-trailer.mp3"
                                            if fmt in ("podman", "combined") else
                                            "/daily/old-trailer.mp3" if fmt == "cloudfront"
                                            else "daily/old-trailer.mp3", "requests": 1}]
    long = next(e for e in report["episodes"] if e["guid"] == "guid-long")
    assert long["by_age"]["1"] == 3  # published 03-14 17:00: 08:00, 10:00, 16:00 on 03-15
    assert long["by_age"]["7"] == 7 and long["threshold_bytes"] == 480_000
    assert [d["downloads"] for d in report["daily"]] == [5 + 2 + BACK, 2]


def test_rolling_window_counts_the_iab_example(catalog_ws, tmp_path: Path) -> None:
    """IAB v2.3 section 5.5.1's table: Mon 22:00, Tue 03:00, Tue 22:15, Wed 23:15."""
    root, cat = catalog_ws
    mon = DAY + timedelta(days=2)  # 2025-03-17 is a Monday
    base = Req(mon, "198.51.100.20", UA["overcast"], cat.long.audio.key, sent=LONG_SIZE)
    times = [timedelta(hours=22), timedelta(hours=27), timedelta(hours=46, minutes=15),
             timedelta(hours=71, minutes=15)]
    write_log(tmp_path / "a.log", [Req(mon + t, base.ip, base.ua, base.key, sent=LONG_SIZE)
                                   for t in times], "podman")
    ingest(root, tmp_path / "a.log")
    calendar = stats_json(root)
    assert [d["downloads"] for d in calendar["daily"]] == [1, 1, 1]
    assert [d["day"] for d in calendar["daily"]] == ["2025-03-17", "2025-03-18", "2025-03-19"]
    with (root / "podman.toml").open("a") as fh:
        fh.write('window = "rolling"\n')
    rolling = stats_json(root)
    assert rolling["downloads"] == 3
    # the rolling windows open at Mon 22:00, Tue 22:15 and Wed 23:15
    assert [d["day"] for d in rolling["daily"]] == ["2025-03-17", "2025-03-18", "2025-03-19"]
    assert "rolling 24 hours" in " ".join(rolling["methodology"])


def test_rolling_window_merges_next_morning(catalog_ws, tmp_path: Path) -> None:
    root, cat = catalog_ws
    write_log(tmp_path / "a.log", scenario(cat), "podman")
    ingest(root, tmp_path / "a.log")
    assert per_episode(stats_json(root))["guid-long"] == 7
    with (root / "podman.toml").open("a") as fh:
        fh.write('window = "rolling"\n')
    # the whole-file listener at 20:00 and 10:00 next day: one download within 24 hours
    assert per_episode(stats_json(root))["guid-long"] == 6


def test_since_until_and_show_filter(catalog_ws, tmp_path: Path) -> None:
    root, cat = catalog_ws
    write_log(tmp_path / "a.log", scenario(cat), "podman")
    ingest(root, tmp_path / "a.log")
    second_day = stats_json(root, "--since", "2025-03-16")
    assert second_day["downloads"] == 2  # the resumed stream and the second whole file
    first_day = stats_json(root, "--until", "2025-03-16")
    assert first_day["downloads"] == 5 + 2 + BACK
    assert stats_json(root, "--show", "daily")["downloads"] == 9 + BACK


def test_volume_limit_is_configurable(catalog_ws, tmp_path: Path) -> None:
    root, cat = catalog_ws
    write_log(tmp_path / "a.log", scenario(cat), "podman")
    ingest(root, tmp_path / "a.log")
    with (root / "podman.toml").open("a") as fh:
        fh.write(f"volume_limit = {BACK}\n")
    report = stats_json(root)
    assert report["funnel"]["removed"]["volume"] == 0
    assert report["downloads"] == sum(TRUTH.values()) + 2 * BACK
