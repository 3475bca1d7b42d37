"""Shared pytest fixtures; each area keeps its fixtures in its own module, registered here."""

from __future__ import annotations

pytest_plugins = ["tests.audio_fixtures", "tests.s3_fixtures", "tests.cli_fixtures"]
