"""The proof end to end on the 25 real feeds: `podman import --no-download`, build, and
`podman check --against` the very file imported. Skips until `podman import` exists."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from podman.cli import COMMANDS
from tests.fixtures.cli import run

REAL = Path(os.environ.get("PODMAN_REAL_FEEDS")
            or Path(__file__).resolve().parents[2].parent / "shared" / "feeds" / "real")
FEEDS = sorted(REAL.glob("*.xml")) if REAL.is_dir() else []
LOCKED = {"partytime__launched.xml", "partytime__pc20rss.xml", "stalla__o-tarz-mi.xml"}

pytestmark = [
    pytest.mark.realworld,
    pytest.mark.skipif(not FEEDS, reason="../shared/feeds/real is absent"),
    pytest.mark.skipif("import" not in COMMANDS, reason="`podman import` is not here yet"),
]


def test_every_imported_real_feed_passes_against_its_source(workspace: Path) -> None:
    assert len(FEEDS) == 25
    slugs = {}
    for path in FEEDS:
        slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40]
        extra = ["--ignore-lock"] if path.name in LOCKED else []
        result = run("-C", workspace, "import", path, "--show", slug, "--no-download", *extra)
        assert result.exit_code == 0, (path.name, result.output)
        slugs[slug] = path
    assert run("-C", workspace, "build", "--now", "2026-12-04T00:00:00Z").exit_code == 0
    for slug, path in slugs.items():
        result = run("-C", workspace, "check", "--against", path, "--show", slug)
        assert result.exit_code == 0, (path.name, result.output)
        assert "error" not in result.stdout
        show_toml = (workspace / "feeds" / slug / "show.toml").read_text()
        assert re.search(r"^verified = \d{4}-\d\d-\d\d$", show_toml, re.M), slug
