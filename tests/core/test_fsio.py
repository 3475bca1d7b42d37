"""core.fsio: atomic writes leave old or new content, never half, and no temp files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podman.core.errors import StorageError
from podman.core.fsio import atomic_write


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.md"
    atomic_write(target, "one")
    atomic_write(target, b"two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.md"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_atomic_write_failure_keeps_old_content(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file.md"
    atomic_write(target, "old")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(StorageError, match=f"{target}: cannot write"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.md"]
