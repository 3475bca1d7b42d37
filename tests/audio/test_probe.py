"""probe.probe_file and mp3scan.scan against full ffmpeg decodes of real files."""

from __future__ import annotations

import io
from pathlib import Path

import mutagen.mp3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podman.audio import mp3scan
from podman.audio.probe import measure_by_decode, probe_file
from podman.core.errors import UnreadableAudio
from tests.fixtures.audio import BAD, PRESETS

GOOD = [
    *(p for p in PRESETS if p not in ("mp3-low", "mp3-vbr-noxing")),
    "mp3-big-id3",
    "mp3-chapters",
    "mp3-trailers",
]

EXPECTED = {  # container, codec, mime type, extension
    "mp3": ("mp3", "mp3", "audio/mpeg", "mp3"),
    "m4a": ("mp4", "aac", "audio/mp4", "m4a"),
    "opus": ("ogg", "opus", "audio/ogg", "opus"),
    "ogg": ("ogg", "vorbis", "audio/ogg", "ogg"),
    "flac": ("flac", "flac", "audio/flac", "flac"),
    "wav": ("wav", "pcm_s16le", "audio/wav", "wav"),
}


@pytest.mark.parametrize("name", GOOD)
def test_samples_equal_a_full_decode(audio_files: dict[str, Path], name: str) -> None:
    path = audio_files[name]
    facts = probe_file(path)
    assert facts.samples == measure_by_decode(path)
    assert facts.duration == facts.samples / facts.sample_rate
    kind = EXPECTED.get(path.suffix.lstrip("."), EXPECTED["mp3"])
    assert (facts.container, facts.codec, facts.mime_type, facts.extension) == kind
    assert facts.bytes == path.stat().st_size
    assert len(facts.sha256) == 64
    assert facts.bitrate > 0


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "mp3-low"])
def test_rate_channels_and_exact_seconds(audio_files: dict[str, Path], preset: str) -> None:
    rate, channels, _ = PRESETS[preset]
    facts = probe_file(audio_files[preset])
    assert (facts.sample_rate, facts.channels) == (rate, channels)
    if preset != "mp3-vbr-noxing":  # every other file says how much priming to drop
        assert facts.samples == round(7.3 * rate)


def test_vbr_without_xing_counts_every_frame(audio_files: dict[str, Path]) -> None:
    # Without a Xing/LAME tag nothing says how many samples are encoder delay and padding, so
    # every decoder (ffmpeg too) plays frames * 1152 samples: that is the file's true length.
    path = audio_files["mp3-vbr-noxing"]
    scan = mp3scan.scan(path)
    assert not scan.has_xing and scan.xing_frames is None and scan.vbr
    assert scan.samples == scan.frames * 1152 == measure_by_decode(path)
    assert probe_file(path).samples == scan.samples


@pytest.mark.parametrize("name", ["mp3-cbr", "mp3-vbr", "mp3-vbr-noxing"])
def test_mutagen_estimate_is_off_ours_is_exact(audio_files: dict[str, Path], name: str) -> None:
    path = audio_files[name]
    decoded = measure_by_decode(path)
    theirs = round(mutagen.mp3.MP3(path).info.length * 44100)
    ours = probe_file(path).samples
    assert ours == decoded
    assert theirs != decoded  # ignores ffmpeg's delay/padding, or guesses from the bitrate


def test_ffmpeg_lame_tag_is_read(audio_files: dict[str, Path]) -> None:
    scan = mp3scan.scan(audio_files["mp3-cbr"])
    assert scan.has_xing and scan.encoder.startswith("Lav")
    assert scan.encoder_delay > 0 and scan.encoder_padding > 0
    assert scan.xing_frames == scan.frames
    assert not scan.vbr and scan.bitrate == 64000
    assert mp3scan.scan(audio_files["mp3-vbr"]).vbr


def test_scan_takes_an_open_file(audio_files: dict[str, Path]) -> None:
    path = audio_files["mp3-cbr"]
    with open(path, "rb") as f:
        assert mp3scan.scan(f) == mp3scan.scan(path)
    assert mp3scan.scan(io.BytesIO(path.read_bytes())).samples == mp3scan.scan(path).samples


def test_big_id3_tag_is_skipped(audio_files: dict[str, Path]) -> None:
    path = audio_files["mp3-big-id3"]
    scan = mp3scan.scan(path)
    assert scan.audio_start > 300_000
    facts = probe_file(path)
    assert facts.has_artwork
    assert facts.tags == {
        "title": "Putin urges Kiev",
        "artist": "Daily News",
        "album": "The Daily",
        "date": "2025-03-14",
        "comment": "A comment",
    }


def test_trailing_tags_and_junk_are_not_audio(audio_files: dict[str, Path]) -> None:
    plain = mp3scan.scan(audio_files["mp3-trailers"])
    assert plain.samples == round(4.0 * 44100) == measure_by_decode(audio_files["mp3-trailers"])


def test_id3_chapters_in_start_order(audio_files: dict[str, Path]) -> None:
    facts = probe_file(audio_files["mp3-chapters"])
    assert [(c.start, c.title, c.url) for c in facts.chapters] == [
        (0.0, "First", None),
        (2.5, "Second", "https://example.com/b"),
    ]
    assert not facts.has_artwork


@pytest.mark.parametrize("name", BAD)
def test_bad_inputs_raise_one_line_naming_the_file(audio_files: dict[str, Path], name: str) -> None:
    path = audio_files[name]
    with pytest.raises(UnreadableAudio) as info:
        probe_file(path)
    message = str(info.value)
    assert message.startswith(f"{path.name}: ")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad-empty", "empty file (0 bytes)"),
        ("bad-truncated", "truncated: header promises"),
        ("bad-text", "not an audio file (looks like text)"),
        ("bad-png", "not an audio file (looks like a PNG image)"),
        ("bad-random", "not an audio file"),
    ],
)
def test_bad_input_messages(audio_files: dict[str, Path], name: str, words: str) -> None:
    with pytest.raises(UnreadableAudio, match=words.replace("(", r"\(").replace(")", r"\)")):
        probe_file(audio_files[name])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableAudio, match=r"^gone\.mp3: no such file$"):
        probe_file(tmp_path / "gone.mp3")


def test_last_frame_cut_is_truncated(audio_files: dict[str, Path], tmp_path: Path) -> None:
    data = audio_files["mp3-vbr-noxing"].read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[:-50])  # no Xing count to compare: the cut frame itself tells
    with pytest.raises(UnreadableAudio, match="truncated"):
        probe_file(cut)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.binary(max_size=600).filter(lambda b: b"\xff" not in b and not b.startswith(b"ID3")),
    after=st.binary(max_size=600).filter(lambda b: b"\xff" not in b),
)
def test_junk_around_frames_does_not_change_the_count(
    audio_files: dict[str, Path], before: bytes, after: bytes
) -> None:
    # Junk without sync bytes is skipped on both sides; the frame count never moves.
    data = audio_files["mp3-vbr-noxing"].read_bytes()
    clean = mp3scan.scan_bytes(data)
    assert mp3scan.scan_bytes(before + data + after).frames == clean.frames


def test_make_audio_low_bitrate_episode(tmp_path: Path) -> None:
    from tests.fixtures.audio import make_audio

    path = make_audio(tmp_path / "episode.mp3", 68, "mp3-low")
    facts = probe_file(path)
    assert (facts.samples, facts.sample_rate, facts.channels) == (68 * 22050, 22050, 1)
    assert facts.duration_text == "1:08"
    assert mp3scan.scan(path).version == "2"
