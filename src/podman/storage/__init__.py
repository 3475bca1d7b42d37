"""Storage backends behind one protocol, chosen by `[storage] backend`; imported lazily."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from podman.core.config import StorageConfig
from podman.core.content_types import MEDIA_CACHE_CONTROL  # noqa: F401  (re-exported)
from podman.core.errors import ConfigError

Progress = Callable[[int], None]  # called with the number of bytes just transferred


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str | None = None  # when the backend recorded it
    etag: str | None = None  # S3: the ETag (the MD5 for a plain single-part PUT)


class Storage(Protocol):
    """Where media objects live; keys are relative paths like `daily/2025-...-3fa9c1d2e4.mp3`."""

    def put(self, src: Path, key: str, *, content_type: str, sha256: str,
            cache_control: str = ..., progress: Progress | None = None) -> None: ...

    def stat(self, key: str) -> StoredObject | None: ...

    def delete(self, key: str) -> None: ...

    def list(self, prefix: str = "") -> dict[str, StoredObject]: ...

    def open(self, key: str) -> Path | None:
        """A local path to read the object from, when the backend has one (local disk)."""
        ...



BACKENDS: dict[str, str] = {
    "local": "podman.storage.local:LocalStorage",
    "s3": "podman.storage.s3:S3Storage",
}


def open_storage(config: StorageConfig) -> Storage:
    """Instantiate the configured backend; heavy imports (boto3) happen only here."""
    target = BACKENDS.get(config.backend)
    if target is None:
        raise ConfigError(f"unknown storage backend {config.backend!r}")
    module_name, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(config)
