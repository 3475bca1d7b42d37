"""Domain records (show, episode, audio facts, articles, chapters) and pure helpers on them."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Podcasting 2.0 namespace for podcast:guid (UUIDv5 over the feed URL without scheme).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str
    url: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class AudioFacts:
    """What probing learns about one audio file; duration is exact, never a bitrate estimate."""

    path: str
    container: str  # mp3, mp4, ogg, flac, wav, or ffmpeg's format name
    codec: str  # mp3, aac, alac, opus, vorbis, flac, pcm_s16le, ...
    mime_type: str  # audio/mpeg, audio/mp4, audio/ogg, audio/flac, audio/wav
    extension: str  # canonical extension for the published file, without dot: mp3, m4a, ogg, opus
    duration: float  # seconds, exact (samples / sample_rate where known)
    samples: int | None  # exact sample count per channel, when the container tells it
    sample_rate: int
    channels: int
    bitrate: int  # average bits per second over the audio payload
    bytes: int
    sha256: str
    vbr: bool = False
    tags: dict[str, str] = field(default_factory=dict)  # title, artist, album, date, comment
    has_artwork: bool = False
    chapters: tuple[Chapter, ...] = ()

    @property
    def duration_text(self) -> str:
        return duration_text(self.duration)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "container": self.container,
            "codec": self.codec,
            "type": self.mime_type,
            "duration": self.duration,
            "duration_text": self.duration_text,
            "samples": self.samples,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "bitrate": self.bitrate,
            "vbr": self.vbr,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "tags": dict(self.tags),
            "artwork": self.has_artwork,
            "chapters": [chapter_json(c) for c in self.chapters],
        }


@dataclass(frozen=True)
class Article:
    url: str
    title: str | None = None
    published: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class AudioRef:
    """Where an episode's published audio lives in storage."""

    key: str
    bytes: int
    type: str
    sha256: str


@dataclass(frozen=True)
class Episode:
    show: str
    slug: str
    guid: str
    title: str
    published: datetime
    status: str  # "published" or "draft"
    duration: float
    audio: AudioRef
    notes: str = ""
    articles: tuple[Article, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    season: int | None = None
    episode: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    image: str | None = None
    notes_format: str = "markdown"  # "html": imported notes, sanitised by the build like Markdown
    extra: dict[str, Any] = field(default_factory=dict)  # front matter keys of later features

    def is_due(self, now: datetime) -> bool:
        return self.status == "published" and self.published <= now


def chapter_json(c: Chapter) -> dict[str, Any]:
    out: dict[str, Any] = {"start": c.start, "title": c.title}
    if c.url:
        out["url"] = c.url
    if c.image:
        out["image"] = c.image
    return out


def duration_text(seconds: float) -> str:
    """`28:08` under an hour, `1:02:03` from an hour on; rounded to the nearest second."""
    total = int(seconds + 0.5) if seconds >= 0 else 0
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def whole_seconds(seconds: float) -> int:
    return int(seconds + 0.5)


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII a-z0-9- only; accents folded, everything else becomes a hyphen."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def episode_slug(published: datetime, title: str) -> str:
    base = slugify(title) or "episode"
    return f"{published.strftime('%Y-%m-%d')}-{base}"


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 over the feed URL with its scheme and trailing slashes removed."""
    bare = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def mint_guid() -> str:
    """A random UUID: minted once, never derived from a URL or a hash."""
    return str(uuid.uuid4())


MIN_YEAR, MAX_YEAR = 1900, 9000  # a sane date; outside it converting to UTC may overflow


def date_problem(dt: datetime) -> str | None:
    """Why a catalog date cannot be used (None when it can): its year, checked before any
    conversion, so an OverflowError never surfaces."""
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        return f"{dt.isoformat()} is outside the years {MIN_YEAR}-{MAX_YEAR}"
    return None


def utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_datetime(text: str) -> datetime:
    """ISO 8601 date or date-time; a time without an offset is UTC. Raises ValueError."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return utc(datetime.fromisoformat(text))
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError(f"{text}: outside the years 1 to 9999 in UTC") from None


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(dt: datetime) -> str:
    """RFC 2822 with English names and a numeric zone, independent of the locale."""
    if dt.tzinfo is not UTC:
        dt = utc(dt)
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} +0000"
    )


def iso(dt: datetime) -> str:
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")
