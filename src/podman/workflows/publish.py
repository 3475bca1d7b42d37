"""Uploads the changed files of public/ (feeds last) to S3 or a static-host folder; `doctor`."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from podman.core.config import WorkspaceConfig
from podman.core.content_types import (  # noqa: F401  (re-exported: the publish API names them)
    FEED_CACHE_CONTROL,
    FEED_CONTENT_TYPE,
    MEDIA_CACHE_CONTROL,
    SHORT_CACHE_CONTROL,
    cache_control_for,
    content_type_for,
    is_feed,
)
from podman.core.errors import BadInput, ConfigError, PodmanError, StorageError
from podman.core.fsio import sweep_leftovers
from podman.storage import StoredObject


@dataclass(frozen=True)
class PublishItem:
    path: Path
    key: str
    size: int
    md5: str
    content_type: str
    cache_control: str

    @property
    def feed(self) -> bool:
        return is_feed(self.key)


@dataclass(frozen=True)
class PublishPlan:
    target: str  # `s3://bucket/prefix` or the folder
    upload: tuple[PublishItem, ...]  # in upload order: everything else first, feeds last
    unchanged: tuple[str, ...]
    remote_only: tuple[str, ...]  # on the target but not in public/: reported, never deleted


@dataclass(frozen=True)
class PublishResult:
    plan: PublishPlan
    uploaded: tuple[str, ...]
    dry_run: bool


class Target(Protocol):
    """Where public/ goes: one listing to compare with, and a put for small files."""

    def list(self, prefix: str = "") -> dict[str, StoredObject]: ...

    def put_bytes(self, data: bytes, key: str, *, content_type: str,
                  cache_control: str = ..., redirect: str = ..., md5: str = ...) -> None: ...


class FolderTarget:
    """A static host's folder: files are replaced atomically (temp file + rename)."""

    redirects = False  # a folder cannot answer 301; the web server in front of it can

    def __init__(self, root: Path) -> None:
        self.root = root

    def list(self, prefix: str = "") -> dict[str, StoredObject]:
        out: dict[str, StoredObject] = {}
        if self.root.is_dir():
            for path in self.root.rglob("*"):
                if path.is_file() and not path.name.startswith("."):  # skip temp files
                    key = path.relative_to(self.root).as_posix()
                    if key.startswith(prefix):
                        out[key] = StoredObject(key, path.stat().st_size, etag=_md5(path))
        return out

    def put_bytes(self, data: bytes, key: str, *, content_type: str,
                  cache_control: str = "", redirect: str = "", md5: str = "") -> None:
        from podman.core.fsio import atomic_write

        atomic_write(self.root / key, data, durable=False)  # StorageError names the file


