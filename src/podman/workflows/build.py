"""`podman build`: read and validate the whole catalog, render every output, then write it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from podman.catalog.episodes import load_show_episodes
from podman.core.config import ShowConfig, WorkspaceConfig, load_show, show_dirs
from podman.core.errors import ConfigError
from podman.core.fsio import atomic_write
from podman.core.models import Episode
from podman.render.feed import FeedInputs, due_episodes, render_feed
from podman.render.feedtags import (
    validate_show_categories,
)
from podman.render.site import (
    ASSETS,
    articles_index,
    render_articles,
    render_assets,
    render_home,
    render_site,
)
from podman.render.view import EpisodeView, prepare_show

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


def load_catalog(ws: WorkspaceConfig, only: str | None = None, *,
                 validate: bool = True) -> list[ShowCatalog]:
    """Phase one: read and validate everything before anything is rendered (`validate=False`
    leaves the categories to `podman check`, which reports them as findings)."""
    dirs = show_dirs(ws)
    if only is not None:
        dirs = [d for d in dirs if d.name == only]
        if not dirs:
            raise ConfigError(f"{only}: no such show in {ws.feeds_dir}",
                              "see `podman list` or the folders under feeds/")
    catalogs = [ShowCatalog(d, load_show(d), load_show_episodes(d)) for d in dirs]
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
                 templates: Path) -> dict[str, bytes]:
    """feed.xml, and with [build] feed_limit the archive pages and feed-full.xml."""
    slug = cat.show.slug
    current, pages = archive_pages(due, ws.build.feed_limit)
    base = f"{ws.publish.base_url.rstrip('/')}/{slug}"

    def feed(eps: list[EpisodeView], url: str, links: tuple = (), archive: bool = False) -> bytes:
        return render_feed(FeedInputs(ws, cat.show, eps, image_url=art_url, feed_url=url,
                                      archive_links=links, archive=archive), templates)

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


def render_outputs(ws: WorkspaceConfig, catalogs: list[ShowCatalog],
                   now: datetime) -> tuple[dict[str, bytes], dict[str, int]]:
    """Phase two: every output file as bytes, keyed by its path under public/."""
    templates = ws.root / "templates"
    out: dict[str, bytes] = render_assets()
    counts: dict[str, int] = {}
    every: list[EpisodeView] = []
    for cat in catalogs:
        due = prepare_show(ws, cat.dir, due_episodes(cat.episodes, now))
        art_path, art_url, art_bytes = artwork_output(ws, cat)
        if art_bytes is not None:
            out[art_path] = art_bytes
        for view in due:
            out.update(view.files)
        feeds = render_feeds(ws, cat, due, art_url, templates)
        out.update(feeds)
        feed_path = f"{cat.show.slug}/feed.xml"
        counts[feed_path] = len(archive_pages(due, ws.build.feed_limit)[0])
        out.update(render_site(ws, cat.show, due, art_url, templates))
        out[f"{cat.show.slug}/articles.json"] = articles_index(ws, due)
        every.extend(due)
    out.update(render_articles(ws, {c.show.slug: c.show for c in catalogs}, every, templates))
    out["index.html"] = render_home([c.show for c in catalogs], templates)
    return out, counts


def artwork_warnings(catalogs: list[ShowCatalog]) -> list[str]:
    """Apple refuses a feed without itunes:image; the build still runs, but says so."""
    return [f"{cat.dir / 'show.toml'}: no artwork (image is empty): Apple Podcasts requires a "
            "square 1400-3000 px image" for cat in catalogs if not cat.show.image]


def build(ws: WorkspaceConfig, *, now: datetime, show: str | None = None,
          check: bool = False) -> BuildResult:
    """Phase three: write what changed (atomically), or with `check` only report it."""
    catalogs = load_catalog(ws, show)
    outputs, counts = render_outputs(ws, catalogs, now)
    if show is not None:  # site-wide files (home, article boxes) need every show: full builds
        outputs = {rel: data for rel, data in outputs.items()
                   if rel.startswith(f"{show}/") or rel in ASSETS}
    result = BuildResult(feeds=counts, warnings=artwork_warnings(catalogs))
    for rel, data in sorted(outputs.items()):
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
    _retire(ws, set(outputs), show, check, result)
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
    before = {rel for rel in lines if _ours(ws.public_dir, rel)}
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
