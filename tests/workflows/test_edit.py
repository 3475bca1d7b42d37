"""workflows.edit: `rm --purge` removes everything the episode stored (issue 9 #16)."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.cli import SHOW, run, tree


def test_rm_purge_removes_audio_waveform_and_renditions(workspace: Path,
                                                         episode_mp3s: list[Path]) -> None:
    added = run("add", "-C", workspace, episode_mp3s[0], "--also", "opus-mono-32k")
    assert added.exit_code == 0, added.stderr
    media = workspace / "media"
    stored = sorted(tree(media))
    assert {Path(k).suffix for k in stored} == {".mp3", ".png", ".opus"}, stored
    [episode] = (workspace / "feeds" / SHOW / "episodes").glob("*.md")
    result = run("rm", "-C", workspace, episode.stem, "--purge")
    assert result.exit_code == 0, result.stderr
    assert tree(media) == {}
    assert not episode.exists()
    for key in stored:
        assert key.split("/", 1)[1] in result.stdout


def test_rm_without_purge_keeps_every_stored_object(workspace: Path,
                                                    episode_mp3s: list[Path]) -> None:
    assert run("add", "-C", workspace, episode_mp3s[1]).exit_code == 0
    before = tree(workspace / "media")
    [episode] = (workspace / "feeds" / SHOW / "episodes").glob("*.md")
    assert run("rm", "-C", workspace, episode.stem).exit_code == 0
    assert tree(workspace / "media") == before
