"""Local-folder storage backend: objects are files under `[storage] path`."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from podman.core.config import StorageConfig
from podman.core.errors import StorageError
from podman.core.fsio import locked_temp
from podman.storage import Progress, StoredObject

CHUNK = 1024 * 1024


class LocalStorage:
    def __init__(self, config: StorageConfig) -> None:
        self.root = config.path

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise StorageError(f"{key}: key escapes the storage folder")
        return path

    def put(self, src: Path, key: str, *, content_type: str, sha256: str,
            cache_control: str = "", progress: Progress | None = None) -> None:
        """Copy to a temp file beside the target, then rename: never a half-written object."""
        dest = self._path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            # flocked while we live: a killed copy's .part is removed by the next sweep
            fd, tmp = locked_temp(dest.parent, ".upload-", ".part")
            try:
                digest = hashlib.sha256()
                with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
                    while chunk := inp.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        if progress:
                            progress(len(chunk))
                    out.flush()
                    os.fsync(out.fileno())
                    os.chmod(tmp, 0o644)  # mkstemp makes 0600; a web server must read media
                    if digest.hexdigest() != sha256:
                        raise StorageError(f"{src}: changed while being copied (sha256 mismatch)")
                    os.replace(tmp, dest)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"{dest}: cannot write to local storage: {exc.strerror}") from exc

    def stat(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            return StoredObject(key=key, size=path.stat().st_size)
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"{key}: cannot delete from local storage: {exc.strerror}") from exc

    def list(self, prefix: str = "") -> dict[str, StoredObject]:
        out: dict[str, StoredObject] = {}
        if not self.root.is_dir():
            return out
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith(".upload-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    out[key] = StoredObject(key=key, size=path.stat().st_size)
        return out

    def open(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None
