"""Shared pytest fixtures; each area keeps its fixtures in its own module, registered here."""

from __future__ import annotations

from audio_fixtures import audio_files  # noqa: F401  (session fixture: real audio via ffmpeg)
