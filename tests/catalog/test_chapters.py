"""Tests for catalog.chapters: parsing, validation messages, JSON chapters, PSC, notes HTML."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.catalog.chapters import (
    chapters_json,
    chapters_notes_html,
    chapters_text,
    format_time,
    load_chapters,
    parse_chapters_text,
    parse_time,
    psc_start,
)
from podman.core.errors import BadInput, ChapterError, ExitCode
from podman.core.models import Chapter

GOOD = """\
# chapters for episode 12
0:00 Introduction

03:15 Putin urges Kiev https://news.example.com/a?b=1
1:02:03.5 Weather
"""


def test_parse_good_file() -> None:
    chapters = parse_chapters_text(GOOD, source="ch.txt", duration=4000)
    assert chapters == (
        Chapter(0, "Introduction"),
        Chapter(195, "Putin urges Kiev", "https://news.example.com/a?b=1"),
        Chapter(3723.5, "Weather"),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "0:00 A\n0:10 B\n31:20 C\n",
            "ch.txt:3: chapter at 31:20 is past the end of the audio (28:08)",
        ),
        ("0:05 A\n", "ch.txt:1: the first chapter must start at 0:00, not 0:05"),
        (
            "0:00 A\n\n0:10 B\n0:10 C\n",
            "ch.txt:4: chapter at 0:10 does not come after the one before (0:10)",
        ),
        ("0:00 A\nhello\n", "ch.txt:2: expected 'TIME Title [URL]', got 'hello'"),
        ("0:00 A\n1:75 B\n", "ch.txt:2: '1:75' is not a valid time"),
        ("0:00\n", "ch.txt:1: expected 'TIME Title [URL]', got '0:00'"),
        ("0:00 https://x.example/\n", "ch.txt:1: chapter at 0:00 has a URL but no title"),
    ],
)
def test_bad_chapters_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ChapterError) as info:
        parse_chapters_text(text, source="ch.txt", duration=1688.0)
    assert str(info.value) == message
    assert isinstance(info.value, BadInput)
    assert info.value.exit_code == ExitCode.BAD_INPUT


def test_load_chapters(tmp_path) -> None:
    path = tmp_path / "ch.txt"
    path.write_text("\ufeff0:00 Intro\n1:00 Next\n", encoding="utf-8")
    assert [c.title for c in load_chapters(path, 120)] == ["Intro", "Next"]
    with pytest.raises(ChapterError, match="no such chapters file"):
        load_chapters(tmp_path / "missing.txt", None)
    path.write_bytes(b"0:00 \xff\n")
    with pytest.raises(ChapterError, match="not UTF-8"):
        load_chapters(path, None)


def test_times() -> None:
    assert parse_time("28:08") == 1688
    assert parse_time("1:02:03.25") == 3723.25
    assert parse_time("00:00:01.001") == 1.001
    assert format_time(3723.5) == "1:02:03.500"
    assert format_time(5) == "0:05"
    assert psc_start(0) == "00:00:00.000"
    assert psc_start(3723.5) == "01:02:03.500"
    for bad in ("1:2", "a:00", "1:00:60", "1:60:00", "1:00.1234"):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_chapters_json_is_podcasting20_and_deterministic() -> None:
    chapters = parse_chapters_text(GOOD, source="ch.txt", duration=None)
    text = chapters_json(chapters, title="Épisode 12")
    assert text.endswith("}\n")
    assert "Épisode" in text  # ensure_ascii=False
    doc = json.loads(text)
    assert doc["version"] == "1.2.0"
    assert doc["chapters"][0] == {"startTime": 0, "title": "Introduction"}
    assert doc["chapters"][1]["url"] == "https://news.example.com/a?b=1"
    assert doc["chapters"][2]["startTime"] == 3723.5
    assert text == chapters_json(chapters, title="Épisode 12")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)


def test_notes_html() -> None:
    chapters = (Chapter(0, "Intro <1>"), Chapter(3725.9, "Q&A", "https://x.example/?a=1&b=2"))
    out = chapters_notes_html(chapters)
    assert out == (
        "<ul><li>0:00 Intro &lt;1&gt;</li>"
        '<li><a href="https://x.example/?a=1&amp;b=2">1:02:05 Q&amp;A</a></li></ul>'
    )
    parser = _Tags()
    parser.feed(out)
    assert parser.tags <= {"p", "ol", "ul", "li", "a", "b", "i", "strong", "em"}
    assert chapters_notes_html(()) == ""


_title = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Zs")) | st.just(" "),
    min_size=1,
    max_size=30,
).map(str.strip).filter(lambda t: t and not t.startswith("#") and "://" not in t)


@given(
    st.lists(
        st.tuples(st.integers(1, 20_000_000), _title, st.booleans()), min_size=0, max_size=8
    ),
    _title,
)
def test_round_trip(steps, first_title) -> None:
    start, chapters = 0, [Chapter(0.0, first_title)]
    for step, title, with_url in steps:
        start += step
        url = f"https://example.com/{start}" if with_url else None
        chapters.append(Chapter(start / 1000, title, url))
    text = chapters_text(chapters)
    parsed = parse_chapters_text(text, source="x", duration=None)
    assert [(c.start, c.title, c.url) for c in parsed] == [
        (round(c.start, 3), c.title, c.url) for c in chapters
    ]
