"""`podman check`: lint built or foreign feeds, guard published identity, prove a move."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import load_ws, now_or, workspace_option
from podman.cli.table import CONTEXT


@click.command(context_settings=CONTEXT)
@click.argument("feed", required=False)
@workspace_option
@click.option("--show", help="Only this show.")
@click.option("--online", is_flag=True,
              help="Also HEAD and Range-request the feed, artwork and every enclosure; with "
                   "--against, that the old URL answers 301/308 to the new feed in one hop.")
@click.option("--strict", is_flag=True, help="Report every warning as an error.")
@click.option("--against", "old_feed", metavar="OLD_FEED",
              help="Compare the built feed with the old feed it replaces (a file or URL).")
@click.pass_context
def check(ctx: click.Context, feed: str | None, workspace: Path | None, show: str | None,
          online: bool, strict: bool, old_feed: str | None) -> None:
    """Lint the built feeds (public/<show>/feed.xml) against Apple's and Podcasting 2.0 rules.

    Also guards identity: a published episode's GUID or enclosure URL, or the show's
    podcast:guid, must not change (compared with the feed on disk and the last git commit).
    FEED (a file or URL) checks any feed, without the workspace rules; on a feed podman did
    not build, podman's house rules are warnings. --against OLD_FEED proves a move: every old
    GUID once, the same titles, dates, numbers, explicit flags, podcast:guid and owner email;
    once it passes, an imported show records `[import] verified` in show.toml. One line per
    finding; exit 1 on any error, warnings do not fail.
    """
    from podman.core.errors import CheckFailed
    from podman.core.urls import redact

    ws, _show_dir = None, None
    if old_feed is not None:
        from podman.workflows.against import check_against, check_pair

        if feed is not None:
            report = check_pair(feed, old_feed)
        else:
            ws = load_ws(ctx, workspace)
            report, _show_dir = check_against(ws, old_feed, show=show, online=online,
                                              strict=strict, now=now_or(None))
    elif feed is not None:
        from podman.workflows.lint import check_source

        report = check_source(feed, online=online, strict=strict)
    else:
        from podman.workflows.lint import check_workspace

        report = check_workspace(load_ws(ctx, workspace), show=show, online=online,
                                 now=now_or(None), strict=strict)
    for source, finding in report.findings:
        fix = f" (fix: {finding.fix})" if finding.fix else ""
        click.echo(redact(f"{finding.level} {source}: [{finding.rule}] {finding.where}: "
                          f"{finding.message}{fix}"))
    if report.errors:
        raise CheckFailed(f"{report.errors} error(s), {report.warnings} warning(s) "
                          f"in {report.checked} feed(s)")
    if old_feed is not None and ws is not None:
        from podman.core.config import load_show

        show_cfg = load_show(_show_dir)
        click.echo(f"ok: the built feed matches {old_feed}", err=True)
        if isinstance(show_cfg.raw.get("import"), dict):
            click.echo(f"recorded [import] verified in feeds/{show_cfg.slug}/show.toml; run "
                       "`podman build` and `podman publish`", err=True)
            if not show_cfg.locked:
                click.echo("hint: show.toml says locked = false, so the feed keeps saying "
                           "podcast:locked no; set locked = true to lock it (recommended)",
                           err=True)
        return
    click.echo(f"ok: {report.checked} feed(s), {report.warnings} warning(s)", err=True)
