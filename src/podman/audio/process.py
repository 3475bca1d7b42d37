"""Audio processing: loudness normalisation (gain, else true-peak limiting), presets, waveforms."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podman.audio import ffmpeg
from podman.audio.loudness import Loudness, ebur128, layout_name, measure, misses, parse_summaries
from podman.audio.tags import ffmetadata
from podman.core.errors import ConfigError, UnreadableAudio
from podman.core.models import AudioFacts, Chapter

__all__ = [
    "DEFAULT_PRESET", "PRESETS", "Gain", "Loudness", "LoudnessTarget", "Plan", "Preset",
    "ProcessResult", "correct_gain", "get_preset", "plan", "plan_gain", "process_audio",
    "scratch_dir", "waveform",
]

ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class Preset:
    """One published rendition: what ffmpeg encodes and how podcast apps are told about it."""

    name: str
    codec: str  # ffmpeg codec name, as probing reports it
    encoder: str  # ffmpeg encoder
    bitrate: int  # bits per second
    channels: int
    sample_rate: int
    extension: str  # without dot
    mime_type: str
    extra: tuple[tuple[str, str], ...] = ()  # further output options (muxer flags)
    # Lossy encoders overshoot the peaks they are fed (AAC at 64k by up to ~1 dB on noisy
    # speech), so the gain or the limiter aims this far under the ceiling to keep the
    # *published* file under; the encoded file is measured and corrected if it is not.
    headroom: float = 1.0


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("mp3-mono-96k", "mp3", "libmp3lame", 96_000, 1, 44_100, "mp3", "audio/mpeg"),
        Preset("mp3-stereo-128k", "mp3", "libmp3lame", 128_000, 2, 44_100, "mp3", "audio/mpeg"),
        Preset(
            "aac-mono-64k", "aac", "aac", 64_000, 1, 44_100, "m4a", "audio/mp4",
            extra=(("movflags", "+faststart"),), headroom=1.5,
        ),
        # Opus only runs at 48 kHz; anything else is resampled by the encoder anyway.
        Preset(
            "opus-mono-32k", "opus", "libopus", 32_000, 1, 48_000, "opus", "audio/ogg",
            headroom=1.5,
        ),
    )
}
DEFAULT_PRESET = "mp3-mono-96k"
ALWAYS_ENCODE = frozenset({"wav", "flac", "aif", "aiff", "w64", "rf64"})


@dataclass(frozen=True)
class LoudnessTarget:
    """Where a normalised episode lands; the defaults are the usual podcast ones (AES TD1004)."""

    integrated: float = -16.0  # LUFS, reached within loudness.WINDOW_LU
    true_peak: float = -1.0  # dBTP, never exceeded
    lra: float = 11.0  # LU; kept for old configs: gain and a peak limiter leave the range be


LIMITER_OVERSAMPLING = 4  # the limiter runs at 4x the output rate, so it limits true peaks
CORRECTION_MARGIN = 0.3  # dB kept under the ceiling by a correction, beyond the overshoot seen
# Encoded files that miss the window are encoded again: a linear gain once (the encoder's
# effect is then known), a limited one up to three times (more gain, more limiting).
MAX_CORRECTIONS = 3


@dataclass(frozen=True)
class Gain:
    """How one output reaches the target: a gain in dB; above `peak` (dBTP, before the
    encoder) a true-peak limiter takes over when the gain alone would cross it."""

    db: float
    peak: float
    limited: bool

    @property
    def method(self) -> str:
        return "limited" if self.limited else "linear"


def plan_gain(measured: Loudness, target: LoudnessTarget, headroom: float) -> Gain:
    """Linear gain to the target when the peaks allow it, else gain plus a true-peak limiter.

    Silence (nothing above ebur128's absolute gate) gets no gain: there is nothing to raise."""
    peak = target.true_peak - headroom
    if measured.silent:
        return Gain(0.0, peak, False)
    db = round(target.integrated - measured.integrated, 2)
    return Gain(db, peak, measured.true_peak + db > peak)


def correct_gain(
    tries: Sequence[tuple[Gain, Loudness]], measured: Loudness, target: LoudnessTarget
) -> Gain:
    """The next try for an output whose encoded file missed the window, from how the earlier
    tries (gain used, encoded file measured) landed.

    The peak allowed before the encoder is never raised, and is lowered by any overshoot
    above the ceiling the encoder showed (and a margin). Lowering gain and peak together
    lowers the result by as much (a limiter does not care about scale); beyond that, loudness
    rises with the gain at a slope: 1 for a linear gain, less when limiting (more gain is
    more limiting): measured between the last two tries, else estimated from what the
    limiter took on the last one."""
    last, got = tries[-1]
    fed = min(measured.true_peak + last.db, last.peak)  # the peak the encoder was given
    peak = last.peak
    if got.true_peak > target.true_peak:
        peak = min(peak, target.true_peak - (got.true_peak - fed) - CORRECTION_MARGIN)
    slope = 1.0
    if len(tries) >= 2:
        before, got_before = tries[-2]
        shift = last.peak - before.peak  # the earlier try as if made at this try's peak
        step = last.db - (before.db + shift)
        if abs(step) > 0.05:
            slope = (got.integrated - (got_before.integrated + shift)) / step
    elif last.limited:
        over = measured.true_peak + last.db - last.peak
        taken = measured.integrated + last.db - got.integrated
        slope = 1.0 - 1.5 * taken / over  # the limiter takes more at the margin than on average
    slope = min(max(slope, 0.2), 1.0)
    dp = peak - last.peak
    db = round(last.db + dp + (target.integrated - got.integrated - dp) / slope, 2)
    return Gain(db, peak, measured.true_peak + db > peak)


@dataclass(frozen=True)
class Plan:
    """What process_audio will do with one file, decided from its facts alone."""

    encode: bool
    normalize: bool
    preset: Preset
    reason: str


@dataclass(frozen=True)
class ProcessResult:
    path: Path  # the main output (a copy of the source when it is kept as is)
    preset: Preset
    encoded: bool
    loudness_in: Loudness | None  # the source, as heard in the main output's channel layout
    loudness_out: Loudness | None  # the main output file itself, measured after encoding
    normalization: str | None  # "linear" or "limited" when normalised
    target: LoudnessTarget
    renditions: tuple[tuple[Preset, Path], ...] = ()
    gain: float | None = None  # dB applied to the main output
    waveform: Path | None = None  # drawn from the main output while it was measured

    def loudness_table(self) -> dict[str, float | str]:
        """The episode front matter's `[loudness]` table; empty when not normalised."""
        if self.loudness_in is None or self.loudness_out is None:
            return {}
        return {
            "output_i": self.loudness_out.integrated,
            "output_tp": self.loudness_out.true_peak,
            "output_lra": self.loudness_out.lra,
            "input_i": self.loudness_in.integrated,
            "input_tp": self.loudness_in.true_peak,
            "input_lra": self.loudness_in.lra,
            "method": self.normalization or "linear",
            "gain": self.gain if self.gain is not None else 0.0,
            "target_i": self.target.integrated,
            "target_tp": self.target.true_peak,
        }


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ConfigError(f"unknown audio preset {name!r} (known: {known})") from None


def plan(
    facts_codec: str,
    facts_bitrate: int,
    facts_channels: int,
    *,
    normalize: bool,
    preset_name: str | None,
    source_ext: str,
) -> Plan:
    """Decide whether to encode: lossless always is; an MP3 within the preset is kept unless
    normalising (re-encoding lossy audio for nothing only loses quality)."""
    preset = get_preset(preset_name or DEFAULT_PRESET)
    ext = source_ext.lower().lstrip(".")
    if normalize:
        return Plan(True, True, preset, "normalising loudness")
    if ext in ALWAYS_ENCODE or facts_codec.startswith("pcm_") or facts_codec == "flac":
        return Plan(True, False, preset, f"{ext or facts_codec} is not publishable as is")
    if facts_codec != preset.codec or ext != preset.extension:
        return Plan(True, False, preset, f"{facts_codec} is not {preset.codec}")
    # 2% slack: a CBR file's average includes its Xing/ID3 headers.
    if facts_bitrate > preset.bitrate * 1.02:
        return Plan(True, False, preset, f"{facts_bitrate // 1000} kbit/s > {preset.name}")
    if facts_channels > preset.channels:
        return Plan(True, False, preset, f"{facts_channels} channels > {preset.name}")
    return Plan(False, False, preset, f"already within {preset.name}")


@contextlib.contextmanager
def scratch_dir(parent: Path) -> Iterator[Path]:
    """A temporary folder under `parent`, removed however the block ends (Ctrl-C included)."""
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".podman-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def process_audio(
    src: Path,
    workdir: Path,
    *,
    normalize: bool,
    preset: str | None = None,
    also: Sequence[str] = (),
    target: LoudnessTarget | None = None,
    facts: AudioFacts | None = None,
    chapters: Sequence[Chapter] = (),
    on_progress: ProgressFn | None = None,
    duration: float | None = None,
    waveform_to: Path | None = None,
) -> ProcessResult:
    """Normalise and/or encode `src` into new files in `workdir`; `src` is never written.

    Work happens in a temporary folder inside `workdir`; only finished files are moved out,
    so a failure or Ctrl-C leaves nothing behind. `facts` (from probe) decide whether an MP3
    can be kept; without them mutagen is asked. `chapters` go into M4A outputs during encoding
    (mutagen cannot write MP4 chapters). on_progress gets seconds of the episode done, rising
    once from 0 to the duration although normalising reads audio three times.

    Normalising: the source is measured (ebur128) in each output's channel layout, each output
    gets a linear gain, or gain and a true-peak limiter where the gain alone would cross the
    ceiling; every encoded file is then measured, and one that missed the window is encoded
    again with the gain and peak corrected by what was measured (a linear gain once, a limited
    one up to MAX_CORRECTIONS times; the best try is kept). `waveform_to` (normalising only)
    draws the main output's waveform PNG while it is measured, saving a decode.
    """
    src = Path(src)
    target = target or LoudnessTarget()
    codec, bitrate, channels, length = _facts(src, facts)
    duration = duration or length
    decision = plan(
        codec, bitrate, channels, normalize=normalize, preset_name=preset,
        source_ext=src.suffix,
    )
    extras = [get_preset(n) for n in dict.fromkeys(also) if n != decision.preset.name]
    workdir = Path(workdir)
    with scratch_dir(workdir) as tmp:
        if not decision.encode and not extras:
            out = tmp / f"{src.stem}.{decision.preset.extension}"
            shutil.copyfile(src, out)
            return ProcessResult(
                _publish(out, workdir), decision.preset, False, None, None, None, target
            )
        presets = [decision.preset, *extras]
        encode = presets if decision.encode else extras  # a kept main file is only copied
        outs = [tmp / f"{src.stem}.{p.name}.{p.extension}" for p in encode]
        phases = _Phases(on_progress, duration, 3 if decision.normalize else 1)
        if not decision.normalize:
            args = _encode_args(src, tmp, encode, outs, None, chapters, duration)
            ffmpeg.run_with_progress(args, duration, phases.phase(0), what=src.name)
            norm = None
        else:
            norm = _normalize(src, tmp, encode, outs, target, chapters, duration, phases,
                              waveform_to)
        if not decision.encode:
            main = tmp / f"{src.stem}.{decision.preset.extension}"
            shutil.copyfile(src, main)
            outs.insert(0, main)
        final = [_publish(o, workdir) for o in outs]
        picture = None
        if norm is not None and norm.waveform is not None and waveform_to is not None:
            norm.waveform.replace(waveform_to)
            picture = waveform_to
    if norm is None:
        return ProcessResult(
            final[0], decision.preset, decision.encode, None, None, None, target,
            tuple(zip(presets[1:], final[1:], strict=True)),
        )
    return ProcessResult(
        final[0], decision.preset, decision.encode, norm.measured[0], norm.encoded[0],
        norm.gains[0].method, target, tuple(zip(presets[1:], final[1:], strict=True)),
        norm.gains[0].db, picture,
    )


