"""Click commands: parse options, call one core function, print; the one error funnel."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from podman import __version__
from podman.errors import BadInput, ExitCode, PodmanError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class PodmanGroup(click.Group):
    """Turns our exceptions into one line on stderr and an exit code; tracebacks only on demand."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PodmanError as exc:
            fail(exc)
        except KeyboardInterrupt:
            click.echo("podman: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `podman list | head`: the reader left, nothing to report
            sys.stderr.close()
            ctx.exit(ExitCode.OK)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("PODMAN_TRACEBACK"):
                raise
            click.echo(f"podman: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("hint: rerun with PODMAN_TRACEBACK=1 and report the traceback", err=True)
            ctx.exit(ExitCode.FAILURE)


def fail(exc: PodmanError) -> None:
    click.echo(f"podman: error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)
    raise SystemExit(int(exc.exit_code))


def workspace_option(fn):
    return click.option(
        "-C", "--workspace", "workspace", type=click.Path(file_okay=False, path_type=Path),
        default=None, help="Workspace folder (default: the first with podman.toml from here up).",
    )(fn)


def load_ws(ctx: click.Context, workspace: Path | None):
    from podman.config import WORKSPACE_FILE, find_workspace, load_workspace
    from podman.errors import WorkspaceError

    explicit = workspace or (ctx.obj or {}).get("workspace")
    if explicit is not None:  # -C names the workspace itself, never a folder above it
        if not (explicit / WORKSPACE_FILE).is_file():
            raise WorkspaceError(f"{explicit}: no {WORKSPACE_FILE} here",
                                 "run `podman init` there, or check the -C path")
        return load_workspace(explicit.resolve())
    return load_workspace(find_workspace())


def parse_when(value: str | None, option: str) -> datetime | None:
    from podman.models import parse_datetime

    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise BadInput(f"{option} {value!r}: not an ISO 8601 date such as 2025-03-14 "
                       "or 2025-03-14T17:00:00Z") from None


def now_or(value: str | None) -> datetime:
    from podman.models import utc

    return parse_when(value, "--now") or utc(datetime.now().astimezone()).replace(microsecond=0)


def emit_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(cls=PodmanGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="podman")  # works from a source checkout too
@click.option("-C", "--workspace", type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder (default: the first with podman.toml from here up).")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """podman: podcast and media asset manager.

    Audio is probed, stored (a local folder or S3) and recorded in a plain-text catalog in git;
    `podman build` renders one RSS feed per show and a small site from that catalog.
    """
    ctx.obj = {"workspace": workspace}




# -- init / demo --------------------------------------------------------------------------------

def _ask(value: str | None, prompt: str, default: str | None = None) -> str:
    """Prompt only on a terminal; in scripts and CI a missing option is a usage error."""
    if value is not None:
        return value
    if sys.stdin.isatty():
        return click.prompt(prompt, default=default)
    if default is not None:
        return default
    raise BadInput(f"--{prompt.lower().replace(' ', '-')} is required",
                   "pass it as an option (prompts only appear on a terminal)")


@cli.command(context_settings=CONTEXT)
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--show", help="Show slug: lowercase a-z, 0-9, hyphens (folder under feeds/).")
@click.option("--title", help="Show title.")
@click.option("--author", help="Author shown in podcast apps.")
@click.option("--email", help="Owner email (Apple and Podcasting 2.0 use it to verify you).")
@click.option("--language", default=None, help="ISO 639 language code [default: en].")
@click.option("--category", default="", help='Apple category, e.g. "News > Daily News".')
@click.option("--base-url", default=None, help="Where public/ will be served "
              "[default: http://127.0.0.1:8000].")
def init(directory: Path | None, show: str | None, title: str | None, author: str | None,
         email: str | None, language: str | None, category: str, base_url: str | None) -> None:
    """Create a workspace: podman.toml, feeds/SHOW/show.toml and .gitignore.

    Refuses to overwrite an existing workspace. Prompts for missing options only on a terminal.
    """
    from podman.config import DEFAULT_BASE_URL
    from podman.workspace import InitOptions, init_workspace

    root = (directory or Path.cwd()).resolve()
    opts = InitOptions(
        show=_ask(show, "Show"), title=_ask(title, "Title"), author=_ask(author, "Author"),
        email=_ask(email, "Email"), language=language or "en", category=category,
        base_url=base_url or DEFAULT_BASE_URL,
    )
    for path in init_workspace(root, opts):
        click.echo(f"created {path}", err=True)
    click.echo(f"next: podman -C {root} add EPISODE.mp3 && podman -C {root} build", err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("directory", required=False, default="podman-demo",
                type=click.Path(file_okay=False, path_type=Path))
def demo(directory: Path) -> None:
    """Make a ready-made workspace with two generated episodes, build it, print how to serve it."""
    from podman.demo import make_demo

    result = make_demo(directory.resolve(), log=lambda m: click.echo(m, err=True))
    click.echo(result.feed_path)
    click.echo(f"serve it: podman -C {result.root} serve   (then subscribe to {result.feed_url})",
               err=True)


# -- probe ------------------------------------------------------------------------------------

def _facts_lines(facts) -> list[str]:
    lines = [
        f"{facts.path}",
        f"  format     {facts.container} / {facts.codec} ({facts.mime_type})",
        f"  duration   {facts.duration_text} ({facts.duration:.6f} s"
        + (f", {facts.samples} samples)" if facts.samples is not None else ")"),
        f"  audio      {facts.sample_rate} Hz, {facts.channels} ch, "
        f"{facts.bitrate / 1000:.1f} kbit/s{' VBR' if facts.vbr else ''}",
        f"  size       {facts.bytes} bytes",
        f"  sha256     {facts.sha256}",
    ]
    for key in ("title", "artist", "album", "date", "comment"):
        if facts.tags.get(key):
            lines.append(f"  {key:<10} {facts.tags[key]}")
    lines.append(f"  artwork    {'yes' if facts.has_artwork else 'no'}")
    if facts.chapters:
        from podman.models import duration_text

        lines.append(f"  chapters   {len(facts.chapters)}")
        lines.extend(f"    {duration_text(c.start):>8}  {c.title}" for c in facts.chapters)
    return lines


@cli.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--loudness", is_flag=True,
              help="Also measure integrated loudness, loudness range and true peak (decodes).")
def probe(files: tuple[Path, ...], as_json: bool, loudness: bool) -> None:
    """Print exact facts about audio files without touching any workspace.

    Duration is exact (MP3 frames walked, encoder delay and padding removed).
    Exit 2 when any file is not readable audio.
    """
    from podman.probe import probe_file

    results, failed = [], 0
    for path in files:
        try:
            facts = probe_file(path)
            loud = _measure(path) if loudness else None
        except PodmanError as exc:
            click.echo(f"podman: error: {exc.message}", err=True)
            failed = max(failed, int(exc.exit_code))
            continue
        if as_json:
            data = facts.to_json()
            if loud is not None:
                data["loudness"] = {"integrated": loud.integrated, "lra": loud.lra,
                                    "true_peak": loud.true_peak}
            results.append(data)
        else:
            lines = _facts_lines(facts)
            if loud is not None:
                lines.append(f"  loudness   {loud.integrated:.1f} LUFS integrated, "
                             f"{loud.lra:.1f} LU range, {loud.true_peak:.1f} dBTP true peak")
            results.append("\n".join(lines))
    if as_json:
        emit_json(results)
    elif results:
        click.echo("\n\n".join(results))
    if failed:
        raise SystemExit(failed)


def _measure(path: Path):
    from podman.process import measure_loudness

    return measure_loudness(path)


# -- add --------------------------------------------------------------------------------------

def _read_notes(path: Path | None) -> str:
    from podman.textfile import read_text_file

    return "" if path is None else read_text_file(path, "notes")


def _articles(urls: tuple[str, ...], titles: tuple[str, ...]):
    from podman.models import Article

    if len(titles) > len(urls):
        raise BadInput("--article-title given more often than --article")
    out = []
    for i, url in enumerate(urls):
        if not url.startswith(("http://", "https://")):
            raise BadInput(f"--article {url!r}: must be an http(s) URL")
        out.append(Article(url=url, title=titles[i] if i < len(titles) else None))
    return tuple(out)


@cli.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@workspace_option
@click.option("--show", help="Show slug (needed when the workspace has several shows).")
@click.option("--title", help="Episode title [default: the file's title tag, then its name].")
@click.option("--date", help="Publication date, ISO 8601 [default: now]; future = scheduled.")
@click.option("--notes", "notes_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Markdown file with the show notes.")
@click.option("--article", "articles", multiple=True,
              help="Related article URL (repeatable); stored as given, nothing is fetched "
                   "(use `podman link` to read the title from the page).")
@click.option("--article-title", "article_titles", multiple=True,
              help="Title of the --article at the same position (repeatable).")
@click.option("--chapters", "chapters_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Chapters file: one 'TIME Title [URL]' line each [default: chapters "
                   "embedded in the audio].")
@click.option("--transcript", "transcript_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Transcript, WebVTT (.vtt) or SRT (.srt); stored beside the episode file.")
@click.option("--season", type=click.IntRange(min=1), help="Season number.")
@click.option("--episode", type=click.IntRange(min=1), help="Episode number.")
@click.option("--type", "episode_type", type=click.Choice(["full", "trailer", "bonus"]),
              default="full", show_default=True, help="Apple episode type.")
@click.option("--explicit/--clean", default=None, help="Mark the episode explicit or clean.")
@click.option("--draft", is_flag=True, help="Record as a draft: left out of the feed.")
@click.option("--normalize/--no-normalize", default=None,
              help="Two-pass EBU R128 loudness normalisation [default: [audio] normalize].")
@click.option("--encode", "preset", metavar="PRESET",
              help="Publish in this preset: mp3-mono-96k, mp3-stereo-128k, aac-mono-64k, "
                   "opus-mono-32k [default: [audio] encode; WAV/FLAC always get mp3-mono-96k].")
@click.option("--also", "also", multiple=True, metavar="PRESET",
              help="Extra rendition (repeatable): podcast:alternateEnclosure in the feed.")
@click.option("--no-waveform", is_flag=True, help="Skip the waveform image for the site.")
@click.option("--dry-run", is_flag=True,
              help="Probe, process and show what would happen; store and record nothing.")
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...], workspace: Path | None, show: str | None,
        title: str | None, date: str | None, notes_file: Path | None,
        articles: tuple[str, ...], article_titles: tuple[str, ...], chapters_file: Path | None,
        transcript_file: Path | None, season: int | None, episode: int | None,
        episode_type: str, explicit: bool | None, draft: bool,
        normalize: bool | None, preset: str | None, also: tuple[str, ...], no_waveform: bool,
        dry_run: bool) -> None:
    """Add episodes: probe, process, store under a content-hashed key, write the episode file.

    Publishable audio (MP3, AAC, Opus) is stored byte for byte unless --normalize, --encode or
    --also ask for processing; WAV and FLAC are always encoded. Processed files are tagged
    (title, show, author, date, numbers, artwork, chapters); the original is never modified.
    Adding the same audio again changes nothing and says so. A rejected file leaves nothing
    behind. Exit 2 when a file is bad input, 1 when storage or processing failed.
    """
    from podman.ingest import AddOptions, add_files
    from podman.prepare import AudioChoices
    from podman.progress import byte_progress

    ws = load_ws(ctx, workspace)
    opts = AddOptions(
        audio=AudioChoices(normalize=normalize, encode=preset, also=also,
                           waveform=not no_waveform),
        show=show, title=title, date=parse_when(date, "--date"), notes=_read_notes(notes_file),
        articles=_articles(articles, article_titles), season=season, episode=episode,
        episode_type=episode_type, explicit=explicit, draft=draft, dry_run=dry_run,
        chapters_file=chapters_file, transcript_file=transcript_file,
    )
    outcomes = add_files(ws, files, opts, now=now_or(None), progress=byte_progress,
                         report=_report_add)
    codes = [int(o.error.exit_code) for o in outcomes if o.status == "failed" and o.error]
    if codes:
        raise SystemExit(ExitCode.FAILURE if ExitCode.FAILURE in codes else ExitCode.BAD_INPUT)


def _report_add(outcome) -> None:
    ep = outcome.episode
    if outcome.status in ("added", "planned"):
        from podman.models import duration_text

        verb = "added" if outcome.status == "added" else "would add"
        click.echo(f"{verb} {ep.show}/{ep.slug} ({duration_text(ep.duration)}, "
                   f"{ep.audio.bytes} bytes) guid {ep.guid}")
    elif outcome.status == "duplicate":
        click.echo(f"unchanged: {outcome.error.message}", err=True)
    else:
        click.echo(f"podman: error: {outcome.error.message}", err=True)
        if outcome.error.hint:
            click.echo(f"hint: {outcome.error.hint}", err=True)


# -- list / show ------------------------------------------------------------------------------

def _all_episodes(ws, show: str | None):
    from podman.build import load_catalog

    return [ep for cat in load_catalog(ws, show) for ep in cat.episodes]


def episode_json(ws, ep) -> dict:
    from podman.models import duration_text, iso

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


@cli.command("list", context_settings=CONTEXT)
@workspace_option
@click.option("--show", help="Only this show.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def list_(ctx: click.Context, workspace: Path | None, show: str | None, as_json: bool) -> None:
    """List the catalog's episodes, newest first."""
    from podman.models import duration_text

    ws = load_ws(ctx, workspace)
    episodes = _all_episodes(ws, show)
    if as_json:
        emit_json([episode_json(ws, ep) for ep in episodes])
        return
    for ep in episodes:
        state = "" if ep.status == "published" else f" [{ep.status}]"
        click.echo(f"{ep.published:%Y-%m-%d}  {duration_text(ep.duration):>8}  "
                   f"{ep.show}/{ep.slug}{state}  {ep.title}")


@cli.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.pass_context
def show(ctx: click.Context, ep_ref: str, workspace: Path | None, as_json: bool) -> None:
    """Show one episode; EP is a slug, a GUID or a unique prefix of either."""
    from podman.catalog import find_episode

    ws = load_ws(ctx, workspace)
    data = episode_json(ws, find_episode(_all_episodes(ws, None), ep_ref))
    if as_json:
        emit_json(data)
        return
    for key, value in data.items():
        if key == "articles":
            for a in value:
                click.echo(f"{'article':<13} {a['url']}" + (f"  {a['title']}" if a["title"]
                                                             else ""))
        elif key == "chapters":
            for c in value:
                click.echo(f"{'chapter':<13} {c['start']:>9.3f}  {c['title']}")
        elif value is not None:
            click.echo(f"{key:<13} {value}")


# -- edit / link / unlink / rm ----------------------------------------------------------------

@cli.command(context_settings=CONTEXT)
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
    from podman.curate import edit_episode

    ws = load_ws(ctx, workspace)
    status = None if draft is None else ("draft" if draft else "published")
    ep = edit_episode(ws, ep_ref, title=title, published=parse_when(date, "--date"),
                      notes=_read_notes(notes_file) if notes_file else None, status=status,
                      chapters_file=chapters_file, transcript_file=transcript_file)
    click.echo(f"edited {ep.show}/{ep.slug}")


@cli.command(context_settings=CONTEXT)
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
    from podman.curate import article_for, link_article

    ws = load_ws(ctx, workspace)
    ep, changed = link_article(ws, ep_ref, article_for(url, title, html_file))
    click.echo(f"{'linked' if changed else 'already linked'}: {ep.show}/{ep.slug} -> {url}")


@cli.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@click.argument("url")
@workspace_option
@click.pass_context
def unlink(ctx: click.Context, ep_ref: str, url: str, workspace: Path | None) -> None:
    """Remove a related article from an episode."""
    from podman.curate import unlink_article

    ws = load_ws(ctx, workspace)
    ep, changed = unlink_article(ws, ep_ref, url)
    if not changed:
        raise BadInput(f"{url}: not linked to {ep.show}/{ep.slug}")
    click.echo(f"unlinked: {ep.show}/{ep.slug} -x- {url}")


@cli.command(context_settings=CONTEXT)
@click.argument("ep_ref", metavar="EP")
@workspace_option
@click.option("--purge", is_flag=True, help="Also delete the audio object from storage.")
@click.pass_context
def rm(ctx: click.Context, ep_ref: str, workspace: Path | None, purge: bool) -> None:
    """Remove an episode from the catalog (its audio stays in storage unless --purge)."""
    from podman.curate import remove_episode

    ws = load_ws(ctx, workspace)
    ep = remove_episode(ws, ep_ref, purge=purge)
    click.echo(f"removed {ep.show}/{ep.slug}" + (f" and {ep.audio.key}" if purge else ""))


# -- build / serve ----------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT)
@workspace_option
@click.option("--show", help="Only this show.")
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 when public/ is stale (for CI).")
@click.option("--now", help="Build clock, ISO 8601 [default: now]; decides what is due.")
@click.pass_context
def build(ctx: click.Context, workspace: Path | None, show: str | None, check: bool,
          now: str | None) -> None:
    """Render public/: one RSS feed per show, pages, embeddable players, articles.json.

    Reads and validates the whole catalog first; rebuilding gives byte-identical output.
    """
    from podman.build import build as run_build
    from podman.errors import StaleOutput

    ws = load_ws(ctx, workspace)
    result = run_build(ws, now=now_or(now), show=show, check=check)
    if check:
        if result.stale:
            raise StaleOutput(f"{ws.public_dir}: {len(result.stale)} file(s) out of date "
                              f"({', '.join(result.stale[:3])})", "run `podman build`")
        click.echo(f"public/ is up to date ({len(result.unchanged)} files)", err=True)
        return
    for feed, count in result.feeds.items():
        click.echo(f"{ws.public_dir / feed}  ({count} episodes)")
    click.echo(f"{len(result.written)} written, {len(result.unchanged)} unchanged", err=True)


@cli.command(context_settings=CONTEXT)
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
    from podman.errors import CheckFailed
    from podman.lint import check_source, check_workspace

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


@cli.command(context_settings=CONTEXT)
@workspace_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets phones on your network subscribe "
                   "(set PODMAN_BASE_URL to this machine's address and rebuild).")
@click.pass_context
def serve(ctx: click.Context, workspace: Path | None, port: int, host: str) -> None:
    """Preview server for public/ and the local media, with HEAD and byte ranges."""
    from podman.serve import make_server

    ws = load_ws(ctx, workspace)
    server = make_server(ws, host, port)
    click.echo(f"serving {ws.public_dir} and {ws.storage.path} on "
               f"http://{host}:{server.server_port}/ (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()


# -- publish / doctor -------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT)
@workspace_option
@click.option("--dry-run", is_flag=True, help="Print the plan; upload nothing.")
@click.pass_context
def publish(ctx: click.Context, workspace: Path | None, dry_run: bool) -> None:
    """Upload the changed files of public/ (feeds last) to storage, or copy them to
    [publish] target for the local backend. Run `podman build` first; media are already stored.

    Changes are found from one listing of the target; nothing remote is ever deleted.
    """
    from podman.publish import publish as run_publish

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


@cli.command(context_settings=CONTEXT)
@workspace_option
@click.pass_context
def doctor(ctx: click.Context, workspace: Path | None) -> None:
    """Check storage: credentials, bucket access, and that public_url serves an uploaded object
    (200 to HEAD, 206 to a byte range, the right Content-Type). Exit 1 on any failure."""
    from podman.errors import StorageError
    from podman.publish import doctor as run_doctor

    ws = load_ws(ctx, workspace)
    results = run_doctor(ws)
    for r in results:
        click.echo(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.detail}")
        if not r.ok and r.hint:
            click.echo(f"     hint: {r.hint}")
    failed = [r for r in results if not r.ok]
    if failed:
        raise StorageError(f"doctor: {failed[0].name} failed: {failed[0].detail}")


def main() -> None:
    cli(prog_name="podman")
