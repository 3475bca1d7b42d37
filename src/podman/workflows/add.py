"""`podman add`: probe, process, store, catalog per file; one failure spares the rest."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from podman.audio.prepare import PUBLISHABLE, AudioChoices
from podman.audio.probe import sha256_file
from podman.catalog.chapters import load_chapters
from podman.catalog.episodes import episode_path, load_show_episodes, write_new_episode
from podman.catalog.transcripts import Transcript, load_transcript
from podman.core.config import WorkspaceConfig, show_dirs
from podman.core.errors import (
    BadInput,
    DuplicateAudio,
    LockBusy,
    PodmanError,
    StorageError,
    UnsupportedFormat,
    WorkspaceError,
)
from podman.core.fsio import sweep, work_dir, workspace_lock
from podman.core.models import (
    Article,
    AudioFacts,
    AudioRef,
    Chapter,
    Episode,
    episode_slug,
    mint_guid,
    slugify,
)
from podman.core.progress import ByteProgress


@dataclass(frozen=True)
class AddOptions:
    show: str | None = None
    title: str | None = None
    date: datetime | None = None
    notes: str = ""
    articles: tuple[Article, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    season: int | None = None
    episode: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    draft: bool = False
    dry_run: bool = False
    guid: str | None = None  # only for demo and import: keep a GUID minted elsewhere
    audio: AudioChoices = field(default_factory=AudioChoices)
    extra: dict = field(default_factory=dict)
    chapters_file: Path | None = None  # text chapters, validated against the audio's duration
    transcript_file: Path | None = None  # WebVTT or SRT, stored beside the episode file


@dataclass(frozen=True)
class AddOutcome:
    path: Path
    status: str  # added | planned | duplicate | failed
    episode: Episode | None = None
    error: PodmanError | None = None
    facts: AudioFacts | None = None


ProgressFactory = Callable[[str, int], ByteProgress]


def resolve_show(ws: WorkspaceConfig, name: str | None) -> Path:
    dirs = show_dirs(ws)
    if name is not None:
        for d in dirs:
            if d.name == name:
                return d
        raise BadInput(f"{name}: no such show in {ws.feeds_dir}",
                       f"shows: {', '.join(d.name for d in dirs) or 'none'}")
    if len(dirs) == 1:
        return dirs[0]
    if not dirs:
        raise WorkspaceError(f"{ws.feeds_dir}: no show yet", "run `podman init --show SLUG`")
    raise BadInput(f"{ws.root}: this workspace has several shows",
                   f"pass --show ({', '.join(d.name for d in dirs)})")


def title_for(facts: AudioFacts, path: Path, given: str | None) -> str:
    """--title, else the file's title tag, else its name."""
    if given and given.strip():
        return given.strip()
    tag = facts.tags.get("title", "").strip()
    if tag:
        return tag
    return " ".join(path.stem.replace("_", " ").split()) or path.stem


def storage_key(show: str, published: datetime, title: str, sha256: str, ext: str) -> str:
    """`show/2025-03-14-title-3fa9c1d2e4.mp3`: hashed, so the bytes behind a URL never change."""
    stem = slugify(title, max_length=40) or "episode"
    return f"{show}/{published:%Y-%m-%d}-{stem}-{sha256[:10]}.{ext}"


def publishable(facts: AudioFacts) -> tuple[str, str]:
    found = PUBLISHABLE.get(facts.codec)
    if found is None:
        raise UnsupportedFormat(
            f"{facts.path}: {facts.codec} audio ({facts.container}) is not played by podcast apps",
            "convert it to MP3 or AAC first (e.g. ffmpeg -i in.wav -b:a 96k out.mp3)",
        )
    return found


def make_episode(show: str, facts: AudioFacts, path: Path, opts: AddOptions, now: datetime,
                 mime: str, ext: str) -> Episode:
    published = (opts.date or now).replace(microsecond=0)
    title = title_for(facts, path, opts.title)
    key = storage_key(show, published, title, facts.sha256, ext)
    return Episode(
        show=show, slug=episode_slug(published, title), guid=opts.guid or mint_guid(), title=title,
        published=published, status="draft" if opts.draft else "published",
        duration=facts.duration,
        audio=AudioRef(key=key, bytes=facts.bytes, type=mime, sha256=facts.sha256),
        notes=opts.notes, articles=opts.articles, chapters=opts.chapters or facts.chapters,
        season=opts.season, episode=opts.episode, episode_type=opts.episode_type,
        explicit=opts.explicit, extra=dict(opts.extra),
    )


