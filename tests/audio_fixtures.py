"""Real audio made by ffmpeg for tests: `make_audio` and the session fixture `audio_files`."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from podman import ffmpeg

# preset -> (sample rate, channels, codec arguments); durations are exact in samples.
PRESETS: dict[str, tuple[int, int, list[str]]] = {
    "mp3-cbr": (44100, 1, ["-c:a", "libmp3lame", "-b:a", "64k"]),
    "mp3-vbr": (44100, 1, ["-c:a", "libmp3lame", "-q:a", "5"]),
    "mp3-vbr-noxing": (44100, 1, ["-c:a", "libmp3lame", "-q:a", "5", "-write_xing", "0"]),
    "mp3-22k-mono": (22050, 1, ["-c:a", "libmp3lame", "-b:a", "32k"]),
    "mp3-48k-stereo": (48000, 2, ["-c:a", "libmp3lame", "-b:a", "128k"]),
    "mp3-low": (22050, 1, ["-c:a", "libmp3lame", "-b:a", "16k"]),  # fast long episodes
    "m4a": (44100, 1, ["-c:a", "aac", "-b:a", "64k"]),
    "opus": (48000, 1, ["-c:a", "libopus", "-b:a", "32k"]),
    "ogg": (44100, 1, ["-c:a", "libvorbis", "-q:a", "3"]),
    "flac": (44100, 1, ["-c:a", "flac"]),
    "wav": (44100, 1, ["-c:a", "pcm_s16le"]),
}


def make_audio(path: Path, seconds: float, preset: str = "mp3-cbr", *, tone: int = 440) -> Path:
    """Write `seconds` of a tone mixed with pink noise (speech-like) with a preset's codec."""
    rate, channels, codec = PRESETS[preset]
    graph = (
        f"sine=frequency={tone}:sample_rate={rate}:duration={seconds}[a];"
        f"anoisesrc=color=pink:sample_rate={rate}:amplitude=0.1:seed=42:duration={seconds}[b];"
        "[a][b]amix=inputs=2:normalize=0[out]"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    args = ["-y", "-filter_complex", graph, "-map", "[out]", "-ac", str(channels)]
    ffmpeg.run([*args, *codec, str(path)], what=f"make_audio {path.name}")
    return path


def _add_id3(path: Path, *, artwork_bytes: int = 0, chapters: bool = False) -> None:
    from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TDRC, TIT2, TPE1, WXXX, CTOCFlags

    tags = ID3()
    tags.add(TIT2(encoding=3, text="Putin urges Kiev"))
    tags.add(TPE1(encoding=3, text="Daily News"))
    tags.add(TALB(encoding=3, text="The Daily"))
    tags.add(TDRC(encoding=3, text="2025-03-14"))
    tags.add(COMM(encoding=3, lang="eng", desc="", text="A comment"))
    if artwork_bytes:
        data = b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(artwork_bytes)
        tags.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=data))
    if chapters:
        # Written out of order on purpose: readers must sort by start time.
        spec = [
            ("ch1", 2500, 5000, "Second", "https://example.com/b"),
            ("ch0", 0, 2500, "First", None),
        ]
        for eid, start, end, title, url in spec:
            sub = [TIT2(encoding=3, text=title)]
            if url:
                sub.append(WXXX(encoding=3, desc="", url=url))
            tags.add(CHAP(element_id=eid, start_time=start, end_time=end, sub_frames=sub))
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=["ch0", "ch1"],
                sub_frames=[TIT2(encoding=3, text="Contents")],
            )
        )
    tags.save(path)


def _build(root: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for preset in PRESETS:
        if preset == "mp3-low":
            continue
        ext = {"m4a": "m4a", "opus": "opus", "ogg": "ogg", "flac": "flac", "wav": "wav"}.get(
            preset, "mp3"
        )
        files[preset] = make_audio(root / f"{preset}.{ext}", 7.3, preset)

    big = make_audio(root / "mp3-big-id3.mp3", 3.0, "mp3-cbr")
    _add_id3(big, artwork_bytes=300_000)
    files["mp3-big-id3"] = big

    chaps = make_audio(root / "mp3-chapters.mp3", 5.0, "mp3-vbr")
    _add_id3(chaps, chapters=True)
    files["mp3-chapters"] = chaps

    # ID3v1 at the end, an APEv2 tag before it, text junk after the last frame.
    tail = make_audio(root / "mp3-trailers.mp3", 4.0, "mp3-cbr")
    ape = b"APETAGEX" + (2000).to_bytes(4, "little") + bytes(20)
    with open(tail, "ab") as f:
        f.write(ape + b"some trailing junk without sync bytes " * 4)
        f.write(b"TAG" + b"Title".ljust(30, b"\0") + bytes(95))
    files["mp3-trailers"] = tail

    # Bad inputs.
    (root / "empty.mp3").write_bytes(b"")
    files["bad-empty"] = root / "empty.mp3"
    cut = files["mp3-cbr"].read_bytes()
    (root / "truncated.mp3").write_bytes(cut[: len(cut) // 2])
    files["bad-truncated"] = root / "truncated.mp3"
    (root / "notes.mp3").write_text("These are my show notes, not audio.\n" * 20)
    files["bad-text"] = root / "notes.mp3"
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(200)
    (root / "episode.mp3").write_bytes(png)
    files["bad-png"] = root / "episode.mp3"
    (root / "random.mp3").write_bytes(random.Random(7).randbytes(200_000))
    files["bad-random"] = root / "random.mp3"
    return files


BAD = ("bad-empty", "bad-truncated", "bad-text", "bad-png", "bad-random")


@pytest.fixture(scope="session")
def audio_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> Path of real audio files (good ones by preset name) and bad inputs (`bad-*`)."""
    return _build(tmp_path_factory.mktemp("audio"))
