"""`[stats]` in podman.toml: config.example.toml documents every key with its default."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path

from podman.core.config import load_workspace
from podman.stats.config import StatsConfig, load_stats_config

REPO = Path(__file__).resolve().parents[2]


def test_example_config_is_every_key_with_its_default(tmp_path: Path) -> None:
    example = (REPO / "config.example.toml").read_text("utf-8")
    (tmp_path / "podman.toml").write_text(example)
    cfg = load_stats_config(load_workspace(tmp_path))
    assert cfg == StatsConfig(root=tmp_path)
    documented = set(tomllib.loads(example)["stats"])
    assert documented == {f.name for f in fields(StatsConfig)} - {"root"}
