"""Episodes for stats: paths to enclosure keys (tracking prefixes, queries) and thresholds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.stats.episodes import EpisodeFacts, id3_size, map_paths, normalise_path, threshold

KEY = "daily/2025-03-14-first-0a1b2c3d4e.mp3"
FACTS = [EpisodeFacts("daily", "2025-03-14-first", "g1", "First", datetime(2025, 3, 14,
                                                                           tzinfo=UTC),
                      KEY, 4_800_000, 600.0, 0, 480_000)]


@pytest.mark.parametrize("path", [
    KEY, "/" + KEY, f"/media/{KEY}", f"/media/{KEY}?utm_source=rss&_=1",
    f"/dts.podtrac.com/redirect.mp3/media.example.com/{KEY}",
    f"/chtbl.com/track/ABC123/media.example.com/media/{KEY}",
    f"/op3.dev/e/pdst.fm/e/https://media.example.com/{KEY}",
    f"/prfx.byspotify.com/e/media.example.com/{KEY}#t=10",
    f"/media/{KEY}".replace("-first-", "-first%2D"),
])
def test_paths_map_to_the_episode(path: str) -> None:
    assert map_paths([path], FACTS) == {path: "g1"}


@pytest.mark.parametrize("path", ["", "/", "/daily/feed.xml", f"/{KEY}.bak",
                                  "/daily/2025-03-14-first.mp3", f"/{KEY[:-1]}"])
def test_other_paths_map_to_nothing(path: str) -> None:
    assert map_paths([path], FACTS) == {}


@given(st.text(max_size=200))
def test_normalise_never_fails_and_drops_the_query(path: str) -> None:
    out = normalise_path(path)
    assert not out.startswith("/") and "?" not in out


def test_threshold_one_minute_plus_tag_or_whole_file() -> None:
    assert threshold(4_800_000, 600.0, 0) == 480_000
    assert threshold(4_810_000, 600.0, 10_000) == 10_000 + 480_000
    assert threshold(360_000, 45.0, 0) == 360_000  # under a minute: the whole file
    assert threshold(100, 120.0, 500) == 100  # a tag larger than the file: the whole file
    assert threshold(1_000_001, 61.0, 0) == 983_608  # rounded up to whole bytes


def test_id3_size() -> None:
    header = b"ID3\x04\x00\x00" + bytes([0, 0, 0x02, 0x01])  # syncsafe 257
    assert id3_size(header) == 10 + 257
    assert id3_size(b"ID3\x04\x00\x10" + bytes([0, 0, 0, 1])) == 10 + 1 + 10  # with footer
    assert id3_size(b"\xff\xfb\x90\x00" + bytes(6)) == 0
    assert id3_size(b"ID3\x04\x00\x00\x80\x00\x00\x00") == 0  # not syncsafe: not a tag
