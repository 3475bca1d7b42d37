"""`podman import`: bring a show over from another host, GUIDs byte for byte."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from podman.cli import CONTEXT
from podman.cli.common import emit_json, load_ws, now_or, workspace_option
from podman.core.errors import ExitCode


@click.command("import", context_settings=CONTEXT)
@click.argument("source")
@workspace_option
@click.option("--show", help="Show slug [default: from the feed's title]; an existing show "
                             "imported from the same feed is synced.")
@click.option("--dry-run", is_flag=True, help="Print the whole plan; write and download nothing "
                                              "(chapter and transcript URLs are checked).")
@click.option("--no-download", is_flag=True,
              help="Keep the old enclosure URLs and lengths (old storage stays up); durations "
                   "are then the feed's claims. Nothing is downloaded.")
@click.option("--ignore-lock", is_flag=True,
              help="Import although podcast:locked is yes (your own show); recorded in "
                   "show.toml.")
@click.option("--extra-source", "extra_sources", multiple=True, metavar="FEED",
              help="An older saved copy of the feed (file or URL) whose missing items are "
                   "merged by GUID (repeatable).")
@click.option("--strip-boilerplate", is_flag=True,
              help="Remove hosts' privacy and ad-choice footers (Acast, ART19, Megaphone, "
                   "Omny, Anchor) from the notes [default: keep the notes verbatim].")
@click.option("--json", "as_json", is_flag=True, help="Print the plan and the result as JSON.")
@click.pass_context
def import_(ctx: click.Context, source: str, workspace: Path | None, show: str | None,
            dry_run: bool, no_download: bool, ignore_lock: bool,
            extra_sources: tuple[str, ...], strip_boilerplate: bool, as_json: bool) -> None:
    """Import a show from SOURCE: a feed URL, a feed file, or a page linking its feed.

    Every GUID is kept byte for byte (a GUID-less item gets its old enclosure URL), as are the
    show's podcast:guid, titles and pubDate instants. Each enclosure is downloaded (redirects and
    tracking prefixes followed, resumed when cut), checked, probed for its exact duration and
    stored like any episode. A bad item is reported and skipped; exit 1 when any failed, and a
    re-run imports only what is missing. A locked or moved (stale) feed is refused: exit 2.
    """
    from podman.workflows.import_show import ImportOptions, ImportRefused, import_show

    ws = load_ws(ctx, workspace)
    opts = ImportOptions(source=source, show=show, dry_run=dry_run, no_download=no_download,
                         ignore_lock=ignore_lock, extra_sources=extra_sources,
                         strip_boilerplate=strip_boilerplate)
    reporter = _Reporter(quiet=as_json)
    try:
        result = import_show(ws, opts, now=now_or(None), report=reporter.item,
                             started=reporter.plan)
    except ImportRefused as exc:
        if as_json:
            emit_json({"plan": exc.plan.to_json(), "error": exc.message})
        else:
            reporter.plan(exc.plan)
        raise
    reporter.close()
    if as_json:
        emit_json(result.to_json())
    else:
        _summary(result)
    if result.failed:
        raise SystemExit(ExitCode.FAILURE)


class _Reporter:
    """A bar on a terminal; one line per episode otherwise (CI logs)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None

    def plan(self, plan) -> None:
        if not self.quiet:
            for line in plan.lines():
                click.echo(line)
        if not self.quiet and sys.stderr.isatty() and plan.to_import:
            from tqdm import tqdm

            self.bar = tqdm(total=len(plan.to_import), unit="ep", desc="import",
                            file=sys.stderr, leave=False)

    def item(self, outcome) -> None:
        if self.quiet:
            return
        line = _line(outcome)
        if self.bar is not None:
            self.bar.update(1)
            if outcome.status == "failed" or outcome.differences or outcome.warnings:
                self.bar.write(line, file=sys.stderr)
        else:
            click.echo(line, err=outcome.status == "failed")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _line(outcome) -> str:
    from podman.core.models import duration_text

    if outcome.status == "failed":
        return f"failed   #{outcome.position} {outcome.title}: {outcome.message}"
    if outcome.status == "planned":
        return f"would import #{outcome.position} {outcome.title}"
    extra = "".join(f"\n  differs: {d}" for d in outcome.differences)
    extra += "".join(f"\n  warning: {w}" for w in outcome.warnings)
    length = f" ({duration_text(outcome.duration)})" if outcome.duration else ""
    return f"imported #{outcome.position} {outcome.slug}{length} guid {outcome.guid}{extra}"


def _summary(result) -> None:
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    done = sum(1 for o in result.outcomes if o.status == "imported")
    diffs = sum(1 for o in result.outcomes if o.differences)
    if result.plan.to_import and result.outcomes[0].status == "planned":
        click.echo(f"dry run: {len(result.outcomes)} item(s) would be imported; nothing written")
        return
    click.echo(f"{done} imported, {len(result.failed)} failed, {result.plan.existing} already "
               f"here, {diffs} with claims that differ from the audio")
    if result.failed:
        click.echo("hint: run the same command again to retry the failed items", err=True)
