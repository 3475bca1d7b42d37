"""`podman import`: bring a show over from another host without changing one GUID.

Read the old feed verbatim, plan, then per item: download, check, probe, store, record. A bad item
is reported and skipped; a re-run is a sync that adds only what is missing (failed items too).
"""

from __future__ import annotations

import re
import shutil
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from podman.core.config import SHOW_FILE, WorkspaceConfig
from podman.core.errors import BadInput, CatalogError, LockBusy, PodmanError, StorageError
from podman.core.fsio import atomic_write, workspace_lock
from podman.core.models import podcast_guid, slugify
from podman.importer.fetch import MB, FetchConfig, Fetcher, FetchFailed
from podman.importer.pages import collect
from podman.importer.plan import Plan, make_plan
from podman.importer.reader import (
    SourceFeed,
    SourceItem,
    feed_link_in_html,
    looks_like_html,
    read_feed,
)
from podman.workflows.import_items import (
    ItemFetch,
    ItemOutcome,
    episode_for,
    fetch_item,
    record_item,
)

FEED_LIMIT = 50 * MB
SIDE_LIMIT = 20 * MB  # artwork, chapters, transcripts
WORK_DIR = ".podman-import"
PLACEHOLDER_EMAIL = "owner@invalid"
FEED_ACCEPT = "application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


class ImportRefused(BadInput):
    """The old feed asks not to be imported (locked) or has moved (stale); carries the plan."""

    def __init__(self, message: str, hint: str, plan: Plan) -> None:
        super().__init__(message, hint)
        self.plan = plan


@dataclass(frozen=True)
class ImportOptions:
    source: str
    show: str | None = None
    dry_run: bool = False
    no_download: bool = False
    ignore_lock: bool = False
    extra_sources: tuple[str, ...] = ()
    strip_boilerplate: bool = False  # hosts' privacy/ad-choice footers out of the notes
    fetch: FetchConfig = field(default_factory=FetchConfig)
    workers: int = 6


@dataclass
class ImportResult:
    plan: Plan
    outcomes: list[ItemOutcome] = field(default_factory=list)
    created: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[ItemOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan.to_json(), "created": self.created, "notes": self.notes,
                "items": [o.to_json() for o in self.outcomes],
                "failed": len(self.failed)}


# -- reading the source ------------------------------------------------------------------------

def _norm(url: str) -> str:
    return re.sub(r"^[a-z]+://", "", url.strip().lower()).rstrip("/")


def load_source(fetcher: Fetcher, source: str) -> tuple[bytes, str, list[str]]:
    """(feed bytes, final URL or "" for a file, redirect hops); an HTML page leads to its feed."""
    if source.lower().startswith(("http://", "https://")):
        resp = fetcher.get(source, limit=FEED_LIMIT, accept=FEED_ACCEPT)
        data, final, hops = resp.body, resp.url, list(resp.hops)
    else:
        path = Path(source)
        if not path.is_file():
            raise BadInput(f"{source}: no such file, and not an http(s) URL")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"{source}: cannot read ({exc.strerror})") from None
        final, hops = "", []
    if looks_like_html(data):
        link = feed_link_in_html(data, final)
        if link is None:
            raise BadInput(f"{source}: an HTML page that links no RSS feed",
                           'give the feed URL (the page has no <link rel="alternate" '
                           'type="application/rss+xml">)')
        resp = fetcher.get(link, limit=FEED_LIMIT, accept=FEED_ACCEPT)
        hops.append(f"page links {link}")
        hops.extend(resp.hops)
        data, final = resp.body, resp.url
    return data, final, hops


def _read_other(fetcher: Fetcher, source: str) -> SourceFeed:
    data, final, _hops = load_source(fetcher, source)
    return read_feed(data, source, base_url=final)


# -- identity and refusal ----------------------------------------------------------------------

def _feed_url(source: str, first: SourceFeed) -> tuple[str, list[str]]:
    """The old feed's URL as directories know it, and every URL that names this feed."""
    given = source if source.lower().startswith(("http://", "https://")) else ""
    known = [u for u in (given, first.self_url) if u]
    return (given or first.self_url or first.new_feed_url), known


def _refusal(plan: Plan, first: SourceFeed, known: list[str], final: str,
             ignore_lock: bool) -> tuple[str, str]:
    names = {_norm(u) for u in [*known, final] if u}
    if first.new_feed_url and names and _norm(first.new_feed_url) not in names:
        return (f"{plan.source}: the feed has moved: itunes:new-feed-url points to "
                f"{first.new_feed_url} (this copy is stale)",
                f"import the current feed: podman import {first.new_feed_url}")
    if first.locked and not ignore_lock:
        owner = first.locked_owner or "the owner named in the feed"
        return (f"{plan.source}: podcast:locked is yes: {owner} has asked hosts not to import "
                "this show",
                "if it is your show, unlock it at the old host (podcast:locked no) or rerun "
                "with --ignore-lock (recorded in show.toml)")
    return "", ""


