"""Changes to recorded episodes (edit, link, unlink, rm): round-trip edits under the lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from podman.catalog.episodes import episode_path, find_episode, read_episode, update_episode_text
from podman.core.config import WorkspaceConfig, show_dirs
from podman.core.errors import BadInput
from podman.core.fsio import atomic_write, workspace_lock
from podman.core.models import Article, Episode


@dataclass(frozen=True)
class Located:
    episode: Episode
    path: Path


def locate(ws: WorkspaceConfig, ref: str) -> Located:
    from podman.catalog.episodes import load_show_episodes

    episodes = [ep for d in show_dirs(ws) for ep in load_show_episodes(d)]
    ep = find_episode(episodes, ref)
    return Located(ep, episode_path(ws.feeds_dir / ep.show, ep.slug))


def _rewrite(loc: Located, changes: dict[str, Any], notes: str | None = None) -> Episode:
    text = loc.path.read_text("utf-8")
    new = update_episode_text(text, changes, notes=notes, source=str(loc.path))
    from podman.catalog.episodes import parse_episode

    episode = parse_episode(new, show=loc.episode.show, slug=loc.episode.slug,
                            source=str(loc.path))  # validate before the rename
    atomic_write(loc.path, new)
    return episode


def edit_episode(ws: WorkspaceConfig, ref: str, *, title: str | None = None,
                 published: datetime | None = None, notes: str | None = None,
                 status: str | None = None, extra: dict[str, Any] | None = None,
                 chapters_file: Path | None = None,
                 transcript_file: Path | None = None) -> Episode:
    """GUID, audio and slug never change here: feeds keep their identity. Chapters and the
    transcript are validated before anything is written."""
    from podman.catalog.chapters import load_chapters
    from podman.catalog.transcripts import load_transcript
    from podman.core.models import chapter_json
    from podman.workflows.add import store_transcript

    changes: dict[str, Any] = dict(extra or {})
    transcript = load_transcript(transcript_file) if transcript_file else None
    if title is not None:
        if not title.strip():
            raise BadInput("--title: must not be empty")
        changes["title"] = title.strip()
    if published is not None:
        changes["published"] = published
    if status is not None:
        changes["status"] = status
    if notes is not None:
        changes["notes_format"] = None  # a producer's --notes file is Markdown, even after import
    with workspace_lock(ws.root):
        loc = locate(ws, ref)
        if chapters_file is not None:
            chapters = load_chapters(chapters_file, loc.episode.duration)
            changes["chapters"] = [chapter_json(c) for c in chapters]
        episode = _rewrite(loc, changes, notes)
        if transcript is not None:
            store_transcript(loc.path.parent.parent, episode.slug, transcript)
        return episode


def _articles_table(articles: tuple[Article, ...]) -> list[dict[str, str]]:
    return [{k: v for k, v in (("url", a.url), ("title", a.title), ("published", a.published),
                               ("image", a.image)) if v} for a in articles]


def article_for(url: str, title: str | None = None, html_file: Path | None = None) -> Article:
    """The article to link: metadata from a saved page (--html), else from the page itself
    unless --title is given; a failed fetch is an ArticleError (exit 1)."""
    from dataclasses import replace

    from podman.catalog.articles import fetch_article, read_article_file, validate_url

    if html_file is not None:
        article = read_article_file(html_file, url)
    elif title:
        return Article(url=validate_url(url), title=title.strip())
    else:
        article = fetch_article(url)
    return replace(article, title=title.strip()) if title else article


def link_article(ws: WorkspaceConfig, ref: str, article: Article) -> tuple[Episode, bool]:
    """Add or update a related article; returns (episode, changed)."""
    with workspace_lock(ws.root):
        loc = locate(ws, ref)
        current = loc.episode.articles
        if any(a.url == article.url and (not article.title or a.title == article.title)
               for a in current):
            return loc.episode, False
        merged = tuple(article if a.url == article.url else a for a in current)
        if article.url not in {a.url for a in current}:
            merged = (*current, article)
        return _rewrite(loc, {"articles": _articles_table(merged)}), True


def unlink_article(ws: WorkspaceConfig, ref: str, url: str) -> tuple[Episode, bool]:
    with workspace_lock(ws.root):
        loc = locate(ws, ref)
        kept = tuple(a for a in loc.episode.articles if a.url != url)
        if len(kept) == len(loc.episode.articles):
            return loc.episode, False
        return _rewrite(loc, {"articles": _articles_table(kept)}), True


def stored_keys(ep: Episode) -> list[str]:
    """Every storage object an episode owns: its audio, renditions and waveform image."""
    keys = [ep.audio.key, *(a["key"] for a in ep.extra.get("alternates", ()))]
    if ep.extra.get("waveform"):
        keys.append(ep.extra["waveform"])
    return list(dict.fromkeys(keys))


def remove_episode(ws: WorkspaceConfig, ref: str, *,
                   purge: bool = False) -> tuple[Episode, list[str]]:
    """Delete the episode file; with purge also every object it stored (audio, renditions,
    waveform) that no other episode names. Returns (episode, the keys deleted)."""
    from podman.catalog.episodes import load_show_episodes
    from podman.storage import open_storage

    with workspace_lock(ws.root):
        episodes = [ep for d in show_dirs(ws) for ep in load_show_episodes(d)]
        ep = find_episode(episodes, ref)
        path = episode_path(ws.feeds_dir / ep.show, ep.slug)
        read_episode(path, ep.show)
        deleted: list[str] = []
        if purge:
            others = {k for o in episodes if o.guid != ep.guid for k in stored_keys(o)}
            storage = open_storage(ws.storage)
            for key in stored_keys(ep):
                # audio an import left on the old host (a URL) is not ours to delete
                if key not in others and not key.startswith(("http://", "https://")):
                    storage.delete(key)
                    deleted.append(key)
        path.unlink()
        for ext in ("vtt", "srt"):  # its transcript goes with it
            path.with_suffix(f".{ext}").unlink(missing_ok=True)
        for kept in path.parent.glob(f"{path.stem}.transcript*"):  # imported ones
            kept.unlink(missing_ok=True)
        return ep, deleted
