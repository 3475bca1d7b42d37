"""`podman stats`: count downloads from access logs (IAB v2.3) and report them."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli import CONTEXT
from podman.cli.common import emit_json, load_ws, parse_when, workspace_option


def _cfg(ctx: click.Context, workspace: Path | None):
    from podman.stats.config import load_stats_config

    ws = load_ws(ctx, workspace)
    return ws, load_stats_config(ws)


@click.group(context_settings=CONTEXT, invoke_without_command=True)
@workspace_option
@click.option("--show", "show", metavar="S", help="Only this show's episodes.")
@click.option("--since", metavar="D", help="Count downloads from this UTC date on (ISO 8601).")
@click.option("--until", metavar="D", help="Count downloads before this UTC date (ISO 8601).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as one static HTML page to FILE.")
@click.pass_context
def stats(ctx: click.Context, workspace: Path | None, show: str | None, since: str | None,
          until: str | None, as_json: bool, html_file: Path | None) -> None:
    """Downloads per episode, app and country, counted from your access logs by the IAB Tech
    Lab Podcast Technical Measurement Guidelines v2.3. Read logs first with `podman stats
    ingest` (or `pull`); `podman stats methodology` says exactly what counts."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {**(ctx.obj or {}), "stats_workspace": workspace}
        return
    from podman.stats.html import publish_pages, write_html
    from podman.stats.report import build_report

    ws, cfg = _cfg(ctx, workspace)
    report = build_report(ws, cfg, show=show, since=parse_when(since, "--since"),
                          until=parse_when(until, "--until"))
    if html_file is not None:
        write_html(report, html_file)
    if cfg.publish:
        for path in publish_pages(ws, cfg, report, show):
            click.echo(f"wrote {path}", err=True)
    if as_json:
        emit_json(report)
    else:
        _print_text(report)


def _print_text(report: dict) -> None:
    click.echo(f"downloads: {report['downloads']}")
    click.echo(f"{'all':>6} {'1d':>5} {'7d':>5} {'30d':>5}  episode")
    for e in report["episodes"]:
        ages = [e["by_age"][k] for k in ("1", "7", "30")]
        cells = " ".join(f"{'-' if v is None else v:>5}" for v in ages)
        click.echo(f"{e['downloads']:>6} {cells}  {e['show']}/{e['slug']}")
    if report["apps"]:
        click.echo("apps: " + ", ".join(f"{k} {v}" for k, v in report["apps"].items()))
    f = report["funnel"]
    removed = ", ".join(f"{k} {v}" for k, v in f["removed"].items() if v)
    click.echo(f"funnel: {f['requests']} requests -> {f['get_2xx']} GET 2xx -> "
               f"{f['episode_requests']} for episodes -> {f['listener_requests']} after "
               f"removing [{removed or 'none'}] -> {f['below_threshold']} below threshold -> "
               f"{f['downloads']} downloads")
    ing = report["ingest"]
    if ing["bad_lines"] or ing["truncated_logs"]:
        click.echo(f"warning: {ing['bad_lines']} bad log lines, {ing['truncated_logs']} "
                   "truncated logs (see --json: ingest.problems)", err=True)
    for item in report["unmatched_objects"][:5]:
        click.echo(f"not in the catalog: {item['path']} ({item['requests']} requests)",
                   err=True)


def _ws_of(ctx: click.Context, workspace: Path | None) -> Path | None:
    return workspace or (ctx.obj or {}).get("stats_workspace")


@stats.command(context_settings=CONTEXT)
@workspace_option
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", "s3", "cloudfront", "cloudfront-rt", "combined",
                                 "podman"]),
              help="Log format; auto detects it from each file's lines.")
@click.pass_context
def ingest(ctx: click.Context, workspace: Path | None, paths: tuple[Path, ...],
           fmt: str) -> None:
    """Read access-log files or folders (gz or plain) into the stats store, each once."""
    from podman.stats.ingest import ingest_paths

    _ws, cfg = _cfg(ctx, _ws_of(ctx, workspace))
    result = ingest_paths(cfg, list(paths), fmt)
    _print_ingest(result)


def _print_ingest(result) -> None:
    for item in result.read:
        click.echo(f"{item.name}: {item.format or '?'}, {item.requests} requests")
        if item.bad:
            click.echo(f"warning: {item.name}: {item.bad} bad lines ({item.first_bad})",
                       err=True)
        if item.truncated:
            click.echo(f"warning: {item.name}: {item.truncated}; the lines before it were read",
                       err=True)
    click.echo(f"{len(result.read)} logs read, {result.skipped} already ingested")


@stats.command(context_settings=CONTEXT)
@workspace_option
@click.pass_context
def pull(ctx: click.Context, workspace: Path | None) -> None:
    """Fetch new log objects from [stats] bucket/prefix (S3, AWS credential chain), ingest."""
    from podman.stats.pull import pull_logs

    ws, cfg = _cfg(ctx, _ws_of(ctx, workspace))
    _print_ingest(pull_logs(ws, cfg))


@stats.command(context_settings=CONTEXT)
@workspace_option
@click.pass_context
def methodology(ctx: click.Context, workspace: Path | None) -> None:
    """Print the methodology statement: what counts, which window, which lists."""
    from podman.stats.methodology import methodology as statement
    from podman.stats.report import opawg

    _ws, cfg = _cfg(ctx, _ws_of(ctx, workspace))
    for paragraph in statement(cfg, opawg(cfg)):
        click.echo(paragraph)


@stats.group(context_settings=CONTEXT)
def agents() -> None:
    """The OPAWG user-agent list (optional; podman's own table always applies)."""


@agents.command("update", context_settings=CONTEXT)
@workspace_option
@click.option("--url", help="Base URL of the OPAWG user-agents v2 JSON files "
                            "(default: [stats] agents_url).")
@click.pass_context
def agents_update(ctx: click.Context, workspace: Path | None, url: str | None) -> None:
    """Download the OPAWG user-agents v2 pattern files into the workspace."""
    count = _update(ctx, workspace, "update_agents", url, "agents_url")
    click.echo(f"OPAWG user agents: {count} patterns")


def _update(ctx: click.Context, workspace: Path | None, what: str, url: str | None,
            default: str) -> int:
    from podman.stats import fetch

    _ws, cfg = _cfg(ctx, _ws_of(ctx, workspace))
    return getattr(fetch, what)(cfg, url or getattr(cfg, default))


@stats.group(context_settings=CONTEXT)
def geo() -> None:
    """The offline country database (optional)."""


@geo.command("update", context_settings=CONTEXT)
@workspace_option
@click.option("--url", help="URL of a country .mmdb file, plain or gz "
                            "(default: [stats] geo_url).")
@click.pass_context
def geo_update(ctx: click.Context, workspace: Path | None, url: str | None) -> None:
    """Download the country database (an .mmdb, e.g. geo-whois-asn-country or DB-IP Lite)."""
    size = _update(ctx, workspace, "update_geo", url, "geo_url")
    click.echo(f"country database: {size} bytes")
