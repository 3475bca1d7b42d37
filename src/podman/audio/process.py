"""Audio processing: loudness normalisation, transcoding to presets, tag writing, waveforms."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podman.audio import ffmpeg
from podman.audio.tags import ffmetadata
from podman.core.errors import ConfigError, FfmpegFailed, UnreadableAudio
from podman.core.models import AudioFacts, Chapter

__all__ = [
    "DEFAULT_PRESET", "PRESETS", "Loudness", "LoudnessTarget", "Plan", "Preset",
    "ProcessResult", "get_preset", "measure_loudness", "plan", "process_audio",
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
    # speech), so loudnorm aims this far under the ceiling to keep the *published* file under.
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
    """EBU R128 target for loudnorm; the defaults are the usual podcast ones."""

    integrated: float = -16.0  # LUFS
    true_peak: float = -1.0  # dBTP
    lra: float = 11.0  # LU


@dataclass(frozen=True)
class Loudness:
    """A loudnorm measurement; `offset` is what pass 2 needs to land exactly on the target."""

    integrated: float  # LUFS
    true_peak: float  # dBTP
    lra: float  # LU
    threshold: float  # LUFS
    offset: float = 0.0


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
    loudness_in: Loudness | None
    loudness_out: Loudness | None
    normalization: str | None  # loudnorm's "linear" or "dynamic" when normalised
    target: LoudnessTarget
    renditions: tuple[tuple[Preset, Path], ...] = ()

    def loudness_table(self) -> dict[str, float]:
        """The episode front matter's `[loudness]` table; empty when not normalised."""
        if self.loudness_in is None or self.loudness_out is None:
            return {}
        return {
            "input_i": self.loudness_in.integrated,
            "input_tp": self.loudness_in.true_peak,
            "input_lra": self.loudness_in.lra,
            "output_i": self.loudness_out.integrated,
            "output_tp": self.loudness_out.true_peak,
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
) -> ProcessResult:
    """Normalise and/or encode `src` into new files in `workdir`; `src` is never written.

    Work happens in a temporary folder inside `workdir`; only finished files are moved out,
    so a failure or Ctrl-C leaves nothing behind. `facts` (from probe) decide whether an MP3
    can be kept; without them mutagen is asked. `chapters` go into M4A outputs during encoding
    (mutagen cannot write MP4 chapters). on_progress gets seconds of the episode done, rising
    once from 0 to the duration even though normalising reads the file twice.
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
        measured = None
        # Loudness depends on the channel layout, so a mono episode is measured and
        # normalised as mono. (Mixed mono/stereo renditions share the source-layout gain.)
        mono = all(p.channels == 1 for p in encode)
        seen = [0.0]  # how far pass 1 got: the duration when the caller did not know it

        def pass1(done: float) -> None:
            seen[0] = max(seen[0], done)
            if on_progress is not None:
                on_progress(done / 2)

        if decision.normalize:
            measured = measure_loudness(src, target=target, mono=mono, on_progress=pass1)
            done_before, scale = (duration or seen[0]), 2.0
        else:
            done_before, scale = 0.0, 1.0
        args = _encode_args(
            src, tmp, encode, outs, target, measured, chapters, duration, mono=mono
        )
        proc = ffmpeg.run_with_progress(
            args, duration, _scaled(on_progress, done_before, scale), what=src.name
        )
        loud_out, kind = (None, None)
        if measured is not None:
            data = _loudnorm_json(proc.stderr, src.name)
            loud_out = _loudness(data, "output")
            kind = str(data.get("normalization_type", "")).lower() or None
        if not decision.encode:
            main = tmp / f"{src.stem}.{decision.preset.extension}"
            shutil.copyfile(src, main)
            outs.insert(0, main)
        final = [_publish(o, workdir) for o in outs]
    return ProcessResult(
        final[0], decision.preset, decision.encode, measured, loud_out, kind, target,
        tuple(zip(presets[1:], final[1:], strict=True)),
    )


def _publish(path: Path, workdir: Path) -> Path:
    """Move a finished file out of the scratch folder without replacing anything."""
    dest = workdir / path.name
    n = 1
    while dest.exists():
        dest = workdir / f"{path.stem}-{n}{path.suffix}"
        n += 1
    path.replace(dest)
    return dest


def _scaled(fn: ProgressFn | None, offset: float, scale: float) -> ProgressFn | None:
    if fn is None:
        return None
    return lambda done: fn((offset + done) / scale)


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


def _loudnorm_filter(
    target: LoudnessTarget, measured: Loudness | None, headroom: float
) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "I": target.integrated, "TP": target.true_peak - headroom, "LRA": target.lra,
        "print_format": "json",
    }
    if measured is not None:
        opts.update(
            measured_I=measured.integrated, measured_TP=measured.true_peak,
            measured_LRA=measured.lra, measured_thresh=measured.threshold,
            offset=measured.offset, linear="true",
        )
    return opts


def _encode_args(
    src: Path,
    tmp: Path,
    presets: Sequence[Preset],
    outs: Sequence[Path],
    target: LoudnessTarget,
    measured: Loudness | None,
    chapters: Sequence[Chapter],
    duration: float | None,
    *,
    mono: bool,
) -> list[str]:
    """One ffmpeg run: decode once, loudnorm once, split to every preset's encoder."""
    import ffmpeg as ffmpeg_lib

    stream = ffmpeg_lib.input(str(src)).audio
    if measured is not None:
        if mono:
            stream = stream.filter("aformat", channel_layouts="mono")
        headroom = max(p.headroom for p in presets)
        stream = stream.filter("loudnorm", **_loudnorm_filter(target, measured, headroom))
    branches = (
        [stream] if len(presets) == 1
        else stream.filter_multi_output("asplit", len(presets)).stream
    )
    meta = None
    if chapters and any(p.extension == "m4a" for p in presets):
        meta = tmp / "chapters.ffmeta"
        meta.write_text(ffmetadata(chapters, duration), encoding="utf-8")
    outputs = []
    for i, (p, out) in enumerate(zip(presets, outs, strict=True)):
        branch = branches[i] if isinstance(branches, list) else branches(i)
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


