"""S3Storage against a real SeaweedFS: headers, multipart, idempotency, errors, memory."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from podman.core.errors import StorageError
from podman.storage import MEDIA_CACHE_CONTROL, open_storage
from podman.storage.s3 import S3Storage, Upload
from tests.fixtures.s3 import MiB, isolate_aws_env, own_server, record_puts, s3_config_for
from tests.fixtures.s3_server import READER_KEY, READER_SECRET, SeaweedS3, free_port

ROOT = Path(__file__).resolve().parents[2]


def make_file(path: Path, size: int) -> tuple[Path, str]:
    data = os.urandom(size)
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def count_calls(storage: S3Storage, operation: str) -> list[str]:
    """Record each real request of one kind via botocore's event hooks (nothing is faked)."""
    calls: list[str] = []
    storage.client.meta.events.register(
        f"before-parameter-build.s3.{operation}",
        lambda **kw: calls.append(kw["params"].get("Key", "")),
    )
    return calls


def test_importing_the_module_does_not_import_boto3() -> None:
    code = "import sys, podman.storage.s3; assert 'boto3' not in sys.modules, 'boto3 imported'"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_small_put_sets_headers_and_sha256(s3_config, tmp_path: Path) -> None:
    storage = open_storage(s3_config)
    assert isinstance(storage, S3Storage)
    src, sha = make_file(tmp_path / "ep.mp3", 300_000)
    seen: list[int] = []
    storage.put(src, "daily/ep-1.mp3", content_type="audio/mpeg", sha256=sha, progress=seen.append)
    head = storage.head("daily/ep-1.mp3")
    assert head["ContentType"] == "audio/mpeg"
    assert head["CacheControl"] == MEDIA_CACHE_CONTROL
    assert head["Metadata"]["sha256"] == sha
    assert head["ContentLength"] == 300_000
    assert sum(seen) == 300_000
    # the prefix is applied: the raw key in the bucket starts with it
    raw = storage.client.head_object(Bucket=s3_config.bucket,
                                     Key=f"{s3_config.prefix}/daily/ep-1.mp3")
    assert raw["ContentLength"] == 300_000


