"""Turns a probed input into the files to publish: kept as is, or normalised/encoded and tagged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podman.core.config import AudioConfig, ShowConfig
from podman.core.models import AudioFacts, Chapter

# What podcast apps play, by probed codec: (mime type, extension of the stored object).
PUBLISHABLE = {
    "mp3": ("audio/mpeg", "mp3"),
    "aac": ("audio/mp4", "m4a"),
    "alac": ("audio/mp4", "m4a"),
    "opus": ("audio/ogg", "opus"),
    "vorbis": ("audio/ogg", "ogg"),
}


@dataclass(frozen=True)
class AudioChoices:
    """What the producer asked for on the command line; None = take the workspace default."""

    normalize: bool | None = None
    encode: str | None = None
    also: tuple[str, ...] = ()
    waveform: bool = True


@dataclass(frozen=True)
class Prepared:
    path: Path  # the file to publish (the original when kept as is)
    facts: AudioFacts  # exact facts of that file
    processed: bool
    loudness: dict[str, float | str] = field(default_factory=dict)
    renditions: tuple[AudioFacts, ...] = ()
    waveform: Path | None = None


def needs_processing(facts: AudioFacts, choices: AudioChoices, config: AudioConfig) -> bool:
    """Publishable audio is published byte for byte unless the producer asked for more."""
    normalize = config.normalize if choices.normalize is None else choices.normalize
    preset = choices.encode or config.encode
    also = choices.also or config.also
    return bool(normalize or preset or also or facts.codec not in PUBLISHABLE)


def prepare(src: Path, facts: AudioFacts, workdir: Path, *, choices: AudioChoices,
            config: AudioConfig, show: ShowConfig, show_dir: Path, title: str,
            date: str, season: int | None, episode: int | None, notes: str,
            chapters: tuple[Chapter, ...],
            on_progress: Callable[[float], None] | None = None) -> Prepared:
    from podman.audio.probe import probe_file

    wave = workdir / "waveform.png"
    if not needs_processing(facts, choices, config):
        return Prepared(src, facts, False, waveform=_waveform(src, wave, choices))
    from podman.audio.process import LoudnessTarget, process_audio
    from podman.audio.tags import write_tags

    normalize = config.normalize if choices.normalize is None else choices.normalize
    result = process_audio(
        src, workdir, normalize=normalize, preset=choices.encode or config.encode or None,
        also=choices.also or config.also, facts=facts, chapters=chapters,
        target=LoudnessTarget(config.target_i, config.target_tp, config.target_lra),
        on_progress=on_progress, duration=facts.duration,
        # normalising measures the encoded file anyway: the waveform comes from that decode
        waveform_to=wave if choices.waveform else None,
    )
    artwork = show_dir / show.image if show.image and not show.image.startswith("http") else None
    tags: dict[str, Any] = {
        "title": title, "album": show.title, "artist": show.author, "date": date,
        "episode": episode, "season": season, "comment": notes[:1000] or None,
        "artwork": artwork if artwork and artwork.is_file() else None, "chapters": chapters,
    }
    outputs = [result.path, *(path for _preset, path in result.renditions)]
    for out in outputs:
        if out != src:
            write_tags(out, duration=facts.duration, **tags)
    main = probe_file(result.path)
    renditions = tuple(probe_file(path) for _preset, path in result.renditions)
    picture = result.waveform or _waveform(result.path, wave, choices)
    return Prepared(result.path, main, True, result.loudness_table(), renditions, picture)


def _waveform(audio: Path, dest: Path, choices: AudioChoices) -> Path | None:
    if not choices.waveform:
        return None
    from podman.audio.process import waveform

    return waveform(audio, dest)