def hash_index(ws: WorkspaceConfig) -> dict[str, Episode]:
    """Every episode by the hash of its published audio and of the input it was made from."""
    index: dict[str, Episode] = {}
    for d in show_dirs(ws):
        for ep in load_show_episodes(d):
            _index(index, ep)
    return index


def _index(index: dict[str, Episode], ep: Episode) -> None:
    index[ep.audio.sha256] = ep
    if ep.extra.get("source_sha256"):
        index[ep.extra["source_sha256"]] = ep


def find_duplicate(ws: WorkspaceConfig, sha256: str) -> Episode | None:
    """The episode whose published audio, or the input it was made from, has this hash."""
    return hash_index(ws).get(sha256)


def _ref(key: str, facts: AudioFacts) -> dict:
    mime, _ext = publishable(facts)
    return {"key": key, "bytes": facts.bytes, "type": mime, "sha256": facts.sha256,
            "codec": facts.codec, "bitrate": facts.bitrate, "duration": facts.duration}


def add_one(ws: WorkspaceConfig, show_dir: Path, path: Path, opts: AddOptions, now: datetime,
            storage, progress: ProgressFactory | None = None,
            known: dict[str, Episode] | None = None) -> AddOutcome:
    """`known`: the catalog's hash index read once per run (saves a catalog read per file);
    the check under the lock always reads the catalog afresh."""
    from podman.audio.prepare import prepare
    from podman.audio.probe import probe_file
    from podman.core.config import load_show

    source = probe_file(path)
    dup = (known if known is not None else hash_index(ws)).get(source.sha256)
    if dup is not None:
        raise DuplicateAudio(f"{path}: already in the catalog as {dup.show}/{dup.slug}")
    if opts.chapters_file is not None:
        opts = replace(opts, chapters=load_chapters(opts.chapters_file, source.duration))
    transcript = load_transcript(opts.transcript_file) if opts.transcript_file else None
    show = load_show(show_dir)
    title = title_for(source, path, opts.title)
    published = (opts.date or now).replace(microsecond=0)
    # .podman/tmp/…: git-ignored, swept if we are killed; a dry run leaves the workspace alone
    scratch = tempfile.TemporaryDirectory(prefix="podman-") if opts.dry_run else work_dir(ws.root)
    with scratch as work_name:
        work = Path(work_name)
        prep = prepare(path, source, work, choices=opts.audio, config=ws.audio, show=show,
                       show_dir=show_dir, title=title, date=published.strftime("%Y-%m-%d"),
                       season=opts.season, episode=opts.episode, notes=opts.notes,
                       chapters=opts.chapters)
        facts = prep.facts
        mime, ext = publishable(facts)
        ep = make_episode(show_dir.name, facts, path, replace(opts, title=title), now, mime,
                          ext)
        extra = dict(ep.extra)
        if prep.processed:
            extra["source_sha256"] = source.sha256
        if prep.loudness:
            extra["loudness"] = prep.loudness
        stem = ep.audio.key.rsplit(".", 1)[0]
        uploads = [(prep.path, ep.audio.key, mime, facts.sha256)]
        alternates = []
        for rendition in prep.renditions:
            r_mime, r_ext = publishable(rendition)
            key = storage_key(show_dir.name, published, title, rendition.sha256, r_ext)
            uploads.append((Path(rendition.path), key, r_mime, rendition.sha256))
            alternates.append(_ref(key, rendition))
        if alternates:
            extra["alternates"] = alternates
        if prep.waveform is not None:
            extra["waveform"] = f"{stem}.png"
            uploads.append((prep.waveform, f"{stem}.png", "image/png", sha256_file(prep.waveform)))
        ep = replace(ep, extra=extra)
        if opts.dry_run:
            return AddOutcome(path, "planned", ep, facts=facts)
        uploaded = [key for src, key, mime_, sha in uploads
                    if store_object(storage, src, key, mime_, sha, progress)]
    try:
        with workspace_lock(ws.root):
            dup = find_duplicate(ws, source.sha256)  # another process may have won the race
            if dup is not None:
                kept = {dup.audio.key, dup.extra.get("waveform")}
                kept.update(a.get("key") for a in dup.extra.get("alternates", ()))
                for key in uploaded:
                    if key not in kept:  # ours, under another date or title: an orphan
                        storage.delete(key)
                raise DuplicateAudio(f"{path}: already in the catalog as {dup.show}/{dup.slug}")
            ep = write_new_episode(show_dir, ep)
            if transcript is not None:
                try:
                    store_transcript(show_dir, ep.slug, transcript)
                except BaseException:
                    episode_path(show_dir, ep.slug).unlink(missing_ok=True)
                    raise
    except DuplicateAudio:
        raise
    except BaseException:
        for key in uploaded:
            storage.delete(key)
        raise
    return AddOutcome(path, "added", ep, facts=facts)


