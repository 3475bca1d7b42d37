"""A workspace that uses every feed tag, written directly (no audio needed), and the CLI runner."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

from click.testing import CliRunner, Result

from podman.cli import cli

NOW = "2025-06-01T12:00:00Z"
BASE = "https://pod.example.com"

SHOW_TOML = """\
title = "The Full Show"
description = "Every tag a podcast app reads & more."
link = "https://news.example.com/podcasts/full"
language = "en-gb"
author = "Example News"
owner_name = "Podcast Desk"
email = "podcasts@example.com"
image = "artwork.png"
categories = ["News > Daily News", "Technology"]
explicit = false
type = "episodic"
copyright = "© 2025 Example News"
podcast_guid = "{guid}"
locked = true
locked_owner = "owner@example.com"
medium = "podcast"
block = false
complete = false
new_feed_url = ""
websub_hub = "https://pubsubhubbub.appspot.com/"

[[funding]]
url = "https://news.example.com/support"
text = "Support our journalism"

[[persons]]
name = "Ada Host"
role = "host"
group = "cast"
img = "https://news.example.com/ada.jpg"
href = "https://news.example.com/ada"

[location]
name = "London, UK"
geo = "geo:51.5072,-0.1276"
osm = "R65606"

[license]
name = "cc-by-4.0"
url = "https://creativecommons.org/licenses/by/4.0/"

[[txt]]
value = "appleverify-token-123"
purpose = "applepodcastsverify"

[[trailers]]
title = "Coming soon"
url = "https://pod.example.com/media/full/trailer.mp3"
pubdate = 2025-01-01T08:00:00Z
length = 12345
type = "audio/mpeg"
season = 1

[update_frequency]
text = "Weekdays"
rrule = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
"""

EPISODE_ONE = """\
+++
guid = "0b7d5c2e-1111-4a3b-9c7d-000000000001"
title = "Budget day: what it means"
published = 2025-05-20T06:00:00Z
status = "published"
duration = 1688.2
season = 1
episode = 1
explicit = false
image = "full/ep1-cover.jpg"

[audio]
key = "full/2025-05-20-budget-day-aaaaaaaaaa.mp3"
bytes = {bytes1}
type = "audio/mpeg"
sha256 = "{sha1}"

[[alternates]]
key = "full/2025-05-20-budget-day-bbbbbbbbbb.opus"
bytes = 2000
type = "audio/ogg"
bitrate = 32000
codec = "opus"

[[soundbites]]
start = 73.5
duration = 30
title = "The chancellor's promise"

[[persons]]
name = "Ben Guest"
role = "guest"
href = "https://news.example.com/ben"

[[articles]]
url = "https://news.example.com/2025/05/20/budget"
title = "Budget 2025 in full"
published = "2025-05-20T05:00:00Z"

[[articles]]
url = "https://news.example.com/2025/05/20/markets"
title = "Markets react"

[[chapters]]
start = 0.0
title = "Intro"

[[chapters]]
start = 95.5
title = "Budget 2025 in full"

[[chapters]]
start = 600.0
title = "Markets"
url = "https://news.example.com/2025/05/20/markets"
+++
The **budget**, explained in 28 minutes.
"""

EPISODE_TWO = """\
+++
guid = "0b7d5c2e-1111-4a3b-9c7d-000000000002"
title = "Trailer: the new season"
published = 2025-05-27T06:00:00Z
status = "published"
duration = 61.0
season = 2
episode = 1
type = "trailer"
image = "https://news.example.com/trailer-cover.jpg"

[audio]
key = "full/2025-05-27-trailer-cccccccccc.mp3"
bytes = {bytes2}
type = "audio/mpeg"
sha256 = "{sha2}"
+++
"""

DRAFT = """\
+++
guid = "0b7d5c2e-1111-4a3b-9c7d-000000000003"
title = "Not yet"
published = 2025-05-28T06:00:00Z
status = "draft"
duration = 10.0

[audio]
key = "full/2025-05-28-not-yet-dddddddddd.mp3"
bytes = 10
type = "audio/mpeg"
sha256 = "00"
+++
"""

SRT = "1\n00:00:00,000 --> 00:00:04,000\nGood morning.\n\n2\n00:00:04,500 --> 00:00:08,000\n" \
      "It is budget day.\n"
VTT = "WEBVTT\n\n00:00.000 --> 00:03.000\nA new season.\n"


def png(size: int = 1400) -> bytes:
    """A real RGB PNG, size x size, black."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x00" * (3 * size) for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make_full_workspace(root: Path) -> Path:
    """podman.toml, feeds/full/{show.toml, artwork.png, episodes/*}, media objects on disk."""
    from podman.models import podcast_guid

    root.mkdir(parents=True, exist_ok=True)
    (root / "podman.toml").write_text(
        f'[storage]\nbackend = "local"\npath = "media"\npublic_url = "{BASE}/media"\n\n'
        f'[publish]\nbase_url = "{BASE}"\n', "utf-8")
    show = root / "feeds" / "full"
    episodes = show / "episodes"
    episodes.mkdir(parents=True)
    (show / "show.toml").write_text(
        SHOW_TOML.format(guid=podcast_guid(f"{BASE}/full/feed.xml")), "utf-8")
    (show / "artwork.png").write_bytes(png())
    media = root / "media" / "full"
    media.mkdir(parents=True)
    audio1, audio2 = b"\xff\xfb" * 5000, b"\xff\xfb" * 700
    (media / "2025-05-20-budget-day-aaaaaaaaaa.mp3").write_bytes(audio1)
    (media / "2025-05-27-trailer-cccccccccc.mp3").write_bytes(audio2)
    (media / "2025-05-20-budget-day-bbbbbbbbbb.opus").write_bytes(b"O" * 2000)
    (media / "ep1-cover.jpg").write_bytes(b"jpg")
    (episodes / "2025-05-20-budget-day.md").write_text(EPISODE_ONE.format(
        bytes1=len(audio1), sha1=hashlib.sha256(audio1).hexdigest()), "utf-8")
    (episodes / "2025-05-20-budget-day.srt").write_text(SRT, "utf-8")
    (episodes / "2025-05-27-trailer.md").write_text(EPISODE_TWO.format(
        bytes2=len(audio2), sha2=hashlib.sha256(audio2).hexdigest()), "utf-8")
    (episodes / "2025-05-27-trailer.vtt").write_text(VTT, "utf-8")
    (episodes / "2025-05-28-not-yet.md").write_text(DRAFT, "utf-8")
    return root


def run(*args: str) -> Result:
    """The CLI as a user runs it; crashes fail loudly."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
