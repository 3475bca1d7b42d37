"""User agents: our app table, bots by reason, Apple Watch, OPAWG list fetched from a server."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from podman.stats.agents import OpawgList, classify, malformed
from tests.fixtures.cli import run
from tests.fixtures.http import QuietHandler, serving
from tests.fixtures.logs import (
    DAY,
    LONG_SIZE,
    UA,
    Req,
    ingest,
    stats_json,
    write_catalog,
    write_log,
)


@pytest.mark.parametrize("ua,app,device,platform", [
    (UA["apple"], "Apple Podcasts", "phone", "iOS"),
    (UA["podcasts"], "Apple Podcasts", "computer", "macOS"),
    ("AppleCoreMedia/1.0.0.21A329 (iPad; U; CPU OS 17_0 like Mac OS X; de_de)",
     "Apple Podcasts", "tablet", "iOS"),
    (UA["spotify"], "Spotify", "phone", "Android"),
    (UA["spotify_ios"], "Spotify", "phone", "iOS"),
    (UA["overcast"], "Overcast", "phone", "iOS"),
    (UA["pocketcasts"], "Pocket Casts", "phone", "iOS"),
    (UA["castbox"], "Castbox", "phone", "Android"),
    (UA["addict"], "Podcast Addict", "phone", "Android"),
    (UA["antennapod"], "AntennaPod", "phone", "Android"),
    (UA["gpodder"], "gPodder", "computer", "Linux"),
    ("com.google.android.youtube/19.0 (Linux; U; Android 14)", "YouTube", "phone", "Android"),
    ("AlexaMediaPlayer/2.1.4676.0 (Linux;Android 5.1.1) ExoPlayerLib/1.5.9", "Amazon Alexa",
     "smart speaker", "Alexa"),
    ("Sonos/63.2-88230 (ZPS23)", "Sonos", "smart speaker", "Sonos"),
    ("Google-Home", "Google Home", "smart speaker", "Google"),
    (UA["chrome"], "Chrome", "computer", "Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.0 Safari/605.1.15", "Safari", "computer", "macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", "Firefox",
     "computer", "Linux"),
])
def test_app_table(ua: str, app: str, device: str, platform: str) -> None:
    agent = classify(ua)
    assert (agent.app, agent.device, agent.platform, agent.reason) == (app, device, platform, "")


@pytest.mark.parametrize("ua,reason", [
    ("", "bad_ua"), ("-", "bad_ua"), ("\x00\x01", "bad_ua"), ("1234/5.6", "bad_ua"),
    ("x" * 2000, "bad_ua"),
    (UA["watch"], "apple_watch"),
    ("AppleCoreMedia/1.0.0.19R570 (null)/(null) watchOS/8.7", "apple_watch"),
    (UA["googlebot"], "bot"), (UA["curl"], "bot"), ("python-requests/2.31", "bot"),
    ("Overcast/1.0 Podcast Sync (+http://overcast.fm/)", "bot"),  # Overcast's feed crawler
    ("PocketCasts/1.0 (Pocket Casts Feed Parser; +http://pocketcasts.com/)", "bot"),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bot"),
])
def test_non_listeners_by_reason(ua: str, reason: str) -> None:
    assert classify(ua).reason == reason


def test_malformed() -> None:
    assert malformed("") and malformed("  ") and not malformed("Overcast/3.0")


OPAWG = {
    "bots": {"entries": [{"pattern": "^MyHostingPinger/", "name": "Pinger"}]},
    "apps": {"entries": [{"pattern": "^Fountain/", "name": "Fountain", "os": "Android"},
                         {"pattern": "^Podverse/", "name": "Podverse"}]},
    "libraries": {"entries": [{"pattern": "^Lavf/", "name": "ffmpeg"}]},
    "browsers": {"entries": [{"pattern": "Chrome/", "name": "Google Chrome"}]},
}


class OpawgHandler(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802
        name = self.path.rsplit("/", 1)[-1].removesuffix(".json")
        if name in OPAWG:
            self.send_body(200, json.dumps(OPAWG[name]).encode(), "application/json")
        else:
            self.send_body(404, b"no")


def test_agents_update_from_a_loopback_server(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    reqs = [Req(DAY, f"192.0.2.{i}", ua, cat.long.audio.key, sent=LONG_SIZE)
            for i, ua in enumerate(["Fountain/1.0 (Android 14)", "MyHostingPinger/2",
                                    "Podverse/4.1", UA["overcast"]])]
    ingest(workspace, write_log(tmp_path / "a.log", reqs, "podman"))
    before = stats_json(workspace)
    assert before["apps"] == {"Unknown": 3, "Overcast": 1}
    with serving(OpawgHandler) as base:
        result = run("stats", "agents", "update", "-C", workspace, "--url", f"{base}/src/")
    assert result.exit_code == 0, result.stderr
    assert "5 patterns" in result.stdout
    after = stats_json(workspace)
    # the OPAWG list names two apps and removes the pinger as a bot
    assert after["apps"] == {"Fountain": 1, "Overcast": 1, "Podverse": 1}
    assert after["funnel"]["removed"]["bot"] == 1
    assert "OPAWG user-agents v2 (fetched " in " ".join(after["methodology"])


def test_agents_update_failure_keeps_the_old_list(workspace: Path) -> None:
    class Broken(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.endswith("apps.json"):
                self.send_body(200, b"[1, 2]", "application/json")
            else:
                self.send_body(200, json.dumps(OPAWG["bots"]).encode(), "application/json")

    folder = workspace / ".podman" / "stats" / "agents"
    with serving(Broken) as base:
        result = run("stats", "agents", "update", "-C", workspace, "--url", base)
    assert result.exit_code == 1
    assert "apps.json: not an OPAWG pattern file" in result.stderr
    assert not folder.exists()
    with serving(BaseHTTPRequestHandler) as base:  # answers 501 to everything
        result = run("stats", "agents", "update", "-C", workspace, "--url", base)
    assert result.exit_code == 1 and "HTTP 501" in result.stderr


def test_opawg_list_reads_in_order(tmp_path: Path) -> None:
    for kind, data in OPAWG.items():
        (tmp_path / f"{kind}.json").write_text(json.dumps(data))
    found = OpawgList(tmp_path).match("Lavf/58 Chrome/1")
    assert found is not None and found[0] == "libraries"


def test_unknown_agents_above_a_volume_are_listed(workspace: Path, tmp_path: Path) -> None:
    cat = write_catalog(workspace)
    mystery = "MysteryPlayer/0.9 (Haiku)"
    reqs = [Req(DAY, f"192.0.2.{i}", mystery, cat.long.audio.key, sent=LONG_SIZE)
            for i in range(12)]
    reqs += [Req(DAY, "192.0.2.99", "RarePlayer/1.0", cat.long.audio.key, sent=LONG_SIZE)]
    ingest(workspace, write_log(tmp_path / "a.log", reqs, "podman"))
    report = stats_json(workspace)
    assert report["unknown_agents"] == [{"ua": mystery, "requests": 12}]
    assert report["apps"] == {"Unknown": 13}
