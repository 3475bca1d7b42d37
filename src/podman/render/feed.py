"""The RSS feed of one show: a pure context builder over the catalog, rendered with jinja2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from markupsafe import Markup

from podman import __version__
from podman.core.config import ShowConfig, WorkspaceConfig
from podman.core.errors import CatalogError
from podman.core.models import Episode, rfc2822, whole_seconds
from podman.core.text import cdata, clean_text, plain_text, truncate_utf8
from podman.core.urls import safe_url
from podman.render.feeditem import escape as xml_escape
from podman.render.feeditem import item_xml
from podman.render.feedtags import (
    JSON_CHAPTERS_TYPE,
    channel_tags,
    import_tags,
    item_image,
    item_tags,
    persons,
    psc,
    soundbites,
)
from podman.render.links import http_url
from podman.render.templating import render
from podman.render.view import EpisodeView

DESCRIPTION_LIMIT = 4000  # bytes, Apple's limit for channel and item descriptions


@dataclass(frozen=True)
class FeedInputs:
    """Everything a feed depends on, so a rebuild from the same inputs is byte-identical."""

    ws: WorkspaceConfig
    show: ShowConfig
    episodes: Sequence[EpisodeView]  # due episodes, newest first, prepared once per build
    image_url: str = ""
    archive_links: tuple[tuple[str, str], ...] = ()
    feed_url: str = ""
    archive: bool = False  # an RFC 5005 archive page: <fh:archive/>


def plain_description(text: str) -> str:
    """Plain text for a <description> within Apple's 4000 bytes; a `<` in it (a title, a show
    description) goes out HTML-escaped in CDATA, so no app or `podman check` takes it for a tag.
    The build never writes what its own check rejects."""
    text = clean_text(text)
    if "<" not in text:
        return truncate_utf8(text, DESCRIPTION_LIMIT)
    limit = DESCRIPTION_LIMIT
    while True:
        escaped = escape(truncate_utf8(text, limit), quote=False)
        over = len(escaped.encode("utf-8")) - DESCRIPTION_LIMIT
        if over <= 0:
            return Markup(cdata(escaped))
        limit -= over


def _plain_html(text: str) -> str:
    """Plain text in an element apps read as HTML (content:encoded): `<` never starts a tag."""
    text = clean_text(text)
    return Markup(cdata(escape(text, quote=False))) if "<" in text else text


def item_description(html: str, fallback: str, wrapped: str | None = None) -> str:
    """HTML in CDATA when it fits Apple's 4000 bytes, else truncated plain text; without notes
    the title (cut to fit, too). `wrapped`: the CDATA section of `html`, when made already."""
    if not html:
        return plain_description(fallback)
    if fits(html):
        return Markup(wrapped if wrapped is not None else cdata(html))
    return plain_description(plain_text(html))


def fits(html: str) -> bool:
    """The notes HTML fits Apple's 4000 bytes with room for the CDATA markers."""
    size = len(html) if html.isascii() else len(html.encode("utf-8"))
    return size <= DESCRIPTION_LIMIT - 12


def item_link(ws: WorkspaceConfig, view: EpisodeView) -> str:
    """The item's <link>: the first related http(s) article, else the episode's page."""
    for article in view.ep.articles:
        url = http_url(article.url)
        if url:
            return url
    return f"{ws.publish.base_url.rstrip('/')}/{view.page_path}"


def item_context(ws: WorkspaceConfig, view: EpisodeView) -> dict:
    ep, html = view.ep, view.notes_html
    where = f"feeds/{ep.show}/episodes/{ep.slug}.md"
    base = ws.publish.base_url.rstrip("/")
    wrapped, extra = view.notes_cdata, ep.extra
    return {
        "title": clean_text(ep.title),
        "guid": ep.guid,
        "guid_permalink": "true" if ep.extra.get("guid_permalink") is True else "false",
        "block": ep.extra.get("block") is True,
        "pub_date": rfc2822(ep.published),
        "link": item_link(ws, view),
        "description": item_description(html, ep.title, wrapped),
        "content": Markup(wrapped) if html else _plain_html(ep.title),
        "url": view.audio_url,
        "length": ep.audio.bytes,
        "type": ep.audio.type,
        "duration": whole_seconds(ep.duration),
        "episode_type": ep.episode_type,
        "season": ep.season or "",
        "episode": ep.episode or "",
        "explicit": "" if ep.explicit is None else ("true" if ep.explicit else "false"),
        "image": item_image(ws, ep.image),
        "chapters_url": f"{base}/{view.chapters_path}" if view.chapters_path else "",
        "chapters_type": JSON_CHAPTERS_TYPE,
        "psc": psc(view.chapters),
        "transcripts": [{"url": f"{base}/{path}", "type": mime} for path, mime in view.transcripts],
        "soundbites": soundbites(ep, where),
        "persons": persons(ep.extra.get("persons"), where, CatalogError),
        **item_tags(ep, where),
        "alternates": [
            {"url": ws.media_url(a["key"]), "type": a["type"], "length": a["bytes"],
             "bitrate": a.get("bitrate", ""), "codec": a.get("codec", "")}
            for a in extra.get("alternates", ())
        ] if extra else [],
    }


