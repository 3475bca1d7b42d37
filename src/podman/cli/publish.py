"""`podman publish` and `podman doctor`: hosting."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import load_ws, workspace_option
from podman.cli.table import CONTEXT


@click.command(context_settings=CONTEXT)
@workspace_option
@click.option("--dry-run", is_flag=True, help="Print the plan; upload nothing.")
@click.pass_context
def publish(ctx: click.Context, workspace: Path | None, dry_run: bool) -> None:
    """Upload the changed files of public/ (feeds last) to storage, or copy them to
    [publish] target for the local backend. Run `podman build` first; media are already stored.

    Changes are found from one listing of the target; nothing remote is ever deleted.
    """
    from podman.workflows.publish import publish as run_publish

    ws = load_ws(ctx, workspace)
    result = run_publish(ws, dry_run=dry_run,
                         progress=lambda item: click.echo(f"uploaded {item.key}", err=True))
    plan = result.plan
    if dry_run:
        for item in plan.upload:
            click.echo(f"would upload {item.key} ({item.size} bytes, {item.content_type})")
    for key in plan.remote_only:
        click.echo(f"remote only (kept): {key}", err=True)
    click.echo(f"{plan.target}: {len(result.uploaded)} uploaded, {len(plan.unchanged)} unchanged"
               + (f", {len(plan.upload)} to upload" if dry_run else ""), err=True)


@click.command(context_settings=CONTEXT)
@workspace_option
@click.pass_context
def doctor(ctx: click.Context, workspace: Path | None) -> None:
    """Check storage: credentials, bucket access, and that public_url serves an uploaded object
    (200 to HEAD, 206 to a byte range, the right Content-Type). Exit 1 on any failure."""
    from podman.core.errors import StorageError
    from podman.workflows.publish import doctor as run_doctor

    ws = load_ws(ctx, workspace)
    results = run_doctor(ws)
    for r in results:
        click.echo(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.detail}")
        if not r.ok and r.hint:
            click.echo(f"     hint: {r.hint}")
    failed = [r for r in results if not r.ok]
    if failed:
        raise StorageError(f"doctor: {failed[0].name} failed: {failed[0].detail}")
