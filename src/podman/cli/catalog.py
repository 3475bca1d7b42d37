"""Catalog commands: list, show, edit, link, unlink, rm."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import emit_json, load_ws, parse_when, read_notes, workspace_option
from podman.cli.table import CONTEXT
from podman.core.errors import BadInput


def _all_episodes(ws, show: str | None):
    from podman.workflows.build import load_catalog

    return [ep for cat in load_catalog(ws, show) for ep in cat.episodes]


def episode_json(ws, ep) -> dict:
    from podman.core.models import duration_text, iso

    return {
        "show": ep.show, "slug": ep.slug, "guid": ep.guid, "title": ep.title,
        "published": iso(ep.published), "status": ep.status, "duration": ep.duration,
        "duration_text": duration_text(ep.duration), "bytes": ep.audio.bytes,
        "type": ep.audio.type, "url": ws.media_url(ep.audio.key), "key": ep.audio.key,
        "sha256": ep.audio.sha256, "season": ep.season, "episode": ep.episode,
        "episode_type": ep.episode_type,
        "articles": [{"url": a.url, "title": a.title} for a in ep.articles],
        "chapters": [{"start": c.start, "title": c.title, "url": c.url} for c in ep.chapters],
    }


@click.command("list", context_settings=CONTEXT)
@workspace_option
@click.option("--show", help="Only this show.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def list_(ctx: click.Context, workspace: Path | None, show: str | None, as_json: bool) -> None:
    """List the catalog's episodes, newest first."""
    from podman.core.models import duration_text
    from podman.core.text import terminal_text

    ws = load_ws(ctx, workspace)
    episodes = _all_episodes(ws, show)
    if as_json:
        emit_json([episode_json(ws, ep) for ep in episodes])
        return
    for ep in episodes:
        state = "" if ep.status == "published" else f" [{ep.status}]"
        click.echo(f"{ep.published:%Y-%m-%d}  {duration_text(ep.duration):>8}  "
                   f"{ep.show}/{ep.slug}{state}  {terminal_text(ep.title)}")


@click.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def show(ctx: click.Context, ep_ref: str, workspace: Path | None, as_json: bool) -> None:
    """Show one episode; EP is a slug, a GUID or a unique prefix of either."""
    from podman.catalog.episodes import find_episode
    from podman.core.text import terminal_text

    ws = load_ws(ctx, workspace)
    data = episode_json(ws, find_episode(_all_episodes(ws, None), ep_ref))
    if as_json:
        emit_json(data)
        return
    for key, value in data.items():
        if key == "articles":
            for a in value:
                title = f"  {a['title']}" if a["title"] else ""
                click.echo(terminal_text(f"{'article':<13} {a['url']}{title}"))
        elif key == "chapters":
            for c in value:
                click.echo(terminal_text(f"{'chapter':<13} {c['start']:>9.3f}  {c['title']}"))
        elif value is not None:
            click.echo(terminal_text(f"{key:<13} {value}"))




@click.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@workspace_option
@click.option("--title", help="New title.")
@click.option("--date", help="New publication date, ISO 8601.")
@click.option("--notes", "notes_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Markdown file replacing the show notes.")
@click.option("--draft/--publish", "draft", default=None, help="Make it a draft, or publish it.")
@click.option("--chapters", "chapters_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Chapters file replacing the chapters ('TIME Title [URL]' lines).")
@click.option("--transcript", "transcript_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Transcript (.vtt or .srt) replacing the stored one.")
@click.pass_context
def edit(ctx: click.Context, ep_ref: str, workspace: Path | None, title: str | None,
         date: str | None, notes_file: Path | None, draft: bool | None,
         chapters_file: Path | None, transcript_file: Path | None) -> None:
    """Change an episode's title, date, notes, status, chapters or transcript.

    Its GUID and audio never change. Chapters and transcripts are validated first (exit 2,
    nothing written).
    """
    from podman.workflows.edit import edit_episode

    ws = load_ws(ctx, workspace)
    status = None if draft is None else ("draft" if draft else "published")
    ep = edit_episode(ws, ep_ref, title=title, published=parse_when(date, "--date"),
                      notes=read_notes(notes_file) if notes_file else None, status=status,
                      chapters_file=chapters_file, transcript_file=transcript_file)
    click.echo(f"edited {ep.show}/{ep.slug}")


@click.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@click.argument("url")
@workspace_option
@click.option("--title", help="Article title (then the page is not fetched).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read title, date and image from this saved copy of the page.")
@click.pass_context
def link(ctx: click.Context, ep_ref: str, url: str, workspace: Path | None,
         title: str | None, html_file: Path | None) -> None:
    """Link a related news article to an episode (shown in the notes; the first is <link>).

    Without --title the title, date and image come from the page (fetched, or --html);
    a failed fetch is exit 1.
    """
    from podman.workflows.edit import article_for, link_article

    ws = load_ws(ctx, workspace)
    ep, changed = link_article(ws, ep_ref, article_for(url, title, html_file))
    click.echo(f"{'linked' if changed else 'already linked'}: {ep.show}/{ep.slug} -> {url}")


@click.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@click.argument("url")
@workspace_option
@click.pass_context
def unlink(ctx: click.Context, ep_ref: str, url: str, workspace: Path | None) -> None:
    """Remove a related article from an episode."""
    from podman.workflows.edit import unlink_article

    ws = load_ws(ctx, workspace)
    ep, changed = unlink_article(ws, ep_ref, url)
    if not changed:
        raise BadInput(f"{url}: not linked to {ep.show}/{ep.slug}")
    click.echo(f"unlinked: {ep.show}/{ep.slug} -x- {url}")


@click.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@workspace_option
@click.option("--purge", is_flag=True,
              help="Also delete its audio, renditions and waveform from storage.")
@click.pass_context
def rm(ctx: click.Context, ep_ref: str, workspace: Path | None, purge: bool) -> None:
    """Remove an episode from the catalog (its audio stays in storage unless --purge)."""
    from podman.workflows.edit import remove_episode

    ws = load_ws(ctx, workspace)
    ep, deleted = remove_episode(ws, ep_ref, purge=purge)
    click.echo(f"removed {ep.show}/{ep.slug}" + (f" and {', '.join(deleted)}" if deleted else ""))