def _existing_show(ws: WorkspaceConfig, slug: str, names: set[str]) -> dict[str, Any] | None:
    path = ws.feeds_dir / slug / SHOW_FILE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{path}: cannot read ({exc})") from None
    came_from = (data.get("import") or {}).get("source_feed", "")
    if not isinstance(came_from, str) or _norm(came_from) not in names:
        raise BadInput(f"{path}: show {slug!r} exists and was not imported from this feed",
                       "pick another name with --show SLUG")
    return data


# -- the run -----------------------------------------------------------------------------------

def plan_import(ws: WorkspaceConfig, opts: ImportOptions,
                fetcher: Fetcher) -> tuple[Plan, SourceFeed, list[SourceItem], dict | None]:
    from podman.catalog.episodes import load_show_episodes

    data, final, hops = load_source(fetcher, opts.source)
    first = read_feed(data, opts.source, base_url=final)
    extra = [_read_other(fetcher, s) for s in opts.extra_sources]
    cat = collect(first, lambda url: _read_other(fetcher, url), extra)
    feed_url, known = _feed_url(opts.source, first)
    slug = opts.show or slugify(first.title, max_length=40) or "show"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise BadInput(f"--show {slug!r}: use lower-case letters, digits and hyphens")
    names = {_norm(u) for u in [*known, final, feed_url] if u}
    existing_show = _existing_show(ws, slug, names)
    existing: set[str] = set()
    if existing_show is not None:
        existing = {ep.guid.strip() for ep in load_show_episodes(ws.feeds_dir / slug)}
    if first.podcast_guid:
        pg, pg_source = first.podcast_guid, "kept from the old feed"
    elif feed_url:
        pg, pg_source = podcast_guid(feed_url), f"UUIDv5 of the old feed URL {feed_url}"
    else:
        pg, pg_source = podcast_guid(ws.feed_url(slug)), (
            "UUIDv5 of the NEW feed URL: the old feed names no URL of its own (import from its "
            "URL to keep the Podcast Index identity)")
    if existing_show is not None and isinstance(existing_show.get("podcast_guid"), str):
        pg, pg_source = existing_show["podcast_guid"], "kept from show.toml"
    plan = make_plan(first=first, cat=cat, source=opts.source, final_url=final,
                     feed_url=feed_url, hops=hops, show=slug, sync=existing_show is not None,
                     existing=existing, podcast_guid=pg, podcast_guid_source=pg_source,
                     extra_hosts=opts.fetch.prefix_hosts)
    if first.new_feed_url and not known and not final:
        plan.warnings.append("the file names no URL of its own: its itunes:new-feed-url "
                             f"{first.new_feed_url} is taken as the old feed's URL")
    recorded = (existing_show or {}).get("import") or {}
    ignore_lock = opts.ignore_lock or recorded.get("ignore_lock") is True  # the owner said so
    if first.new_feed_url and _norm(first.new_feed_url) == _norm(ws.feed_url(slug)):
        known.append(first.new_feed_url)  # the move is done: the old feed points here
        plan.warnings.append(f"the old feed already points to this show's feed "
                             f"{first.new_feed_url}")
    message, hint = _refusal(plan, first, known, final, ignore_lock)
    if message:
        plan.refusal = message.split(": ", 1)[1]
        raise ImportRefused(message, hint, plan)
    return plan, first, cat.items, existing_show


def import_show(ws: WorkspaceConfig, opts: ImportOptions, *, now: datetime,
                fetcher: Fetcher | None = None,
                report: Callable[[ItemOutcome], None] | None = None,
                started: Callable[[Plan], None] | None = None) -> ImportResult:
    """Plan, then (unless dry-run) create or sync the show; per-item failures are collected."""
    fetcher = fetcher or Fetcher(opts.fetch)
    plan, first, _items, existing_show = plan_import(ws, opts, fetcher)
    if opts.dry_run and not opts.no_download:
        plan.dead_urls = dead_side_urls(fetcher, plan.to_import, opts.workers)
    result = ImportResult(plan)
    if opts.no_download:
        result.notes.append("--no-download: enclosures stay on the old host; durations and "
                            "lengths are the feed's claims, not measured")
    if started:
        started(plan)
    if opts.dry_run:
        result.outcomes = [ItemOutcome(i.position, i.key, i.title, "planned")
                           for i in plan.to_import]
        for outcome in result.outcomes if report else ():
            report(outcome)
        return result
    from podman.storage import open_storage

    storage = open_storage(ws.storage)
    if not opts.no_download and hasattr(storage, "verify"):
        storage.verify()
    show_dir = ws.feeds_dir / plan.show
    work = ws.root / WORK_DIR / plan.show
    work.mkdir(parents=True, exist_ok=True)
    _ignore_work_dir(ws.root)
    if existing_show is None:
        result.notes += create_show(ws, show_dir, first, plan, opts, fetcher, work, now)
        result.created = True
    ctx = _Context(ws=ws, show_dir=show_dir, plan=plan, opts=opts, storage=storage,
                   fetcher=fetcher, work=work)
    _import_items(ctx, plan.to_import, result, report)
    if not result.failed:
        shutil.rmtree(work, ignore_errors=True)
        try:
            (ws.root / WORK_DIR).rmdir()
        except OSError:
            pass
    return result


