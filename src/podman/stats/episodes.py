"""The catalog's episodes as stats needs them: object keys, paths and download thresholds."""

from __future__ import annotations

import math
import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime

from podman.catalog.episodes import load_show_episodes
from podman.core.config import WorkspaceConfig, show_dirs
from podman.core.models import Episode

MINUTE = 60.0


@dataclass(frozen=True)
class EpisodeFacts:
    show: str
    slug: str
    guid: str
    title: str
    published: datetime
    key: str
    bytes: int
    duration: float
    offset: int  # bytes before the audio (ID3v2 tag), counted in the threshold
    threshold: int  # bytes a listener must have received for a download (IAB 5.5.3)


def id3_size(head: bytes) -> int:
    """Size of a leading ID3v2 tag (header, footer included) from the file's first 10 bytes."""
    if len(head) < 10 or head[:3] != b"ID3" or any(b & 0x80 for b in head[6:10]):
        return 0
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
    return 10 + size + (10 if head[5] & 0x10 else 0)


def threshold(size: int, duration: float, offset: int) -> int:
    """Offset plus one minute of audio at the file's average bitrate; the whole file under a
    minute (IAB 5.5.3 steps 1-3 and the alternative for short episodes)."""
    if duration < MINUTE or size <= offset:
        return size
    byte_rate = (size - offset) / duration
    return min(size, offset + math.ceil(byte_rate * MINUTE))


def episode_facts(ws: WorkspaceConfig, ep: Episode) -> EpisodeFacts:
    offset = 0
    if ws.storage.backend == "local":
        try:
            with (ws.storage.path / ep.audio.key).open("rb") as fh:
                offset = id3_size(fh.read(10))
        except OSError:
            offset = 0
    return EpisodeFacts(ep.show, ep.slug, ep.guid, ep.title, ep.published, ep.audio.key,
                        ep.audio.bytes, ep.duration, offset,
                        threshold(ep.audio.bytes, ep.duration, offset))


def catalog_facts(ws: WorkspaceConfig, show: str | None = None) -> list[EpisodeFacts]:
    out = []
    for folder in show_dirs(ws):
        if show is not None and folder.name != show:
            continue
        out.extend(episode_facts(ws, ep) for ep in load_show_episodes(folder))
    return out


# Measurement prefixes that put the real URL after themselves in the path.
_TRACKING = re.compile(
    r"^/?(?:(?:dts\.podtrac\.com|www\.podtrac\.com/pts)/redirect\.[a-z0-9]+|"
    r"chtbl\.com/track/[^/]+|chrt\.fm/track/[^/]+|op3\.dev/e(?:,[^/]*)?|pdst\.fm/e|"
    r"pfx\.vpixl\.com/[^/]+|verifi\.podscribe\.com/rss/p|arttrk\.com/p/[^/]+|"
    r"mgln\.ai/e/[^/]+|pscrb\.fm/rss/p|traffic\.megaphone\.fm|claritaspod\.com/measure|"
    r"prfx\.byspotify\.com/e|prefix\.up\.audio/s)/", re.I)


def normalise_path(path: str) -> str:
    """A request path or key without scheme, query, tracking prefixes or leading slashes."""
    text = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0])
    text = re.sub(r"^[a-z]+://", "", text, flags=re.I)
    while True:
        stripped = _TRACKING.sub("", text, count=1)
        if stripped == text:
            break
        text = re.sub(r"^(?:https?://)?", "", stripped)
    return text.lstrip("/")


def map_paths(paths: list[str], facts: list[EpisodeFacts]) -> dict[str, str]:
    """Request path -> episode GUID, by the enclosure key (a suffix of the path) or path."""
    by_key = {f.key.strip("/"): f.guid for f in facts}
    out = {}
    for raw in paths:
        parts = normalise_path(raw).split("/")
        for i in range(len(parts)):
            guid = by_key.get("/".join(parts[i:]))
            if guid is not None:
                out[raw] = guid
                break
    return out

