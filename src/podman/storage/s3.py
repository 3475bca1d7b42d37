"""S3 storage backend (AWS, R2, SeaweedFS, MinIO…): streaming uploads, listings, botocore errors."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podman.core.config import StorageConfig
from podman.core.errors import StorageError
from podman.core.urls import redact
from podman.storage import MEDIA_CACHE_CONTROL, Progress, StoredObject

_HEX_MD5 = re.compile(r"[0-9a-f]{32}")
DIRECT_PUT_LIMIT = 8 * 1024 * 1024  # below this: one PUT from memory; above, streamed from disk

# Sized for a person waiting at a terminal: a frozen or black-holed server costs at most
# REQUEST_BOUND seconds per request, never botocore's minutes (60 s reads, several attempts).
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20  # a reply to one request or part, not the whole transfer
ATTEMPTS = 2  # the first try and one retry (throttling and 5xx answers included)
REQUEST_BOUND = ATTEMPTS * (CONNECT_TIMEOUT + READ_TIMEOUT)

CREDENTIALS_HINT = (
    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or [storage] profile), "
    "or run where an instance role is available"
)


@dataclass(frozen=True)
class Upload:
    """One file for `S3Storage.put_many`: where it is, where it goes, and its headers."""

    src: Path
    key: str
    content_type: str
    sha256: str
    cache_control: str = MEDIA_CACHE_CONTROL


def _boto3_client(config: StorageConfig, error: Any) -> tuple[Any, Any]:
    """(session, client) for `config`, sized for a CLI: short timeouts, two attempts."""
    import boto3  # lazily: `podman list`, the local backend and plain PUTs never pay for it
    import botocore.config
    import botocore.exceptions

    profile = config.profile or None
    try:
        session = boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound as exc:
        source = ("[storage] profile" if profile else
                  "AWS_PROFILE" if os.environ.get("AWS_PROFILE") else "AWS_DEFAULT_PROFILE")
        name = getattr(exc, "kwargs", {}).get("profile") or profile or os.environ.get(
            "AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE", "")
        raise StorageError(
            f"AWS profile {name!r} not found",
            f"check {source} against ~/.aws/config (and AWS_CONFIG_FILE)",
        ) from exc
    options: dict[str, Any] = dict(
        region_name=config.region or None,
        s3={"addressing_style": config.addressing_style},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"total_max_attempts": ATTEMPTS, "mode": "standard"},
        max_pool_connections=max(10, config.max_concurrency * 2),
        # Checksums only where S3 requires them: S3-compatible servers differ in their
        # support of the newer default (CRC32 trailers); we verify size and keep sha256.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    try:
        client_config = botocore.config.Config(**options)
    except TypeError:  # botocore < 1.36 has no checksum options and sends none anyway
        del options["request_checksum_calculation"], options["response_checksum_validation"]
        client_config = botocore.config.Config(**options)
    try:
        client = session.client(
            "s3", endpoint_url=config.endpoint_url or None, config=client_config
        )
    except Exception as exc:  # half the credentials in the environment, a bad endpoint
        raise error(exc, "S3 client") from exc
    return session, client


class S3Storage:
    """Objects in one bucket under `[storage] prefix`; credentials only from the AWS chain."""

    # S3 website endpoints answer 301 for an object with WebsiteRedirectLocation metadata
    redirects = True

    def __init__(self, config: StorageConfig) -> None:
        from podman.storage.s3wire import WireS3

        self.config = config
        self.bucket = config.bucket
        self.prefix = config.prefix.strip("/")
        self._boto_lock = threading.Lock()
        self._session: Any = None
        self._client: Any = None
        # single PUTs go boto3-free when the case is plain (static credentials, explicit
        # endpoint or region); None, or `_wire_off` after an answer boto3 must handle: boto3
        self.wire = WireS3.open(config, connect_timeout=CONNECT_TIMEOUT,
                                read_timeout=READ_TIMEOUT, attempts=ATTEMPTS)
        self._wire_off = False
        if self.wire is None:
            self._connect()  # a missing profile or half the credentials fail here, at once

    @property
    def client(self) -> Any:
        """The boto3 S3 client, built on first use (boto3 imported then, not before)."""
        if self._client is None:
            self._connect()
        return self._client

    @property
    def session(self) -> Any:
        if self._session is None:
            self._connect()
        return self._session

    @property
    def boto3_started(self) -> bool:
        """True once boto3 was imported and a client built (for tests and the bench)."""
        return self._client is not None

    def _connect(self) -> None:
        with self._boto_lock:
            if self._client is None:
                self._session, self._client = _boto3_client(self.config, self._error)

    # -- keys ---------------------------------------------------------------------------
    def _full(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _short(self, full_key: str) -> str:
        return full_key[len(self.prefix) + 1:] if self.prefix else full_key

    @property
    def where(self) -> str:
        """The endpoint, for messages (never the credentials: userinfo is redacted)."""
        return redact(self.config.endpoint_url) if self.config.endpoint_url else "AWS S3"

    # -- checks -------------------------------------------------------------------------
    def verify(self) -> None:
        """HEAD the bucket: credentials, endpoint and bucket are right before anything changes."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            raise self._error(exc, f"bucket {self.bucket!r}") from exc

    def credentials_source(self) -> str | None:
        """Where the AWS chain found credentials (`env`, `shared-credentials-file`, `iam-role`…),
        or None; the credentials themselves are never returned, printed or logged."""
        try:
            creds = self.session.get_credentials()
        except Exception as exc:
            raise self._error(exc, "credentials") from exc
        return None if creds is None else str(getattr(creds, "method", "") or "found")

    # -- the Storage protocol -------------------------------------------------------------
    def put(self, src: Path, key: str, *, content_type: str, sha256: str,
            cache_control: str = MEDIA_CACHE_CONTROL, progress: Progress | None = None) -> None:
        """Stream `src` from disk (multipart and parallel above the threshold), then check size."""
        failures = self.put_many(
            [Upload(src, key, content_type, sha256, cache_control)], progress=progress
        )
        if failures:
            raise failures[key]

    def put_many(self, uploads: Sequence[Upload], *,
                 progress: Progress | None = None) -> dict[str, StorageError]:
        """Upload files concurrently through one transfer manager; failures by key ({} = all ok).

        Memory stays flat: parts are read from disk as they are sent. A failed or interrupted
        (Ctrl-C) multipart upload is aborted, so no invisible parts keep costing money.
        """
        cfg = self.config
        direct_limit = min(cfg.multipart_threshold, DIRECT_PUT_LIMIT)
        sizes: dict[str, int] = {}
        failures: dict[str, StorageError] = {}
        small, large = [], []
        for up in uploads:
            try:
                sizes[up.key] = up.src.stat().st_size
            except OSError as exc:
                failures[up.key] = StorageError(f"{up.src}: cannot read: {exc.strerror}")
                continue
            # one PUT below the threshold; from 8 MiB streamed from disk by the wire client
            # (boto3's managed transfer when that cannot be used)
            one_put = sizes[up.key] < direct_limit or (
                sizes[up.key] < cfg.multipart_threshold and self.wire is not None
                and not self._wire_off)
            (small if one_put else large).append(up)
        failures.update(self._put_small(small, progress))
        if not large:
            return failures
        from boto3.s3.transfer import ProgressCallbackInvoker, TransferConfig
        from s3transfer.manager import TransferManager

        transfer_config = TransferConfig(
            multipart_threshold=cfg.multipart_threshold,
            multipart_chunksize=cfg.multipart_chunksize,
            max_concurrency=cfg.max_concurrency,
            use_threads=True,
        )
        subscribers = [ProgressCallbackInvoker(progress)] if progress else None
        futures: dict[str, Any] = {}
        with TransferManager(self.client, transfer_config) as manager:
            for up in large:
                futures[up.key] = manager.upload(
                    str(up.src), self.bucket, self._full(up.key),
                    extra_args={"ContentType": up.content_type,
                                "CacheControl": up.cache_control,
                                "Metadata": {"sha256": up.sha256}},
                    subscribers=subscribers,
                )
            for key, future in futures.items():
                try:
                    future.result()
                except Exception as exc:  # noqa: BLE001 - translated, reported per file
                    failures[key] = self._error(exc, f"upload of {key}")
        for up in large:
            if up.key not in failures:
                try:
                    self._check_stored(up.key, sizes[up.key])
                except StorageError as exc:
                    failures[up.key] = exc
            if sizes.get(up.key, 0) >= cfg.multipart_threshold:
                self._abort_stale_uploads(up.key)
        return failures

    def _put_small(self, uploads: Sequence[Upload],
                   progress: Progress | None) -> dict[str, StorageError]:
        """Files below the multipart threshold: one PUT each (read into memory under 8 MiB,
        else streamed from disk), in parallel over kept-alive connections. Content-MD5 makes
        the server verify every byte, and its ETag answering that MD5 proves what it stored,
        so no HEAD follows."""
        from concurrent.futures import ThreadPoolExecutor

        def send(up: Upload) -> StorageError | None:
            try:
                size = up.src.stat().st_size
                if size < DIRECT_PUT_LIMIT:
                    raw = up.src.read_bytes()
                    data: bytes | Path = raw
                    size, md5 = len(raw), hashlib.md5(raw, usedforsecurity=False).hexdigest()
                else:  # hashed now, then streamed from disk by the wire client
                    data, md5 = up.src, file_md5(up.src)
            except OSError as exc:
                return StorageError(f"{up.src}: cannot read: {exc.strerror}")
            try:
                etag = self._put_object(data, up.key, content_type=up.content_type,
                                        cache_control=up.cache_control, md5=md5,
                                        sha256=up.sha256)
                if etag != md5:
                    self._check_stored(up.key, size)  # e.g. SSE-KMS: ask for the size
            except StorageError as exc:
                return exc
            if progress is not None:
                progress(size)
            return None

        if not uploads:
            return {}
        workers = max(1, min(self.config.max_concurrency, len(uploads)))
        if workers == 1:
            results = [send(up) for up in uploads]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(send, uploads))
        return {up.key: err for up, err in zip(uploads, results, strict=True) if err is not None}

    def put_bytes(self, data: bytes, key: str, *, content_type: str,
                  cache_control: str = MEDIA_CACHE_CONTROL, redirect: str = "",
                  md5: str = "") -> None:
        """One plain PUT with Content-MD5, so the listed ETag is the MD5 publish compares;
        `md5` (hex) when the caller knows it already; `redirect` sets WebsiteRedirectLocation
        (a 301 where the bucket is a website)."""
        if not _HEX_MD5.fullmatch(md5):  # none given, or not an MD5 (a cache is not trusted)
            md5 = ""
        self._put_object(data, key, content_type=content_type, cache_control=cache_control,
                         md5=md5 or hashlib.md5(data, usedforsecurity=False).hexdigest(),
                         sha256=hashlib.sha256(data).hexdigest(), redirect=redirect,
                         md5_of_data=not md5)

    def _put_object(self, data: bytes | Path, key: str, *, content_type: str,
                    cache_control: str, md5: str, sha256: str, redirect: str = "",
                    md5_of_data: bool = True) -> str:
        """One PUT: through the wire client when it may, else (or when it steps aside) through
        boto3; both send the same headers, so the stored objects are the same. The ETag.
        `md5_of_data` False: the MD5 came from elsewhere (publish's cache) and boto3 hashes
        `data` anew, so a file changed since it was hashed still goes (as its new self)."""
        action = f"upload of {key}"
        headers = {"content-type": content_type, "cache-control": cache_control,
                   "content-md5": base64.b64encode(bytes.fromhex(md5)).decode("ascii"),
                   "x-amz-meta-sha256": sha256}
        if redirect:
            headers["x-amz-website-redirect-location"] = redirect
        wire = self.wire
        if wire is not None and not self._wire_off and all(v.isascii() for v in headers.values()):
            from podman.storage.s3wire import StepAside, WireFailure

            try:
                return wire.put(self._full(key), data, headers)
            except WireFailure as exc:
                raise failure_error(exc.kind, action, where=self.where, code=exc.code,
                                    status=exc.status) from None
            except StepAside:
                self._wire_off = True  # boto3 answers this (and words any error) from now on
        extra = {"WebsiteRedirectLocation": redirect} if redirect else {}
        if not md5_of_data:
            assert isinstance(data, bytes)  # only put_bytes passes an MD5 from elsewhere
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        try:
            with contextlib.ExitStack() as stack:
                body = data if isinstance(data, bytes) else stack.enter_context(data.open("rb"))
                answer = self.client.put_object(
                    Bucket=self.bucket, Key=self._full(key), Body=body,
                    ContentType=content_type, CacheControl=cache_control,
                    ContentMD5=base64.b64encode(bytes.fromhex(md5)).decode("ascii"),
                    Metadata={"sha256": sha256}, **extra,
                )
        except Exception as exc:
            raise self._error(exc, action) from exc
        return str(answer.get("ETag", "")).strip('"')

    def stat(self, key: str) -> StoredObject | None:
        """HEAD one object: size and the sha256 we stored as metadata (None when absent)."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._full(key))
        except Exception as exc:
            if _status(exc) == 404:
                return None
            raise self._error(exc, f"stat of {key}") from exc
        return StoredObject(
            key=key, size=int(head["ContentLength"]),
            sha256=head.get("Metadata", {}).get("sha256"),
            etag=head.get("ETag", "").strip('"') or None,
        )

    def head(self, key: str) -> dict[str, Any]:
        """Raw HEAD response (Content-Type, Cache-Control…): for checks and tests."""
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._full(key))
        except Exception as exc:
            raise self._error(exc, f"HEAD of {key}") from exc

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._full(key))
        except Exception as exc:
            raise self._error(exc, f"delete of {key}") from exc

    def list(self, prefix: str = "") -> dict[str, StoredObject]:
        """One paginated listing (no HEAD per object): size and ETag, sha256 unknown."""
        out: dict[str, StoredObject] = {}
        paginator = self.client.get_paginator("list_objects_v2")
        base = self._full(prefix)
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base):
                for item in page.get("Contents", []):
                    key = self._short(item["Key"])
                    out[key] = StoredObject(key=key, size=int(item["Size"]),
                                            etag=item.get("ETag", "").strip('"') or None)
        except Exception as exc:
            raise self._error(exc, f"listing of {base or 'the bucket'}") from exc
        return out

    def open(self, key: str) -> Path | None:
        return None  # remote: readers go through public_url

    def get_file(self, key: str, dest: Path) -> None:
        """Download one object to a local file (log objects for `podman stats pull`)."""
        try:
            self.client.download_file(self.bucket, self._full(key), str(dest))
        except Exception as exc:
            raise self._error(exc, f"download of {key}") from exc

    # -- helpers --------------------------------------------------------------------------
    def _check_stored(self, key: str, size: int) -> None:
        """The server must hold exactly the bytes we sent; otherwise remove what it has."""
        stored = self.stat(key)
        if stored is None:
            raise StorageError(f"upload of {key}: object missing after upload",
                               f"check that {self.where} really stores objects")
        if stored.size != size:
            self.delete(key)
            raise StorageError(
                f"upload of {key}: stored size {stored.size} differs from {size} bytes; deleted",
                "retry the upload; the file may have changed while it was being sent",
            )

    def _abort_stale_uploads(self, key: str) -> None:
        """Best effort: abort multipart uploads of `key` left by an earlier interrupted run."""
        try:
            found = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=self._full(key))
            for item in found.get("Uploads", []):
                if item["Key"] == self._full(key):
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=item["Key"], UploadId=item["UploadId"])
        except Exception:  # noqa: BLE001, S110 - cleanup must never mask the real outcome
            pass

    def _error(self, exc: BaseException, action: str) -> StorageError:
        """Translate a botocore/s3transfer exception into one line with a hint."""
        return translate_error(exc, action, bucket=self.bucket, where=self.where)


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return None


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def failure_error(kind: str, action: str, *, where: str, code: str = "",
                  status: int | None = None) -> StorageError:
    """The one wording of a transport failure (`kind` connect, timeout or lost) or of a server
    answer (`status`), for boto3's exceptions and the wire client's failures alike."""
    if kind == "connect":
        return StorageError(
            f"{action}: cannot connect to {where}",
            "check [storage] endpoint_url (and region) and that the server is up",
        )
    if kind == "timeout":
        return StorageError(
            f"{action}: no answer from {where} ({ATTEMPTS} attempts of {READ_TIMEOUT} s, "
            f"at most {REQUEST_BOUND} s in all)",
            "the server accepts connections but does not reply: check that it is not hung",
        )
    if kind == "lost":
        return StorageError(
            f"{action}: connection to {where} lost",
            "the server went away mid-transfer; run the command again (nothing half-stored)",
        )
    return StorageError(f"{action}: {where} answered {code or status}",
                        "see the server's logs or run `podman doctor`")


def translate_error(exc: BaseException, action: str, *, bucket: str, where: str) -> StorageError:
    """botocore → StorageError: credentials, bucket, endpoint, permission, lost connection."""
    from botocore import exceptions as bx

    if isinstance(exc, StorageError):
        return exc
    # s3transfer and boto3 wrap the real cause; look through the chain for it.
    seen = exc
    while not isinstance(seen, (bx.BotoCoreError, bx.ClientError)) and seen.__context__:
        seen = seen.__context__
    exc = seen
    if isinstance(exc, bx.PartialCredentialsError):
        return StorageError(f"{action}: incomplete AWS credentials ({exc})",
                            "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither "
                            "and use AWS_PROFILE")
    if isinstance(exc, bx.NoCredentialsError):
        return StorageError(f"{action}: no AWS credentials found", CREDENTIALS_HINT)
    if isinstance(exc, bx.ProfileNotFound):
        return StorageError(f"{action}: {exc}", "check AWS_PROFILE or [storage] profile")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        return failure_error("connect", action, where=where)
    if isinstance(exc, bx.ReadTimeoutError):
        return failure_error("timeout", action, where=where)
    if isinstance(exc, (bx.ConnectionClosedError, bx.ConnectionError)):
        return failure_error("lost", action, where=where)
    if isinstance(exc, bx.ClientError):
        code, status = _code(exc), _status(exc)
        if code == "NoSuchBucket" or (status == 404 and "bucket" in action):
            return StorageError(f"{action}: bucket {bucket!r} does not exist on {where}",
                                "check [storage] bucket (and endpoint_url, region)")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
                    "InvalidToken"):
            return StorageError(f"{action}: credentials rejected by {where} ({code})",
                                CREDENTIALS_HINT)
        if code == "AccessDenied" or status == 403:
            # a HEAD answer has no body: a bad secret and a missing permission look the same
            why = " (credentials rejected or not allowed)" if code == "403" else ""
            return StorageError(
                f"{action}: access denied on bucket {bucket!r}{why}",
                "check the credentials; they need s3:ListBucket, s3:GetObject, s3:PutObject "
                "and s3:DeleteObject on this bucket and prefix",
            )
        return failure_error("status", action, where=where, code=code, status=status)
    if isinstance(exc, bx.BotoCoreError):
        return StorageError(f"{action}: {exc}")
    if isinstance(exc, OSError):
        return StorageError(f"{action}: {exc.strerror or exc}")
    return StorageError(f"{action}: {type(exc).__name__}: {exc}")


def file_md5(path: Path, chunk: int = 1024 * 1024) -> str:
    """Hex MD5 of a file: what a plain PUT's ETag is, for comparing with a listing."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


__all__ = ["S3Storage", "Upload", "translate_error", "file_md5", "CREDENTIALS_HINT"]