@dataclass
class _Context:
    ws: WorkspaceConfig
    show_dir: Path
    plan: Plan
    opts: ImportOptions
    storage: Any
    fetcher: Fetcher
    work: Path
    keys: set[str] = field(default_factory=set)


def _import_items(ctx: _Context, items: list[SourceItem], result: ImportResult,
                  report: Callable[[ItemOutcome], None] | None) -> None:
    from podman.catalog.episodes import load_show_episodes

    ctx.keys = {ep.audio.key for ep in load_show_episodes(ctx.show_dir)}
    published = _dates(items)

    def done(outcome: ItemOutcome) -> None:
        result.outcomes.append(outcome)
        if report:
            report(outcome)

    if ctx.opts.no_download:
        for item in items:
            done(_record(ctx, item, ItemFetch(item), published[item.position]))
        return
    pool = ThreadPoolExecutor(max_workers=max(1, ctx.opts.workers))
    try:
        futures = {pool.submit(fetch_item, ctx.fetcher, item, ctx.work, SIDE_LIMIT): item
                   for item in items}
        for future in as_completed(futures):
            item = futures[future]
            try:
                fetched = future.result()
            except (PodmanError, OSError) as exc:
                done(ItemOutcome(item.position, item.key, item.title, "failed",
                                 message=_message(exc)))
                continue
            done(_record(ctx, item, fetched, published[item.position]))
    finally:  # interrupted or storage down: start no more downloads (partial files resume)
        pool.shutdown(wait=True, cancel_futures=True)


def _ignore_work_dir(root: Path) -> None:
    """Partial downloads never end up in git: .gitignore gains /.podman-import/ when needed."""
    path = root / ".gitignore"
    try:
        text = path.read_text("utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError):
        return
    if f"/{WORK_DIR}/" not in text.split("\n"):
        atomic_write(path, text + ("" if text.endswith("\n") or not text else "\n")
                     + f"/{WORK_DIR}/\n")


def _message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, PodmanError) else str(exc)


def _record(ctx: _Context, item: SourceItem, fetched: ItemFetch,
            published: datetime) -> ItemOutcome:
    try:
        ep = episode_for(item, fetched, show=ctx.plan.show, published=published,
                         source_feed=ctx.plan.feed_url or ctx.plan.source, keys=ctx.keys,
                         strip_boilerplate=ctx.opts.strip_boilerplate)
        ep = record_item(ctx.ws, ctx.show_dir, ctx.storage, ep, fetched)
    except (StorageError, LockBusy):
        raise
    except (PodmanError, OSError) as exc:
        return ItemOutcome(item.position, item.key, item.title, "failed", message=_message(exc))
    finally:
        fetched.cleanup()
    ctx.keys.add(ep.audio.key)
    return ItemOutcome(item.position, ep.guid, ep.title, "imported", slug=ep.slug,
                       duration=ep.duration, differences=fetched.differences,
                       warnings=fetched.warnings)


def _dates(items: list[SourceItem]) -> dict[int, datetime]:
    """Each item's instant; an item without a readable date takes its newer neighbour's."""
    out: dict[int, datetime] = {}
    ordered = sorted(items, key=lambda i: i.position)
    last: datetime | None = None
    for item in ordered:
        if item.published is not None:
            last = item.published
        if last is not None:
            out[item.position] = item.published or last
    fallback = next((i.published for i in ordered if i.published), None)
    for item in ordered:
        if item.position not in out:
            out[item.position] = fallback or datetime(1970, 1, 1, tzinfo=UTC)
        if item.published is None:
            item.repairs.append(f"no readable pubDate: dated {out[item.position]:%Y-%m-%d} "
                                "like its neighbour")
    return {k: v.replace(microsecond=0) for k, v in out.items()}


