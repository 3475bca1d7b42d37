"""Facts about an audio file: exact duration, codec, bitrate, rate, channels, size, hash, tags."""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from podman.audio import ffmpeg, mp3scan
from podman.core.errors import FfmpegFailed, UnreadableAudio
from podman.core.models import AudioFacts, Chapter

if TYPE_CHECKING:
    from mutagen.id3 import ID3

CHUNK = 1 << 20  # sha256 is computed over 1 MiB reads

_MIME = {
    "mp3": "audio/mpeg",
    "mp4": "audio/mp4",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "wav": "audio/wav",
}

# Magic numbers of things people name .mp3 by mistake, for a helpful message.
_NOT_AUDIO = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"<?xml", "an XML document"),
    (b"<!DOCTYPE", "an HTML page"),
    (b"<html", "an HTML page"),
)


@dataclass(frozen=True)
class _Stream:
    """What a container parser learns: enough for AudioFacts minus the file-level fields."""

    container: str
    codec: str
    extension: str
    samples: int | None
    sample_rate: int
    channels: int
    vbr: bool = False
    bitrate: int | None = None  # when the parser knows better than bytes / duration
    duration: float | None = None  # only for the ffmpeg fallback without a sample count


def probe_file(path: Path | str) -> AudioFacts:
    """Exact facts about one audio file; raise UnreadableAudio naming the file and the problem."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UnreadableAudio(f"{name}: not a regular file")
        with open(path, "rb") as f:
            head = f.read(64)
    except FileNotFoundError as exc:
        raise UnreadableAudio(f"{name}: no such file") from exc
    except OSError as exc:
        raise UnreadableAudio(f"{name}: cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise UnreadableAudio(f"{name}: empty file (0 bytes)")
    stream = _read_stream(path, head)
    if stream.samples is not None:
        duration = stream.samples / stream.sample_rate
    else:
        duration = stream.duration or 0.0
    bitrate = stream.bitrate or (round(size * 8 / duration) if duration else 0)
    tags, artwork, chapters = read_tags(path)
    return AudioFacts(
        path=str(path),
        container=stream.container,
        codec=stream.codec,
        mime_type=_MIME.get(stream.container, f"audio/{stream.container}"),
        extension=stream.extension,
        duration=duration,
        samples=stream.samples,
        sample_rate=stream.sample_rate,
        channels=stream.channels,
        bitrate=bitrate,
        bytes=size,
        sha256=sha256_file(path),
        vbr=stream.vbr,
        tags=tags,
        has_artwork=artwork,
        chapters=chapters,
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise UnreadableAudio(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    return h.hexdigest()


def _read_stream(path: Path, head: bytes) -> _Stream:
    """Dispatch on the magic number, not the extension (a .mp3 may be anything)."""
    name = path.name
    try:
        if head.startswith(b"fLaC"):
            return _flac(path)
        if head.startswith(b"OggS"):
            return _ogg(path)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return _wav(path)
        if head[4:8] == b"ftyp":
            return _mp4(path)
        for magic, what in _NOT_AUDIO:
            if head.startswith(magic):
                raise UnreadableAudio(f"{name}: not an audio file (looks like {what})")
        if head.startswith(b"ID3") or (head[:1] == b"\xff" and head[1:2] >= b"\xe0"):
            return _mp3(path)
        if _looks_like_text(path):
            raise UnreadableAudio(f"{name}: not an audio file (looks like text)")
        if path.suffix.lower() == ".mp3":
            return _mp3(path)
    except (struct.error, IndexError, ValueError, OSError) as exc:
        raise UnreadableAudio(f"{name}: damaged or truncated ({exc})") from exc
    return _by_ffmpeg(path)


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as f:
        sample = f.read(4096)
    if b"\0" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the sample's end is fine
        return exc.start >= len(sample) - 3
    return True


def _mp3(path: Path) -> _Stream:
    s = mp3scan.scan(path)
    return _Stream("mp3", "mp3", "mp3", s.samples, s.sample_rate, s.channels, s.vbr, s.bitrate)


def _flac(path: Path) -> _Stream:
    """STREAMINFO: 20-bit rate, 3-bit channels-1, 5-bit bits-1, 36-bit total samples."""
    with open(path, "rb") as f:
        data = f.read(4 + 4 + 34)
    if len(data) < 42 or data[4] & 0x7F != 0:
        raise UnreadableAudio(f"{path.name}: damaged FLAC (no STREAMINFO)")
    v = int.from_bytes(data[18:26], "big")
    rate, channels, total = v >> 44, ((v >> 41) & 7) + 1, v & ((1 << 36) - 1)
    if not rate or not total:
        # A streamed FLAC may leave the total unset; only a decode knows it then.
        return _by_ffmpeg(path)
    return _Stream("flac", "flac", "flac", total, rate, channels, vbr=True)


def _wav(path: Path) -> _Stream:
    """RIFF walk: fmt gives rate/channels/block align, data's size / block align = samples."""
    with open(path, "rb") as f:
        f.seek(12)
        fmt = None
        while True:
            hdr = f.read(8)
            if len(hdr) < 8:
                raise UnreadableAudio(f"{path.name}: damaged WAV (no data chunk)")
            cid, size = hdr[:4], struct.unpack("<I", hdr[4:])[0]
            if cid == b"fmt ":
                fmt = f.read(size + (size & 1))
            elif cid == b"data":
                data_start = f.tell()
                break
            else:
                f.seek(size + (size & 1), 1)
        if fmt is None:
            raise UnreadableAudio(f"{path.name}: damaged WAV (no fmt chunk)")
        tag, channels, rate, byte_rate, align, bits = struct.unpack("<HHIIHH", fmt[:16])
        if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the subformat decides
            tag = struct.unpack("<H", fmt[24:26])[0]
        available = f.seek(0, 2)
    if data_start + size > available:
        raise UnreadableAudio(
            f"{path.name}: truncated: data chunk promises {size} bytes, file holds "
            f"{available - data_start}"
        )
    codec = {1: f"pcm_s{bits}le" if bits > 8 else "pcm_u8", 3: f"pcm_f{bits}le"}.get(
        tag, f"wav_0x{tag:04x}"
    )
    return _Stream("wav", codec, "wav", size // align, rate, channels, bitrate=byte_rate * 8)


def _ogg(path: Path) -> _Stream:
    """First page says Opus or Vorbis; the last page's granule position is the sample count."""
    with open(path, "rb") as f:
        first = f.read(65536)
        end = f.seek(0, 2)
        f.seek(max(0, end - 65536 - 27 - 255))
        tail = f.read()
    nsegs = first[26]
    packet = first[27 + nsegs : 27 + nsegs + 64]
    last = tail.rfind(b"OggS")
    if last < 0 or len(tail) < last + 27:
        raise UnreadableAudio(f"{path.name}: damaged Ogg (no last page)")
    granule = struct.unpack("<q", tail[last + 6 : last + 14])[0]
    if not tail[last + 5] & 4:
        raise UnreadableAudio(f"{path.name}: truncated: the last Ogg page is missing")
    if packet.startswith(b"OpusHead"):
        channels, pre_skip = packet[9], struct.unpack("<H", packet[10:12])[0]
        # Opus always decodes at 48 kHz; pre-skip samples are priming, not audio.
        return _Stream("ogg", "opus", "opus", granule - pre_skip, 48000, channels, vbr=True)
    if packet.startswith(b"\x01vorbis"):
        channels, rate = packet[11], struct.unpack("<I", packet[12:16])[0]
        return _Stream("ogg", "vorbis", "ogg", granule, rate, channels, vbr=True)
    if packet.startswith(b"\x7fFLAC"):
        rate = int.from_bytes(packet[27:30], "big") >> 4
        channels = ((packet[29] >> 1) & 7) + 1
        return _Stream("ogg", "flac", "ogg", granule, rate, channels, vbr=True)
    return _by_ffmpeg(path)


def _atoms(data: bytes, start: int, end: int) -> dict[bytes, list[tuple[int, int]]]:
    """Child boxes of one box: type -> [(payload start, payload end)]."""
    out: dict[bytes, list[tuple[int, int]]] = {}
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        hdr = 8
        if size == 1:
            size, hdr = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < hdr or pos + size > end:
            raise UnreadableAudio("damaged MP4 box")
        out.setdefault(kind, []).append((pos + hdr, pos + size))
        pos += size
    return out


def _read_moov(path: Path) -> bytes:
    with open(path, "rb") as f:
        total = f.seek(0, 2)
        pos = 0
        while pos + 8 <= total:
            f.seek(pos)
            size, kind = struct.unpack(">I4s", f.read(8))
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
            elif size == 0:
                size = total - pos
            if size < 8:
                break
            if kind == b"moov":
                if pos + size > total:
                    break
                f.seek(pos)
                return f.read(size)
            pos += size
    raise UnreadableAudio(f"{path.name}: truncated: no complete moov box")


def _mp4(path: Path) -> _Stream:
    """Samples = sum(stts) - edit-list media_time (AAC priming), capped by the edit's length."""
    try:
        moov = _read_moov(path)
        return _mp4_stream(path, moov)
    except UnreadableAudio as exc:
        if exc.message.startswith(path.name):
            raise
        raise UnreadableAudio(f"{path.name}: {exc.message}") from exc


def _full(data: bytes, box: tuple[int, int]) -> tuple[int, int]:
    return data[box[0]], box[0] + 4  # version, payload after version+flags


def _mp4_stream(path: Path, moov: bytes) -> _Stream:
    top = _atoms(moov, 8, len(moov))
    version, p = _full(moov, top[b"mvhd"][0])
    movie_scale = struct.unpack(">I", moov[p + (16 if version else 8) :][:4])[0]
    for trak in top.get(b"trak", []):
        t = _atoms(moov, *trak)
        mdia = _atoms(moov, *t[b"mdia"][0])
        _, hp = _full(moov, mdia[b"hdlr"][0])
        if moov[hp + 4 : hp + 8] != b"soun":
            continue
        version, p = _full(moov, mdia[b"mdhd"][0])
        scale = struct.unpack(">I", moov[p + (16 if version else 8) :][:4])[0]
        stbl = _atoms(moov, *_atoms(moov, *mdia[b"minf"][0])[b"stbl"][0])
        _, p = _full(moov, stbl[b"stts"][0])
        (count,) = struct.unpack(">I", moov[p : p + 4])
        pairs = struct.unpack(f">{2 * count}I", moov[p + 4 : p + 4 + 8 * count])
        total = sum(pairs[i] * pairs[i + 1] for i in range(0, len(pairs), 2))
        samples = total
        if b"edts" in t:
            samples = _apply_edit(moov, _atoms(moov, *t[b"edts"][0]), total, scale, movie_scale)
        _, p = _full(moov, stbl[b"stsd"][0])
        entry = p + 4  # skip entry count; then size, format, 6 reserved, data ref index
        fmt = moov[entry + 4 : entry + 8]
        channels, _, _, _, rate = struct.unpack(">HHHHI", moov[entry + 24 : entry + 36])
        codec = {b"mp4a": "aac", b"alac": "alac", b"Opus": "opus", b"fLaC": "flac"}.get(
            fmt, fmt.decode("latin-1").strip()
        )
        if fmt == b"mp4a" and b"\x6b" in moov[entry + 36 : entry + 36 + 64][:0]:
            codec = "mp3"
        rate = rate >> 16 or scale
        return _Stream("mp4", codec, "m4a", samples, scale if scale else rate, channels, True)
    raise UnreadableAudio(f"{path.name}: no audio track")


def _apply_edit(moov: bytes, edts: dict, total: int, scale: int, movie_scale: int) -> int:
    """The first non-empty edit: skip media_time samples, keep segment_duration (movie units)."""
    if b"elst" not in edts:
        return total
    version, p = _full(moov, edts[b"elst"][0])
    (count,) = struct.unpack(">I", moov[p : p + 4])
    fmt, step = (">Qq", 16) if version else (">Ii", 8)
    p += 4
    for _ in range(count):
        seg, media_time = struct.unpack(fmt, moov[p : p + step])
        p += step + 4  # media rate
        if media_time < 0:  # an empty edit (a delay before the track starts)
            continue
        rest = total - media_time
        kept = seg * scale // movie_scale if movie_scale else rest
        # The segment is rounded to movie units: within one unit, trust the sample tables.
        if abs(kept - rest) * movie_scale < scale or seg == 0:
            return rest
        return min(kept, rest)
    return total


_STREAM_RE = re.compile(r"Stream #\S+: Audio: (\w+).*?, (\d+) Hz, ([^,]+)")
_INPUT_RE = re.compile(r"Input #0, ([\w,]+), from")
_SAMPLES_RE = re.compile(rb"Number of samples: (\d+)")
_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}


