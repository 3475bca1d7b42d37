"""`podman check`: lint built or foreign feeds and guard published identity."""

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
              help="Also HEAD and Range-request the feed, artwork and every enclosure.")
@click.pass_context
def check(ctx: click.Context, feed: str | None, workspace: Path | None, show: str | None,
          online: bool) -> None:
    """Lint the built feeds (public/<show>/feed.xml) against Apple's and Podcasting 2.0 rules.

    Also guards identity: a published episode's GUID or enclosure URL, or the show's
    podcast:guid, must not change (compared with the feed on disk and the last git commit).
    FEED (a file or URL) checks any feed, without the workspace rules. One line per finding;
    exit 1 on any error, warnings do not fail.
    """
    from podman.core.errors import CheckFailed
    from podman.workflows.lint import check_source, check_workspace

    if feed is not None:
        report = check_source(feed, online=online)
    else:
        report = check_workspace(load_ws(ctx, workspace), show=show, online=online,
                                 now=now_or(None))
    for source, finding in report.findings:
        fix = f" (fix: {finding.fix})" if finding.fix else ""
        click.echo(f"{finding.level} {source}: [{finding.rule}] {finding.where}: "
                   f"{finding.message}{fix}")
    if report.errors:
        raise CheckFailed(f"{report.errors} error(s), {report.warnings} warning(s) "
                          f"in {report.checked} feed(s)")
    click.echo(f"ok: {report.checked} feed(s), {report.warnings} warning(s)", err=True)
