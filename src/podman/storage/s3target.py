"""The publish target on S3: a boto3-free listing first, the S3Storage only when it is needed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from podman.core.config import StorageConfig
from podman.storage import StoredObject
from podman.storage.s3light import light_list


class LazyS3:
    """A publish target on S3 that builds its S3Storage only when something must be sent (or
    when the light listing steps aside); that storage imports boto3 only when its wire client
    steps aside too, so a publish of small files with static credentials never pays for it."""

    redirects = True  # S3 website endpoints answer 301 for WebsiteRedirectLocation

    def __init__(self, config: StorageConfig,
                 factory: Callable[[StorageConfig], Any] | None = None) -> None:
        self.config = config
        self._factory = factory
        self._storage: Any = None
        self._lock = threading.Lock()

    @property
    def storage(self) -> Any:  # -> podman.storage.s3.S3Storage
        with self._lock:
            if self._storage is None:
                if self._factory is not None:
                    self._storage = self._factory(self.config)
                else:
                    from podman.storage.s3 import S3Storage  # botocore's wording, when needed

                    self._storage = S3Storage(self.config)
            return self._storage

    @property
    def started(self) -> bool:
        """True once a boto3 client exists (for tests and the bench)."""
        return self._storage is not None and getattr(self._storage, "boto3_started", True)

    def _full(self, key: str) -> str:
        prefix = self.config.prefix.strip("/")
        return f"{prefix}/{key}" if prefix else key

    def list(self, prefix: str = "") -> dict[str, StoredObject]:
        listed = light_list(self.config, self._full(prefix))
        if listed is None:
            return self.storage.list(prefix)
        cut = len(self.config.prefix.strip("/"))
        cut = cut + 1 if cut else 0
        return {k[cut:]: StoredObject(k[cut:], o.size, etag=o.etag) for k, o in listed.items()}

    def put_bytes(self, data: bytes, key: str, *, content_type: str,
                  cache_control: str = "", redirect: str = "", md5: str = "") -> None:
        self.storage.put_bytes(data, key, content_type=content_type,
                               cache_control=cache_control, redirect=redirect, md5=md5)

    def head(self, key: str) -> dict[str, Any]:
        return self.storage.head(key)


__all__ = ["LazyS3"]