@dataclass
class _Normalized:
    measured: list[Loudness]  # the source, per output (in that output's channel layout)
    gains: list[Gain]  # what each output got
    encoded: list[Loudness]  # each output file, measured
    waveform: Path | None  # the main output's waveform, when asked for


def _normalize(
    src: Path,
    tmp: Path,
    presets: Sequence[Preset],
    outs: list[Path],
    target: LoudnessTarget,
    chapters: Sequence[Chapter],
    duration: float | None,
    phases: _Phases,
    waveform_to: Path | None,
) -> _Normalized:
    """Measure, encode with each output's gain, measure the files; encode a file that missed
    the window again (see MAX_CORRECTIONS), keeping whichever try landed best."""
    layouts = list(dict.fromkeys(layout_name(p.channels) for p in presets))
    by_layout = dict(zip(layouts, measure(src, layouts, on_progress=phases.phase(0)),
                         strict=True))
    measured = [by_layout[layout_name(p.channels)] for p in presets]
    gains = [plan_gain(m, target, p.headroom) for m, p in zip(measured, presets, strict=True)]
    args = _encode_args(src, tmp, presets, outs, gains, chapters, duration)
    ffmpeg.run_with_progress(args, duration, phases.phase(1), what=src.name)
    picture = tmp / "waveform.png" if waveform_to is not None else None
    encoded = _measure_outputs(outs, picture, phases.phase(2), src.name)
    tries: list[list[tuple[Gain, Loudness]]] = [
        [pair] for pair in zip(gains, encoded, strict=True)
    ]
    for _ in range(MAX_CORRECTIONS):
        redo = [
            i for i, got in enumerate(encoded)
            if not measured[i].silent
            and misses(got.integrated, got.true_peak, target.integrated, target.true_peak)
            and (len(tries[i]) == 1 or tries[i][-1][0].limited)  # linear: right once fixed
        ]
        if not redo:
            break
        tried = [correct_gain(tries[i], measured[i], target) for i in redo]
        again = [tmp / f"again-{outs[i].name}" for i in redo]
        args = _encode_args(src, tmp, [presets[i] for i in redo], again, tried, chapters,
                            duration)
        ffmpeg.run_with_progress(args, duration, None, what=src.name)
        redrawn = tmp / "waveform-again.png" if picture is not None and 0 in redo else None
        remeasured = _measure_outputs(again, redrawn, None, src.name)
        for i, gain, path, got in zip(redo, tried, again, remeasured, strict=True):
            tries[i].append((gain, got))
            if _closeness(got, target) < _closeness(encoded[i], target):  # keep the best
                path.replace(outs[i])
                gains[i], encoded[i] = gain, got
                if i == 0 and redrawn is not None and picture is not None:
                    redrawn.replace(picture)
            else:
                path.unlink()
    return _Normalized(measured, gains, encoded, picture)


