"""The docs stay true: every command is in docs/cli.md, every relative link resolves inside the
repository, and the README links nothing outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podman.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_contract(name: str) -> None:
    assert f"`podman {name}" in (ROOT / "docs" / "cli.md").read_text("utf-8")


@pytest.mark.parametrize("doc", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_relative_links_resolve_inside_the_repository(doc: Path) -> None:
    for target in LINK.findall(doc.read_text("utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # http(s) and mailto links
        resolved = (doc.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc.name} links outside the repository: {target}"
        assert resolved.exists(), f"{doc.name} links to a missing file: {target}"


def test_readme_names_no_file_outside_the_repository() -> None:
    assert "../shared" not in (ROOT / "README.md").read_text("utf-8")
