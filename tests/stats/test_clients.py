"""Client IPs: keyed hash made once per workspace, IPv6 /64, countries and data-centre rules."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import maxminddb
import pytest

from podman.core.errors import BadInput
from podman.stats.clients import ClientResolver, canonical_ip, load_networks, workspace_key
from tests.fixtures.cli import run
from tests.fixtures.logs import (
    DAY,
    LONG_SIZE,
    UA,
    Req,
    ingest,
    make_mmdb,
    stats_json,
    write_catalog,
    write_log,
)


def test_ipv6_cut_to_64_and_ipv4_as_is() -> None:
    assert canonical_ip("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert canonical_ip("[2001:db8:1:2::ffff]") == "2001:db8:1:2::/64"
    assert canonical_ip("::ffff:192.0.2.1") == "192.0.2.1"
    assert canonical_ip("192.0.2.1") == "192.0.2.1"
    assert canonical_ip("not-an-ip") == "not-an-ip"


def test_key_is_made_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "stats" / "key"
    first = workspace_key(path)
    assert len(first) == 32 and workspace_key(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    path.write_text("short\n")
    with pytest.raises(BadInput, match="64-hex-digit"):
        workspace_key(path)


def test_hash_depends_on_the_key_and_the_64(tmp_path: Path) -> None:
    a = ClientResolver(b"a" * 32)
    b = ClientResolver(b"b" * 32)
    assert a.resolve("2001:db8::1")[0] == a.resolve("2001:db8::2")[0]
    assert a.resolve("2001:db8::1")[0] != a.resolve("2001:db8:0:1::1")[0]
    assert a.resolve("192.0.2.1")[0] != b.resolve("192.0.2.1")[0]
    assert "192.0.2.1" not in a.resolve("192.0.2.1")[0]


def test_datacenter_rules_and_allow_list(tmp_path: Path) -> None:
    rules = tmp_path / "dc.txt"
    rules.write_text("# hosting\n203.0.113.0/24\n2001:db8:dc::/48 # v6 range\n198.51.100.7\n")
    allow = tmp_path / "allow.txt"
    allow.write_text("203.0.113.128/25\n")
    r = ClientResolver(b"k" * 32, None, load_networks(rules), load_networks(allow))
    assert r.resolve("203.0.113.5")[2:] == (True, False)
    assert r.resolve("203.0.113.200")[2:] == (False, True)  # allow-listed wins
    assert r.resolve("2001:db8:dc:5::1")[2] is True
    assert r.resolve("198.51.100.7")[2] is True and r.resolve("198.51.100.8")[2] is False
    rules.write_text("10.0.0.0/33\n")
    with pytest.raises(BadInput, match="line 1"):
        load_networks(rules)


@pytest.mark.parametrize("layout", ["maxmind", "ip-location-db"])
def test_country_from_a_tiny_mmdb(tmp_path: Path, layout: str) -> None:
    path = make_mmdb(tmp_path / "c.mmdb", {"192.0.2.0/24": "DE", "2001:db8::/32": "NZ"}, layout)
    with maxminddb.open_database(str(path)) as db:
        r = ClientResolver(b"k" * 32, db)
        assert r.resolve("192.0.2.77")[1] == "DE"
        assert r.resolve("2001:db8:5::1")[1] == "NZ"
        assert r.resolve("198.51.100.1")[1] == ""


def test_countries_resolved_before_hashing_and_raw_ips_never_stored(
        workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    make_mmdb(workspace / ".podman" / "stats" / "geo" / "country.mmdb",
              {"192.0.2.0/24": "DE", "2001:db8::/32": "NZ"})
    reqs = [Req(DAY, "192.0.2.10", UA["overcast"], cat.long.audio.key, sent=LONG_SIZE),
            Req(DAY, "192.0.2.11", UA["overcast"], cat.long.audio.key, sent=LONG_SIZE),
            Req(DAY, "2001:db8:7::1", UA["overcast"], cat.long.audio.key, sent=LONG_SIZE),
            Req(DAY, "198.51.100.1", UA["overcast"], cat.long.audio.key, sent=LONG_SIZE)]
    ingest(workspace, write_log(tmp_path / "a.log", reqs, "podman"))
    report = stats_json(workspace)
    assert report["countries"] == {"DE": 2, "NZ": 1, "unknown": 1}
    assert "offline database" in " ".join(report["methodology"])
    store = workspace / ".podman" / "stats"
    for path in store.rglob("*"):
        if path.is_file() and path.suffix != ".mmdb":
            data = path.read_bytes()
            for raw in ("192.0.2.10", "2001:db8:7", "198.51.100.1"):
                assert raw.encode() not in data, (path, raw)
    import duckdb

    rows = duckdb.sql(f"SELECT client FROM read_parquet('{store}/requests/*/*.parquet')").fetchall()
    assert len({c for (c,) in rows}) == 4
    for (client,) in rows:
        with pytest.raises(ValueError):
            ipaddress.ip_address(client)


def test_store_is_git_ignored(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    ingest(workspace, write_log(tmp_path / "a.log",
                                [Req(DAY, "192.0.2.1", "x", cat.long.audio.key)], "podman"))
    assert (workspace / ".podman" / ".gitignore").read_text() == "*\n"
    assert "/.podman/" in (workspace / ".gitignore").read_text()


def test_bad_rules_file_is_one_line_exit_2(workspace: Path, tmp_path: Path) -> None:
    (workspace / "dc.txt").write_text("nonsense\n")
    with (workspace / "podman.toml").open("a") as fh:
        fh.write('\n[stats]\ndatacenters = "dc.txt"\n')
    result = run("stats", "ingest", "-C", workspace, write_log(tmp_path / "a.log", [], "podman"))
    assert result.exit_code == 2
    assert "dc.txt: line 1: 'nonsense' is not an IP network" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_path_outside_workspace_refused(workspace: Path) -> None:
    with (workspace / "podman.toml").open("a") as fh:
        fh.write('\n[stats]\ndatacenters = "../../etc/hosts"\n')
    result = run("stats", "-C", workspace)
    assert result.exit_code == 2 and "outside the workspace" in result.stderr


def test_unknown_stats_key_refused(workspace: Path) -> None:
    with (workspace / "podman.toml").open("a") as fh:
        fh.write('\n[stats]\nwindw = "rolling"\n')
    result = run("stats", "-C", workspace, "--json")
    assert result.exit_code == 2 and "unknown key `windw`" in result.stderr
