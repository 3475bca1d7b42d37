"""Writes tags, artwork and chapters into published audio (ID3, MP4, Ogg Opus) with mutagen."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from podman.audio import ffmpeg
from podman.core.errors import PodmanError, StorageError, UnreadableAudio, UnsupportedFormat
from podman.core.models import Chapter

Image = tuple[bytes, str]  # data, mime type
Fields = dict[str, Any]


def write_tags(
    path: Path,
    *,
    title: str | None = None,
    album: str | None = None,
    artist: str | None = None,
    date: str | None = None,
    episode: int | None = None,
    season: int | None = None,
    comment: str | None = None,
    artwork: Path | None = None,
    chapters: Sequence[Chapter] = (),
    duration: float | None = None,
) -> None:
    """Replace the tags of a file podman produced (never a producer's original).

    `album` is the show, `artist` the author, `date` ISO text. Chapters end where the next
    starts, the last at `duration` (default: mutagen's length). Existing tags are dropped so
    the result depends only on the arguments.
    """
    path = Path(path)
    fields: dict[str, Any] = {
        "title": title, "album": album, "artist": artist, "date": date,
        "episode": episode, "season": season, "comment": comment,
    }
    image = _image(artwork) if artwork is not None else None
    writer = {".mp3": _write_id3, ".m4a": _write_mp4, ".mp4": _write_mp4, ".opus": _write_opus}
    fn = writer.get(path.suffix.lower())
    if fn is None:
        raise UnsupportedFormat(f"{path.name}: cannot write tags to {path.suffix or 'this'} files")
    try:
        fn(path, fields, image, sorted(chapters, key=lambda c: c.start), duration)
    except PodmanError:
        raise
    except OSError as exc:  # a real OS error has an errno; wrapped library ones may not
        if exc.errno is None:
            raise UnreadableAudio(f"{path.name}: cannot write tags: {exc}") from exc
        raise StorageError(f"{path.name}: cannot write tags: {exc.strerror}") from exc
    except Exception as exc:  # mutagen's errors are many and unrelated; one family for callers
        raise UnreadableAudio(f"{path.name}: cannot write tags: {exc}") from exc


def _image(artwork: Path) -> Image:
    data = Path(artwork).read_bytes()
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    raise UnsupportedFormat(f"{Path(artwork).name}: artwork must be a JPEG or PNG image")


def _ends(chapters: Sequence[Chapter], duration: float) -> list[float]:
    return [c.start for c in chapters[1:]] + [max(duration, chapters[-1].start)] if chapters else []


def _write_id3(
    path: Path, fields: Fields, image: Image | None, chapters: list[Chapter],
    duration: float | None,
) -> None:
    from mutagen import id3
    from mutagen.mp3 import MP3

    length = duration if duration is not None else MP3(path).info.length
    tags = id3.ID3()
    enc = id3.Encoding.UTF16  # ID3v2.3 has no UTF-8
    simple = {"title": id3.TIT2, "album": id3.TALB, "artist": id3.TPE1, "date": id3.TDRC}
    for key, frame in simple.items():
        if fields[key]:
            tags.add(frame(encoding=enc, text=[str(fields[key])]))
    if fields["episode"] is not None:
        tags.add(id3.TRCK(encoding=enc, text=[str(fields["episode"])]))
    if fields["season"] is not None:
        tags.add(id3.TPOS(encoding=enc, text=[str(fields["season"])]))
    if fields["comment"]:
        tags.add(id3.COMM(encoding=enc, lang="eng", desc="", text=[fields["comment"]]))
    if image is not None:
        tags.add(id3.APIC(encoding=enc, mime=image[1], type=id3.PictureType.COVER_FRONT,
                          desc="Cover", data=image[0]))
    ids = [f"chp{i}" for i in range(len(chapters))]
    for cid, c, end in zip(ids, chapters, _ends(chapters, length), strict=True):
        sub: list[Any] = [id3.TIT2(encoding=enc, text=[c.title])]
        if c.url:
            sub.append(id3.WXXX(encoding=enc, desc="chapter url", url=c.url))
        tags.add(id3.CHAP(element_id=cid, start_time=round(c.start * 1000),
                          end_time=round(end * 1000), sub_frames=sub))
    if chapters:
        tags.add(id3.CTOC(element_id="toc", flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                          child_element_ids=ids,
                          sub_frames=[id3.TIT2(encoding=enc, text=["Chapters"])]))
    # v2.3: the version every podcast app reads, Apple's included.
    tags.save(path, v2_version=3, v1=0)


def _write_mp4(
    path: Path, fields: Fields, image: Image | None, chapters: list[Chapter],
    duration: float | None,
) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    audio = MP4(path)
    if chapters and _mp4_chapters(audio) != [(round(c.start, 1), c.title) for c in chapters]:
        _remux_mp4_chapters(path, chapters, duration or audio.info.length)
        audio = MP4(path)
    audio.delete()
    keys = {"title": "\xa9nam", "album": "\xa9alb", "artist": "\xa9ART", "date": "\xa9day",
            "comment": "\xa9cmt"}
    for key, atom in keys.items():
        if fields[key]:
            audio[atom] = [str(fields[key])]
    if fields["comment"]:
        audio["desc"] = [fields["comment"]]
    if fields["episode"] is not None:
        audio["trkn"] = [(int(fields["episode"]), 0)]
    if fields["season"] is not None:
        audio["disk"] = [(int(fields["season"]), 0)]
    if image is not None:
        fmt = MP4Cover.FORMAT_PNG if image[1] == "image/png" else MP4Cover.FORMAT_JPEG
        audio["covr"] = [MP4Cover(image[0], imageformat=fmt)]
    audio.save()


def _mp4_chapters(audio: Any) -> list[tuple[float, str]]:
    chapters = getattr(audio, "chapters", None) or []
    return [(round(c.start, 1), c.title) for c in chapters]


def _remux_mp4_chapters(path: Path, chapters: Sequence[Chapter], duration: float) -> None:
    """mutagen cannot write MP4 chapters: copy the streams through ffmpeg with a chapter file."""

    meta = path.with_name(f".{path.name}.ffmeta")
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    try:
        meta.write_text(ffmetadata(chapters, duration), encoding="utf-8")
        ffmpeg.run(
            ["-y", "-i", str(path), "-f", "ffmetadata", "-i", str(meta), "-map", "0:a",
             "-map_metadata", "1", "-map_chapters", "1", "-c", "copy",
             "-movflags", "+faststart", str(tmp)],
            what=path.name,
        )
        tmp.replace(path)
    finally:
        meta.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)


def _write_opus(
    path: Path, fields: Fields, image: Image | None, chapters: list[Chapter],
    duration: float | None,
) -> None:
    from mutagen.flac import Picture
    from mutagen.oggopus import OggOpus

    audio = OggOpus(path)
    audio.delete()
    keys = {"title": "TITLE", "album": "ALBUM", "artist": "ARTIST", "date": "DATE",
            "episode": "TRACKNUMBER", "season": "DISCNUMBER", "comment": "DESCRIPTION"}
    for key, name in keys.items():
        if fields[key] is not None and fields[key] != "":
            audio[name] = [str(fields[key])]
    if fields["comment"]:
        audio["COMMENT"] = [fields["comment"]]
    if image is not None:
        pic = Picture()
        pic.type, pic.mime, pic.desc, pic.data = 3, image[1], "Cover", image[0]
        audio["METADATA_BLOCK_PICTURE"] = [base64.b64encode(pic.write()).decode("ascii")]
    # Vorbis comment chapter extension (CHAPTERxxx / NAME / URL), read by VLC and others.
    for i, c in enumerate(chapters, 1):
        audio[f"CHAPTER{i:03d}"] = [_clock(c.start)]
        audio[f"CHAPTER{i:03d}NAME"] = [c.title]
        if c.url:
            audio[f"CHAPTER{i:03d}URL"] = [c.url]
    audio.save()


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def ffmetadata(chapters: Sequence[Chapter], duration: float | None) -> str:
    """Chapters as ffmpeg's FFMETADATA1 text (millisecond timebase; each ends at the next)."""

    def esc(text: str) -> str:
        return re.sub(r"([=;#\\\n])", r"\\\1", text)

    ordered = sorted(chapters, key=lambda c: c.start)
    lines = [";FFMETADATA1"]
    for i, c in enumerate(ordered):
        nxt = ordered[i + 1].start if i + 1 < len(ordered) else duration
        end = nxt if nxt is not None else c.start + 1
        lines += [
            "[CHAPTER]", "TIMEBASE=1/1000", f"START={round(c.start * 1000)}",
            f"END={round(end * 1000)}", f"title={esc(c.title)}",
        ]
    return "\n".join(lines) + "\n"
