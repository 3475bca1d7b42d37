"""`podman stats pull`: new log objects from the [stats] bucket/prefix on a real S3 server."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import boto3

from tests.fixtures.cli import run
from tests.fixtures.logs import (
    DAY,
    LONG_SIZE,
    UA,
    Req,
    cloudfront_line,
    s3_line,
    stats_json,
    write_catalog,
)
from tests.fixtures.s3_server import SECRET_KEY, SeaweedS3


def test_pull_ingests_each_object_once(workspace: Path, s3_env: SeaweedS3) -> None:
    cat = write_catalog(workspace)
    prefix = f"logs-{uuid.uuid4().hex[:8]}"
    with (workspace / "podman.toml").open("a") as fh:
        fh.write(f'\n[stats]\nbucket = "{s3_env.bucket}"\nprefix = "{prefix}/"\n'
                 f'endpoint_url = "{s3_env.endpoint}"\naddressing_style = "path"\n')
    client = boto3.client("s3", endpoint_url=s3_env.endpoint, region_name="us-east-1")
    key = cat.long.audio.key
    s3_log = s3_line(Req(DAY, "192.0.2.1", UA["overcast"], key, sent=LONG_SIZE)) + "\n"
    client.put_object(Bucket=s3_env.bucket, Key=f"{prefix}/s3/2025-03-15-10-00-00-AAAA",
                      Body=s3_log.encode())
    cf_log = cloudfront_line(Req(DAY, "192.0.2.2", UA["spotify"], key, sent=LONG_SIZE)) + "\n"
    client.put_object(Bucket=s3_env.bucket, Key=f"{prefix}/cf/E2EX.2025-03-15-10.bbbb.gz",
                      Body=gzip.compress(cf_log.encode()))
    client.put_object(Bucket=s3_env.bucket, Key="elsewhere/not-ours.log", Body=s3_log.encode())

    result = run("stats", "pull", "-C", workspace)
    assert result.exit_code == 0, result.stderr
    assert "2 logs read, 0 already ingested" in result.stdout
    assert f"s3://{s3_env.bucket}/{prefix}/s3/2025-03-15-10-00-00-AAAA: s3, 1 requests" \
        in result.stdout
    assert stats_json(workspace)["apps"] == {"Overcast": 1, "Spotify": 1}

    late = s3_line(Req(DAY, "192.0.2.3", UA["addict"], key, sent=LONG_SIZE)) + "\n"
    client.put_object(Bucket=s3_env.bucket, Key=f"{prefix}/s3/2025-03-15-23-00-00-CCCC",
                      Body=late.encode())
    result = run("stats", "pull", "-C", workspace)
    assert "1 logs read, 2 already ingested" in result.stdout
    assert stats_json(workspace)["downloads"] == 3


def test_pull_without_bucket_is_bad_input(workspace: Path) -> None:
    result = run("stats", "pull", "-C", workspace)
    assert result.exit_code == 2 and "[stats]: `bucket` is not set" in result.stderr


def test_pull_from_a_missing_bucket_fails_in_one_line(workspace: Path,
                                                       s3_env: SeaweedS3) -> None:
    with (workspace / "podman.toml").open("a") as fh:
        fh.write(f'\n[stats]\nbucket = "no-such-bucket-{uuid.uuid4().hex[:6]}"\n'
                 f'endpoint_url = "{s3_env.endpoint}"\naddressing_style = "path"\n')
    result = run("stats", "pull", "-C", workspace)
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr and "podman: error:" in result.stderr
    assert SECRET_KEY not in result.stderr + result.stdout
