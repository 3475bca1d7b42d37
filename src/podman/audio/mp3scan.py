"""MP3 frame walker: exact frame and sample counts, Xing/Info/VBRI and LAME delay/padding."""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from podman.core.errors import UnreadableAudio

# MPEG version bits (header byte 1, bits 4-3) -> index into the tables: 0 = MPEG-1, 1 = MPEG-2,
# 2 = MPEG-2.5; None is the reserved value.
_VERSION = {3: 0, 2: 1, 0: 2, 1: None}
_VERSION_NAME = ("1", "2", "2.5")
# Layer bits (bits 2-1) -> layer number; 0 is reserved.
_LAYER = {3: 1, 2: 2, 1: 3, 0: None}

_SAMPLE_RATES = ((44100, 48000, 32000), (22050, 24000, 16000), (11025, 12000, 8000))

# kbit/s by [mpeg-1 or not][layer - 1][bitrate index]; index 0 (free format) and 15 are invalid.
_BITRATES = (
    (
        (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0),
        (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0),
        (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0),
    ),
    (
        (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0),
        (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0),
        (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0),
    ),
)

# ffmpeg's mp3 decoder adds this many samples of its own latency to the LAME encoder delay.
DECODER_DELAY = 528 + 1

# Byte sequences that end the audio: ID3v1, APEv2, Lyrics3 and an appended ID3v2 tag.
_TRAILERS = (b"TAG", b"APETAGEX", b"LYRICSBEGIN", b"ID3")

# ffmpeg honours the LAME tag's delay/padding for these encoder strings; we do the same so that
# our count equals a full decode (mutagen honours only "LAME").
_DELAY_ENCODERS = (b"LAME", b"Lavf", b"Lavc")


@dataclass(frozen=True)
class Mp3Scan:
    """What walking every frame of an MP3 stream learns; `samples` is exact."""

    frames: int  # audio frames (the Xing/Info/VBRI frame not counted)
    samples: int  # per channel, after encoder delay and padding
    sample_rate: int
    channels: int
    version: str  # "1", "2" or "2.5"
    layer: int
    samples_per_frame: int
    bitrate: int  # average bits per second over the audio frames
    vbr: bool
    audio_start: int  # offset of the first audio frame (after ID3v2 and the Xing frame)
    audio_bytes: int  # bytes of the audio frames
    encoder_delay: int
    encoder_padding: int
    xing_frames: int | None
    has_xing: bool
    has_vbri: bool
    encoder: str

    @property
    def duration(self) -> float:
        return self.samples / self.sample_rate


@dataclass(frozen=True)
class _Header:
    version: int  # table index: 0 = MPEG-1, 1 = MPEG-2, 2 = MPEG-2.5
    layer: int
    sample_rate: int
    channels: int
    length: int
    samples_per_frame: int
    bitrate_index: int


