"""One imported item: download and check its files, re-derive its facts, record it verbatim."""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from podman.core.errors import BadInput, PodmanError
from podman.core.models import (
    Article,
    AudioFacts,
    AudioRef,
    Chapter,
    Episode,
    duration_text,
    episode_slug,
)
from podman.importer.fetch import Fetcher, FetchFailed
from podman.importer.reader import SourceItem

MEDIA_LIMIT = 4 * 1024 * 1024 * 1024
TRANSCRIPT_EXT = {"text/vtt": "vtt", "application/x-subrip": "srt", "application/srt": "srt",
                  "text/srt": "srt", "application/json": "json", "text/html": "html",
                  "text/plain": "txt"}
TOLERANCE = 1.0  # seconds between a claimed and a measured duration before it is reported


@dataclass(frozen=True)
class ItemOutcome:
    position: int
    guid: str
    title: str
    status: str  # imported | planned | failed
    slug: str = ""
    message: str = ""
    duration: float | None = None
    differences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "guid": self.guid, "title": self.title,
                "status": self.status, "slug": self.slug, "message": self.message,
                "duration": self.duration, "differences": self.differences,
                "warnings": self.warnings}


@dataclass
class ItemFetch:
    """What downloading an item produced (nothing with --no-download)."""

    item: SourceItem
    audio: Path | None = None
    facts: AudioFacts | None = None
    final_url: str = ""
    hops: list[str] = field(default_factory=list)
    chapters: tuple[Chapter, ...] = ()
    transcripts: list[tuple[str, str]] = field(default_factory=list)  # (extension, text)
    image: tuple[bytes, str] | None = None  # (bytes, extension)
    differences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        if self.audio is not None:
            self.audio.unlink(missing_ok=True)


def _name(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]


def fetch_item(fetcher: Fetcher, item: SourceItem, work: Path, side_limit: int) -> ItemFetch:
    """Download the enclosure (resumable), check it is audio, probe it; then its chapters,
    transcripts and image (a dead one is a warning, the episode still imports)."""
    from podman.audio.probe import probe_file
    from podman.workflows.add import publishable

    url = item.enclosure_url or ""
    dest = work / f"{_name(url)}.audio"
    resp = fetcher.download(url, dest, limit=MEDIA_LIMIT)
    got = ItemFetch(item, audio=dest, final_url=resp.url, hops=resp.hops + resp.fallbacks)
    try:
        facts = probe_file(dest)
        publishable(facts)
    except PodmanError as exc:
        dest.unlink(missing_ok=True)
        raise FetchFailed(f"{url}: {exc.message.split(': ', 1)[-1]}") from None
    got.facts = facts
    got.differences = differences(item, facts)
    if item.chapters_url:
        try:
            body = fetcher.get(item.chapters_url, limit=side_limit).body
            got.chapters = json_chapters(body, item.chapters_url)
        except PodmanError as exc:
            got.warnings.append(f"chapters not imported: {exc.message}")
    for t in item.transcripts:
        try:
            body = fetcher.get(t.url, limit=side_limit).body
            got.transcripts.append((_transcript_ext(t.type, t.url),
                                    body.decode("utf-8-sig", "replace")))
        except PodmanError as exc:
            got.warnings.append(f"transcript not imported: {exc.message}")
    if item.image:
        try:
            body = fetcher.get(item.image, limit=side_limit, accept="image/*").body
            ext = "png" if body.startswith(b"\x89PNG") else (
                "jpg" if body.startswith(b"\xff\xd8") else "")
            if not ext:
                raise FetchFailed(f"{item.image}: not a JPEG or PNG image")
            got.image = (body, ext)
        except PodmanError as exc:
            got.warnings.append(f"image kept at its old URL: {exc.message}")
    return got


def differences(item: SourceItem, facts: AudioFacts) -> list[str]:
    """What the old feed claimed and the bytes contradict: duration and length."""
    out = []
    if item.duration_claim is None:
        out.append(f"duration: the feed claims none ({item.duration_raw or 'no tag'}), "
                   f"the audio is {duration_text(facts.duration)}")
    elif abs(item.duration_claim - facts.duration) > TOLERANCE:
        out.append(f"duration: the feed claims {item.duration_raw} "
                   f"({duration_text(item.duration_claim)}), the audio is "
                   f"{duration_text(facts.duration)}")
    length = (item.enclosure_length or "").strip()
    if not length.isdigit() or int(length) != facts.bytes:
        out.append(f"length: the feed claims {length or 'none'}, the audio has "
                   f"{facts.bytes} bytes")
    return out


