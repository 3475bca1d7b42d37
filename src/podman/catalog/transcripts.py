"""Transcripts: validate WebVTT and SRT files and convert SRT to WebVTT."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from podman.core.errors import TranscriptError

MIME_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip"}

_VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_VTT_TIMING = re.compile(rf"^({_VTT_TIME})[ \t]+-->[ \t]+({_VTT_TIME})(?:[ \t].*)?$")
_SRT_TIME = r"\d{1,}:[0-5]\d:[0-5]\d,\d{3}"
_SRT_TIMING = re.compile(rf"^({_SRT_TIME})[ \t]*-->[ \t]*({_SRT_TIME})(?:[ \t].*)?$")


@dataclass(frozen=True)
class Transcript:
    format: str  # "vtt" or "srt"
    text: str  # normalised: LF line ends, no BOM, one trailing newline

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return self.format

    def as_vtt(self) -> str:
        return self.text if self.format == "vtt" else srt_to_vtt(self.text)


def _normalise(text: str) -> str:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n"


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _check_order(start: str, end: str, where: str) -> None:
    if _seconds(end) < _seconds(start):
        raise TranscriptError(f"{where}: cue ends ({end}) before it starts ({start})")


def validate_vtt(text: str, *, source: str) -> None:
    """WebVTT: a `WEBVTT` header, then blocks; every cue has a valid timing line."""
    lines = _normalise(text).split("\n")
    if not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise TranscriptError(f"{source}:1: a WebVTT file starts with 'WEBVTT'")
    index, cues = 1, 0
    while index < len(lines):
        # Skip the blank lines between blocks, then read one block.
        while index < len(lines) and not lines[index].strip():
            index += 1
        start = index
        while index < len(lines) and lines[index].strip():
            index += 1
        block = lines[start:index]
        if not block:
            continue
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and start > 0:
            continue
        timing = 0 if "-->" in block[0] else 1
        if timing >= len(block) or not _VTT_TIMING.match(block[timing].strip()):
            line = start + min(timing, len(block) - 1) + 1
            raise TranscriptError(
                f"{source}:{line}: expected a cue timing like "
                f"'00:01.000 --> 00:04.000', got {block[min(timing, len(block) - 1)][:60]!r}"
            )
        m = _VTT_TIMING.match(block[timing].strip())
        assert m is not None
        _check_order(m[1], m[2], f"{source}:{start + timing + 1}")
        cues += 1
    if not cues:
        raise TranscriptError(f"{source}: WebVTT file has no cues")


def validate_srt(text: str, *, source: str) -> None:
    """SRT: numbered cues, each a `00:00:01,000 --> 00:00:04,000` line and text."""
    lines = _normalise(text).split("\n")
    index, cues = 0, 0
    while index < len(lines):
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index >= len(lines):
            break
        if not lines[index].strip().isdigit():
            raise TranscriptError(
                f"{source}:{index + 1}: expected a cue number, got {lines[index][:60]!r}"
            )
        index += 1
        timing = lines[index].strip() if index < len(lines) else ""
        m = _SRT_TIMING.match(timing)
        if not m:
            raise TranscriptError(
                f"{source}:{index + 1}: expected a cue timing like "
                f"'00:00:01,000 --> 00:00:04,000', got {timing[:60]!r}"
            )
        _check_order(m[1], m[2], f"{source}:{index + 1}")
        index += 1
        while index < len(lines) and lines[index].strip():
            index += 1
        cues += 1
    if not cues:
        raise TranscriptError(f"{source}: SRT file has no cues")


def parse_transcript(text: str, *, source: str, format: str | None = None) -> Transcript:
    """Validate transcript text; the format comes from the header when not given."""
    text = _normalise(text)
    fmt = format or ("vtt" if text.startswith("WEBVTT") else "srt")
    if fmt == "vtt":
        validate_vtt(text, source=source)
    elif fmt == "srt":
        validate_srt(text, source=source)
    else:
        raise TranscriptError(f"{source}: unknown transcript format {fmt!r} (vtt or srt)")
    return Transcript(format=fmt, text=text)


def load_transcript(path: str | Path) -> Transcript:
    """Read and validate a .vtt or .srt file (`podman add --transcript FILE`)."""
    from podman.core.textfile import read_text_file

    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    text = read_text_file(path, "transcript", TranscriptError)
    fmt = suffix if suffix in MIME_TYPES else None
    if fmt == "srt" and text.lstrip("\ufeff").startswith("WEBVTT"):
        fmt = "vtt"
    return parse_transcript(text, source=str(path), format=fmt)


def srt_to_vtt(text: str) -> str:
    """WebVTT from SRT: a header, dots for millisecond commas, cue numbers kept as ids."""
    out = ["WEBVTT", ""]
    for line in _normalise(text).split("\n"):
        m = _SRT_TIMING.match(line.strip())
        if m:
            start, end = (_vtt_stamp(s) for s in (m[1], m[2]))
            line = f"{start} --> {end}"
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def _vtt_stamp(srt: str) -> str:
    hours, minutes, rest = srt.split(":")
    return f"{int(hours):02d}:{minutes}:{rest.replace(',', '.')}"


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str  # plain text: WebVTT tags (<v Speaker>, <i>) removed, entities decoded


def vtt_cues(vtt: str) -> list[Cue]:
    """The cues of a validated WebVTT text, for showing the transcript beside the player."""
    import html

    cues = []
    for block in _normalise(vtt).split("\n\n")[1:]:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing = 0 if "-->" in lines[0] else 1
        m = _VTT_TIMING.match(lines[timing].strip()) if timing < len(lines) else None
        if m is None:
            continue
        text = html.unescape(re.sub(r"<[^>]*>", "", " ".join(lines[timing + 1:])))
        cues.append(Cue(_seconds(m[1]), _seconds(m[2]), " ".join(text.split())))
    return cues
