"""Tests for render.feedtags and build.archive_pages: pure values behind the optional tags."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from podman.core.config import ShowConfig, WorkspaceConfig
from podman.core.errors import CatalogError, ConfigError
from podman.core.models import Article, AudioRef, Chapter, Episode
from podman.render.feedtags import (
    channel_tags,
    item_image,
    linked_chapters,
    soundbites,
    transcript_paths,
    validate_show_categories,
)
from podman.workflows.build import archive_pages

SHOW = ShowConfig(slug="s", title="S", description="d", language="en", author="A",
                  email="a@example.com", podcast_guid="g")


def episode(n: int = 0, **kw) -> Episode:
    base = Episode(show="s", slug=f"e{n}", guid=f"g{n}", title=f"E{n}",
                   published=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n),
                   status="published", duration=100.0,
                   audio=AudioRef(key=f"s/e{n}.mp3", bytes=1, type="audio/mpeg", sha256="x"))
    return replace(base, **kw)


def test_channel_tags_defaults_render_nothing() -> None:
    tags = channel_tags(SHOW)
    assert tags["locked_owner"] == "a@example.com"
    assert (tags["funding"], tags["persons"], tags["txt"], tags["trailers"]) == ([], [], [], [])
    assert not tags["block"] and not tags["hub"] and not tags["location"]["name"]


@pytest.mark.parametrize(("raw", "message"), [
    ({"block": "yes"}, "`block` must be true or false"),
    ({"funding": [{"text": "x"}]}, "every [[funding]] needs a `url`"),
    ({"persons": [{"role": "host"}]}, "every [[persons]] needs a `name`"),
    ({"persons": [{"name": "A", "rol": "host"}]}, "unknown key(s) rol"),
    ({"trailers": [{"title": "t", "url": "u"}]}, "[[trailers]] needs"),
    ({"medium": "radio"}, "medium 'radio'"),
])
def test_bad_show_keys_name_show_toml(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        channel_tags(replace(SHOW, raw=raw))
    assert info.value.message.startswith("feeds/s/show.toml: ")
    assert message in info.value.message


def test_license_and_location_as_plain_strings() -> None:
    tags = channel_tags(replace(SHOW, raw={"license": "cc0", "location": "Paris"}))
    assert tags["license"]["name"] == "cc0" and tags["location"]["name"] == "Paris"


def test_category_validation_suggests() -> None:
    with pytest.raises(ConfigError, match='did you mean "Technology"'):
        validate_show_categories(replace(SHOW, categories=(("Technolgy",),)))
    validate_show_categories(replace(SHOW, categories=(("News", "Daily News"),)))


def test_item_image_url_or_storage_key() -> None:
    ws = WorkspaceConfig(root=Path("/w"))
    assert item_image(ws, "https://x/a.jpg") == "https://x/a.jpg"
    assert item_image(ws, "s/a.jpg") == "http://127.0.0.1:8000/media/s/a.jpg"
    assert item_image(ws, None) == ""


def test_soundbites_must_fit_the_audio() -> None:
    ok = episode(extra={"soundbites": [{"start": 10, "duration": 20.5, "title": "t"}]})
    assert soundbites(ok, "f") == [{"start": "10", "duration": "20.5", "title": "t"}]
    with pytest.raises(CatalogError, match="outside the audio"):
        soundbites(episode(extra={"soundbites": [{"start": 90, "duration": 20}]}), "f")


def test_chapter_titled_like_an_article_links_to_it() -> None:
    ep = episode(chapters=(Chapter(0, "Intro"), Chapter(5, "budget")),
                 articles=(Article("https://n/b", "Budget"),))
    assert [c.url for c in linked_chapters(ep)] == [None, "https://n/b"]


def test_srt_is_also_published_as_vtt() -> None:
    assert [p for p, _ in transcript_paths("s", "e", "srt")] == ["s/transcripts/e.vtt",
                                                                 "s/transcripts/e.srt"]


@pytest.mark.parametrize(("total", "limit", "current", "pages"), [
    (5, 0, 5, []), (5, 3, 5, []), (6, 3, 3, [3]), (7, 3, 4, [3]), (10, 3, 4, [3, 3]),
])
def test_archive_pages_are_full_pages_from_the_oldest(total: int, limit: int, current: int,
                                                      pages: list[int]) -> None:
    due = [episode(n) for n in reversed(range(total))]  # newest first
    feed, archived = archive_pages(due, limit)
    assert (len(feed), [len(p) for p in archived]) == (current, pages)
    if archived:
        assert archived[0][-1].guid == "g0"  # page 1 holds the oldest, newest first within
        assert feed[-1].published > archived[-1][0].published