def _decode(path: Path) -> tuple[int, str]:
    """Decode the first audio stream fully; (samples per channel, ffmpeg's stderr)."""
    args = [
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-af",
        "astats=measure_perchannel=none:measure_overall=Number_of_samples",
        "-f",
        "null",
        "-",
    ]
    try:
        proc = ffmpeg.run(args, what=path.name)
    except FfmpegFailed as exc:
        raise UnreadableAudio(f"{path.name}: not audio ffmpeg can decode", exc.message) from exc
    found = _SAMPLES_RE.findall(proc.stderr)
    if not found:
        raise UnreadableAudio(f"{path.name}: no audio stream")
    return int(found[-1]), proc.stderr.decode("utf-8", "replace")


def measure_by_decode(path: Path | str) -> int:
    """Samples per channel from a full ffmpeg decode (no resampling): slow, but the truth.

    astats counts the decoded samples, which equals the byte count of `-f s16le -ac 1` / 2
    without holding a half-hour of PCM in memory.
    """
    return _decode(Path(path))[0]


def _by_ffmpeg(path: Path) -> _Stream:
    """Anything we do not parse ourselves: decode it once and read ffmpeg's stream line."""
    samples, err = _decode(path)
    stream = _STREAM_RE.search(err)
    if not stream:
        raise UnreadableAudio(f"{path.name}: no audio stream")
    codec, rate, layout = stream.group(1), int(stream.group(2)), stream.group(3).strip()
    channels = _LAYOUTS.get(layout.split("(")[0], 0)
    if not channels:
        m = re.match(r"(\d+) channels", layout)
        channels = int(m.group(1)) if m else 2
    fmt = _INPUT_RE.search(err)
    container = fmt.group(1).split(",")[0] if fmt else "unknown"
    ext = path.suffix.lower().lstrip(".") or container
    return _Stream(container, codec, ext, samples, rate, channels)


