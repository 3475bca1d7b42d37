"""`podman publish` tells the show's WebSub hub and the Podcast Index about a changed feed,
never when nothing changed; failures are warnings. Receivers are loopback servers."""

from __future__ import annotations

import threading
import urllib.parse
from pathlib import Path

import pytest

from podman.workflows.notify import changed_feeds
from tests.fixtures.cli import SHOW, make_episode, run, write_episode
from tests.fixtures.http import QuietHandler, serving

NOW = "2025-06-01T12:00:00Z"
FEED = "http://127.0.0.1:8000/daily/feed.xml"


class Receiver(QuietHandler):
    """Records every request; /hub and /pubnotify answer as configured per test."""

    seen: list[tuple[str, str, str]] = []
    status = {"/hub": 204, "/pubnotify": 200}
    stall = threading.Event()

    def _answer(self, body: str) -> None:
        path = urllib.parse.urlsplit(self.path).path
        self.seen.append((self.command, self.path, body))
        if path == "/slow":
            self.stall.wait(5)
        code = self.status.get(path, 200)
        self.send_body(code, b'{"status": "true"}' if code == 200 else b"", "application/json")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answer("")

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(self.rfile.read(length).decode())


@pytest.fixture
def receiver() -> str:
    Receiver.seen = []
    Receiver.status = {"/hub": 204, "/pubnotify": 200}
    Receiver.stall = threading.Event()
    with serving(Receiver) as base:
        yield base
    Receiver.stall.set()


def configure(root: Path, base: str, *, hub: str = "/hub", extra: str = "") -> None:
    toml = root / "podman.toml"
    toml.write_text(toml.read_text().replace(
        "[publish]\n", f'[publish]\ntarget = "site"\npodcastindex_url = "{base}/pubnotify"\n'
        f"notify_timeout = 1.0\n{extra}"))
    show = root / "feeds" / SHOW / "show.toml"
    show.write_text(show.read_text() + f'websub_hub = "{base}{hub}"\n')
    write_episode(root, make_episode(guid="1b4e28ba-2fa1-4d3b-a3f5-ef19f1ba7c52"))
    assert run("-C", root, "build", "--now", NOW).exit_code == 0


def publish(root: Path):
    result = run("-C", root, "publish")
    assert result.exit_code == 0, result.output
    return result


def test_a_changed_feed_notifies_hub_and_index_once(workspace: Path, receiver: str) -> None:
    configure(workspace, receiver)
    result = publish(workspace)
    assert Receiver.seen == [
        ("POST", "/hub", urllib.parse.urlencode({"hub.mode": "publish", "hub.url": FEED})),
        ("GET", "/pubnotify?" + urllib.parse.urlencode({"url": FEED}), ""),
    ]
    assert f"notified websub of {FEED}" in result.stderr
    assert f"notified podcastindex of {FEED}" in result.stderr
    publish(workspace)  # nothing changed: nobody is told anything
    assert len(Receiver.seen) == 2
    # a new episode changes the feed: both are told again
    write_episode(workspace, make_episode(slug="2025-03-15-second", title="Second",
                                          guid="9f0c6d1e-5a7b-4c3d-8e9f-0a1b2c3d4e5f"))
    assert run("-C", workspace, "build", "--now", NOW).exit_code == 0
    publish(workspace)
    assert len(Receiver.seen) == 4


def test_failures_are_warnings_and_time_is_bounded(workspace: Path, receiver: str) -> None:
    Receiver.status = {"/hub": 500, "/pubnotify": 200}
    configure(workspace, receiver, hub="/slow")
    result = publish(workspace)  # /slow stalls past notify_timeout
    assert f"warning: websub not notified of {FEED}" in result.stderr
    assert "no answer" in result.stderr
    assert f"notified podcastindex of {FEED}" in result.stderr


def test_an_error_status_is_a_warning(workspace: Path, receiver: str) -> None:
    Receiver.status = {"/hub": 500, "/pubnotify": 401}
    configure(workspace, receiver)
    result = publish(workspace)
    assert "warning: websub not notified" in result.stderr and "answered 500" in result.stderr
    assert "warning: podcastindex not notified" in result.stderr
    assert "answered 401" in result.stderr


def test_each_service_can_be_switched_off(workspace: Path, receiver: str) -> None:
    configure(workspace, receiver, extra="websub = false\npodcastindex = false\n")
    result = publish(workspace)
    assert Receiver.seen == [] and "notified" not in result.stderr


def test_a_feed_on_this_machine_is_not_sent_to_a_remote_index(workspace: Path,
                                                               receiver: str) -> None:
    configure(workspace, receiver, extra="websub = false\n")
    toml = workspace / "podman.toml"
    toml.write_text(toml.read_text().replace(
        f"{receiver}/pubnotify", "https://api.podcastindex.org/api/1.0/hub/pubnotify"))
    result = publish(workspace)
    assert "not notified podcastindex" in result.stderr and "skipped" in result.stderr
    assert Receiver.seen == []


def test_bad_notify_settings_are_bad_input(workspace: Path) -> None:
    toml = workspace / "podman.toml"
    toml.write_text(toml.read_text().replace("[publish]\n",
                                             '[publish]\npodcastindex_url = "ftp://x"\n'))
    result = run("-C", workspace, "publish")
    assert result.exit_code == 2 and "podcastindex_url must be an http(s) URL" in result.stderr


def test_only_main_feeds_count_as_changed() -> None:
    keys = ["daily/feed.xml", "daily/archive/1.xml", "weekly/index.html", "weekly/feed.xml",
            "daily/feed-full.xml"]
    assert changed_feeds(keys) == ["daily", "weekly"]
