"""The feed fast path (items printed by Python) gives the bytes of feed.xml.j2, always."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import podman
from podman.core.config import load_show, load_workspace
from podman.core.models import Article, Chapter
from podman.render.feed import FeedInputs, overridden, render_feed
from podman.render.view import prepare_episode
from tests.fixtures.cli import SHOW, make_episode
from tests.fixtures.feed import NOW, make_full_workspace, run

PACKAGED = Path(podman.__file__).parent / "templates" / "feed.xml.j2"


def template_dir(tmp: Path) -> Path:
    """A workspace templates/ whose feed.xml.j2 is the packaged one: forces the slow path."""
    folder = tmp / "override"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(PACKAGED, folder / "feed.xml.j2")
    assert overridden(folder)
    return folder


def public_feeds(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root / "public").as_posix(): p.read_bytes()
            for p in sorted((root / "public").rglob("*.xml"))}


@pytest.mark.parametrize("feed_limit", [0, 2])
def test_full_workspace_same_bytes_both_ways(tmp_path: Path, monkeypatch,
                                             feed_limit: int) -> None:
    for name in ("PODMAN_BASE_URL", "PODMAN_PUBLIC_URL", "PODMAN_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    root = make_full_workspace(tmp_path / "ws")
    if feed_limit:
        with (root / "podman.toml").open("a") as fh:
            fh.write(f"\n[build]\nfeed_limit = {feed_limit}\n")
    assert run("-C", str(root), "build", "--now", NOW).exit_code == 0
    fast = public_feeds(root)
    assert b"<podcast:soundbite" in fast["full/feed.xml"]  # the optional item tags are there
    assert b"<podcast:alternateEnclosure" in fast["full/feed.xml"]
    shutil.rmtree(root / "public")
    (root / "templates").mkdir(exist_ok=True)
    shutil.copyfile(PACKAGED, root / "templates" / "feed.xml.j2")
    assert run("-C", str(root), "build", "--now", NOW).exit_code == 0
    assert public_feeds(root) == fast


NASTY = st.sampled_from(["&", "<", ">", '"', "'", "]]>", "🎉", "שלום", "\u202e", "\x00", "\x1b",
                         "\x7f", "&amp;", "<![CDATA[", "\t", "\r\n", "é", "\ufeff", "{{ x }}"])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=6)), max_size=6).map("".join)
OPTIONAL_INT = st.one_of(st.none(), st.integers(min_value=0, max_value=10**6))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, notes=TEXT, link_title=TEXT, chapter=TEXT, person=TEXT, role=TEXT,
       bite=TEXT, season=OPTIONAL_INT, number=OPTIONAL_INT,
       explicit=st.sampled_from([None, True, False]), long_notes=st.booleans(),
       image=st.sampled_from([None, "cover.jpg", "https://x.example/a?b=1&c=\"2\""]),
       plain=st.booleans(), no_articles=st.booleans())
def test_generated_episodes_same_bytes_both_ways(
        workspace: Path, tmp_path_factory, title: str, notes: str, link_title: str,
        chapter: str, person: str, role: str, bite: str, season: int | None,
        number: int | None, explicit: bool | None, long_notes: bool, image: str | None,
        plain: bool, no_articles: bool) -> None:
    ep = make_episode(
        guid="6f1d3c52-2b1c-4e0c-9a0e-3f6a1c0b7d21", title=title,
        notes=notes * (400 if long_notes else 1), duration=600.0,
        articles=(Article("https://news.example.com/a?x=1&y=<2>", link_title),),
        chapters=(Chapter(0.0, chapter), Chapter(61.5, link_title, image="https://i/&.png")),
        season=season, episode=number, explicit=explicit, image=image,
        extra={"persons": [{"name": person if person.strip() else "n", "role": role, "href": "https://p/?a&b"}],
               "soundbites": [{"start": 1, "duration": 2.5, "title": bite}],
               "alternates": [{"key": "alt/&.opus", "type": "audio/opus", "bytes": 9,
                               "bitrate": 64000 if number else "", "codec": role}]})
    if plain:  # no optional tags: the episode takes the printer's shortest path
        ep = replace(ep, chapters=(), extra={}, image=None)
    if no_articles:
        ep = replace(ep, articles=())
    ws = load_workspace(workspace)
    show = load_show(workspace / "feeds" / SHOW)
    view = prepare_episode(ws, ep, None)
    older = prepare_episode(ws, make_episode(guid="a8e2f7d4-5c3b-4a19-8e6d-2b9c0f4e1a37",
                                             slug="2025-03-13-older", title=chapter,
                                             published=datetime(2025, 3, 13, tzinfo=UTC)), None)
    inputs = FeedInputs(ws, show, [view, older], image_url="https://img/&.jpg")
    slow = render_feed(inputs, template_dir(tmp_path_factory.getbasetemp()))
    assert render_feed(inputs) == slow
    assert render_feed(inputs, workspace / "templates") == slow  # no feed.xml.j2 there
