"""The small static site: a page per show and per episode, embeddable players, articles.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from podman.core.config import ShowConfig, WorkspaceConfig
from podman.core.models import iso
from podman.render.view import EpisodeView


def page_context(ws: WorkspaceConfig, view: EpisodeView) -> dict:
    """What the page and embed templates show of one episode."""
    base = ws.publish.base_url.rstrip("/")
    ep = view.ep
    return {
        "slug": ep.slug,
        "guid": ep.guid,
        "title": ep.title,
        "date": ep.published.strftime("%Y-%m-%d"),
        "duration_text": view.duration_text,
        "url": view.audio_url,
        "type": ep.audio.type,
        "notes": Markup(view.notes_html),
        "page": f"{base}/{view.page_path}",
        "embed": f"{base}/{view.embed_path}",
        "articles": [{"url": a.url, "title": a.title or a.url} for a in ep.articles],
        "waveform": view.waveform_url,
    }


def render_site(ws: WorkspaceConfig, show: ShowConfig, views: Sequence[EpisodeView],
                image_url: str, templates: Path | None) -> dict[str, bytes]:
    from podman.render.templating import render

    pages = [(view, page_context(ws, view)) for view in views]
    common = {"show": show, "image": image_url, "feed_url": ws.feed_url(show.slug)}
    out = {f"{show.slug}/index.html": render("show.html.j2", templates,
                                             episodes=[ctx for _, ctx in pages], **common)}
    for view, ctx in pages:
        out[view.page_path] = render("episode.html.j2", templates, ep=ctx, **common)
        out[view.embed_path] = render("embed.html.j2", templates, ep=ctx, **common)
    return {path: text.encode("utf-8") for path, text in out.items()}


def articles_index(ws: WorkspaceConfig, views: Sequence[EpisodeView]) -> bytes:
    """article URL -> its episodes, for a newsroom CMS to show a "Podcasts" box under it."""
    base = ws.publish.base_url.rstrip("/")
    index: dict[str, list[dict]] = {}
    for view in views:
        ep = view.ep
        for article in ep.articles:
            index.setdefault(article.url, []).append({
                "show": ep.show, "guid": ep.guid, "title": ep.title,
                "published": iso(ep.published), "duration": ep.duration,
                "duration_text": view.duration_text, "audio_url": view.audio_url,
                "type": ep.audio.type, "page": f"{base}/{view.page_path}",
                "embed": f"{base}/{view.embed_path}",
            })
    text = json.dumps(dict(sorted(index.items())), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def render_home(shows: Sequence[ShowConfig], templates: Path | None) -> bytes:
    from podman.render.templating import render

    return render("home.html.j2", templates, shows=shows).encode("utf-8")