def json_chapters(body: bytes, source: str) -> tuple[Chapter, ...]:
    """Podcasting 2.0 JSON chapters (version 1.x): startTime, title, url, img."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise FetchFailed(f"{source}: not JSON chapters") from None
    rows = doc.get("chapters") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise FetchFailed(f"{source}: JSON without a `chapters` list")
    out = []
    for row in rows:
        if not isinstance(row, dict) or row.get("toc") is False:
            continue
        start = row.get("startTime")
        if not isinstance(start, int | float) or isinstance(start, bool) or start < 0:
            continue
        url, img = row.get("url"), row.get("img")
        out.append(Chapter(float(start), str(row.get("title") or "Chapter").strip(),
                           url if isinstance(url, str) and _http(url) else None,
                           img if isinstance(img, str) and _http(img) else None))
    return tuple(sorted(out, key=lambda c: c.start))


def _http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _transcript_ext(mime: str, url: str) -> str:
    ext = TRANSCRIPT_EXT.get(mime.lower().split(";")[0].strip())
    if ext:
        return ext
    suffix = Path(urlsplit(url).path).suffix.lower().lstrip(".")
    return suffix if suffix in ("vtt", "srt", "json", "html", "txt") else "txt"


# -- the episode -------------------------------------------------------------------------------

def _fit(chapters: tuple[Chapter, ...], duration: float, warnings: list[str]) -> tuple:
    kept = tuple(c for c in chapters if c.start < duration)
    if len(kept) < len(chapters):
        warnings.append(f"{len(chapters) - len(kept)} chapter(s) start after the audio ends "
                        "and were left out")
    return kept


def _import_table(item: SourceItem, source_feed: str, got: ItemFetch,
                  duration_source: str) -> dict[str, Any]:
    table: dict[str, Any] = {"source_feed": source_feed,
                             "enclosure_url": item.enclosure_url or "",
                             "enclosure_length": item.enclosure_length or "",
                             "enclosure_type": item.enclosure_type or "",
                             "duration": item.duration_raw or "",
                             "pub_date": item.pub_date_raw or "",
                             "position": item.position,
                             "duration_source": duration_source}
    optional = {"guid_missing": item.guid is None, "final_url": got.final_url,
                "redirects": got.hops, "image_url": item.image,
                "chapters_url": item.chapters_url,
                "transcripts": [t.url for t in item.transcripts],
                "notes_source": item.notes_source, "repairs": item.repairs}
    table.update({k: v for k, v in optional.items() if v})
    if item.source != source_feed and item.source:
        table["read_from"] = item.source
    return table


def _claimed_duration(item: SourceItem, warnings: list[str]) -> tuple[float, str]:
    if item.duration_claim and item.duration_claim > 0:
        return item.duration_claim, "claimed"
    length = (item.enclosure_length or "").strip()
    if length.isdigit() and int(length) > 0:
        warnings.append("no duration claimed: estimated from the length at 128 kbit/s")
        return round(int(length) * 8 / 128000, 3) or 1.0, "estimated"
    warnings.append("no duration claimed and no length: recorded as 1 second")
    return 1.0, "unknown"


def episode_for(item: SourceItem, got: ItemFetch, *, show: str, published: datetime,
                source_feed: str, keys: set[str], strip_boilerplate: bool = False) -> Episode:
    """The catalog record: identity verbatim, facts from the bytes (or the feed's claims)."""
    from podman.workflows.add import publishable, storage_key

    warnings = got.warnings
    title = item.title.strip() or _fallback_title(item)
    if got.facts is not None:
        facts = got.facts
        mime, ext = publishable(facts)
        key = storage_key(show, published, title, facts.sha256, ext)
        n = 2
        while key in keys:
            stem, dot_ext = key.rsplit(".", 1)
            key = f"{stem.removesuffix(f'-{n - 1}')}-{n}.{dot_ext}"
            n += 1
        audio = AudioRef(key=key, bytes=facts.bytes, type=mime, sha256=facts.sha256)
        duration, duration_source = facts.duration, "measured"
        chapters = got.chapters or item.psc or facts.chapters
    else:
        if not _http(item.enclosure_url or ""):
            raise BadInput(f"{item.enclosure_url}: not an http(s) URL; podman emits no other")
        length = (item.enclosure_length or "").strip()
        audio = AudioRef(key=item.enclosure_url or "", bytes=int(length) if length.isdigit()
                         else 0, type=_enclosure_type(item), sha256="")
        duration, duration_source = _claimed_duration(item, warnings)
        chapters = item.psc
    extra: dict[str, Any] = {}
    if item.guid_permalink:
        extra["guid_permalink"] = True
    if item.block:
        extra["block"] = True
    for key_name, value in (("persons", item.persons), ("funding", item.funding),
                            ("license", item.license), ("location", item.location)):
        if value:
            extra[key_name] = value
    bites = [b for b in item.soundbites
             if b["start"] >= 0 and b["duration"] > 0
             and b["start"] + b["duration"] <= duration + 0.5]
    if len(bites) < len(item.soundbites):
        warnings.append(f"{len(item.soundbites) - len(bites)} soundbite(s) outside the audio "
                        "left out")
    if bites:
        extra["soundbites"] = [{k: v for k, v in b.items() if v != ""} for b in bites]
    extra["import"] = _import_table(item, source_feed, got, duration_source)
    notes = item.notes
    if strip_boilerplate:
        from podman.importer.boilerplate import strip_boilerplate as strip

        notes, hosts = strip(notes)
        if hosts:
            extra["import"]["boilerplate_removed"] = hosts
    return Episode(
        show=show, slug=episode_slug(published, title),
        guid=item.guid if item.guid is not None else (item.enclosure_raw
                                                      or item.enclosure_url or ""),
        title=title, published=published, status="published", duration=duration,
        audio=audio, notes=notes, notes_format="html" if notes else "markdown",
        articles=(Article(url=item.link),) if item.link else (),
        chapters=_fit(tuple(chapters), duration, warnings), season=item.season,
        episode=item.episode, episode_type=item.episode_type, explicit=item.explicit,
        image=item.image or None, extra=extra,
    )


def _fallback_title(item: SourceItem) -> str:
    name = Path(urlsplit(item.enclosure_url or "").path).stem
    item.repairs.append("no title: named after its audio file")
    return name.replace("_", " ").replace("-", " ").strip() or f"Episode {item.position}"


def _enclosure_type(item: SourceItem) -> str:
    given = (item.enclosure_type or "").strip()
    if given:
        return given
    guess = mimetypes.guess_type(urlsplit(item.enclosure_url or "").path)[0]
    return guess or "audio/mpeg"


def record_item(ws, show_dir: Path, storage, ep: Episode, got: ItemFetch) -> Episode:
    """Store the audio and image (unless left on the old host), then write the episode file and
    its transcripts under the workspace lock; on failure nothing of the item stays behind."""
    from podman.catalog.episodes import episode_path, episodes_dir, write_new_episode
    from podman.core.fsio import atomic_write, workspace_lock
    from podman.workflows.add import store_object

    uploaded: list[str] = []
    try:
        if got.audio is not None and got.facts is not None:
            if store_object(storage, got.audio, ep.audio.key, ep.audio.type, ep.audio.sha256,
                            None):
                uploaded.append(ep.audio.key)
        if got.image is not None:
            body, ext = got.image
            digest = hashlib.sha256(body).hexdigest()
            key = f"{ep.show}/images/{digest[:16]}.{ext}"
            img = got.audio.with_suffix(f".{ext}") if got.audio else show_dir / f".img.{ext}"
            img.write_bytes(body)
            try:
                if store_object(storage, img, key, f"image/{'png' if ext == 'png' else 'jpeg'}",
                                digest, None):
                    uploaded.append(key)
            finally:
                img.unlink(missing_ok=True)
            ep = replace(ep, image=key)
        with workspace_lock(ws.root):
            ep = write_new_episode(show_dir, ep)
            written: list[Path] = []
            try:
                for path, text in transcript_files(ep.slug, got.transcripts, got.warnings):
                    atomic_write(episodes_dir(show_dir) / path, text)
                    written.append(episodes_dir(show_dir) / path)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                episode_path(show_dir, ep.slug).unlink(missing_ok=True)
                raise
    except BaseException:
        for key in uploaded:
            storage.delete(key)
        raise
    return ep


def transcript_files(slug: str, transcripts: list[tuple[str, str]],
                     warnings: list[str]) -> list[tuple[str, str]]:
    """(file name, text) beside the episode: the first valid WebVTT or SRT as <slug>.vtt/.srt
    (published by the build), every other one as <slug>.transcript[-N].<ext>, kept as fetched."""
    from podman.catalog.transcripts import parse_transcript

    out: list[tuple[str, str]] = []
    published = False
    for n, (ext, text) in enumerate(transcripts, 1):
        if ext in ("vtt", "srt") and not published:
            try:
                parsed = parse_transcript(text, source=f"{slug}.{ext}", format=ext)
            except BadInput as exc:
                warnings.append(f"transcript kept but not published: {exc.message}")
            else:
                out.append((f"{slug}.{parsed.extension}", parsed.text))
                published = True
                continue
        out.append((f"{slug}.transcript{'' if n == 1 else f'-{n}'}.{ext}", text))
    return out
