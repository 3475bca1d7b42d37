"""render.view: what reaches the outputs; a URL the reader would refuse is never emitted."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from podman.core.config import load_show, load_workspace
from podman.core.models import Article, Chapter
from podman.render.feed import FeedInputs, render_feed
from podman.render.site import articles_index, render_site
from podman.render.view import prepare_episode
from tests.fixtures.cli import SHOW, make_episode
from tests.fixtures.urls import bad_urls, output_urls

HOSTILE = ("javascript:alert(1)", "JaVaScRiPt:alert(2)", "data:text/html,<x>", "vbscript:x",
           "https://u:secret@e.com/a", "https://e.com/a b")


def test_urls_the_reader_refuses_are_dropped_by_the_renderer(workspace: Path) -> None:
    """The catalog reader refuses these; an Episode made in code (an importer, a plugin, a
    future reader bug) still cannot put them into a feed, a page or the chapters JSON."""
    ws = load_workspace(workspace)
    show = load_show(workspace / "feeds" / SHOW)
    show = replace(show, link="javascript:alert(3)")
    ep = make_episode(
        guid="6f1d3c52-2b1c-4e0c-9a0e-3f6a1c0b7d21",
        articles=tuple(Article(url, f"Story {i}") for i, url in enumerate(HOSTILE)),
        chapters=tuple(Chapter(float(i), f"Story {i}" if i % 2 else f"Ch {i}",
                               url=None if i % 2 else url, image=url)
                       for i, url in enumerate(HOSTILE)),
        image="javascript:alert(4)",
        notes="[a](javascript:alert(5)) [b](mailto:desk@example.com) <a href='data:x'>c</a>")
    view = prepare_episode(ws, ep, None)
    outputs = {"feed.xml": render_feed(FeedInputs(ws, show, [view]))}
    outputs.update(render_site(ws, show, [view], "", None))
    outputs.update(dict(view.files))
    outputs["articles.json"] = articles_index(ws, [view])
    assert bad_urls(outputs) == []
    assert sum(len(output_urls(name, data)) for name, data in outputs.items()) > 10
    for name, data in outputs.items():
        assert b"secret" not in data, name
    chapters = json.loads(dict(view.files)[view.chapters_path])
    assert [c.get("url") for c in chapters["chapters"]] == [None] * len(HOSTILE)