def channel_context(inputs: FeedInputs) -> dict:
    show, ws = inputs.show, inputs.ws
    feed_url = inputs.feed_url or ws.feed_url(show.slug)
    newest = inputs.episodes[0].ep.published if inputs.episodes else None
    return {
        "title": clean_text(show.title),
        "description": plain_description(show.description),
        "link": safe_url(show.link) or f"{ws.publish.base_url.rstrip('/')}/{show.slug}/",
        "language": show.language,
        "generator": f"podman {__version__}",
        "last_build_date": rfc2822(newest) if newest else "",
        "copyright": clean_text(show.copyright),
        "feed_url": feed_url,
        "archive_links": inputs.archive_links,
        "image": inputs.image_url,
        "categories": show.categories,
        "explicit": "true" if show.explicit else "false",
        "author": clean_text(show.author),
        "owner_name": clean_text(show.owner_name or show.author),
        "email": show.email,
        "type": show.type,
        "podcast_guid": show.podcast_guid,
        "archive": inputs.archive,
        **channel_tags(show),
        **import_tags(show, feed_url, main=feed_url == ws.feed_url(show.slug)),
    }


FEED_TEMPLATE = "feed.xml.j2"
FEED_TAIL = "</channel>\n</rss>\n"  # what the template prints after the last item


def overridden(templates: Path | None) -> bool:
    """True when the workspace brings its own feed.xml.j2: then the template prints it all."""
    return templates is not None and (templates / FEED_TEMPLATE).is_file()


def feed_items(ws: WorkspaceConfig, views: Sequence[EpisodeView]) -> list[str]:
    """Each view's <item>, printed by plain Python (the fast path; same bytes as the template):
    the common episode (no chapters, transcripts, image or extra tags) straight from its view,
    any other through `item_context`, as the template gets it."""
    return [plain_item(ws, view) if not (view.ep.extra or view.chapters or view.transcripts
                                     or view.ep.image)
            else item_xml(item_context(ws, view)) for view in views]


def plain_item(ws: WorkspaceConfig, view: EpisodeView) -> str:
    """`item_xml(item_context(ws, view))` for an episode without optional tags whose notes fit
    the description, minus the dict; any other episode goes the general way."""
    ep, html, e = view.ep, view.notes_html, xml_escape
    if not html or not fits(html):
        return item_xml(item_context(ws, view))
    cdata_notes = view.notes_cdata
    parts = [f'<item>\n<title>{e(clean_text(ep.title))}</title>\n'
             f'<guid isPermaLink="false">{e(ep.guid)}</guid>\n'
             f"<pubDate>{rfc2822(ep.published)}</pubDate>\n<link>{e(item_link(ws, view))}</link>\n"
             f"<description>{cdata_notes}</description>\n<content:encoded>{cdata_notes}"
             f'</content:encoded>\n<enclosure url="{e(view.audio_url)}" length="{ep.audio.bytes}"'
             f' type="{e(ep.audio.type)}"/>\n<itunes:duration>{whole_seconds(ep.duration)}'
             f"</itunes:duration>\n<itunes:episodeType>{e(ep.episode_type)}"
             "</itunes:episodeType>\n"]
    if ep.season:
        parts.append(f"<itunes:season>{ep.season}</itunes:season>\n"
                     f"<podcast:season>{ep.season}</podcast:season>\n")
    if ep.episode:
        parts.append(f"<itunes:episode>{ep.episode}</itunes:episode>\n"
                     f"<podcast:episode>{ep.episode}</podcast:episode>\n")
    if ep.explicit is not None:
        parts.append(f"<itunes:explicit>{'true' if ep.explicit else 'false'}</itunes:explicit>\n")
    parts.append("</item>\n")
    return "".join(parts)


def render_feed(inputs: FeedInputs, templates: Path | None = None,
                items: Sequence[str] | None = None) -> bytes:
    """The feed's bytes; `items` may bring the episodes' <item>s already printed (a cache)."""
    if overridden(templates):
        contexts = [item_context(inputs.ws, view) for view in inputs.episodes]
        text = render(FEED_TEMPLATE, templates, c=channel_context(inputs), items=contexts)
        return text.encode("utf-8")
    head = render(FEED_TEMPLATE, templates, c=channel_context(inputs), items=())
    if not head.endswith(FEED_TAIL):  # the packaged template changed shape: be safe, be slow
        return render_feed(inputs, Path(__file__).parent.parent / "templates", items)
    body = items if items is not None else feed_items(inputs.ws, inputs.episodes)
    parts = [head[:-len(FEED_TAIL)], *body, FEED_TAIL]  # one join: the feed is copied once
    return "".join(parts).encode("utf-8")


def due_episodes(episodes: Sequence[Episode], now: datetime) -> list[Episode]:
    """Drafts and scheduled episodes stay out of the feed until they are due."""
    return [ep for ep in episodes if ep.is_due(now)]