def store_transcript(show_dir: Path, slug: str, transcript: Transcript) -> Path:
    """feeds/<show>/episodes/<slug>.vtt|.srt, replacing the other format (call with the lock)."""
    from podman.catalog.episodes import episodes_dir
    from podman.core.fsio import atomic_write

    target = episodes_dir(show_dir) / f"{slug}.{transcript.extension}"
    atomic_write(target, transcript.text)
    for ext in ("vtt", "srt"):
        if ext != transcript.extension:
            (episodes_dir(show_dir) / f"{slug}.{ext}").unlink(missing_ok=True)
    return target


def store_object(storage, src: Path, key: str, mime: str, sha256: str,
                 progress: ProgressFactory | None) -> bool:
    """Upload unless the same bytes are already there; True when this call uploaded them."""
    from podman.storage import MEDIA_CACHE_CONTROL

    existing = storage.stat(key)
    if existing is not None and existing.size == src.stat().st_size and (
        existing.sha256 is None or existing.sha256 == sha256
    ):
        return False
    bar = progress(src.name, src.stat().st_size) if progress else None
    try:
        storage.put(src, key, content_type=mime, sha256=sha256,
                    cache_control=MEDIA_CACHE_CONTROL, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    if bar is not None:
        bar.done()  # only now: the storage confirmed the object
    return True


def add_files(ws: WorkspaceConfig, files: Sequence[Path], opts: AddOptions, *, now: datetime,
              progress: ProgressFactory | None = None,
              report: Callable[[AddOutcome], None] | None = None) -> list[AddOutcome]:
    """Ingest each file; per-file errors are collected, fatal ones (storage down) propagate."""
    from podman.storage import open_storage

    show_dir = resolve_show(ws, opts.show)
    if (opts.chapters_file or opts.transcript_file) and len(files) > 1:
        raise BadInput("--chapters and --transcript belong to one episode: add one file at a time")
    if opts.transcript_file is not None:
        load_transcript(opts.transcript_file)  # a bad transcript stops everything up front
    if opts.chapters_file is not None:
        load_chapters(opts.chapters_file, None)  # syntax now; the duration once probed
    if not opts.dry_run:  # what a killed run left: scratch, temp files, partial copies
        sweep(ws.root, show_dir, *([ws.storage.path] if ws.storage.backend == "local" else []))
    storage = open_storage(ws.storage)
    if not opts.dry_run and hasattr(storage, "verify"):
        storage.verify()  # credentials and bucket, before any catalog change
    outcomes = []
    known = hash_index(ws)
    for path in files:
        try:
            outcome = add_one(ws, show_dir, path, opts, now, storage, progress, known)
        except DuplicateAudio as exc:
            outcome = AddOutcome(path, "duplicate", error=exc)
        except (StorageError, LockBusy):
            raise  # the workspace or the storage is unusable: stop, nothing else would work
        except PodmanError as exc:
            outcome = AddOutcome(path, "failed", error=exc)
        if outcome.episode is not None and outcome.status == "added":
            _index(known, outcome.episode)
        outcomes.append(outcome)
        if report:
            report(outcome)
    return outcomes