def measure_loudness(
    path: Path,
    *,
    target: LoudnessTarget | None = None,
    mono: bool = False,
    on_progress: ProgressFn | None = None,
) -> Loudness:
    """Integrated loudness, true peak and LRA of `path` (loudnorm's first pass), as is or
    as its mono downmix would sound."""
    import ffmpeg as ffmpeg_lib

    path = Path(path)
    opts = _loudnorm_filter(target or LoudnessTarget(), None, 0.0)
    node = ffmpeg_lib.input(str(path)).audio
    if mono:
        node = node.filter("aformat", channel_layouts="mono")
    node = node.filter("loudnorm", **opts)
    args = list(node.output("-", format="null").compile(cmd=[]))
    proc = ffmpeg.run_with_progress(args, None, on_progress, what=path.name)
    return _loudness(_loudnorm_json(proc.stderr, path.name), "input")


def _loudnorm_json(stderr: bytes, name: str) -> dict[str, Any]:
    """The JSON block loudnorm prints at the end of stderr."""
    text = stderr.decode("utf-8", "replace")
    start = text.rfind("{")
    end = text.find("}", start)
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        raise FfmpegFailed(f"{name}: no loudness measurement in ffmpeg's output") from None
    if not isinstance(data, dict):
        raise FfmpegFailed(f"{name}: no loudness measurement in ffmpeg's output")
    return data


def _loudness(data: dict[str, Any], prefix: str) -> Loudness:
    def num(key: str) -> float:
        value = float(data[f"{prefix}_{key}"])
        # silence measures as -inf; keep the table TOML-friendly
        return max(value, -99.0)

    return Loudness(
        num("i"), num("tp"), num("lra"), num("thresh"), float(data.get("target_offset", 0.0))
    )


def waveform(audio: Path, dest: Path, width: int = 1200, height: int = 240) -> Path:
    """A PNG of the whole episode's waveform; same audio, same bytes."""
    import ffmpeg as ffmpeg_lib

    audio, dest = Path(audio), Path(dest)
    picture = (
        ffmpeg_lib.input(str(audio)).audio
        .filter("aformat", channel_layouts="mono")
        .filter("showwavespic", s=f"{width}x{height}", colors="#3a6ea5")
    )
    tmp = dest.with_name(f".{dest.name}.tmp.png")
    args = picture.output(
        str(tmp), fflags="+bitexact", **{"frames:v": 1, "flags:v": "+bitexact"}
    ).overwrite_output().compile(cmd=[])
    try:
        ffmpeg.run(list(args), what=audio.name)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest
