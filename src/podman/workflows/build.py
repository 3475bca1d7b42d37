"""`podman build`: read and validate the whole catalog, render every output, then write it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from podman.core.config import ShowConfig, WorkspaceConfig, load_show, show_dirs
from podman.core.errors import ConfigError
from podman.core.fsio import atomic_write, sweep, write_chunks

if TYPE_CHECKING:  # imported where used: an up-to-date build never loads the catalog code
    from collections.abc import Callable

    from podman.core.models import Episode
    from podman.render.site import Job
    from podman.render.view import EpisodeView
    from podman.workflows.buildcache import EpisodeStore, PageStore

IMAGE_TYPES = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png"}
T = TypeVar("T")


@dataclass(frozen=True)
class ShowCatalog:
    dir: Path
    show: ShowConfig
    episodes: list[Episode]  # every episode, newest first


@dataclass
class BuildResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # with check: files that would change
    removed: list[str] = field(default_factory=list)  # no longer produced, so deleted
    feeds: dict[str, int] = field(default_factory=dict)  # feed path -> items in it
    warnings: list[str] = field(default_factory=list)  # one line each, for the CLI to print


def load_catalog(ws: WorkspaceConfig, only: str | None = None, *, validate: bool = True,
                 memo: Callable[[str], EpisodeStore] | None = None) -> list[ShowCatalog]:
    """Phase one: read and validate everything before anything is rendered (`validate=False`
    leaves the categories to `podman check`, which reports them as findings; `memo` gives a
    show's cache of parsed front matter, saved once the show is read)."""
    dirs = show_dirs(ws)
    if only is not None:
        dirs = [d for d in dirs if d.name == only]
        if not dirs:
            raise ConfigError(f"{only}: no such show in {ws.feeds_dir}",
                              "see `podman list` or the folders under feeds/")
    from podman.catalog.episodes import load_show_episodes
    from podman.render.feedtags import validate_show_categories

    catalogs = []
    for d in dirs:
        store = memo(d.name) if memo is not None else None
        catalogs.append(ShowCatalog(d, load_show(d), load_show_episodes(d, store)))
        if store is not None:
            store.save()
    for cat in catalogs if validate else ():
        validate_show_categories(cat.show)
    return catalogs


def archive_pages(due: list[T], limit: int) -> tuple[list[T], list[list[T]]]:
    """RFC 5005: (feed.xml items, archive pages oldest first). Only full pages of `limit` items
    are archived, so a page never changes once written; feed.xml keeps the rest (limit to
    2 x limit - 1 of the newest)."""
    if limit <= 0 or len(due) < 2 * limit:
        return due, []
    oldest_first = list(reversed(due))
    full = (len(due) - limit) // limit
    pages = [list(reversed(oldest_first[i * limit:(i + 1) * limit])) for i in range(full)]
    return due[:len(due) - full * limit], pages


def render_feeds(ws: WorkspaceConfig, cat: ShowCatalog, due: list[EpisodeView], art_url: str,
                 templates: Path, store: EpisodeStore | None = None) -> dict[str, bytes]:
    """feed.xml, and with [build] feed_limit the archive pages and feed-full.xml; each item
    is printed once (or taken from the build cache) however many feeds carry it."""
    from podman.render.feed import FeedInputs, feed_items, overridden, render_feed

    printed: dict[str, str] = {}
    if not overridden(templates):
        todo = []
        for view in due:
            known = store.get(view.ep.slug, "item") if store is not None else None
            if known is None:
                todo.append(view)
            else:
                printed[view.ep.slug] = known
        for view, text in zip(todo, feed_items(ws, todo), strict=True):
            printed[view.ep.slug] = text
        if store is not None:
            for view in due:
                store.put(view.ep.slug, "item", printed[view.ep.slug])
    slug = cat.show.slug
    current, pages = archive_pages(due, ws.build.feed_limit)
    base = f"{ws.publish.base_url.rstrip('/')}/{slug}"

    def feed(eps: list[EpisodeView], url: str, links: tuple = (), archive: bool = False) -> bytes:
        items = [printed[v.ep.slug] for v in eps] if printed or not eps else None
        return render_feed(FeedInputs(ws, cat.show, eps, image_url=art_url, feed_url=url,
                                      archive_links=links, archive=archive), templates, items)

    def page_url(n: int) -> str:
        return f"{base}/archive/{n}.xml"

    out = {f"{slug}/feed.xml": feed(
        current, ws.feed_url(slug), (("prev-archive", page_url(len(pages))),) if pages else ())}
    for n, eps in enumerate(pages, start=1):
        links = [("current", ws.feed_url(slug))]
        if n > 1:
            links.append(("prev-archive", page_url(n - 1)))
        if n < len(pages):
            links.append(("next-archive", page_url(n + 1)))
        out[f"{slug}/archive/{n}.xml"] = feed(eps, page_url(n), tuple(links), archive=True)
    if ws.build.feed_limit:
        out[f"{slug}/feed-full.xml"] = feed(due, f"{base}/feed-full.xml")
    return out


def artwork_output(ws: WorkspaceConfig, cat: ShowCatalog) -> tuple[str, str, bytes | None]:
    """(public path, URL, bytes) of the show artwork; a content hash in the name, so a new
    image gets a new URL that apps re-fetch."""
    image = cat.show.image
    if not image:
        return "", "", None
    if image.startswith(("http://", "https://")):
        return "", image, None
    src = cat.dir / image
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{src}: artwork named in show.toml cannot be read") from exc
    ext = IMAGE_TYPES.get(src.suffix.lower())
    if ext is None:
        raise ConfigError(f"{src}: artwork must be a .jpg or .png file")
    name = f"{cat.show.slug}/artwork-{hashlib.sha256(data).hexdigest()[:12]}.{ext}"
    return name, f"{ws.publish.base_url.rstrip('/')}/{name}", data


def show_parts(ws: WorkspaceConfig, cat: ShowCatalog, now: datetime, templates: Path,
               store: EpisodeStore | None = None, ident: str | None = None
               ) -> tuple[dict[str, bytes], Iterator[Job], int, list[EpisodeView]]:
    """One show's outputs: the files rendered here (artwork, chapters and transcripts, feeds,
    articles.json) as bytes by path under public/, the page jobs (path, key, render) of its
    site, feed.xml's item count, and the due views (for the site-wide article pages)."""
    from podman.render.feed import due_episodes
    from podman.render.site import articles_index, site_jobs
    from podman.render.view import prepare_show

    out: dict[str, bytes] = {}
    known = (lambda ep: store.get(ep.slug, "body")) if store is not None else None
    due = prepare_show(ws, cat.dir, due_episodes(cat.episodes, now), known)
    for view in due if store is not None else ():
        store.put(view.ep.slug, "body", view.body_html)
    art_path, art_url, art_bytes = artwork_output(ws, cat)
    if art_bytes is not None:
        out[art_path] = art_bytes
    for view in due:
        out.update(view.files)
    out.update(render_feeds(ws, cat, due, art_url, templates, store))
    out[f"{cat.show.slug}/articles.json"] = articles_index(ws, due)
    jobs = site_jobs(ws, cat.show, due, art_url, templates, ident)
    return out, jobs, len(archive_pages(due, ws.build.feed_limit)[0]), due


def show_outputs(ws: WorkspaceConfig, cat: ShowCatalog, now: datetime, templates: Path,
                 store: EpisodeStore | None = None
                 ) -> tuple[dict[str, bytes], int, list[EpisodeView]]:
    """One show's output files as bytes by path under public/, every page rendered."""
    out, jobs, count, due = show_parts(ws, cat, now, templates, store)
    out.update((path, make()) for path, _key, make in jobs)
    return out, count, due


def site_outputs(ws: WorkspaceConfig, catalogs: list[ShowCatalog], every: list[EpisodeView],
                 templates: Path) -> dict[str, bytes]:
    """What needs every show: article boxes and the site-wide articles.json, the home page."""
    from podman.render.site import render_articles, render_home

    out = render_articles(ws, {c.show.slug: c.show for c in catalogs}, every, templates)
    out["index.html"] = render_home([c.show for c in catalogs], templates)
    return out


def render_outputs(ws: WorkspaceConfig, catalogs: list[ShowCatalog],
                   now: datetime) -> tuple[dict[str, bytes], dict[str, int]]:
    """Phase two: every output file as bytes, keyed by its path under public/."""
    from podman.render.site import render_assets

    templates = ws.root / "templates"
    out: dict[str, bytes] = render_assets()
    counts: dict[str, int] = {}
    every: list[EpisodeView] = []
    for cat in catalogs:
        files, counts[f"{cat.show.slug}/feed.xml"], due = show_outputs(ws, cat, now, templates)
        out.update(files)
        every.extend(due)
    out.update(site_outputs(ws, catalogs, every, templates))
    return out, counts


def _for_boxes(due: list[EpisodeView]) -> Iterator[EpisodeView]:
    """What the site-wide article boxes keep of a show's views: only episodes with related
    articles, without their notes, files, cues or raw notes text (50,000 episodes must fit)."""
    for view in due:
        if view.ep.articles:
            yield replace(view, ep=replace(view.ep, notes=""), notes_html="", notes_cdata="",
                          files=(), cues=())


def _write_site(ws: WorkspaceConfig, catalogs: list[ShowCatalog], every: list[EpisodeView],
                templates: Path, check: bool, result: BuildResult, produced: set[str],
                run: Callable[[Iterator[Job]], None], ident: str) -> None:
    """site_outputs, written as it is rendered: the article boxes' jobs go to `run` one at a
    time, and articles.json streams through a temp file (50,000 episodes make it ~60 MB)."""
    from podman.render.site import article_groups, article_jobs, articles_json, render_home

    shows = {c.show.slug: c.show for c in catalogs}
    groups = article_groups(every)
    run(article_jobs(ws, shows, groups, templates, ident))
    changed = write_chunks(ws.public_dir / "articles.json", articles_json(ws, groups),
                           apply=not check)
    (result.stale if changed and check else result.written if changed
     else result.unchanged).append("articles.json")
    home = {"index.html": render_home([c.show for c in catalogs], templates)}
    _write(ws, home, check, result)
    produced.update(("articles.json", "index.html"))


def artwork_warnings(catalogs: list[ShowCatalog]) -> list[str]:
    """Apple refuses a feed without itunes:image; the build still runs, but says so."""
    return [f"{cat.dir / 'show.toml'}: no artwork (image is empty): Apple Podcasts requires a "
            "square 1400-3000 px image" for cat in catalogs if not cat.show.image]


def _write(ws: WorkspaceConfig, outputs: dict[str, bytes], check: bool,
           result: BuildResult) -> None:
    for rel, data in outputs.items():
        target = ws.public_dir / rel
        try:
            same = target.read_bytes() == data
        except OSError:
            same = False
        if same:
            result.unchanged.append(rel)
        elif check:
            result.stale.append(rel)
        else:
            atomic_write(target, data, durable=False)
            result.written.append(rel)


def build(ws: WorkspaceConfig, *, now: datetime, show: str | None = None,
          check: bool = False, cache: bool = True) -> BuildResult:
    """Phase three: write what changed (atomically), or with `check` only report it.

    Shows are rendered and written one at a time, so memory holds one show's output files.
    A whole-workspace build first asks the build cache (`cache=False` skips it): when no input,
    output or due date changed since the last build, it stats files and writes nothing.
    """
    from podman.workflows.buildcache import BuildCache, EpisodeStore, PageStore

    if not check:
        sweep(ws.root, ws.public_dir)  # temp files of a build that was killed (one walk)
    state = BuildCache(ws) if show is None else None
    hit = state.fresh(now) if state is not None and cache else None
    if hit is not None:
        return BuildResult(unchanged=list(hit["files"]), feeds=dict(hit["feeds"]),
                           warnings=list(hit["warnings"]))
    from podman.render.site import ASSETS, render_assets  # only once there is work to do
    from podman.render.templating import identity


    def parsed(slug: str) -> EpisodeStore:  # a show's parsed front matter, by file stats
        assert state is not None
        return EpisodeStore(state, slug, cache, name=f"catalog-{slug}.json", write=not check)

    catalogs = load_catalog(ws, show, memo=parsed if state is not None else None)
    templates = ws.root / "templates"
    ident = identity(templates)
    result = BuildResult(warnings=artwork_warnings(catalogs))
    produced: set[str] = set()

    def write(outputs: dict[str, bytes]) -> None:
        if show is not None:  # site-wide files (home, article boxes) need every show
            outputs = {rel: data for rel, data in outputs.items()
                       if rel.startswith(f"{show}/") or rel in ASSETS}
        _write(ws, outputs, check, result)
        produced.update(outputs)

    def run(jobs: Iterator[Job], pages: PageStore | None) -> None:
        """Render a page only when its key or its file changed since it was last written."""
        for rel, key, make in jobs:
            produced.add(rel)
            if pages is not None and pages.fresh(rel, key):
                result.unchanged.append(rel)
                continue
            _write(ws, {rel: make()}, check, result)
            if pages is not None and not check:
                pages.put(rel, key)
        if pages is not None and not check:
            pages.save()

    write(render_assets())
    every: list[EpisodeView] = []
    times: list[tuple[str, datetime]] = []  # what the build cache needs of every episode
    for n, cat in enumerate(catalogs):
        slug = cat.show.slug
        store = EpisodeStore(state, slug, cache, write=not check) if state is not None else None
        outputs, jobs, result.feeds[f"{slug}/feed.xml"], due = show_parts(
            ws, cat, now, templates, store, ident)
        if store is not None:
            store.save()
        write(outputs)
        run(jobs, PageStore(state, f"pages-{slug}.json", cache) if state is not None else None)
        every.extend(_for_boxes(due))
        times.extend((ep.status, ep.published) for ep in cat.episodes)
        catalogs[n] = replace(cat, episodes=[])  # done with: memory holds one show at a time
        del outputs, jobs, due
    if show is None:
        _write_site(ws, catalogs, every, templates, check, result, produced, lambda jobs: run(
            jobs, PageStore(state, "pages.json", cache) if state is not None else None), ident)
        del every
    for names in (result.written, result.unchanged, result.stale):
        names.sort()
    _retire(ws, produced, show, check, result)
    if state is not None and not check:
        state.save(now, times, sorted(produced), result.feeds, result.warnings)
    return result


MANIFEST = ".podman-built"


def _retire(ws: WorkspaceConfig, produced: set[str], show: str | None, check: bool,
            result: BuildResult) -> None:
    """Remove what an earlier build wrote and this one no longer produces (an episode made a
    draft or removed must not stay online); with `check` such files count as stale."""
    manifest = ws.public_dir / MANIFEST
    try:
        lines = set(manifest.read_text("utf-8").split("\n")) - {""}
    except (OSError, UnicodeDecodeError):
        lines = set()
    # what this build produced it just wrote through public/ (so inside it); only the other
    # lines, which may be deleted or kept for other shows, need their symlinks resolved
    before = {rel for rel in lines if rel in produced or _ours(ws.public_dir, rel)}
    in_scope = {rel for rel in before if show is None or rel.startswith(f"{show}/")}
    gone = sorted(rel for rel in in_scope - produced if (ws.public_dir / rel).is_file())
    if check:
        result.stale.extend(gone)
        return
    for rel in gone:
        (ws.public_dir / rel).unlink(missing_ok=True)
        result.removed.append(rel)
    keep = (before - in_scope) | produced
    if keep != lines:  # foreign lines are dropped, never acted on
        atomic_write(manifest, "".join(f"{rel}\n" for rel in sorted(keep)), durable=False)


def _ours(public: Path, rel: str) -> bool:
    """A manifest line a build could have written: a relative POSIX path of plain names that
    stays inside public/ once symlinks are resolved. Anything else is never deleted."""
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or "\0" in rel or any(
            p in ("", ".", "..") for p in parts):
        return False
    try:
        return (public / rel).resolve().is_relative_to(public.resolve())
    except (OSError, ValueError):
        return False
