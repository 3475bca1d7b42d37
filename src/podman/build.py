"""`podman build`: read and validate the whole catalog, render every output, then write it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from podman.catalog import atomic_write, load_show_episodes
from podman.config import ShowConfig, WorkspaceConfig, load_show, show_dirs
from podman.errors import ConfigError
from podman.feed import FeedInputs, due_episodes, render_feed
from podman.models import Episode
from podman.site import articles_index, render_home, render_site

IMAGE_TYPES = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png"}


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
    feeds: dict[str, int] = field(default_factory=dict)  # feed path -> items in it


def load_catalog(ws: WorkspaceConfig, only: str | None = None) -> list[ShowCatalog]:
    """Phase one: read and validate everything before anything is rendered."""
    dirs = show_dirs(ws)
    if only is not None:
        dirs = [d for d in dirs if d.name == only]
        if not dirs:
            raise ConfigError(f"{only}: no such show in {ws.feeds_dir}",
                              "see `podman list` or the folders under feeds/")
    return [ShowCatalog(d, load_show(d), load_show_episodes(d)) for d in dirs]


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
    out: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for cat in catalogs:
        due = due_episodes(cat.episodes, now)
        art_path, art_url, art_bytes = artwork_output(ws, cat)
        if art_bytes is not None:
            out[art_path] = art_bytes
        feed_path = f"{cat.show.slug}/feed.xml"
        out[feed_path] = render_feed(FeedInputs(ws, cat.show, due, image_url=art_url),
                                     templates)
        counts[feed_path] = len(due)
        out.update(render_site(ws, cat.show, due, art_url, templates))
        out[f"{cat.show.slug}/articles.json"] = articles_index(ws, due)
    out["index.html"] = render_home([c.show for c in catalogs], templates)
    return out, counts


def build(ws: WorkspaceConfig, *, now: datetime, show: str | None = None,
          check: bool = False) -> BuildResult:
    """Phase three: write what changed (atomically), or with `check` only report it."""
    catalogs = load_catalog(ws, show)
    outputs, counts = render_outputs(ws, catalogs, now)
    if show is not None:
        outputs.pop("index.html", None)
    result = BuildResult(feeds=counts)
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
            atomic_write(target, data)
            result.written.append(rel)
    return result