def test_multipart_put_streams_parts_and_records_sha256(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(s3_config)
    src, sha = make_file(tmp_path / "long.mp3", 12 * MiB + 123)
    parts = count_calls(storage, "UploadPart")
    seen: list[int] = []
    storage.put(src, "long.mp3", content_type="audio/mpeg", sha256=sha, progress=seen.append,
                cache_control="public, max-age=60")
    assert len(parts) == 3  # 5 + 5 + 2 MiB
    head = storage.head("long.mp3")
    assert head["ContentType"] == "audio/mpeg"
    assert head["CacheControl"] == "public, max-age=60"
    assert head["Metadata"]["sha256"] == sha
    assert head["ETag"].strip('"').endswith("-3")
    assert sum(seen) == src.stat().st_size
    listed = storage.client.list_multipart_uploads(Bucket=s3_config.bucket)
    assert not [u for u in listed.get("Uploads", []) if u["Key"].endswith("long.mp3")]


def test_stat_tells_ingest_it_can_skip_a_reupload(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(s3_config)
    assert storage.stat("a.mp3") is None
    src, sha = make_file(tmp_path / "a.mp3", 4096)
    storage.put(src, "a.mp3", content_type="audio/mpeg", sha256=sha)
    stored = storage.stat("a.mp3")
    assert stored is not None
    assert (stored.key, stored.size, stored.sha256) == ("a.mp3", 4096, sha)


def test_list_is_one_listing_without_heads(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(s3_config)
    uploads = []
    for i in range(5):
        src, sha = make_file(tmp_path / f"f{i}.mp3", 1000 + i)
        uploads.append(Upload(src, f"show/f{i}.mp3", "audio/mpeg", sha))
    assert storage.put_many(uploads) == {}
    listings, heads = count_calls(storage, "ListObjectsV2"), count_calls(storage, "HeadObject")
    found = storage.list()
    assert sorted(found) == [f"show/f{i}.mp3" for i in range(5)]
    assert [found[f"show/f{i}.mp3"].size for i in range(5)] == [1000 + i for i in range(5)]
    assert all(obj.etag for obj in found.values())
    assert len(listings) == 1 and heads == []
    assert sorted(storage.list("show/f1")) == ["show/f1.mp3"]


def test_put_many_reports_failures_per_file(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(s3_config)
    good, sha = make_file(tmp_path / "good.mp3", 2048)
    failures = storage.put_many([
        Upload(good, "good.mp3", "audio/mpeg", sha),
        Upload(tmp_path / "missing.mp3", "missing.mp3", "audio/mpeg", "0" * 64),
    ])
    assert list(failures) == ["missing.mp3"]
    assert "cannot read" in failures["missing.mp3"].message
    assert storage.stat("good.mp3") is not None


def test_listener_gets_byte_ranges_through_public_url(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(s3_config)
    src, sha = make_file(tmp_path / "ep.mp3", 10_000)
    storage.put(src, "ep.mp3", content_type="audio/mpeg", sha256=sha)
    url = f"{s3_config.public_url}/ep.mp3"
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD")) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Length"] == "10000"
    req = urllib.request.Request(url, headers={"Range": "bytes=0-1"})
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 206
        assert resp.headers["Content-Length"] == "2"
        assert resp.headers["Content-Type"] == "audio/mpeg"
        assert resp.read() == src.read_bytes()[:2]


def test_size_mismatch_after_upload_deletes_the_object(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(s3_config)
    src, sha = make_file(tmp_path / "a.mp3", 100)
    storage.put(src, "a.mp3", content_type="audio/mpeg", sha256=sha)
    with pytest.raises(StorageError, match="differs"):
        storage._check_stored("a.mp3", 101)
    assert storage.stat("a.mp3") is None


# -- failures a user meets --------------------------------------------------------------------

def test_missing_credentials(s3_server: SeaweedS3, monkeypatch, tmp_path: Path) -> None:
    isolate_aws_env(monkeypatch, tmp_path)
    storage = S3Storage(s3_config_for(s3_server))
    with pytest.raises(StorageError) as err:
        storage.verify()
    assert "no AWS credentials found" in err.value.message
    assert "AWS_ACCESS_KEY_ID" in err.value.hint and "AWS_PROFILE" in err.value.hint


def test_wrong_secret_is_rejected_and_never_shown(s3_env: SeaweedS3, monkeypatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-123")
    with pytest.raises(StorageError) as err:
        S3Storage(s3_config_for(s3_env)).verify()
    assert "credentials rejected" in err.value.message  # HEAD: "… or not allowed"
    src = Path(__file__)
    with pytest.raises(StorageError, match=r"credentials rejected by .* \(SignatureDoesNotMatch\)"):
        S3Storage(s3_config_for(s3_env)).put(src, "x.py", content_type="text/plain",
                                             sha256="0" * 64)
    assert "not-the-secret-123" not in f"{err.value.message} {err.value.hint}"


def test_unknown_profile(s3_env: SeaweedS3) -> None:
    with pytest.raises(StorageError, match="profile 'nope' not found"):
        S3Storage(s3_config_for(s3_env, profile="nope"))


def test_wrong_bucket(s3_env: SeaweedS3, tmp_path: Path) -> None:
    storage = S3Storage(s3_config_for(s3_env, bucket="no-such-bucket"))
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
        storage.verify()
    src, sha = make_file(tmp_path / "a.mp3", 10)
    with pytest.raises(StorageError, match="does not exist"):
        storage.put(src, "a.mp3", content_type="audio/mpeg", sha256=sha)


def test_wrong_endpoint_fails_fast(s3_env: SeaweedS3) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    storage = S3Storage(s3_config_for(s3_env, endpoint_url=endpoint))
    started = time.monotonic()
    with pytest.raises(StorageError) as err:
        storage.verify()
    assert time.monotonic() - started < 15
    assert f"cannot connect to {endpoint}" in err.value.message
    assert "endpoint_url" in err.value.hint


def test_write_denied(s3_env: SeaweedS3, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", READER_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", READER_SECRET)
    storage = S3Storage(s3_config_for(s3_env))
    storage.verify()  # reading is allowed
    src, sha = make_file(tmp_path / "a.mp3", 10)
    with pytest.raises(StorageError) as err:
        storage.put(src, "denied.mp3", content_type="audio/mpeg", sha256=sha)
    assert "access denied" in err.value.message
    assert "s3:PutObject" in err.value.hint


def test_ctrl_c_aborts_the_multipart_upload(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(replace(s3_config, max_concurrency=1))
    src, sha = make_file(tmp_path / "big.mp3", 30 * MiB)
    sent = [0]
    main = threading.main_thread().ident
    assert main is not None

    def interrupt_after_first_part(n: int) -> None:
        sent[0] += n
        if sent[0] >= 5 * MiB and sent[0] - n < 5 * MiB:
            signal.pthread_kill(main, signal.SIGINT)  # a real Ctrl-C, delivered to main

    with pytest.raises(KeyboardInterrupt):
        storage.put(src, "big.mp3", content_type="audio/mpeg", sha256=sha,
                    progress=interrupt_after_first_part)
    assert storage.stat("big.mp3") is None
    uploads = storage.client.list_multipart_uploads(Bucket=s3_config.bucket).get("Uploads", [])
    assert not [u for u in uploads if u["Key"] == f"{s3_config.prefix}/big.mp3"]


def test_server_going_away_mid_upload_then_retry(tmp_path: Path, monkeypatch) -> None:
    """A dedicated server is killed after the first part; after a restart the retry works."""
    with own_server(tmp_path / "dying", monkeypatch) as server:
        config = s3_config_for(server, max_concurrency=1)
        src, sha = make_file(tmp_path / "big.mp3", 20 * MiB)
        sent = [0]

        def kill_after_first_part(n: int) -> None:
            sent[0] += n
            if sent[0] >= 5 * MiB and server.proc is not None:
                server.kill()

        with pytest.raises(StorageError) as err:
            S3Storage(config).put(src, "big.mp3", content_type="audio/mpeg", sha256=sha,
                                  progress=kill_after_first_part)
        assert "upload of big.mp3" in err.value.message
        assert err.value.hint
        server.start()  # same data dir and ports
        storage = S3Storage(config)
        assert storage.stat("big.mp3") is None
        storage.put(src, "big.mp3", content_type="audio/mpeg", sha256=sha)
        stored = storage.stat("big.mp3")
        assert stored is not None and (stored.size, stored.sha256) == (20 * MiB, sha)
        left = storage.client.list_multipart_uploads(Bucket=server.bucket).get("Uploads", [])
        assert left == []


MEMORY_SCRIPT = """
import json, resource, sys
from pathlib import Path
from podman.core.config import StorageConfig
from podman.storage.s3 import S3Storage
cfg = StorageConfig(**json.loads(sys.argv[1]))
storage = S3Storage(cfg)
storage.verify()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
storage.put(Path(sys.argv[2]), "large.bin", content_type="audio/mpeg", sha256="0" * 64)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kib": before, "after_kib": after}))
"""


def test_memory_stays_flat_for_a_large_upload(s3_config, tmp_path: Path) -> None:
    size = 300 * MiB
    big = tmp_path / "large.bin"
    with big.open("wb") as fh:  # real bytes, written in blocks, not held in memory
        block = os.urandom(MiB)
        for _ in range(size // MiB):
            fh.write(block)
    fields = {k: v for k, v in vars(s3_config).items() if k != "path"}
    fields.update(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB, max_concurrency=8)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, json.dumps(fields), str(big)],
                         check=True, env=env, capture_output=True, text=True).stdout
    rss = json.loads(out)
    growth_mib = (rss["after_kib"] - rss["before_kib"]) / 1024
    assert growth_mib < 100, f"peak RSS grew by {growth_mib:.0f} MiB for a 300 MiB upload"
    assert S3Storage(s3_config).stat("large.bin").size == size


def test_small_files_go_in_parallel_without_a_head_each(s3_config, tmp_path: Path) -> None:
    storage = S3Storage(s3_config)
    files = [make_file(tmp_path / f"s{i}.mp3", 1000 + i) for i in range(6)]
    heads, puts = count_calls(storage, "HeadObject"), record_puts(storage)
    seen: list[int] = []
    failures = storage.put_many([Upload(p, p.name, "audio/mpeg", sha) for p, sha in files],
                                progress=seen.append)
    assert failures == {} and heads == [] and len(puts) == 6
    assert sorted(seen) == [1000 + i for i in range(6)]
    for path, sha in files:
        stored = storage.stat(path.name)
        assert stored is not None and (stored.size, stored.sha256) == (path.stat().st_size, sha)
        assert stored.etag == hashlib.md5(path.read_bytes()).hexdigest()


# -- issue 9: a frozen server, a ghost profile, half the credentials ------------------------------

def test_client_timeouts_and_retries_are_sized_for_a_cli(s3_config) -> None:
    """Finding 8: botocore's defaults (60 s reads, several attempts) kept a CLI waiting
    minutes; every request is now bounded, and the bound is what the message states."""
    from podman.storage import s3

    config = S3Storage(s3_config).client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (s3.CONNECT_TIMEOUT, s3.READ_TIMEOUT)
    assert config.retries["total_max_attempts"] == s3.ATTEMPTS
    assert s3.ATTEMPTS * (s3.CONNECT_TIMEOUT + s3.READ_TIMEOUT) == s3.REQUEST_BOUND <= 60


def test_frozen_server_fails_within_the_stated_bound(tmp_path: Path, monkeypatch) -> None:
    """A dedicated SeaweedFS stopped with SIGSTOP (the shared one is never frozen): the TCP
    handshake still succeeds (the kernel answers) but nothing ever replies. `doctor` gives up
    after the bounded attempts and says how long it waited. The read timeout is shortened for
    the test; the arithmetic in the message is the module's own."""
    from podman.storage import s3
    from tests.fixtures.cli import run

    monkeypatch.setattr(s3, "READ_TIMEOUT", 2)
    monkeypatch.setattr(s3, "REQUEST_BOUND", s3.ATTEMPTS * (s3.CONNECT_TIMEOUT + 2))
    with own_server(tmp_path / "frozen", monkeypatch) as server:
        root = tmp_path / "ws"
        assert run("init", root, "--show", "news", "--title", "News", "--author", "Desk",
                   "--email", "desk@example.com", "--category", "News").exit_code == 0
        (root / "podman.toml").write_text(
            f'[storage]\nbackend = "s3"\nbucket = "{server.bucket}"\n'
            f'endpoint_url = "{server.endpoint}"\nregion = "us-east-1"\n'
            f'addressing_style = "path"\npublic_url = "{server.public_url}"\n')
        assert server.proc is not None
        os.killpg(server.proc.pid, signal.SIGSTOP)
        try:
            result = run("-C", root, "doctor")
        finally:
            os.killpg(server.proc.pid, signal.SIGCONT)
        assert result.exit_code == 1, result.output
        assert "internal error" not in result.stderr
        assert f"no answer from {server.endpoint}" in result.stdout
        assert f"{s3.ATTEMPTS} attempts" in result.stdout
        assert f"{s3.REQUEST_BOUND} s" in result.stdout


def test_missing_profile_from_the_environment_is_named(s3_env: SeaweedS3, monkeypatch) -> None:
    """Finding 15: AWS_PROFILE=ghost said "AWS profile '' not found"."""
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    with pytest.raises(StorageError, match="AWS profile 'ghost' not found") as err:
        S3Storage(s3_config_for(s3_env))
    assert "AWS_PROFILE" in err.value.hint


def test_half_the_credentials(s3_env: SeaweedS3, monkeypatch) -> None:
    """Finding 12: an access key without a secret raised PartialCredentialsError."""
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(StorageError) as err:
        S3Storage(s3_config_for(s3_env)).verify()
    assert "incomplete AWS credentials" in err.value.message
    assert "AWS_SECRET_ACCESS_KEY" in err.value.hint