def _closeness(got: Loudness, target: LoudnessTarget) -> tuple[bool, float]:
    """Orders tries: under the ceiling first, then nearest the integrated target."""
    return got.true_peak > target.true_peak, abs(got.integrated - target.integrated)


class _Phases:
    """Progress over several reads of the episode, rising once from 0 to its duration."""

    def __init__(self, fn: ProgressFn | None, duration: float | None, count: int) -> None:
        self.fn, self.duration, self.count = fn, duration, count
        self.seen = 0.0  # how far the first read got: the duration when none was given
        self.last = 0.0

    def phase(self, k: int) -> ProgressFn | None:
        if self.fn is None:
            return None

        def report(done: float) -> None:
            if k == 0:
                self.seen = max(self.seen, done)
            total = self.duration or self.seen
            value = (k * total + min(done, total or done)) / self.count
            if value >= self.last:
                self.last = value
                assert self.fn is not None
                self.fn(value)

        return report


def _publish(path: Path, workdir: Path) -> Path:
    """Move a finished file out of the scratch folder without replacing anything."""
    dest = workdir / path.name
    n = 1
    while dest.exists():
        dest = workdir / f"{path.stem}-{n}{path.suffix}"
        n += 1
    path.replace(dest)
    return dest


def _facts(src: Path, facts: AudioFacts | None) -> tuple[str, int, int, float | None]:
    """codec, bitrate, channels, duration: from probe's facts, else a quick mutagen look."""
    if facts is not None:
        return facts.codec, facts.bitrate, facts.channels, facts.duration
    if not src.is_file():
        raise UnreadableAudio(f"{src.name}: no such file")
    import mutagen

    try:
        audio = mutagen.File(src)
    except Exception:  # mutagen raises many types for damaged files
        audio = None
    if audio is None:
        # Unknown to mutagen (odd WAV flavours, damage): encode, and let ffmpeg be the judge.
        return "unknown", 0, 0, None
    info = audio.info
    codec = {"MP3": "mp3", "FLAC": "flac", "MP4": "aac", "OggOpus": "opus", "WAVE": "pcm_s16le"}
    name = codec.get(type(audio).__name__, type(audio).__name__.lower())
    return (
        name,
        int(getattr(info, "bitrate", 0) or 0),
        int(getattr(info, "channels", 0) or 0),
        float(getattr(info, "length", 0.0) or 0.0) or None,
    )


