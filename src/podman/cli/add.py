"""`podman add`: ingest audio files into the catalog."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import load_ws, now_or, parse_when, read_notes, workspace_option
from podman.cli.table import CONTEXT
from podman.core.errors import BadInput, ExitCode


def _articles(urls: tuple[str, ...], titles: tuple[str, ...]):
    from podman.core.models import Article

    if len(titles) > len(urls):
        raise BadInput("--article-title given more often than --article")
    out = []
    for i, url in enumerate(urls):
        if not url.startswith(("http://", "https://")):
            raise BadInput(f"--article {url!r}: must be an http(s) URL")
        out.append(Article(url=url, title=titles[i] if i < len(titles) else None))
    return tuple(out)


@click.command(context_settings=CONTEXT)
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
              help="Bring loudness to [audio] target_i within 0.5 LU and true peak to at most "
                   "target_tp (linear gain, else a true-peak limiter), measured on the stored "
                   "file [default: [audio] normalize].")
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
    from podman.audio.prepare import AudioChoices
    from podman.core.progress import byte_progress
    from podman.workflows.add import AddOptions, add_files

    ws = load_ws(ctx, workspace)
    opts = AddOptions(
        audio=AudioChoices(normalize=normalize, encode=preset, also=also,
                           waveform=not no_waveform),
        show=show, title=title, date=parse_when(date, "--date"), notes=read_notes(notes_file),
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
        from podman.core.models import duration_text

        verb = "added" if outcome.status == "added" else "would add"
        click.echo(f"{verb} {ep.show}/{ep.slug} ({duration_text(ep.duration)}, "
                   f"{ep.audio.bytes} bytes) guid {ep.guid}")
        _report_loudness(ep)
    elif outcome.status == "duplicate":
        click.echo(f"unchanged: {outcome.error.message}", err=True)
    else:
        click.echo(f"podman: error: {outcome.error.message}", err=True)
        if outcome.error.hint:
            click.echo(f"hint: {outcome.error.hint}", err=True)


def _report_loudness(ep) -> None:
    """One line on the normalised file's measured loudness; a warning when it missed."""
    loud = ep.extra.get("loudness")
    if not loud:
        return
    from podman.audio.loudness import misses

    click.echo(f"  loudness {loud['output_i']:.1f} LUFS, true peak {loud['output_tp']:.1f} dBTP "
               f"({loud['method']}, {loud['gain']:+.1f} dB)")
    problem = misses(loud["output_i"], loud["output_tp"], loud["target_i"], loud["target_tp"])
    if problem:
        click.echo(f"podman: warning: {ep.show}/{ep.slug}: stored audio measures {problem}",
                   err=True)
