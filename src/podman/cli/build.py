"""`podman build`: render public/ from the catalog."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import load_ws, now_or, workspace_option
from podman.cli.table import CONTEXT


@click.command(context_settings=CONTEXT)
@workspace_option
@click.option("--show", help="Only this show.")
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 when public/ is stale (for CI).")
@click.option("--now", help="Build clock, ISO 8601 [default: now]; decides what is due.")
@click.option("--no-cache", is_flag=True,
              help="Render everything, ignoring the build cache in .podman/cache/.")
@click.pass_context
def build(ctx: click.Context, workspace: Path | None, show: str | None, check: bool,
          now: str | None, no_cache: bool) -> None:
    """Render public/: one RSS feed per show, pages, embeddable players, articles.json.

    Reads and validates the whole catalog first; rebuilding gives byte-identical output.
    When nothing changed since the last build, only file dates are checked.
    """
    from podman.core.errors import StaleOutput
    from podman.workflows.build import build as run_build

    ws = load_ws(ctx, workspace)
    result = run_build(ws, now=now_or(now), show=show, check=check, cache=not no_cache)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if check:
        if result.stale:
            raise StaleOutput(f"{ws.public_dir}: {len(result.stale)} file(s) out of date "
                              f"({', '.join(result.stale[:3])})", "run `podman build`")
        click.echo(f"public/ is up to date ({len(result.unchanged)} files)", err=True)
        return
    for feed, count in result.feeds.items():
        click.echo(f"{ws.public_dir / feed}  ({count} episodes)")
    click.echo(f"{len(result.written)} written, {len(result.unchanged)} unchanged", err=True)