def _gain_filters(stream: Any, gain: Gain, preset: Preset) -> Any:
    """The output's channel layout (as measured), its gain and, when needed, the limiter:
    alimiter at 4x the output rate (so it holds true peaks, not just samples), without its
    auto-levelling and with its lookahead delay compensated (the duration stays exact)."""
    stream = stream.filter("aformat", channel_layouts=layout_name(preset.channels))
    stream = stream.filter("volume", volume=f"{gain.db:.2f}dB")
    if gain.limited:
        limit = min(max(10 ** (gain.peak / 20), 0.0625), 1.0)
        stream = (
            stream.filter("aresample", preset.sample_rate * LIMITER_OVERSAMPLING)
            .filter("alimiter", limit=f"{limit:.6f}", level="false", latency="true")
            .filter("aresample", preset.sample_rate)
        )
    return stream


def _encode_args(
    src: Path,
    tmp: Path,
    presets: Sequence[Preset],
    outs: Sequence[Path],
    gains: Sequence[Gain] | None,
    chapters: Sequence[Chapter],
    duration: float | None,
) -> list[str]:
    """One ffmpeg run: decode once, split to every preset's gain (if any) and encoder."""
    import ffmpeg as ffmpeg_lib

    stream = ffmpeg_lib.input(str(src)).audio
    split = (
        None if len(presets) == 1 else stream.filter_multi_output("asplit", len(presets))
    )
    meta = None
    if chapters and any(p.extension == "m4a" for p in presets):
        meta = tmp / "chapters.ffmeta"
        meta.write_text(ffmetadata(chapters, duration), encoding="utf-8")
    outputs = []
    for i, (p, out) in enumerate(zip(presets, outs, strict=True)):
        branch = stream if split is None else split.stream(i)
        if gains is not None:
            branch = _gain_filters(branch, gains[i], p)
        chaptered = meta is not None and p.extension == "m4a"
        kwargs: dict[str, Any] = {
            "acodec": p.encoder, "audio_bitrate": p.bitrate, "ac": p.channels,
            "ar": p.sample_rate, "fflags": "+bitexact", "flags:a": "+bitexact", **dict(p.extra),
            # The producer's tags are dropped (write_tags sets ours); with -1 ffmpeg would
            # drop the chapter titles too, so chaptered outputs take the chapter file's.
            "map_metadata": 1 if chaptered else -1,
            "map_chapters": 1 if chaptered else -1,
        }
        outputs.append(ffmpeg_lib.output(branch, str(out), **kwargs))
    node = ffmpeg_lib.merge_outputs(*outputs) if len(outputs) > 1 else outputs[0]
    args = list(node.compile(cmd=[]))
    if meta is not None:
        # ffmpeg-python only knows inputs that feed a stream; an ffmetadata file feeds none,
        # so it is added by hand as input 1, right after the audio.
        at = args.index("-i") + 2
        args[at:at] = ["-f", "ffmetadata", "-i", str(meta)]
    return args


