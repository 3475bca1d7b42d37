"""The podcast website: show pages, episode pages, embeds, article boxes, oEmbed, articles.json.

Every link between files of public/ is relative, so one build works under `podman serve` on
any port, under a sub-path and on the final host; feeds, oEmbed, JSON-LD, social tags and the
server-side-include fragments (read by other hosts) carry absolute URLs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields
from functools import partial
from importlib import resources

from markupsafe import Markup

from podman.core.config import ShowConfig, WorkspaceConfig
from podman.core.jsontext import pretty
from podman.core.models import iso, whole_seconds
from podman.core.text import clean_text, plain_text, truncate_utf8
from podman.render.links import absolute, article_id, http_url, local, relative
from podman.render.subscribe import subscribe_links
from podman.render.view import EpisodeView

PAGE_SIZE = 20  # episodes per show page
BOX_HEAD = 36  # px: the "Podcasts" heading of an article box (site.css: .box h1)
BOX_ROW = 112  # px: one episode in a box or an embed (site.css: .row)
EMBED_WIDTH = 480  # px, the width oEmbed and player cards suggest
ASSETS = ("assets/site.css", "assets/player.js")
PAGE_BLIND = {"notes_html", "notes_cdata", "files"}  # view fields no page shows
Job = tuple[str, str, Callable[[], bytes]]  # (path under public/, key, render its bytes)
AUDIO_NAMES = {"audio/mpeg": "MP3", "audio/mp4": "M4A", "audio/x-m4a": "M4A",
               "audio/ogg": "Ogg", "audio/opus": "Opus", "audio/aac": "AAC"}


def iso_duration(seconds: float) -> str:
    """schema.org durations: PT28M8S."""
    hours, rest = divmod(whole_seconds(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def clock(seconds: float) -> str:
    """A chapter or cue start as 1:05 or 1:02:05, rounded down (it is where playback starts)."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def script_json(data: object) -> Markup:
    """JSON for a <script> element: `<`, `>` and `&` escaped so no text can end it early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def iframe_code(src: str, height: int, title: str) -> str:
    """The <iframe> a CMS pastes: fixed height, a title, lazy, no border."""
    from markupsafe import escape

    return (f'<iframe src="{escape(src)}" width="100%" height="{height}" title="{escape(title)}" '
            'loading="lazy" style="border:0;max-width:100%"></iframe>')


def episode_context(ws: WorkspaceConfig, show: ShowConfig, view: EpisodeView, here: str,
                    art_url: str = "", *, absolute_links: bool = False) -> dict:
    """What any page shows of one episode, with links as seen from the page at `here`."""
    ep = view.ep

    def link(path: str) -> str:
        return absolute(ws, path) if absolute_links else relative(here, path)

    def media(url: str) -> str:
        return url if absolute_links else local(ws, here, url)

    audio = media(view.audio_url)
    articles = [{"url": http_url(a.url), "title": clean_text(a.title or a.url)}
                for a in ep.articles]
    return {
        "slug": ep.slug,
        "guid": ep.guid,
        "title": clean_text(ep.title),
        "show": clean_text(show.title),
        "date": ep.published.strftime("%Y-%m-%d"),
        "duration_text": view.duration_text,
        "iso_duration": iso_duration(ep.duration),
        "audio": audio,
        "audio_abs": view.audio_url,
        "type": ep.audio.type,
        "format": AUDIO_NAMES.get(ep.audio.type, ep.audio.type),
        "size": megabytes(ep.audio.bytes),
        "body": Markup(view.body_html),
        "summary": truncate_utf8(plain_text(view.body_html) or clean_text(ep.title), 300),
        "page": link(view.page_path),
        "page_abs": absolute(ws, view.page_path),
        "embed": link(view.embed_path),
        "embed_abs": absolute(ws, view.embed_path),
        "oembed": relative(here, oembed_path(view.page_path)),
        "articles": articles,
        "waveform": media(view.waveform_url) if view.waveform_url else "",
        "artwork": media(art_url) if art_url else "",
        "artwork_abs": art_url,
        "chapters": [{"t": f"{c.start:g}", "clock": clock(c.start), "title": clean_text(c.title),
                      "url": http_url(c.url), "href": f"{audio}#t={c.start:g}"}
                     for c in view.chapters],
        "cues": [{"start": f"{c.start:g}", "end": f"{c.end:g}", "clock": clock(c.start),
                  "text": c.text, "href": f"{audio}#t={c.start:g}"} for c in view.cues],
        "transcript": link(view.transcripts[0][0]) if view.transcripts else "",
    }


def oembed_path(page_path: str) -> str:
    return page_path.removesuffix(".html") + ".oembed.json"


def oembed(show_title: str, author: str, title: str, html: str, height: int,
           thumbnail: str = "") -> bytes:
    """A static oEmbed 1.0 "rich" response: the player as an iframe of fixed height."""
    data = {"version": "1.0", "type": "rich", "provider_name": show_title,
            "author_name": author, "title": title, "html": html,
            "width": EMBED_WIDTH, "height": height}
    if thumbnail:
        data["thumbnail_url"] = thumbnail
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def json_ld(ws: WorkspaceConfig, show: ShowConfig, ep: dict, feed_url: str) -> Markup:
    """schema.org PodcastEpisode for search engines; absolute URLs."""
    data = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": ep["title"],
        "url": ep["page_abs"],
        "datePublished": ep["date"],
        "description": ep["summary"],
        "timeRequired": ep["iso_duration"],
        "associatedMedia": {"@type": "MediaObject", "contentUrl": ep["audio_abs"],
                            "encodingFormat": ep["type"], "duration": ep["iso_duration"]},
        "partOfSeries": {"@type": "PodcastSeries", "name": clean_text(show.title),
                         "url": absolute(ws, f"{show.slug}/index.html"), "webFeed": feed_url},
    }
    if ep["artwork_abs"]:
        data["image"] = ep["artwork_abs"]
    return script_json(data)


def show_pages(episodes: Sequence[dict], slug: str) -> list[tuple[str, list[dict]]]:
    """(path, episodes) of each page of the show: index.html, then page/2.html, ..."""
    chunks = [list(episodes[i:i + PAGE_SIZE]) for i in range(0, len(episodes), PAGE_SIZE)] or [[]]
    return [(f"{slug}/index.html" if n == 1 else f"{slug}/page/{n}.html", chunk)
            for n, chunk in enumerate(chunks, start=1)]


def common(ws: WorkspaceConfig, show: ShowConfig, here: str, art_url: str) -> dict:
    """What every page of a show links to, as seen from `here`."""
    return {
        "show": show,
        "show_title": clean_text(show.title),
        "css": relative(here, ASSETS[0]),
        "js": relative(here, ASSETS[1]),
        "home": relative(here, "index.html"),
        "show_page": relative(here, f"{show.slug}/index.html"),
        "feed": relative(here, f"{show.slug}/feed.xml"),
        "feed_abs": ws.feed_url(show.slug),
        "artwork": local(ws, here, art_url) if art_url else "",
        "artwork_abs": art_url,
    }


def digest(*parts: str) -> str:
    """One short digest of several strings (each length-prefixed, so no two lists collide)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def view_digest(view: EpisodeView) -> str:
    """Everything any page can show of one episode (the feed's notes and the copied files
    aside): two views with the same digest render the same pages. Strings go in as they are
    (repr of long notes is slow), everything else as its repr, each tagged and sized."""
    parts = []
    for obj, skip in ((view, PAGE_BLIND), (view.ep, ())):
        for f in fields(obj):  # type: ignore[arg-type]
            if f.name in skip:
                continue
            value = getattr(obj, f.name)
            parts.append("s" + value if type(value) is str else
                         "" if value is view.ep else "r" + repr(value))
    return digest(*parts)


