"""Reports: text, HTML (static, phone-readable), publish into public/, methodology, geo update."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.fixtures.cli import SHOW, run
from tests.fixtures.http import QuietHandler, serving
from tests.fixtures.logs import (
    BACK,
    DAY,
    LONG_SIZE,
    TRUTH,
    UA,
    Req,
    ingest,
    make_mmdb,
    scenario,
    stats_json,
    write_catalog,
    write_log,
)


@pytest.fixture
def counted(catalog_ws, tmp_path: Path) -> Path:
    workspace, cat = catalog_ws
    ingest(workspace, write_log(tmp_path / "a.log", scenario(cat), "podman"))
    return workspace


def test_text_report(counted: Path) -> None:
    result = run("stats", "-C", counted)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"downloads: {sum(TRUTH.values()) + BACK}"
    assert any(re.match(r"\s+7\s+3\s+7\s+7\s+daily/2025-03-14-long$", line) for line in lines)
    assert "apps: AntennaPod 45, Apple Podcasts 2," in result.stdout
    assert "bot 2" in result.stdout and "datacenter 45" in result.stdout


def test_json_contract(counted: Path) -> None:
    report = stats_json(counted)
    assert {"downloads", "episodes", "apps", "funnel", "devices", "platforms", "countries",
            "daily", "listeners_by_month", "methodology", "show_median_by_age"} <= set(report)
    for e in report["episodes"]:
        assert {"guid", "slug", "title", "downloads", "by_age"} <= set(e)
        assert set(e["by_age"]) == {"1", "3", "7", "30", "90"}
    # listeners: unique IP+UA with a download in the month (IAB 6.2)
    assert report["listeners_by_month"] == [{"month": "2025-03", "listeners": 8}]
    # the back catalogue's downloads came a year after publication: 0 at day 30, 1 all time
    assert report["show_median_by_age"]["30"] == 0
    long = next(e for e in report["episodes"] if e["guid"] == "guid-long")
    assert long["by_age"]["1"] == 3 and long["show_median_at_age"]["1"] == 0
    short = next(e for e in report["episodes"] if e["guid"] == "guid-short")
    assert short["by_age"]["1"] == 1  # 08:00; the 17:00 download is exactly one day later


def test_html_is_static_and_fits_a_phone(counted: Path, tmp_path: Path) -> None:
    page = tmp_path / "out" / "stats.html"
    page.parent.mkdir()
    result = run("stats", "-C", counted, "--html", page)
    assert result.exit_code == 0, result.stderr
    html = page.read_text()
    assert '<meta name="viewport" content="width=device-width,initial-scale=1">' in html
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert not re.search(r"""(src|href)=["']?https?:""", html)  # no third-party requests
    assert html.count("<svg") == 1 and "<title>2025-03-15: 52</title>" in html
    assert "IAB Tech Lab Podcast Technical Measurement Guidelines v2.3" in html
    assert f"<span class=\"big\">{sum(TRUTH.values()) + BACK}</span>" in html


def test_html_escapes_titles(workspace: Path, tmp_path: Path) -> None:
    from tests.fixtures.cli import make_episode, write_episode

    write_episode(workspace, make_episode(guid="g-x", title="<script>alert(1)</script> & co"))
    page = tmp_path / "s.html"
    assert run("stats", "-C", workspace, "--html", page).exit_code == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page.read_text()
    assert "<script>" not in page.read_text()


def test_publish_writes_public_show_stats(counted: Path) -> None:
    with (counted / "podman.toml").open("a") as fh:
        fh.write("publish = true\n")
    result = run("stats", "-C", counted, "--json")
    assert result.exit_code == 0, result.stderr
    page = counted / "public" / SHOW / "stats.html"
    assert page.is_file() and f"wrote {page}" in result.stderr
    assert "Downloads – daily" in page.read_text()


def test_methodology_command(counted: Path) -> None:
    result = run("stats", "methodology", "-C", counted)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "IAB Tech Lab Podcast Technical Measurement Guidelines v2.3" in text
    assert "per UTC calendar day" in text and "crawler-user-agents 1." in text
    assert "stats/datacenters.txt" in text and "stats/allow.txt" in text
    assert "more than 40 episodes" in text
    assert "no country database installed" in text


class GeoHandler(QuietHandler):
    body = b""

    def do_GET(self) -> None:  # noqa: N802
        self.send_body(200, self.body, "application/octet-stream")


def test_geo_update_from_a_loopback_server(workspace: Path, tmp_path: Path) -> None:
    db = make_mmdb(tmp_path / "c.mmdb", {"192.0.2.0/24": "FR"}, "ip-location-db")
    GeoHandler.body = gzip.compress(db.read_bytes())
    with serving(GeoHandler) as base:
        result = run("stats", "geo", "update", "-C", workspace, "--url", f"{base}/c.mmdb.gz")
    assert result.exit_code == 0, result.stderr
    cat = write_catalog(workspace)
    ingest(workspace, write_log(tmp_path / "a.log", [
        Req(DAY, "192.0.2.5", UA["overcast"], cat.long.audio.key, sent=LONG_SIZE)], "podman"))
    assert stats_json(workspace)["countries"] == {"FR": 1}
    GeoHandler.body = b"not a database"
    with serving(GeoHandler) as base:
        result = run("stats", "geo", "update", "-C", workspace, "--url", base)
    assert result.exit_code == 1 and "not a MaxMind database" in result.stderr
    # the working database stays
    assert (workspace / ".podman/stats/geo/country.mmdb").read_bytes() == db.read_bytes()


def test_geo_update_refuses_non_http(workspace: Path) -> None:
    result = run("stats", "geo", "update", "-C", workspace, "--url", "file:///etc/passwd")
    assert result.exit_code == 2 and "only http(s) URLs" in result.stderr


def test_bad_dates_and_shows(counted: Path) -> None:
    result = run("stats", "-C", counted, "--since", "yesterday")
    assert result.exit_code == 2 and "--since 'yesterday'" in result.stderr
    result = run("stats", "-C", counted, "--show", "nope")
    assert result.exit_code == 2 and "no such show" in result.stderr
