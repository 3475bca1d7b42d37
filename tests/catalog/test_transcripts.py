"""Tests for catalog.transcripts: WebVTT/SRT validation with file:line errors, SRT to WebVTT."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.catalog.transcripts import load_transcript, parse_transcript, srt_to_vtt
from podman.core.errors import BadInput, TranscriptError

VTT = """\
WEBVTT - episode 12

NOTE written by hand

00:00.000 --> 00:04.500
<v Host>Welcome to the show.

intro-2
00:00:04.500 --> 00:00:09.000 align:start
Today: Kursk.
"""

SRT = """\
1
00:00:00,000 --> 00:00:04,500
Welcome to the show.

2
00:00:04,500 --> 00:00:09,000
Today: Kursk.
Second line.
"""


def test_load_vtt(tmp_path) -> None:
    path = tmp_path / "ep.vtt"
    path.write_text(VTT.replace("\n", "\r\n"), encoding="utf-8")
    transcript = load_transcript(path)
    assert transcript.format == "vtt"
    assert transcript.mime_type == "text/vtt"
    assert transcript.text == VTT
    assert transcript.as_vtt() == VTT


def test_load_srt_and_convert(tmp_path) -> None:
    path = tmp_path / "ep.srt"
    path.write_text("\ufeff" + SRT, encoding="utf-8")
    transcript = load_transcript(path)
    assert transcript.format == "srt"
    assert transcript.mime_type == "application/x-subrip"
    vtt = transcript.as_vtt()
    assert vtt == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:04.500\nWelcome to the show.\n\n"
        "2\n00:00:04.500 --> 00:00:09.000\nToday: Kursk.\nSecond line.\n"
    )
    assert parse_transcript(vtt, source="x").format == "vtt"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.vtt", "WEBVT\n\n00:00.000 --> 00:01.000\nhi\n", "a.vtt:1: a WebVTT file starts"),
        ("a.vtt", "WEBVTT\n\n00:00.000 -> 00:01.000\nhi\n", "a.vtt:4: expected a cue timing"),
        ("a.vtt", "WEBVTT\n\n00:00,000 --> 00:01,000\nhi\n", "a.vtt:3: expected a cue timing"),
        ("a.vtt", "WEBVTT\n\n00:05.000 --> 00:01.000\nhi\n", "a.vtt:3: cue ends (00:01.000)"),
        ("a.vtt", "WEBVTT\n", "a.vtt: WebVTT file has no cues"),
        ("a.srt", "1\n00:00:00.000 --> 00:00:01.000\nhi\n", "a.srt:2: expected a cue timing"),
        ("a.srt", "hello world\n", "a.srt:1: expected a cue number, got 'hello world'"),
        ("a.srt", SRT + "\n3\n", "a.srt:11: expected a cue timing"),
        ("a.srt", "", "a.srt: SRT file has no cues"),
        ("a.txt", "just some words\n", "a.txt:1: expected a cue number"),
    ],
)
def test_garbage_names_file_and_line(tmp_path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TranscriptError) as info:
        load_transcript(path)
    assert str(info.value).startswith(f"{path.parent}/{message}")
    assert isinstance(info.value, BadInput)


def test_binary_and_missing(tmp_path) -> None:
    path = tmp_path / "x.vtt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(TranscriptError, match="not UTF-8"):
        load_transcript(path)
    with pytest.raises(TranscriptError, match="no such transcript"):
        load_transcript(tmp_path / "nope.srt")


def test_srt_named_file_with_vtt_content(tmp_path) -> None:
    path = tmp_path / "x.srt"
    path.write_text(VTT, encoding="utf-8")
    assert load_transcript(path).format == "vtt"


_cue_line = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip() and "-->" not in s)


def _stamp(ms: int) -> str:
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


@given(st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**6),
                          st.lists(_cue_line, min_size=1, max_size=3)), min_size=1, max_size=6))
def test_srt_to_vtt_always_valid_and_deterministic(cues) -> None:
    blocks = []
    for number, (start, length, lines) in enumerate(cues, start=1):
        blocks.append(
            f"{number}\n{_stamp(start)} --> {_stamp(start + length)}\n" + "\n".join(lines)
        )
    srt = "\n\n".join(blocks) + "\n"
    parse_transcript(srt, source="x.srt", format="srt")
    vtt = srt_to_vtt(srt)
    assert vtt == srt_to_vtt(srt)
    assert parse_transcript(vtt, source="x.vtt").format == "vtt"
    assert vtt.count(" --> ") == len(cues)
    assert all("," not in line for line in vtt.split("\n") if " --> " in line)
    assert vtt.startswith("WEBVTT\n\n") and vtt.endswith("\n")