def site_jobs(ws: WorkspaceConfig, show: ShowConfig, views: Sequence[EpisodeView],
              image_url: str, templates=None, ident: str | None = None) -> Iterator[Job]:
    """A show's pages (paginated), and per episode its page, embed and oEmbed JSON, as jobs:
    (path, key, render). The key is a digest of everything the file is rendered from (the
    templates' `ident`, the show, the artwork URL, the episodes' views; the workspace
    configuration is the caller's to add), so a file with the same key renders the same."""
    from podman.render.templating import identity

    base = digest(identity(templates) if ident is None else ident, repr(show), image_url)
    digests = [view_digest(v) for v in views]
    pages = show_pages(views, show.slug)
    for n, path in enumerate((p for p, _ in pages), start=1):
        page_digests = digests[(n - 1) * PAGE_SIZE:n * PAGE_SIZE]
        yield (path, digest("show", base, path, str(len(pages)), *page_digests),
               partial(_show_page, ws, show, pages, n, image_url, templates))
    for view, vd in zip(views, digests, strict=True):
        yield (view.page_path, digest("episode", base, vd),
               partial(_episode_page, ws, show, view, image_url, templates))
        yield (oembed_path(view.page_path), digest("oembed", base, vd),
               partial(_episode_oembed, ws, show, view, image_url))
        yield (view.embed_path, digest("embed", base, vd),
               partial(_embed_page, ws, show, view, image_url, templates))


def render_site(ws: WorkspaceConfig, show: ShowConfig, views: Sequence[EpisodeView],
                image_url: str, templates=None) -> dict[str, bytes]:
    """A show's pages (paginated), and per episode its page, embed and oEmbed JSON."""
    return {path: make() for path, _key, make in site_jobs(ws, show, views, image_url, templates)}


