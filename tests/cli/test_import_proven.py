"""The done-criterion of issue 10 end to end: the quirk feed imported from its loopback host with
downloads, failures reported (exit 1) and retried, then built, checked, and proven with
`podman check --against` the old feed's URL; the proof is recorded and the feed locks."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from podman.audio.probe import probe_file
from podman.catalog.episodes import load_show_episodes
from tests.fixtures.cli import run
from tests.fixtures.old_host import GUID_HTML, GUID_MISSING, OldHost

NOW = "2030-01-01T00:00:00Z"


def guids_of(xml: bytes) -> list[str]:
    """Item GUIDs exactly as the XML carries them (lxml, no convenience parser)."""
    return [g.text or "" for g in etree.fromstring(xml.lstrip()).iter("guid")]


def locked_of(xml: bytes) -> str:
    root = etree.fromstring(xml)
    [el] = root.iter("{https://podcastindex.org/namespace/1.0}locked")
    return el.text or ""


def test_quirk_feed_imported_with_downloads_passes_check_and_against(
        workspace: Path, old_host: OldHost) -> None:
    source = old_host.url("/old-feed")  # 301 to /feed.xml
    first = run("-C", workspace, "import", source, "--show", "old")
    assert first.exit_code == 1, first.output
    assert f"{old_host.url('/missing.mp3')}: HTTP 404" in first.stderr
    assert (f"{old_host.url('/page.mp3')}: an HTML page (text/html) where audio should be"
            in first.stderr)
    folder = workspace / "feeds" / "old"
    assert {e.guid for e in load_show_episodes(folder)}.isdisjoint({GUID_MISSING, GUID_HTML})

    old_host.fixed = True
    old_host.requests.clear()
    second = run("-C", workspace, "import", source, "--show", "old")
    assert second.exit_code == 0, second.output
    assert {p for p, _ in old_host.requests if p.endswith(".mp3")} == {"/missing.mp3",
                                                                       "/page.mp3"}

    # durations are what the probe measures in the served audio, never the feed's claims
    by_url = {ep.extra["import"]["enclosure_url"]: ep for ep in load_show_episodes(folder)}
    assert len(by_url) == 9
    for url, ep in by_url.items():
        name = {"/missing.mp3": "g", "/page.mp3": "h"}.get(url[len(old_host.base):],
                                                           Path(url).stem)
        assert ep.duration == probe_file(old_host.files[name]).duration, url

    assert run("-C", workspace, "build", "--now", NOW).exit_code == 0
    feed = workspace / "public" / "old" / "feed.xml"
    assert locked_of(feed.read_bytes()) == "no"  # not proven yet
    check = run("-C", workspace, "check", "--show", "old")
    assert check.exit_code == 0, check.output
    assert " error" not in check.output

    # every old GUID verbatim, in the old order (the repeated one once, the text post not at
    # all); the GUID-less item is known by its old enclosure URL
    expected = list(dict.fromkeys(guids_of(old_host.feed())))
    expected.remove("text-post")
    expected.insert(1, old_host.url("/redirect.mp3/") + old_host.base[7:] + "/r1/b.mp3")
    assert guids_of(feed.read_bytes()) == expected

    day_before = datetime.now(UTC).date()
    proof = run("-C", workspace, "check", "--show", "old", "--against", source)
    assert proof.exit_code == 0, proof.output
    assert " error" not in proof.output
    # what the old feed itself gets wrong is said, once each, as warnings
    assert proof.output.count("[against-old-duplicate] item ep-4 & <friends>:") == 1
    assert "[against-no-enclosure] item text-post:" in proof.output
    assert "leaves 2 id(s) entity-escaped" in proof.output
    assert "[import] verified" in proof.output
    show = tomllib.loads((folder / "show.toml").read_text())
    assert show["import"]["verified_against"] == source
    assert show["import"]["verified"] in {day_before, datetime.now(UTC).date()}
    assert show["locked"] is True
    assert run("-C", workspace, "build", "--now", NOW).exit_code == 0
    assert locked_of(feed.read_bytes()) == "yes"