def _measure_outputs(
    paths: Sequence[Path], picture: Path | None, on_progress: ProgressFn | None, what: str
) -> list[Loudness]:
    """Each encoded file measured by ebur128 in one ffmpeg run; the first one's waveform
    drawn from the same decode when `picture` is given."""
    args: list[str] = []
    for path in paths:
        args += ["-i", str(path)]
    names = [f"out{i}" for i in range(len(paths))]
    graph = []
    for i, name in enumerate(names):
        if i == 0 and picture is not None:
            graph.append(f"[0:a:0]asplit=2[a0][w0];[w0]{_waveform_filter()}[wave];"
                         f"[a0]{ebur128(name)}[o0]")
        else:
            graph.append(f"[{i}:a:0]{ebur128(name)}[o{i}]")
    args += ["-filter_complex", ";".join(graph)]
    for i in range(len(paths)):
        args += ["-map", f"[o{i}]", "-f", "null", "-"]
    if picture is not None:
        args += ["-map", "[wave]", *_WAVEFORM_OUTPUT, "-y", str(picture)]
    proc = ffmpeg.run_with_progress(args, None, on_progress, what=what)
    found = parse_summaries(proc.stderr, names, what)
    return [found[name] for name in names]


_WAVEFORM_OUTPUT = ("-frames:v", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact")


def _waveform_filter(width: int = 1200, height: int = 240) -> str:
    return f"aformat=channel_layouts=mono,showwavespic=s={width}x{height}:colors=#3a6ea5"


def waveform(audio: Path, dest: Path, width: int = 1200, height: int = 240) -> Path:
    """A PNG of the whole episode's waveform; same audio, same bytes."""
    audio, dest = Path(audio), Path(dest)
    tmp = dest.with_name(f".{dest.name}.tmp.png")
    args = ["-i", str(audio), "-filter_complex", f"[0:a:0]{_waveform_filter(width, height)}",
            *_WAVEFORM_OUTPUT, "-y", str(tmp)]
    try:
        ffmpeg.run(args, what=audio.name)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
