"""`podman probe`: exact facts about audio files, no workspace needed."""

from __future__ import annotations

from pathlib import Path

import click

from podman.cli.common import emit_json
from podman.cli.table import CONTEXT
from podman.core.errors import PodmanError


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
        from podman.core.models import duration_text

        lines.append(f"  chapters   {len(facts.chapters)}")
        lines.extend(f"    {duration_text(c.start):>8}  {c.title}" for c in facts.chapters)
    return lines


@click.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--loudness", is_flag=True,
              help="Also measure integrated loudness, loudness range and true peak "
                   "(ffmpeg ebur128, as `podman add --normalize` does; decodes).")
def probe(files: tuple[Path, ...], as_json: bool, loudness: bool) -> None:
    """Print exact facts about audio files without touching any workspace.

    Duration is exact (MP3 frames walked, encoder delay and padding removed).
    Exit 2 when any file is not readable audio.
    """
    from podman.audio.probe import probe_file

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
    from podman.audio.loudness import measure_loudness

    return measure_loudness(path)
