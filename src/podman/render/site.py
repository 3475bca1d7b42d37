"""The small static site: a page per show and per episode, embeddable players, articles.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from podman.core.config import ShowConfig, WorkspaceConfig
from podman.core.models import Episode, duration_text, iso
from podman.render.feed import notes_html


def episode_page_path(show: str, slug: str) -> str:
    return f"{show}/episodes/{slug}.html"


def embed_path(show: str, slug: str) -> str:
    return f"{show}/embed/{slug}.html"


def episode_view(ws: WorkspaceConfig, ep: Episode) -> dict:
    base = ws.publish.base_url.rstrip("/")
    return {
        "slug": ep.slug,
        "guid": ep.guid,
        "title": ep.title,
        "date": ep.published.strftime("%Y-%m-%d"),
        "duration_text": duration_text(ep.duration),
        "url": ws.media_url(ep.audio.key),
        "type": ep.audio.type,
        "notes": Markup(notes_html(ep)),
        "page": f"{base}/{episode_page_path(ep.show, ep.slug)}",
        "embed": f"{base}/{embed_path(ep.show, ep.slug)}",
        "articles": [{"url": a.url, "title": a.title or a.url} for a in ep.articles],
        "waveform": ws.media_url(ep.extra["waveform"]) if ep.extra.get("waveform") else "",
    }


def render_site(ws: WorkspaceConfig, show: ShowConfig, episodes: Sequence[Episode],
                image_url: str, templates: Path | None) -> dict[str, bytes]:
    from podman.render.templating import render

    views = [episode_view(ws, ep) for ep in episodes]
    common = {"show": show, "image": image_url, "feed_url": ws.feed_url(show.slug)}
    out = {f"{show.slug}/index.html": render("show.html.j2", templates, episodes=views, **common)}
    for view in views:
        out[episode_page_path(show.slug, view["slug"])] = render(
            "episode.html.j2", templates, ep=view, **common)
        out[embed_path(show.slug, view["slug"])] = render("embed.html.j2", templates, ep=view,
                                                            **common)
    return {path: text.encode("utf-8") for path, text in out.items()}


def articles_index(ws: WorkspaceConfig, episodes: Sequence[Episode]) -> bytes:
    """article URL -> its episodes, for a newsroom CMS to show a "Podcasts" box under it."""
    index: dict[str, list[dict]] = {}
    for ep in episodes:
        view = episode_view(ws, ep)
        for article in ep.articles:
            index.setdefault(article.url, []).append({
                "show": ep.show, "guid": ep.guid, "title": ep.title,
                "published": iso(ep.published), "duration": ep.duration,
                "duration_text": view["duration_text"], "audio_url": view["url"],
                "type": ep.audio.type, "page": view["page"], "embed": view["embed"],
            })
    text = json.dumps(dict(sorted(index.items())), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def render_home(shows: Sequence[ShowConfig], templates: Path | None) -> bytes:
    from podman.render.templating import render

    return render("home.html.j2", templates, shows=shows).encode("utf-8")
