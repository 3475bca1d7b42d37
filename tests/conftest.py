"""Shared pytest fixtures; each area keeps its fixtures in its own module, registered here."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.fixtures.audio", "tests.fixtures.s3", "tests.fixtures.cli",
                  "tests.fixtures.podcasts", "tests.fixtures.browser", "tests.fixtures.site",
                  "tests.fixtures.old_host", "tests.fixtures.logs"]


@pytest.fixture(autouse=True)
def no_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9: no input anywhere in the suite may produce "internal error". With
    PODMAN_TRACEBACK set, the CLI's last-resort handler re-raises instead of printing it, so
    any such crash fails the test that caused it (CliRunner(catch_exceptions=False)) or shows
    its traceback (a child process), whatever that test asserts."""
    monkeypatch.setenv("PODMAN_TRACEBACK", "1")
