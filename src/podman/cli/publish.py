"""`podman publish` and `podman doctor`: hosting."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import load_ws, workspace_option
from podman.cli.table import CONTEXT


@click.command(context_settings=CONTEXT)
@workspace_option
@click.option("--dry-run", is_flag=True, help="Print the plan; upload nothing.")
@click.option("--tombstone", "new_url", metavar="NEW_URL",
              help="Leaving podman: publish the feed once more with itunes:new-feed-url = "
                   "NEW_URL (kept in show.toml) and, on S3, a 301 to NEW_URL on the feed.")
@click.option("--show", help="The show to tombstone (needed when there are several).")
@click.pass_context
def publish(ctx: click.Context, workspace: Path | None, dry_run: bool, new_url: str | None,
            show: str | None) -> None:
    """Upload the changed files of public/ (feeds last) to storage, or copy them to
    [publish] target for the local backend. Run `podman build` first; media are already stored.

    Changes are found from one listing of the target; nothing remote is ever deleted. When a
    show's feed.xml changed, its WebSub hub and the Podcast Index are notified (switch them in
    [publish]); a failed notification is a warning.
    """
    ws = load_ws(ctx, workspace)
    if new_url is not None:
        if dry_run:
            from podman.core.errors import BadInput

            raise BadInput("--tombstone and --dry-run do not go together")
        _tombstone(ws, new_url, show)
        return
    from podman.workflows.notify import notify_changed
    from podman.workflows.publish import PublishPlan
    from podman.workflows.publish import publish as run_publish

    def planned(plan: PublishPlan) -> None:
        if dry_run:
            for item in plan.upload:
                click.echo(f"would upload {item.key} ({item.size} bytes, {item.content_type})")
        elif plan.upload:
            size = sum(item.size for item in plan.upload)
            click.echo(f"plan: {len(plan.upload)} to upload ({size} bytes), "
                       f"{len(plan.unchanged)} unchanged", err=True)

    result = run_publish(ws, dry_run=dry_run, planned=planned,
                         progress=lambda item: click.echo(f"uploaded {item.key}", err=True))
    plan = result.plan
    for key in plan.remote_only:
        click.echo(f"remote only (kept): {key}", err=True)
    click.echo(f"{plan.target}: {len(result.uploaded)} uploaded, {len(plan.unchanged)} unchanged"
               + (f", {len(plan.upload)} to upload" if dry_run else ""), err=True)
    for notice in notify_changed(ws, result.uploaded):
        if notice.ok:
            verb = "notified" if notice.sent else "not notified"
            click.echo(f"{verb} {notice.service} of {notice.feed_url}: {notice.detail}", err=True)
        else:
            click.echo(f"warning: {notice.service} not notified of {notice.feed_url}: "
                       f"{notice.detail}", err=True)


def _tombstone(ws, new_url: str, show: str | None) -> None:
    from podman.workflows.tombstone import tombstone

    done = tombstone(ws, new_url, show=show)
    click.echo(f"uploaded {done.key} with itunes:new-feed-url {done.new_url}", err=True)
    if done.redirect_kept:
        click.echo(f"{done.target}/{done.key}: WebsiteRedirectLocation = {done.new_url} (a 301 "
                   "where the bucket is served as an S3 website; not every S3 service serves it)",
                   err=True)
    elif done.redirect_sent:
        click.echo(f"warning: {done.target} did not keep WebsiteRedirectLocation (SeaweedFS and "
                   f"some others drop it): redirect {done.feed_url} to {done.new_url} in the "
                   "web server or CDN in front of it", err=True)
    else:
        click.echo(f"{done.target} cannot send a 301 itself: redirect {done.feed_url} to "
                   f"{done.new_url} in the web server in front of it", err=True)


@click.command(context_settings=CONTEXT)
@workspace_option
@click.pass_context
def doctor(ctx: click.Context, workspace: Path | None) -> None:
    """Check storage: credentials, bucket access, and that public_url serves an uploaded object
    (200 to HEAD, 206 to a byte range, the right Content-Type). Exit 1 on any failure."""
    from podman.core.errors import StorageError
    from podman.core.urls import redact
    from podman.workflows.publish import doctor as run_doctor

    ws = load_ws(ctx, workspace)
    results = run_doctor(ws)
    for r in results:
        click.echo(redact(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.detail}"))
        if not r.ok and r.hint:
            click.echo(redact(f"     hint: {r.hint}"))
    failed = [r for r in results if not r.ok]
    if failed:
        raise StorageError(f"doctor: {failed[0].name} failed: {failed[0].detail}")
