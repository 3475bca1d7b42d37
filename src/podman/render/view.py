"""One pass of preparation per build: each due episode becomes one EpisodeView.

The feed, the pages, the embeds and articles.json all render from these views, so notes HTML,
linked chapters, transcript files, URLs and duration text are worked out once, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

from podman.catalog.chapters import chapters_json, chapters_notes_html
from podman.catalog.episodes import episodes_dir
from podman.catalog.transcripts import Cue
from podman.core.config import WorkspaceConfig
from podman.core.models import Chapter, Episode, duration_text
from podman.core.text import cdata, clean_text, html_link, html_notes, markdown_html
from podman.core.urls import has_scheme, safe_url
from podman.render.feedtags import chapters_path, linked_chapters, transcript_paths
from podman.render.links import http_url


@dataclass(frozen=True)
class EpisodeView:
    """An episode as every output shows it; paths are relative to public/."""

    ep: Episode
    notes_html: str  # sanitised notes, then chapters and related articles
    body_html: str  # the sanitised notes alone (pages show chapters and articles themselves)
    notes_cdata: str  # notes_html as the feed's CDATA section ("" without notes), made once
    chapters: tuple[Chapter, ...]  # with related-article URLs filled in
    chapters_path: str  # "" without chapters
    transcripts: tuple[tuple[str, str], ...]  # (path, MIME type) of each published transcript
    files: tuple[tuple[str, bytes], ...]  # (path, bytes): chapters JSON, transcripts
    cues: tuple[Cue, ...]  # the transcript's WebVTT cues, shown on the episode page
    audio_url: str
    duration_text: str
    page_path: str
    embed_path: str
    waveform_url: str


def notes_body(ep: Episode) -> str:
    """The notes alone as sanitised HTML: Markdown, or HTML kept by an import
    (`notes_format = "html"`) cleaned to the same tags."""
    if not ep.notes.strip():
        return ""
    return html_notes(ep.notes) if ep.notes_format == "html" else markdown_html(ep.notes)


def notes_html(ep: Episode, chapters: Sequence[Chapter], body: str | None = None) -> str:
    """Show notes HTML: the notes (`body` when already rendered), the chapters, then the
    related articles as links."""
    if body is None:
        body = notes_body(ep)
    parts = [body]
    if chapters:
        parts.append(f"<p>Chapters:</p>{chapters_notes_html(chapters)}")
    if ep.articles:
        links = "".join(f"<li>{html_link(a.url, a.title or a.url)}</li>" if http_url(a.url)
                        else f"<li>{escape(clean_text(a.title or a.url))}</li>"
                        for a in ep.articles)
        parts.append(f"<p>Related articles:</p><ul>{links}</ul>")
    return "\n".join(p for p in parts if p)


def episode_page_path(show: str, slug: str) -> str:
    return f"{show}/episodes/{slug}.html"


def embed_path(show: str, slug: str) -> str:
    return f"{show}/embed/{slug}.html"


def transcript_source(folder: Path, slug: str, names: set[str]) -> Path | None:
    """The transcript stored beside an episode file: <slug>.vtt, else <slug>.srt; `names` is
    the episodes folder's listing, read once per show rather than two stats per episode."""
    for ext in ("vtt", "srt"):
        if f"{slug}.{ext}" in names:
            return folder / f"{slug}.{ext}"
    return None


def only_http_urls(ep: Episode) -> Episode:
    """The renderer's one URL filter: every URL an output shows passes the URL policy, else it
    becomes "" (an article's title then shows as text); the catalog reader already refuses
    them, this holds for any Episode."""
    articles = tuple(replace(a, url=safe_url(a.url), image=safe_url(a.image) or None)
                     for a in ep.articles)
    chapters = tuple(replace(c, url=safe_url(c.url) or None, image=safe_url(c.image) or None)
                     for c in ep.chapters)
    image = ep.image if not ep.image or not has_scheme(ep.image) else safe_url(ep.image) or None
    return replace(ep, articles=articles, chapters=chapters, image=image)


def prepare_episode(ws: WorkspaceConfig, ep: Episode, transcript: Path | None,
                    known_body: str | None = None) -> EpisodeView:
    """Everything about one episode that any output needs, computed once (`known_body`: its
    notes' HTML from the build cache, made from this very episode file)."""
    from podman.catalog.transcripts import load_transcript, vtt_cues

    ep = only_http_urls(ep)
    chapters = linked_chapters(ep)
    files: list[tuple[str, bytes]] = []
    chap_path = ""
    if ep.chapters:
        chap_path = chapters_path(ep.show, ep.slug)
        files.append((chap_path, chapters_json(chapters, title=ep.title).encode("utf-8")))
    links: tuple[tuple[str, str], ...] = ()
    cues: tuple[Cue, ...] = ()
    if transcript is not None:
        loaded = load_transcript(transcript)
        paths = transcript_paths(ep.show, ep.slug, loaded.format)
        texts = [loaded.as_vtt(), loaded.text]
        files.extend((path, text.encode("utf-8"))
                     for (path, _mime), text in zip(paths, texts, strict=False))
        links = tuple(paths)
        cues = tuple(vtt_cues(texts[0]))
    body = known_body if known_body is not None else notes_body(ep)
    html = notes_html(ep, chapters, body)
    return EpisodeView(
        ep=ep,
        notes_html=html,
        notes_cdata=cdata(html) if html else "",
        body_html=body,
        chapters=chapters,
        chapters_path=chap_path,
        transcripts=links,
        files=tuple(files),
        cues=cues,
        audio_url=ws.media_url(ep.audio.key),
        duration_text=duration_text(ep.duration),
        page_path=episode_page_path(ep.show, ep.slug),
        embed_path=embed_path(ep.show, ep.slug),
        waveform_url=ws.media_url(ep.extra["waveform"]) if ep.extra.get("waveform") else "",
    )


def prepare_show(ws: WorkspaceConfig, show_dir: Path, episodes: Sequence[Episode],
                 known_body: Callable[[Episode], str | None] | None = None) -> list[EpisodeView]:
    """Views of one show's due episodes, newest first; the episodes folder is listed once."""
    folder = episodes_dir(show_dir)
    names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    return [prepare_episode(ws, ep, transcript_source(folder, ep.slug, names),
                            known_body(ep) if known_body is not None else None)
            for ep in episodes]