def _parse_header(b1: int, b2: int, b3: int) -> _Header | None:
    """Decode header bytes 1-3 (byte 0 is 0xFF); None when any field is invalid."""
    if b1 & 0xE0 != 0xE0:
        return None
    version = _VERSION[(b1 >> 3) & 3]
    layer = _LAYER[(b1 >> 1) & 3]
    bri, sri, pad = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version is None or layer is None or sri == 3 or bri in (0, 15):
        return None
    rate = _SAMPLE_RATES[version][sri]
    kbps = _BITRATES[min(version, 1)][layer - 1][bri]
    if layer == 1:
        length, spf = (12000 * kbps // rate + pad) * 4, 384
    elif layer == 2 or version == 0:
        length, spf = 144000 * kbps // rate + pad, 1152
    else:
        length, spf = 72000 * kbps // rate + pad, 576
    channels = 1 if (b3 >> 6) == 3 else 2
    return _Header(version, layer, rate, channels, length, spf, bri)


def _length_tables(h: _Header, b1: int, first_bri: int) -> tuple[list[int], list[int]]:
    """Frame length indexed by header bytes 1-2 (0 = invalid or another stream's header).

    The first table accepts only the first frame's bitrate, so a CBR file never leaves the hot
    loop; the second accepts every bitrate of this version/layer/rate (VBR).
    """
    one = [0] * 65536
    every = [0] * 65536
    sri = _SAMPLE_RATES[h.version].index(h.sample_rate)
    for b2 in range(256):
        bri, pad = b2 >> 4, (b2 >> 1) & 1
        kbps = _BITRATES[min(h.version, 1)][h.layer - 1][bri]
        if (b2 >> 2) & 3 != sri or not kbps:
            continue
        if h.layer == 1:
            n = (12000 * kbps // h.sample_rate + pad) * 4
        else:
            n = (144000 if h.samples_per_frame == 1152 else 72000) * kbps // h.sample_rate + pad
        for key in ((b1 & 0xFE) << 8 | b2, (b1 | 1) << 8 | b2):  # the CRC bit may vary
            every[key] = n
            if bri == first_bri:
                one[key] = n
    return one, every


def _walk(
    data: bytes | mmap.mmap, pos: int, end: int, h: _Header, b1: int
) -> tuple[int, int, bool, bool, int]:
    """Count frames from pos: (frames, audio bytes, vbr, last frame cut off, where tags begin)."""
    first_bri = data[pos + 2] >> 4 if pos + 3 < end else h.bitrate_index
    table, every = _length_tables(h, b1, first_bri)
    frames = audio_bytes = 0
    vbr = False
    while True:
        run_start = pos
        n = 0
        # The hot loop: one table lookup per frame, no objects, no struct, no bounds test.
        try:
            while data[pos] == 255 and (n := table[data[pos + 1] << 8 | data[pos + 2]]):
                frames += 1
                pos += n
        except IndexError:
            pass
        if pos > end:  # the last frame runs past the end of the file (or into ID3v1)
            audio_bytes += pos - n - run_start
            return frames - 1, audio_bytes, vbr, True, end
        audio_bytes += pos - run_start
        if pos + 4 <= end and data[pos] == 255 and every[data[pos + 1] << 8 | data[pos + 2]]:
            vbr = True  # a valid frame at another bitrate
            table = every
            continue
        if pos >= end or data[pos : pos + 11].startswith(_TRAILERS):
            return frames, audio_bytes, vbr, False, min(pos, end)
        # Garbage: resync on the next header that chains, else the rest is trailing junk.
        found = _sync(data, pos, end)
        if found is None:
            return frames, audio_bytes, vbr, False, end
        pos = found[0]


def _skip_id3v2(data: bytes | mmap.mmap, pos: int) -> int:
    """Skip one or more ID3v2 tags (with footer flag) starting at pos."""
    end = len(data)
    while pos + 10 <= end and data[pos : pos + 3] == b"ID3":
        flags = data[pos + 5]
        size = 0
        for b in data[pos + 6 : pos + 10]:
            size = (size << 7) | (b & 0x7F)
        pos += 10 + size + (10 if flags & 0x10 else 0)
    return pos


def _chains(data: bytes | mmap.mmap, pos: int, end: int) -> _Header | None:
    """A valid header at pos whose next frame is a matching header (or the end / a trailer)."""
    if pos + 4 > end or data[pos] != 0xFF:
        return None
    h = _parse_header(data[pos + 1], data[pos + 2], data[pos + 3])
    if h is None:
        return None
    nxt = pos + h.length
    if nxt == end or data[nxt : nxt + 3] in (b"TAG", b"API", b"LYR", b"ID3"):
        return h
    if nxt + 4 > end or data[nxt] != 0xFF:
        return None
    h2 = _parse_header(data[nxt + 1], data[nxt + 2], data[nxt + 3])
    if h2 is None or (h2.version, h2.layer, h2.sample_rate) != (h.version, h.layer, h.sample_rate):
        return None
    return h


def _sync(data: bytes | mmap.mmap, pos: int, end: int) -> tuple[int, _Header] | None:
    """Scan forward for the next chaining frame header."""
    while True:
        pos = data.find(b"\xff", pos, end - 3)
        if pos < 0:
            return None
        h = _chains(data, pos, end)
        if h is not None:
            return pos, h
        pos += 1


def _u32(data: bytes | mmap.mmap, pos: int) -> int:
    return int.from_bytes(data[pos : pos + 4], "big")


def _audio_end(data: bytes | mmap.mmap) -> int:
    """Where trailing tags begin: ID3v1 (128 bytes at the very end) is cut off before walking."""
    end = len(data)
    if end >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    return end


def scan(source: str | os.PathLike[str] | BinaryIO) -> Mp3Scan:
    """Walk every frame of an MP3; raise UnreadableAudio when it is not one or is truncated."""
    if isinstance(source, str | os.PathLike):
        name = Path(source).name
        try:
            with open(source, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size == 0:
                    raise UnreadableAudio(f"{name}: empty file (0 bytes)")
                with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    return scan_bytes(data, name)
        except OSError as exc:
            raise UnreadableAudio(f"{name}: cannot read: {exc.strerror or exc}") from exc
    name = Path(getattr(source, "name", "<stream>")).name
    return scan_bytes(source.read(), name)


def scan_bytes(data: bytes | mmap.mmap, name: str = "<bytes>") -> Mp3Scan:
    """`scan` over bytes already in memory (or an mmap); `name` goes into error messages."""
    size = len(data)
    if size == 0:
        raise UnreadableAudio(f"{name}: empty file (0 bytes)")
    end = _audio_end(data)
    body_start = _skip_id3v2(data, 0)
    found = _sync(data, body_start, end)
    if found is None:
        raise UnreadableAudio(f"{name}: not an audio file (no MPEG audio frames found)")
    first, h = found
    xing = _read_vbr_tag(data, first, h)
    pos = first + h.length if xing.present else first
    audio_start = pos

    frames, audio_bytes, vbr, truncated, body_end = _walk(data, pos, end, h, data[first + 1])
    # Random bytes hold a chaining pair of "headers" now and then; real MP3 is mostly frames.
    if frames == 0 or (audio_bytes + pos - first) * 2 < body_end - body_start:
        raise UnreadableAudio(f"{name}: not an audio file (no MPEG audio frames found)")
    if xing.frames is not None and frames < xing.frames:
        raise UnreadableAudio(
            f"{name}: truncated: header promises {xing.frames} frames, file holds {frames}"
        )
    if truncated:
        raise UnreadableAudio(f"{name}: truncated: the last frame is cut off at byte {size}")

    spf = h.samples_per_frame
    # ffmpeg stops at the Xing frame count when it has one; the LAME tag trims both ends.
    if xing.frames:
        samples = min(frames, xing.frames) * spf - xing.delay - xing.padding
    else:  # start trimmed by delay + decoder delay, end untrimmed (what ffmpeg does)
        samples = frames * spf - (xing.delay + DECODER_DELAY if xing.delay else 0)
    seconds = frames * spf / h.sample_rate
    return Mp3Scan(
        frames=frames,
        samples=max(samples, 0),
        sample_rate=h.sample_rate,
        channels=h.channels,
        version=_VERSION_NAME[h.version],
        layer=h.layer,
        samples_per_frame=spf,
        bitrate=round(audio_bytes * 8 / seconds),
        vbr=vbr,
        audio_start=audio_start,
        audio_bytes=audio_bytes,
        encoder_delay=xing.delay,
        encoder_padding=xing.padding,
        xing_frames=xing.frames,
        has_xing=xing.kind == "xing",
        has_vbri=xing.kind == "vbri",
        encoder=xing.encoder,
    )


@dataclass(frozen=True)
class _VbrTag:
    kind: str | None = None  # "xing" (also "Info") or "vbri"
    frames: int | None = None
    delay: int = 0
    padding: int = 0
    encoder: str = ""

    @property
    def present(self) -> bool:
        return self.kind is not None


def _read_vbr_tag(data: bytes | mmap.mmap, pos: int, h: _Header) -> _VbrTag:
    """Xing/Info (with the LAME extension) or VBRI in the first frame; that frame is not audio."""
    if h.layer != 3:
        return _VbrTag()
    frame_end = pos + h.length
    side = (32 if h.channels == 2 else 17) if h.version == 0 else (17 if h.channels == 2 else 9)
    x = pos + 4 + side
    tag = data[x : x + 4]
    if tag in (b"Xing", b"Info"):
        flags = _u32(data, x + 4)
        p = x + 8
        frames = None
        if flags & 1:
            frames = _u32(data, p)
            p += 4
        p += (4 if flags & 2 else 0) + (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
        delay = padding = 0
        encoder = b""
        if p + 24 <= frame_end:
            encoder = bytes(data[p : p + 9])
            if encoder.startswith(_DELAY_ENCODERS):
                v = int.from_bytes(data[p + 21 : p + 24], "big")
                # ffmpeg skips delay + 529 at the start and stops padding - 529 early.
                delay, padding = v >> 12, v & 0xFFF
        text = encoder.rstrip(b"\0 ").decode("latin-1") if encoder.isascii() else ""
        return _VbrTag("xing", frames, delay, padding, text)
    v = pos + 4 + 32
    if data[v : v + 4] == b"VBRI":
        return _VbrTag("vbri", _u32(data, v + 14))
    return _VbrTag()
