"""`podman demo`: a built workspace with two generated episodes of the published lengths."""

from __future__ import annotations

import io
import json
from pathlib import Path

import podcastparser

from tests.fixtures.cli import run, tree


def test_demo_feed_has_two_episodes_with_exact_durations(demo_ws: Path) -> None:
    data = (demo_ws / "public" / "demo" / "feed.xml").read_bytes()
    parsed = podcastparser.parse("http://127.0.0.1:8000/demo/feed.xml", io.BytesIO(data))
    assert [e["total_time"] for e in parsed["episodes"]] == [1688, 1481]
    assert b"<itunes:duration>1688</itunes:duration>" in data
    assert b"<itunes:duration>1481</itunes:duration>" in data
    for ep in parsed["episodes"]:
        assert ep["link"].startswith("https://news.example.com/")
        assert ep["link"] in ep["description_html"]


def test_demo_list_json(demo_ws: Path) -> None:
    result = run("list", "-C", demo_ws, "--json")
    assert result.exit_code == 0, result.stderr
    episodes = json.loads(result.stdout)
    assert [e["duration_text"] for e in episodes] == ["28:08", "24:41"]
    assert all(len(e["articles"]) == 1 for e in episodes)
    assert [e["guid"] for e in episodes] == ["6f1d3c52-2b1c-4e0c-9a0e-3f6a1c0b7d21",
                                            "a8e2f7d4-5c3b-4a19-8e6d-2b9c0f4e1a37"]


def test_demo_is_built_and_fresh(demo_ws: Path) -> None:
    assert (demo_ws / "public" / "index.html").is_file()
    assert run("build", "-C", demo_ws, "--check").exit_code == 0


def test_demo_refuses_an_existing_workspace(demo_ws: Path) -> None:
    before = tree(demo_ws)
    result = run("demo", demo_ws)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert tree(demo_ws) == before