def _md5(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


CHECKSUMS = "publish-md5.json"


class Checksums:
    """MD5s of public/ files cached by (path, size, mtime, inode) in .podman/cache/, so a
    publish in which nothing changed reads no file; racy (just-written) files are re-read."""

    def __init__(self, root: Path) -> None:
        from podman.core import cachefile

        self._cf = cachefile
        self.path = cachefile.cache_path(root, CHECKSUMS)
        self.stamp = cachefile.stamp("md5")
        self.old = cachefile.load(self.path, self.stamp)
        self.new: dict[str, list] = {}

    def md5(self, path: str | Path, key: str, st) -> str:
        ident = self._cf.file_key(st)
        known = self.old.get(key)
        if (isinstance(known, list) and len(known) == 2 and known[0] == ident
                and isinstance(known[1], str)):
            digest = known[1]
        else:
            digest = _md5(path)
        if self._cf.settled(st):
            self.new[key] = [ident, digest]
        return digest

    def save(self) -> None:
        if self.new != self.old:
            self._cf.save(self.path, self.stamp, self.new)


def _local_files(public: Path) -> list[tuple[str, str, os.stat_result]]:
    """Every published file (path, key, stat), from one walk (hidden names skipped)."""
    found: list[tuple[str, str, os.stat_result]] = []

    def walk(folder: str, rel: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{rel}{entry.name}/")
                elif entry.is_file(follow_symlinks=True):
                    found.append((entry.path, f"{rel}{entry.name}", entry.stat()))

    walk(str(public), "")
    found.sort(key=lambda row: row[1])
    return found


def open_target(ws: WorkspaceConfig) -> tuple[Target, str]:
    """S3: the media bucket under `[publish] prefix`; local: the `[publish] target` folder."""
    if ws.storage.backend == "s3":
        from podman.storage.s3target import LazyS3  # boto3 only when it must answer

        prefix = ws.publish.prefix.strip("/")
        return LazyS3(replace(ws.storage, prefix=prefix)), f"s3://{ws.storage.bucket}/{prefix}"
    if ws.publish.target is None:
        raise ConfigError(
            "publish: no target folder for the local backend",
            "set [publish] target = \"DIR\" in podman.toml (the folder your static host serves), "
            "or use the s3 backend",
        )
    return FolderTarget(ws.publish.target), str(ws.publish.target)


def _list_and_walk(target: Target, public: Path, root: Path
                   ) -> tuple[dict[str, StoredObject], list, Checksums]:
    """The target's listing, fetched while public/ is walked and the checksum cache read
    (the listing mostly waits for the server: the two overlap)."""
    listed: list[dict[str, StoredObject]] = []
    failed: list[BaseException] = []

    def fetch() -> None:
        try:
            listed.append(target.list())
        except BaseException as exc:  # noqa: BLE001 - raised again below, in this thread
            failed.append(exc)

    worker = threading.Thread(target=fetch, name="podman-list", daemon=True)
    worker.start()
    try:
        files, sums = _local_files(public), Checksums(root)
    finally:
        worker.join()
    if failed:
        raise failed[0]
    return listed[0], files, sums


def plan_publish(ws: WorkspaceConfig, *, storage: Target | None = None) -> PublishPlan:
    """Compare public/ with ONE listing of the target (size + MD5 ETag); nothing is sent."""
    public = ws.public_dir
    if not public.is_dir():
        raise BadInput(f"{public}: nothing to publish", "run `podman build` first")
    target, where = (storage, "storage") if storage is not None else open_target(ws)
    remote, local_files, sums = _list_and_walk(target, public, ws.root)
    upload: list[PublishItem] = []
    unchanged: list[str] = []
    for path, key, st in local_files:
        size, md5 = st.st_size, sums.md5(path, key, st)
        known = remote.get(key)
        if known is not None and known.size == size and known.etag == md5:
            unchanged.append(key)
        else:
            upload.append(PublishItem(Path(path), key, size, md5, content_type_for(key),
                                      cache_control_for(key)))
    sums.save()
    local = {item.key for item in upload} | set(unchanged)
    upload.sort(key=lambda item: (item.feed, item.key))
    return PublishPlan(
        target=where, upload=tuple(upload), unchanged=tuple(unchanged),
        remote_only=tuple(sorted(k for k in remote if k not in local)),
    )


def publish(ws: WorkspaceConfig, *, dry_run: bool = False, storage: Target | None = None,
            progress: Callable[[PublishItem], None] | None = None,
            planned: Callable[[PublishPlan], None] | None = None) -> PublishResult:
    """Upload what changed in public/, in parallel, feeds last; `dry_run` only plans.

    Publishing never deletes remote files: old pages and media stay reachable for
    listeners and caches (`plan.remote_only` lists them). If anything but a feed fails,
    no feed is uploaded, so a feed never points at a file that is not there.
    """
    target = storage if storage is not None else open_target(ws)[0]
    if isinstance(target, FolderTarget) and not dry_run:
        sweep_leftovers(target.root)  # temp files of a publish that was killed
    plan = plan_publish(ws, storage=target)
    if planned is not None:
        planned(plan)  # the plan is shown before anything is sent
    if dry_run or not plan.upload:
        return PublishResult(plan=plan, uploaded=(), dry_run=dry_run)
    workers = max(1, ws.storage.max_concurrency)
    uploaded: list[str] = []
    for batch in ([i for i in plan.upload if not i.feed], [i for i in plan.upload if i.feed]):
        uploaded += _upload_batch(target, batch, workers, progress)
    return PublishResult(plan=plan, uploaded=tuple(uploaded), dry_run=False)


def _upload_batch(target: Target, items: list[PublishItem], workers: int,
                  progress: Callable[[PublishItem], None] | None) -> list[str]:
    def send(item: PublishItem) -> str:
        # the MD5 planning cached becomes Content-MD5 (no second hash); should the file have
        # changed since, the server refuses the PUT and boto3 sends it with a fresh one
        target.put_bytes(item.path.read_bytes(), item.key, content_type=item.content_type,
                         cache_control=item.cache_control, md5=item.md5)
        if progress:
            progress(item)
        return item.key

    from concurrent.futures import ThreadPoolExecutor

    done: list[str] = []
    errors: list[PodmanError] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(send, item) for item in items]:
            try:
                done.append(future.result())
            except PodmanError as exc:
                errors.append(exc)
            except OSError as exc:
                errors.append(StorageError(f"{exc.filename}: cannot read: {exc.strerror}"))
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise StorageError(f"publish: {errors[0].message}{more}",
                           errors[0].hint or "fix the cause and publish again; "
                           "files already sent are not sent twice")
    return done


# -- doctor ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    hint: str = ""


def doctor(ws: WorkspaceConfig, *, timeout: float = 10.0) -> list[CheckResult]:
    """Check storage end to end: credentials, bucket, a probe upload, and what listeners get.

    Stops at the first failing step (later steps would only repeat its error).
    """
    if ws.storage.backend != "s3":
        return _doctor_local(ws)
    from podman.storage.s3 import S3Storage

    results: list[CheckResult] = []
    try:
        storage = S3Storage(ws.storage)
    except PodmanError as exc:
        return [CheckResult("credentials", False, exc.message, exc.hint or "")]
    creds = storage.credentials_source()
    if creds is None:
        from podman.storage.s3 import CREDENTIALS_HINT

        return [CheckResult("credentials", False, "no AWS credentials found", CREDENTIALS_HINT)]
    results.append(CheckResult("credentials", True, f"found ({creds})"))
    import uuid

    key = f".podman-doctor/{uuid.uuid4()}.txt"
    body, ctype = b"podman doctor probe\n", "text/plain; charset=utf-8"
    url = ws.media_url(key)

    def bucket() -> str:
        storage.verify()
        return f"bucket {ws.storage.bucket!r} reachable at {storage.where}"

    def upload() -> str:
        storage.put_bytes(body, key, content_type=ctype, cache_control="no-store")
        return f"wrote {key}"

    def head() -> str:
        status, headers = _http(url, "HEAD", {}, timeout)
        _expect(status == 200, f"HEAD {url} answered {status}, not 200")
        _expect(headers.get("Content-Length") == str(len(body)),
                f"HEAD {url}: Content-Length {headers.get('Content-Length')}, not {len(body)}")
        _expect(headers.get("Content-Type", "") == ctype,
                f"HEAD {url}: Content-Type {headers.get('Content-Type')!r}, not {ctype!r}")
        return f"HEAD {url} → 200"

    def ranged() -> str:
        status, headers = _http(url, "GET", {"Range": "bytes=0-1"}, timeout)
        _expect(status == 206, f"GET {url} with Range: bytes=0-1 answered {status}, not 206")
        _expect(headers.get("Content-Length") == "2",
                f"Range GET {url}: Content-Length {headers.get('Content-Length')}, not 2")
        return "Range: bytes=0-1 → 206, 2 bytes"

    steps: list[tuple[str, Callable[[], str]]] = [
        ("bucket", bucket), ("upload", upload), ("public HEAD", head), ("public Range", ranged),
    ]
    try:
        for name, step in steps:
            try:
                results.append(CheckResult(name, True, step()))
            except PodmanError as exc:
                hint = exc.hint or ("check [storage] public_url: it must serve the bucket "
                                    "(prefix included) to anonymous readers")
                results.append(CheckResult(name, False, exc.message, hint))
                break
    finally:
        if any(r.name == "upload" and r.ok for r in results):
            try:
                storage.delete(key)
                results.append(CheckResult("cleanup", True, f"deleted {key}"))
            except StorageError as exc:
                results.append(CheckResult("cleanup", False, exc.message, exc.hint or ""))
    return results


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise PodmanError(message)


def _http(url: str, method: str, headers: dict[str, str],
          timeout: float) -> tuple[int, dict[str, str]]:
    import http.client
    import urllib.error
    import urllib.request

    from podman.core.netfetch import bounded_open

    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with bounded_open(request, timeout) as resp:  # the whole exchange within `timeout`
            return resp.status, dict(resp.headers.items())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items())
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PodmanError(f"{method} {url}: {reason}",
                          "check [storage] public_url and that the host is up") from exc


def _doctor_local(ws: WorkspaceConfig) -> list[CheckResult]:
    import uuid

    root = ws.storage.path
    results = []
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".podman-doctor-{uuid.uuid4()}"
        probe.write_bytes(b"ok")
        probe.unlink()
        results.append(CheckResult("storage folder", True, f"{root} is writable"))
    except OSError as exc:
        results.append(CheckResult("storage folder", False, f"{root}: {exc.strerror}",
                                   "check [storage] path and its permissions"))
    target = ws.publish.target
    if target is None:
        results.append(CheckResult("publish target", False, "no [publish] target set",
                                   "set [publish] target to the folder your static host serves"))
    else:
        results.append(CheckResult("publish target", True, f"public/ is copied to {target}"))
    return results
