"""Shared pytest fixtures; each area keeps its fixtures in its own module, registered here."""

from __future__ import annotations

from audio_fixtures import audio_files  # noqa: F401  (session fixture: real audio via ffmpeg)
from cli_fixtures import episode_mp3s, workspace  # noqa: F401  (CLI workspace and small MP3s)
