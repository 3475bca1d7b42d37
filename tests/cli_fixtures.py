"""Fixtures and helpers for CLI tests: a fresh workspace, small real MP3s, direct episode files."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from podman.catalog import episode_path, episode_to_text
from podman.cli import cli
from podman.models import Article, AudioRef, Episode
from tests.audio_fixtures import make_audio

SHOW = "daily"
INIT_ARGS = ["--show", SHOW, "--title", "The Daily Test", "--author", "Test Newsroom",
             "--email", "owner@example.com", "--language", "en",
             "--category", "News > Daily News"]


def run(*args: str | Path, input: str | None = None) -> Result:  # noqa: A002
    """Invoke the CLI in-process; a crash (not a SystemExit) fails the test loudly."""
    return CliRunner(catch_exceptions=False).invoke(cli, [str(a) for a in args], input=input)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), for 'nothing changed' comparisons."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def make_episode(show: str = SHOW, slug: str = "2025-03-14-first", *, guid: str,
                 title: str = "First", published: datetime | None = None,
                 duration: float = 61.5, notes: str = "", status: str = "published",
                 articles: tuple[Article, ...] = (), key: str | None = None,
                 size: int = 12345, **kw) -> Episode:
    published = published or datetime(2025, 3, 14, 17, 0, tzinfo=UTC)
    digest = hashlib.sha256(guid.encode()).hexdigest()
    return Episode(
        show=show, slug=slug, guid=guid, title=title, published=published, status=status,
        duration=duration,
        audio=AudioRef(key=key or f"{show}/{slug}-{digest[:10]}.mp3", bytes=size,
                       type="audio/mpeg", sha256=digest),
        notes=notes, articles=articles, **kw,
    )


def write_episode(root: Path, ep: Episode) -> Path:
    """Write an episode file directly (no audio needed), as `podman add` would."""
    path = episode_path(root / "feeds" / ep.show, ep.slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(episode_to_text(ep), encoding="utf-8")
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh workspace made by `podman init` with one show, `daily`."""
    root = tmp_path / "ws"
    result = run("init", root, *INIT_ARGS)
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture(scope="session")
def episode_mp3s(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six short, distinct real MP3s (different tones), named like a producer would."""
    root = tmp_path_factory.mktemp("episodes")
    return [make_audio(root / f"episode_{i}.mp3", 1.0 + i * 0.25, "mp3-cbr", tone=300 + 70 * i)
            for i in range(6)]