_ID3_KEYS = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "date": "TDRC", "comment": "COMM"}
_MP4_KEYS = {
    "title": "\xa9nam",
    "artist": "\xa9ART",
    "album": "\xa9alb",
    "date": "\xa9day",
    "comment": "\xa9cmt",
}


def read_tags(path: Path) -> tuple[dict[str, str], bool, tuple[Chapter, ...]]:
    """(tags, has artwork, chapters) via mutagen; its exceptions become UnreadableAudio."""
    try:
        return _read_tags(path)
    except UnreadableAudio:
        raise
    except Exception as exc:  # mutagen raises many types on damaged tags; this is the funnel
        raise UnreadableAudio(f"{path.name}: unreadable tags ({exc})") from exc


def _read_tags(path: Path) -> tuple[dict[str, str], bool, tuple[Chapter, ...]]:
    import mutagen
    from mutagen.id3 import ID3, ID3NoHeaderError

    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"ID3") or path.suffix.lower() == ".mp3":
        try:
            return _id3_tags(ID3(path))
        except ID3NoHeaderError:
            return {}, False, ()
    audio = mutagen.File(path)
    if audio is None or audio.tags is None:
        return {}, False, ()
    tags = audio.tags
    if hasattr(tags, "getall") and hasattr(tags, "version"):  # ID3 inside WAV/AIFF
        return _id3_tags(tags)
    if type(audio).__name__ == "MP4":
        found = {k: _first(tags.get(v)) for k, v in _MP4_KEYS.items()}
        chapters = tuple(
            Chapter(start=float(c.start), title=c.title) for c in (audio.chapters or [])
        )
        return _clean(found), bool(tags.get("covr")), chapters
    # Vorbis comments (Ogg, FLAC): keys are case-insensitive.
    found = {k: _first(tags.get(k)) for k in _ID3_KEYS}
    art = bool(tags.get("metadata_block_picture")) or bool(getattr(audio, "pictures", None))
    return _clean(found), art, ()


def _first(value: object) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _clean(tags: dict[str, str]) -> dict[str, str]:
    return {k: v.strip() for k, v in tags.items() if v and v.strip()}


def _id3_tags(id3: ID3) -> tuple[dict[str, str], bool, tuple[Chapter, ...]]:
    found = {}
    for key, frame_id in _ID3_KEYS.items():
        frames = id3.getall(frame_id)
        if frames and frames[0].text:
            found[key] = str(frames[0].text[0])
    chapters = []
    for chap in id3.getall("CHAP"):
        sub = chap.sub_frames
        title = str(sub["TIT2"].text[0]) if "TIT2" in sub and sub["TIT2"].text else ""
        urls = sub.getall("WXXX") + sub.getall("WOAR")
        chapters.append(
            Chapter(
                start=chap.start_time / 1000,
                title=title or chap.element_id,
                url=urls[0].url if urls else None,
            )
        )
    chapters.sort(key=lambda c: c.start)
    return _clean(found), bool(id3.getall("APIC")), tuple(chapters)
