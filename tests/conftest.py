"""Shared pytest fixtures; each area keeps its fixtures in its own module, registered here."""

from __future__ import annotations

pytest_plugins = ["tests.fixtures.audio", "tests.fixtures.s3", "tests.fixtures.cli",
                  "tests.fixtures.podcasts", "tests.fixtures.browser", "tests.fixtures.site",
                  "tests.fixtures.old_host", "tests.fixtures.logs"]
