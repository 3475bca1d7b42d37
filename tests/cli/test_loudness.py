"""Loudness through the CLI on podcast-like audio: `podman add --normalize` for every preset,
measured on the stored file by ffmpeg's ebur128 here, the catalog, `probe` and `check`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from podman.audio.process import PRESETS
from tests.fixtures.cli import INIT_ARGS, SHOW, run
from tests.fixtures.podcasts import PODCASTS
from tests.fixtures.process import ebur128

TARGET_I, CEILING = -16.0, -1.0


def front(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8").split("+++\n")[1])


@pytest.fixture(scope="module")
def stored(podcasts: dict[str, Path], tmp_path_factory) -> dict[tuple[str, str], tuple]:
    """(preset, podcast) -> (episode front matter, stored audio file, episode file): every
    podcast added with `podman add --normalize --encode PRESET`, one workspace per preset."""
    out = {}
    for preset in PRESETS:
        ws = tmp_path_factory.mktemp(preset) / "ws"
        assert run("init", ws, *INIT_ARGS).exit_code == 0
        for name, path in podcasts.items():
            result = run("add", path, "-C", ws, "--normalize", "--encode", preset,
                         "--title", name)
            assert result.exit_code == 0, result.output
            assert "  loudness " in result.output and "warning" not in result.output
            [episode] = (ws / "feeds" / SHOW / "episodes").glob(f"*-{name}.md")
            data = front(episode)
            out[preset, name] = (data, ws / "media" / data["audio"]["key"], episode)
    return out


@pytest.mark.parametrize("name", sorted(PODCASTS))
@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_stored_file_lands_in_the_window(stored, preset: str, name: str) -> None:
    data, audio, _ = stored[preset, name]
    integrated, peak, lra = ebur128(audio)  # ffmpeg itself, on the file listeners download
    assert abs(integrated - TARGET_I) <= 0.5, (preset, name, integrated)
    assert peak <= CEILING, (preset, name, peak)
    loud = data["loudness"]
    assert abs(loud["output_i"] - integrated) <= 0.1
    assert abs(loud["output_tp"] - peak) <= 0.1
    assert abs(loud["output_lra"] - lra) <= 0.1
    assert loud["method"] in ("linear", "limited")
    assert (loud["target_i"], loud["target_tp"]) == (TARGET_I, CEILING)
    if loud["method"] == "linear":  # a gain alone: only the encoder moved it (a little)
        assert abs(loud["input_i"] + loud["gain"] - integrated) <= 0.6
    assert audio.suffix == "." + PRESETS[preset].extension


def test_input_figures_and_methods(stored, podcasts) -> None:
    """The input's own measurement is recorded; limiting only where the gain would clip."""
    for preset in PRESETS:
        loud = {name: stored[preset, name][0]["loudness"] for name in podcasts}
        assert loud["quiet-interview"]["input_i"] < -45
        assert loud["clipped"]["input_i"] > -7 and loud["clipped"]["gain"] < -8
        assert loud["clicks"]["method"] == "limited"  # 29 dB crest factor: gain alone clips
        assert loud["speech"]["input_i"] - loud["clicks"]["input_i"] > 5
        if PRESETS[preset].channels == 1:  # (ffmpeg's mono-to-stereo upmix is 3 dB down)
            assert loud["clipped"]["input_tp"] > 0 and loud["clicks"]["input_tp"] > 0
    mono, stereo = stored["mp3-mono-96k", "stereo"][0], stored["mp3-stereo-128k", "stereo"][0]
    # the stereo episode is quieter folded to mono: each layout is measured as it is heard
    assert mono["loudness"]["input_i"] < stereo["loudness"]["input_i"]


def test_probe_loudness_agrees_with_ebur128(stored) -> None:
    _, audio, _ = stored["aac-mono-64k", "music-bed"]
    result = run("probe", "--json", "--loudness", audio)
    assert result.exit_code == 0, result.output
    [facts] = json.loads(result.output)
    integrated, peak, lra = ebur128(audio)
    loud = facts["loudness"]
    assert abs(loud["integrated"] - integrated) <= 0.1 and abs(loud["true_peak"] - peak) <= 0.1
    assert abs(loud["lra"] - lra) <= 0.1
    text = run("probe", "--loudness", audio).output
    assert f"{integrated:.1f} LUFS integrated" in text


def test_check_warns_when_recorded_loudness_is_outside_the_window(stored) -> None:
    _, _, episode = stored["mp3-mono-96k", "speech"]
    ws = episode.parents[3]
    assert run("build", "-C", ws).exit_code == 0
    clean = run("check", "-C", ws)
    assert "loudness-window" not in clean.output
    text = episode.read_text(encoding="utf-8")
    recorded = front(episode)["loudness"]["output_i"]
    # what podman recorded before this rule existed, for a file 1.3 LU too quiet
    episode.write_text(text.replace(f"output_i = {recorded}", "output_i = -17.3"),
                       encoding="utf-8")
    try:
        result = run("check", "-C", ws)
    finally:
        episode.write_text(text, encoding="utf-8")
    guid = front(episode)["guid"]
    lines = [line for line in result.output.splitlines() if "[loudness-window]" in line]
    assert lines == [
        f"warning feeds/{SHOW}/episodes/{episode.name}: [loudness-window] item {guid}: "
        "stored audio measures -17.3 LUFS integrated, not -16 ± 0.5 (fix: re-add the source "
        "with --normalize: it lands within ±0.5 LU, at or below -1 dBTP)"
    ]
    assert result.exit_code == clean.exit_code  # a warning never fails a check
