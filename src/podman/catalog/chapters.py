"""Chapters: the plain-text chapters file, Podcasting 2.0 JSON chapters, PSC times, notes HTML."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from pathlib import Path

from podman.core.errors import ChapterError
from podman.core.models import Chapter, duration_text

JSON_CHAPTERS_TYPE = "application/json+chapters"

_TIME = r"(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:\.(?P<frac>\d{1,3}))?"
_LINE = re.compile(rf"^(?P<time>{_TIME})\s+(?P<rest>.*\S)\s*$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def parse_time(text: str) -> float:
    """`MM:SS`, `H:MM:SS` or either with `.mmm`; raises ValueError on anything else."""
    m = re.fullmatch(_TIME, text.strip())
    if not m:
        raise ValueError(f"not a time: {text!r}")
    hours = int(m["h"] or 0)
    minutes, seconds = int(m["m"]), int(m["s"])
    if seconds >= 60 or (m["h"] is not None and minutes >= 60):
        raise ValueError(f"not a time: {text!r}")
    frac = int((m["frac"] or "0").ljust(3, "0"))
    return ((hours * 3600 + minutes * 60 + seconds) * 1000 + frac) / 1000


def format_time(seconds: float) -> str:
    """The chapters-file form of a start time: `M:SS`/`H:MM:SS`, `.mmm` only when needed."""
    millis = round(seconds * 1000)
    whole, frac = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{text}.{frac:03d}" if frac else text


def parse_chapters_text(
    text: str, *, source: str, duration: float | None
) -> tuple[Chapter, ...]:
    """Chapters from `TIME Title [URL]` lines; errors name `source:line` so users can fix them."""
    chapters: list[Chapter] = []
    previous: float | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        m = _LINE.match(line)
        if not m:
            raise ChapterError(
                f"{where}: expected 'TIME Title [URL]', got {line[:60]!r}",
                hint="times look like 0:00, 12:34, 1:02:03 or 1:02:03.500",
            )
        try:
            start = parse_time(m["time"])
        except ValueError:
            raise ChapterError(f"{where}: {m['time']!r} is not a valid time") from None
        title, url = m["rest"], None
        words = title.rsplit(None, 1)
        if len(words) == 2 and _URL.match(words[1]):
            title, url = words[0].strip(), words[1]
        elif _URL.match(title):
            raise ChapterError(f"{where}: chapter at {m['time']} has a URL but no title")
        if previous is None and start != 0:
            raise ChapterError(
                f"{where}: the first chapter must start at 0:00, not {m['time']}"
            )
        if previous is not None and start <= previous:
            raise ChapterError(
                f"{where}: chapter at {m['time']} does not come after the one before "
                f"({format_time(previous)})"
            )
        if duration is not None and start >= duration:
            raise ChapterError(
                f"{where}: chapter at {m['time']} is past the end of the audio "
                f"({duration_text(duration)})"
            )
        chapters.append(Chapter(start=start, title=title, url=url))
        previous = start
    return tuple(chapters)


def chapters_text(chapters: Iterable[Chapter]) -> str:
    """The inverse of parse_chapters_text: one `TIME Title [URL]` line per chapter."""
    lines = []
    for c in chapters:
        parts = [format_time(c.start), c.title] + ([c.url] if c.url else [])
        lines.append(" ".join(parts))
    return "".join(line + "\n" for line in lines)


def load_chapters(path: str | Path, duration: float | None) -> tuple[Chapter, ...]:
    """Read and validate a chapters file (`podman add --chapters FILE`)."""
    from podman.core.textfile import read_text_file

    path = Path(path)
    text = read_text_file(path, "chapters", ChapterError)
    return parse_chapters_text(text, source=str(path), duration=duration)


def _json_number(seconds: float) -> int | float:
    rounded = round(seconds, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def chapters_json(chapters: Iterable[Chapter], *, title: str | None = None) -> str:
    """Podcasting 2.0 JSON chapters 1.2.0; fixed key order so rebuilds are byte-identical."""
    doc: dict[str, object] = {"version": "1.2.0"}
    if title:
        doc["title"] = title
    items = []
    for c in chapters:
        item: dict[str, object] = {"startTime": _json_number(c.start), "title": c.title}
        if c.url:
            item["url"] = c.url
        if c.image:
            item["img"] = c.image
        items.append(item)
    doc["chapters"] = items
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def psc_start(seconds: float) -> str:
    """Podlove Simple Chapters start: normal play time `HH:MM:SS.mmm`."""
    millis = round(max(seconds, 0) * 1000)
    whole, frac = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{frac:03d}"


def chapters_notes_html(chapters: Iterable[Chapter]) -> str:
    """A timestamp list for show notes, using only tags Apple allows (ul, li, a)."""
    items = []
    for c in chapters:
        label = f"{duration_text(int(c.start))} {html.escape(c.title, quote=False)}"
        if c.url and c.url.lower().startswith(("http://", "https://")):  # never javascript:
            label = f'<a href="{html.escape(c.url, quote=True)}">{label}</a>'
        items.append(f"<li>{label}</li>")
    if not items:
        return ""
    return "<ul>" + "".join(items) + "</ul>"