def dead_side_urls(fetcher: Fetcher, items: list[SourceItem], workers: int) -> list[str]:
    """Chapter and transcript URLs that do not answer (the dry run's check)."""
    urls = sorted({i.chapters_url for i in items if i.chapters_url}
                  | {t.url for i in items for t in i.transcripts})
    dead: list[str] = []

    def probe(url: str) -> str | None:
        try:
            fetcher.get(url, limit=SIDE_LIMIT)
        except PodmanError as exc:
            return f"{url} ({exc.message.split(': ', 1)[-1]})"
        return None

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        dead = [d for d in pool.map(probe, urls) if d]
    return dead


# -- the show ----------------------------------------------------------------------------------

def create_show(ws: WorkspaceConfig, show_dir: Path, first: SourceFeed, plan: Plan,
                opts: ImportOptions, fetcher: Fetcher, work: Path, now: datetime) -> list[str]:
    """feeds/SLUG/show.toml from the channel (artwork downloaded); returns notes for the user."""
    import tomlkit

    from podman.core.categories import category_problems

    notes: list[str] = []
    image = first.image
    artwork: tuple[str, bytes] | None = None
    if image and not opts.no_download:
        try:
            body = fetcher.get(image, limit=SIDE_LIMIT, accept="image/*").body
            ext = "png" if body.startswith(b"\x89PNG") else (
                "jpg" if body.startswith(b"\xff\xd8") else "")
            if not ext:
                raise FetchFailed(f"{image}: not a JPEG or PNG image")
            artwork = (f"artwork.{ext}", body)
        except PodmanError as exc:
            notes.append(f"artwork not downloaded ({exc.message}); show.toml keeps its URL")
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Imported from {plan.feed_url or plan.source}; keys documented in "
                            "show.example.toml"))
    doc["title"] = first.title or plan.show
    doc["description"] = first.description or first.title or plan.show
    doc["language"] = first.language or "en"
    if not first.language:
        notes.append("the old feed names no language: show.toml says \"en\"")
    doc["author"] = first.author or first.owner_name or first.title or plan.show
    doc["email"] = first.email or PLACEHOLDER_EMAIL
    if not first.email:
        notes.append(f"the old feed names no owner email: set `email` in {show_dir / SHOW_FILE}"
                     " before publishing (Apple and the Podcast Index write to it)")
    if first.owner_name:
        doc["owner_name"] = first.owner_name
    doc["podcast_guid"] = plan.podcast_guid
    if first.link:
        doc["link"] = first.link
    if artwork or image:
        doc["image"] = artwork[0] if artwork else image
    good: list[tuple[str, ...]] = []
    dropped = []
    for cat in first.categories:
        fit = cat if not category_problems(cat) else (
            cat[:1] if len(cat) > 1 and not category_problems(cat[:1]) else None)
        if fit is None or fit != cat:
            dropped.append(" > ".join(cat))
        if fit is not None and fit not in good:
            good.append(fit)
    good = good[:2]
    if dropped:
        notes.append(f"categories Apple does not list were cut to what it lists or left out: "
                     f"{', '.join(dropped)}")
    doc["categories"] = [" > ".join(c) for c in good]
    doc["explicit"] = first.explicit
    doc["type"] = first.type
    if first.copyright:
        doc["copyright"] = first.copyright
    # the feed says podcast:locked no until `podman check --against` records [import] verified
    doc["locked"] = True
    if first.block:
        doc["block"] = True
    if first.complete:
        doc["complete"] = True
    if first.medium:
        doc["medium"] = first.medium
    for key, value in (("funding", first.funding), ("persons", first.persons),
                       ("txt", first.txt), ("trailers", first.trailers)):
        if value:
            doc[key] = value
    for key, value in (("license", first.license), ("location", first.location),
                       ("update_frequency", first.update_frequency)):
        if value:
            doc[key] = value
    imp = tomlkit.table()
    imp["source_feed"] = plan.feed_url or plan.source
    imp["final_url"] = plan.final_url or plan.feed_url or plan.source
    imp["imported"] = now.date()
    imp["ignore_lock"] = opts.ignore_lock
    if first.locked:
        imp["old_locked_owner"] = first.locked_owner
    imp["podcast_guid_source"] = plan.podcast_guid_source
    if first.image:
        imp["image_url"] = first.image
    if plan.hops:
        imp["redirects"] = plan.hops
    doc["import"] = imp
    with workspace_lock(ws.root):
        if (show_dir / SHOW_FILE).exists():
            raise CatalogError(f"{show_dir / SHOW_FILE}: appeared while importing")
        if artwork:
            atomic_write(show_dir / artwork[0], artwork[1])
        atomic_write(show_dir / SHOW_FILE, tomlkit.dumps(doc))
    return notes




__all__ = ["ImportOptions", "ImportRefused", "ImportResult", "import_show", "plan_import"]
