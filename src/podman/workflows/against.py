"""`podman check --against OLD`: compare a show's built feed with the feed it replaces, and
record in show.toml that the move was proven (the feed then locks again)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from podman.check.against import compare_feeds
from podman.check.feed import check_feed_source
from podman.check.online import redirect_findings
from podman.check.rules import FeedDoc, built_by_podman
from podman.core.config import SHOW_FILE, WorkspaceConfig, load_show, show_dirs
from podman.core.errors import BadInput, ConfigError
from podman.core.fsio import atomic_write, workspace_lock
from podman.workflows.lint import CheckReport


def read_old_feed(source: str) -> bytes:
    """The old feed (file or URL, bounded); refuses a feed podman built, which is what an old
    URL serves once it redirects to the new feed."""
    data = check_feed_source(source)
    try:
        ours = built_by_podman(FeedDoc(data.lstrip()))
    except Exception:  # noqa: BLE001 - unreadable XML is reported by the comparison
        ours = False
    if ours:
        raise BadInput(f"{source}: this is a feed podman built, not the old one (does the old "
                       "URL already redirect here?)", "pass a saved copy of the old feed")
    return data


def built_feeds(ws: WorkspaceConfig, slug: str) -> list[bytes]:
    """Everything the show publishes: feed-full.xml, else feed.xml and its archive pages."""
    folder = ws.public_dir / slug
    full = folder / "feed-full.xml"
    paths = [full] if full.is_file() else [folder / "feed.xml",
                                           *sorted((folder / "archive").glob("*.xml"))]
    if not paths[0].is_file():
        raise BadInput(f"public/{slug}/feed.xml: no feed has been built",
                       "run `podman build` first")
    return [p.read_bytes() for p in paths]


def pick_show(ws: WorkspaceConfig, show: str | None) -> Path:
    dirs = show_dirs(ws)
    if show is not None:
        dirs = [d for d in dirs if d.name == show]
        if not dirs:
            raise ConfigError(f"{show}: no such show in {ws.feeds_dir}")
    if len(dirs) != 1:
        raise BadInput("--against compares one show: name it with --show" if dirs
                       else f"{ws.feeds_dir}: no show to compare")
    return dirs[0]


def check_against(ws: WorkspaceConfig, old_source: str, *, show: str | None = None,
                  online: bool = False, strict: bool = False,
                  now: datetime) -> tuple[CheckReport, Path]:
    """Compare the show's built feed(s) with the old feed; on success an imported show records
    `[import] verified` (see `record_verified`). Returns the report and the show folder."""
    show_dir = pick_show(ws, show)
    imported = load_show(show_dir).raw.get("import")
    imported = imported if isinstance(imported, dict) else {}
    # the old feed's URL: what the import was given when it was a URL, else OLD_FEED when it is
    # one (else compare_feeds falls back to the old feed's atom:link rel="self")
    old_url = next((u for u in (str(imported.get("source_feed") or ""), old_source)
                    if u.startswith(("http://", "https://"))), "")
    old = read_old_feed(old_source)
    report = CheckReport(checked=1)
    name = f"public/{show_dir.name}/feed.xml"
    report.add(name, compare_feeds(old, built_feeds(ws, show_dir.name), old_source=old_source,
                                   old_url=old_url))
    if online:
        if not old_url:
            raise BadInput("--online needs the old feed's URL: pass it as OLD_FEED")
        new_url = ws.feed_url(show_dir.name)
        final = str(imported.get("final_url") or "")
        for url in dict.fromkeys((old_url, final if final.startswith("http") else old_url)):
            report.add(name, redirect_findings(url, new_url))
    if strict:
        report.make_strict()
    if not report.errors and imported:
        record_verified(ws, show_dir, now, old_source)
    return report, show_dir


def check_pair(new_source: str, old_source: str) -> CheckReport:
    """`podman check NEW --against OLD` outside a workspace: the comparison only."""
    report = CheckReport(checked=1)
    name = new_source if "://" in new_source else Path(new_source).name
    url = old_source if old_source.startswith(("http://", "https://")) else ""
    report.add(name, compare_feeds(read_old_feed(old_source), [check_feed_source(new_source)],
                                   old_source=old_source, old_url=url))
    return report


def record_verified(ws: WorkspaceConfig, show_dir: Path, now: datetime, source: str) -> None:
    """`[import] verified = DATE` and `verified_against` in show.toml, comments kept (tomlkit),
    written atomically under the workspace lock. The next build says podcast:locked yes."""
    import tomlkit

    path = show_dir / SHOW_FILE
    with workspace_lock(ws.root):
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
        table = doc.get("import")
        if table is None:
            return
        table["verified"] = now.date()
        table["verified_against"] = source
        atomic_write(path, tomlkit.dumps(doc))