def _show_page(ws: WorkspaceConfig, show: ShowConfig, pages: list[tuple[str, list]], n: int,
               image_url: str, templates) -> bytes:
    from podman.render.templating import render

    path, chunk = pages[n - 1]
    page_links = {i: relative(path, p) for i, (p, _) in enumerate(pages, start=1)}
    return render(
        "show.html.j2", templates, **common(ws, show, path, image_url),
        episodes=[episode_context(ws, show, v, path, image_url) for v in chunk],
        subscribe=subscribe_links(ws.feed_url(show.slug), show.apple_id),
        page=n, pages=page_links, page_abs=absolute(ws, path),
        description=clean_text(show.description)).encode("utf-8")


def _embed_code(ws: WorkspaceConfig, show: ShowConfig, view: EpisodeView) -> str:
    """The episode's <iframe> (what its page offers to copy and its oEmbed carries)."""
    title = f"{clean_text(view.ep.title)} · {clean_text(show.title)}"
    return iframe_code(absolute(ws, view.embed_path), BOX_ROW, title)


def _episode_page(ws: WorkspaceConfig, show: ShowConfig, view: EpisodeView, image_url: str,
                  templates) -> bytes:
    from podman.render.templating import render

    here = view.page_path
    ep = episode_context(ws, show, view, here, image_url)
    return render(
        "episode.html.j2", templates, **common(ws, show, here, image_url), ep=ep,
        embed_code=_embed_code(ws, show, view), embed_height=BOX_ROW, embed_width=EMBED_WIDTH,
        json_ld=json_ld(ws, show, ep, ws.feed_url(show.slug))).encode("utf-8")


def _episode_oembed(ws: WorkspaceConfig, show: ShowConfig, view: EpisodeView,
                    image_url: str) -> bytes:
    return oembed(clean_text(show.title), clean_text(show.author), clean_text(view.ep.title),
                  _embed_code(ws, show, view), BOX_ROW, image_url)


def _embed_page(ws: WorkspaceConfig, show: ShowConfig, view: EpisodeView, image_url: str,
                templates) -> bytes:
    from podman.render.templating import render

    embed = view.embed_path
    return render("embed.html.j2", templates, **common(ws, show, embed, image_url),
                  ep=episode_context(ws, show, view, embed, image_url)).encode("utf-8")


def article_groups(views: Sequence[EpisodeView]) -> dict[str, list[EpisodeView]]:
    """article URL -> its episodes across all shows, newest first (then by show and slug)."""
    groups: dict[str, list[EpisodeView]] = {}
    for view in views:
        for article in view.ep.articles:
            if http_url(article.url):
                groups.setdefault(article.url, []).append(view)
    for eps in groups.values():
        eps.sort(key=lambda v: (-v.ep.published.timestamp(), v.ep.show, v.ep.slug))
    return dict(sorted(groups.items()))


def box_height(count: int) -> int:
    return BOX_HEAD + count * BOX_ROW


def box_rows(ws: WorkspaceConfig, shows: Mapping[str, ShowConfig], eps: Sequence[EpisodeView],
             here: str, absolute_links: bool) -> list[dict]:
    return [episode_context(ws, shows[v.ep.show], v, here, absolute_links=absolute_links)
            for v in eps]


def render_articles(ws: WorkspaceConfig, shows: Mapping[str, ShowConfig],
                    views: Sequence[EpisodeView], templates=None) -> dict[str, bytes]:
    """Per related article its "Podcasts" box (page, server-side-include fragment, oEmbed),
    and the site-wide articles.json a CMS reads to decide whether to show a box."""
    groups = article_groups(views)
    out = {path: make() for path, _key, make in article_jobs(ws, shows, groups, templates)}
    out["articles.json"] = b"".join(articles_json(ws, groups))
    return out


def article_jobs(ws: WorkspaceConfig, shows: Mapping[str, ShowConfig],
                 groups: Mapping[str, Sequence[EpisodeView]], templates=None,
                 ident: str | None = None) -> Iterator[Job]:
    """Per related article its "Podcasts" box: page, server-side-include fragment and oEmbed,
    as (path, key, render) jobs keyed like `site_jobs`, one at a time (a big site has
    thousands: the build renders, if it must, and writes each as it comes)."""
    from podman.render.templating import identity

    ident = identity(templates) if ident is None else ident
    show_digests = {slug: digest(repr(show)) for slug, show in shows.items()}
    digests: dict[int, str] = {}  # by id(view): an episode is in one box per article
    for url, eps in groups.items():
        here = f"articles/{article_id(url)}.html"
        for v in eps:
            if id(v) not in digests:
                digests[id(v)] = show_digests[v.ep.show] + view_digest(v)
        key = digest("box", ident, url, *(digests[id(v)] for v in eps))
        yield here, key, partial(_box_page, ws, shows, url, eps, templates)
        fragment = here.removesuffix(".html") + ".fragment.html"
        yield fragment, key, partial(_box_fragment, ws, shows, url, eps, templates)
        yield oembed_path(here), key, partial(_box_oembed, ws, url, eps)


