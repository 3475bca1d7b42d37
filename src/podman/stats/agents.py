"""User agents -> app, device, platform; bots and non-listeners by reason (IAB 5.5.2 step 1.2)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Our own table for the apps that matter, first match wins: (pattern, app, device, platform).
# device/platform "" = taken from the generic rules below.
APPS: tuple[tuple[str, str, str, str], ...] = (
    (r"^Podcasts/|^Balados/|^Podcasti/|^Podcast/\d.*Darwin|AirPodcasts", "Apple Podcasts", "", ""),
    (r"AppleCoreMedia/", "Apple Podcasts", "", ""),
    (r"^Spotify/|Spotify-Lite", "Spotify", "", ""),
    (r"^Overcast/", "Overcast", "phone", "iOS"),
    (r"PocketCasts|Pocket Casts", "Pocket Casts", "", ""),
    (r"CastBox|Castbox", "Castbox", "", ""),
    (r"PodcastAddict|Podcast Addict", "Podcast Addict", "phone", "Android"),
    (r"AntennaPod", "AntennaPod", "phone", "Android"),
    (r"gPodder", "gPodder", "computer", ""),
    (r"com\.google\.android\.youtube|com\.google\.ios\.youtube|YouTube", "YouTube", "", ""),
    (r"AlexaMediaPlayer|Alexa|Echo/|Kindle", "Amazon Alexa", "smart speaker", "Alexa"),
    (r"Google-Home|CrKey|GoogleChirp|Google-Speech", "Google Home", "smart speaker", "Google"),
    (r"^Sonos|Sonos/", "Sonos", "smart speaker", "Sonos"),
    (r"HomePod", "Apple Podcasts", "smart speaker", "HomePod"),
    (r"Edg/|Edge/", "Microsoft Edge", "", ""),
    (r"Firefox/", "Firefox", "", ""),
    (r"Chrome/|CriOS/", "Chrome", "", ""),
    (r"Version/[\d.]+.*Safari/", "Safari", "", ""),
)
_APPS = tuple((re.compile(p), app, dev, plat) for p, app, dev, plat in APPS)

# (pattern, device, platform): first match wins.
_DEVICES = tuple((re.compile(p), d, o) for p, d, o in (
    (r"watchOS|Watch[0-9]", "watch", "watchOS"),
    (r"iPad", "tablet", "iOS"),
    (r"iPhone|iOS|iPod", "phone", "iOS"),
    (r"Apple ?TV|tvOS", "tv", "tvOS"),
    (r"Macintosh|Mac OS X|macOS|Darwin", "computer", "macOS"),
    (r"Android.*(Tablet|SM-T|Pixel C)", "tablet", "Android"),
    (r"Android", "phone", "Android"),
    (r"Windows", "computer", "Windows"),
    (r"CrOS", "computer", "ChromeOS"),
    (r"Linux|X11", "computer", "Linux"),
))

# Our own bot rules on top of crawler-user-agents: tools and fetchers that are never listeners.
OWN_BOTS = re.compile(
    r"bot\b|bot/|crawler|spider|scrap|curl/|wget/|python-requests|python-urllib|aiohttp|"
    r"go-http-client|java/|libwww-perl|httpclient|headless|"
    r"feedparser|feed parser|feedfetcher|podcast sync|podcastindex|podnews|monitor|uptime|"
    r"check_http|facebookexternalhit",
    re.I)

_APPLE_WATCH = re.compile(r"^atc/.*watchOS|\(null\)/\(null\) watchOS")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

REASONS = ("bad_ua", "apple_watch", "bot", "datacenter", "volume")


@dataclass(frozen=True)
class Agent:
    app: str  # "" = unknown
    device: str
    platform: str
    reason: str  # "" = may be a listener; else one of REASONS


@cache
def _crawler_patterns() -> re.Pattern[str]:
    import crawleruseragents

    return re.compile("|".join(f"(?:{p['pattern']})"
                               for p in crawleruseragents.CRAWLER_USER_AGENTS_DATA))


def crawler_list_version() -> str:
    from importlib.metadata import version

    return version("crawler-user-agents")


def malformed(ua: str) -> bool:
    """Empty, a placeholder, control characters, absurd length, or no letters at all."""
    text = ua.strip()
    return (not text or text in ("-", "null", "(null)", "unknown") or len(text) > 1024
            or bool(_CONTROL.search(ua)) or not re.search(r"[A-Za-z]{2}", text))


class OpawgList:
    """The OPAWG user-agents v2 pattern files, when `podman stats agents update` fetched them."""

    ORDER = ("bots", "apps", "libraries", "browsers")

    def __init__(self, folder: Path) -> None:
        self.entries: list[tuple[str, re.Pattern[str], dict]] = []
        self.version = ""
        for kind in self.ORDER:
            path = folder / f"{kind}.json"
            if not path.is_file():
                continue
            data = json.loads(path.read_text("utf-8"))
            for entry in data.get("entries", []):
                try:
                    self.entries.append((kind, re.compile(entry["pattern"]), entry))
                except (KeyError, re.error, TypeError):
                    continue
        stamp = folder / "VERSION"
        if stamp.is_file():
            self.version = stamp.read_text("utf-8").strip()

    def match(self, ua: str) -> tuple[str, dict] | None:
        for kind, pattern, entry in self.entries:
            if pattern.search(ua):
                return kind, entry
        return None


def classify(ua: str, opawg: OpawgList | None = None) -> Agent:
    """App, device and platform of one user agent, and why it is not a listener if it is not."""
    if malformed(ua):
        return Agent("", "", "", "bad_ua")
    if _APPLE_WATCH.search(ua):
        return Agent("Apple Podcasts", "watch", "watchOS", "apple_watch")
    device, platform = "", ""
    for pattern, dev, plat in _DEVICES:
        if pattern.search(ua):
            device, platform = dev, plat
            break
    app = ""
    for pattern, name, dev, plat in _APPS:
        if pattern.search(ua):
            app, device, platform = name, dev or device, plat or platform
            break
    # crawler-user-agents also lists some apps' feed crawlers by the app name alone (Overcast/,
    # PocketCasts/): an app of our table is a listener unless our own rules call it a bot
    bot = bool(OWN_BOTS.search(ua) or (not app and _crawler_patterns().search(ua)))
    if opawg is not None and (not app or not bot):
        found = opawg.match(ua)
        if found is not None:
            kind, entry = found
            if kind == "bots":
                bot = True
            elif not app:
                app = str(entry.get("name", ""))
                device = device or str(entry.get("device", ""))
                platform = platform or str(entry.get("os", ""))
    if bot:
        return Agent(app, device, platform, "bot")
    return Agent(app, device, platform, "")