def article_title(url: str, eps: Sequence[EpisodeView]) -> str:
    """The first title an episode gives the article, else its URL."""
    return next((clean_text(a.title) for v in eps for a in v.ep.articles
                 if a.url == url and a.title), url)


def _box_page(ws: WorkspaceConfig, shows: Mapping[str, ShowConfig], url: str,
              eps: Sequence[EpisodeView], templates) -> bytes:
    from podman.render.templating import render

    here = f"articles/{article_id(url)}.html"
    return render("box.html.j2", templates,
                  episodes=box_rows(ws, shows, eps, here, False), article=article_title(url, eps),
                  lang=shows[eps[0].ep.show].language,
                  css=relative(here, ASSETS[0]), js=relative(here, ASSETS[1]),
                  oembed=relative(here, oembed_path(here)),
                  height=box_height(len(eps))).encode("utf-8")


def _box_fragment(ws: WorkspaceConfig, shows: Mapping[str, ShowConfig], url: str,
                  eps: Sequence[EpisodeView], templates) -> bytes:
    from podman.render.templating import render

    here = f"articles/{article_id(url)}.html"
    return render("box-fragment.html.j2", templates,
                  episodes=box_rows(ws, shows, eps, here, True), article=article_title(url, eps),
                  height=box_height(len(eps))).encode("utf-8")


def _box_code(ws: WorkspaceConfig, url: str, eps: Sequence[EpisodeView]) -> str:
    box = absolute(ws, f"articles/{article_id(url)}.html")
    return iframe_code(box, box_height(len(eps)), f"Podcasts: {article_title(url, eps)}")


def _box_oembed(ws: WorkspaceConfig, url: str, eps: Sequence[EpisodeView]) -> bytes:
    return oembed("Podcasts", "", f"Podcasts: {article_title(url, eps)}",
                  _box_code(ws, url, eps), box_height(len(eps)))


def articles_json(ws: WorkspaceConfig,
                  groups: Mapping[str, Sequence[EpisodeView]]) -> Iterator[bytes]:
    """The site-wide articles.json in pieces, byte for byte what one `json.dumps` of the whole
    index (indent 2, sorted keys) gives; one article at a time, so memory holds one entry."""
    first = True
    for url, eps in groups.items():
        here = f"articles/{article_id(url)}.html"
        entry = {
            "title": article_title(url, eps), "box": absolute(ws, here), "box_path": here,
            "height": box_height(len(eps)), "iframe": _box_code(ws, url, eps),
            "fragment": absolute(ws, here.removesuffix(".html") + ".fragment.html"),
            "episodes": [{
                "show": v.ep.show, "guid": v.ep.guid, "title": clean_text(v.ep.title),
                "published": iso(v.ep.published), "duration": v.ep.duration,
                "duration_text": v.duration_text, "audio_url": v.audio_url,
                "type": v.ep.audio.type, "page": absolute(ws, v.page_path),
                "embed": absolute(ws, v.embed_path)} for v in eps],
        }
        text = pretty({url: entry})
        yield (("{\n" if first else ",\n") + text[2:-2]).encode("utf-8")
        first = False
    yield b"{}\n" if first else b"\n}\n"


def articles_index(ws: WorkspaceConfig, views: Sequence[EpisodeView]) -> bytes:
    """A show's own article URL -> episodes (kept beside the site-wide articles.json for CMSs
    that read it already)."""
    index: dict[str, list[dict]] = {}
    for view in views:
        ep = view.ep
        for article in ep.articles:
            index.setdefault(article.url, []).append({
                "show": ep.show, "guid": ep.guid, "title": ep.title,
                "published": iso(ep.published), "duration": ep.duration,
                "duration_text": view.duration_text, "audio_url": view.audio_url,
                "type": ep.audio.type, "page": absolute(ws, view.page_path),
                "embed": absolute(ws, view.embed_path),
            })
    text = pretty(index)  # keys sorted, as json.dumps(indent=2, sort_keys=True) does
    return (text + "\n").encode("utf-8")


def render_assets() -> dict[str, bytes]:
    """The stylesheet and the player script every page shares (package data)."""
    data = resources.files("podman").joinpath("data")
    return {path: data.joinpath(path.split("/")[-1]).read_bytes() for path in ASSETS}


def render_home(shows: Sequence[ShowConfig], templates=None) -> bytes:
    from podman.render.templating import render

    return render("home.html.j2", templates, shows=shows, css=ASSETS[0],
                  titles={s.slug: clean_text(s.title) for s in shows}).encode("utf-8")
