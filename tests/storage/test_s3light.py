"""The boto3-free listing against a real SeaweedFS: same answer as boto3, or it steps aside."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from podman.storage.s3 import S3Storage
from podman.storage.s3light import light_list, static_credentials
from podman.storage.s3target import LazyS3
from tests.fixtures.s3 import isolate_aws_env

ODD_KEYS = ["a b.html", "plus+sign.xml", "pct%41.txt", "üñï/çødé.json", "deep/er/x.vtt",
            "q?uery&amp=1.html", "tilde~.css"]


def test_listing_matches_boto3_with_odd_keys_and_pages(s3_config) -> None:
    storage = S3Storage(s3_config)
    for i, key in enumerate(ODD_KEYS):
        storage.put_bytes(b"x" * (i + 1), key, content_type="text/plain")
    full = s3_config.prefix + "/"
    light = light_list(s3_config, full, page_size=2)  # four pages: continuation tokens used
    assert light is not None
    assert {k[len(full):]: (o.size, o.etag) for k, o in light.items()} == {
        k: (o.size, o.etag) for k, o in storage.list().items()}
    lazy = LazyS3(s3_config)
    assert lazy.list() == storage.list()
    assert not lazy.started  # answered without a boto3 client


def test_virtual_hosted_and_unknown_cases_step_aside(s3_config, monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert light_list(s3_config, "") is None
    monkeypatch.delenv("HTTPS_PROXY")
    assert light_list(replace(s3_config, endpoint_url=s3_config.endpoint_url + "/sub"),
                      "") is None
    # wrong secret: the light listing gives up and boto3 reports the real error
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-000000000000")
    assert light_list(s3_config, "") is None


def test_static_credentials_follow_the_chain(monkeypatch, tmp_path: Path) -> None:
    isolate_aws_env(monkeypatch, tmp_path)
    (tmp_path / "no-aws-credentials").write_text(
        "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = sfile\n"
        "[role]\naws_access_key_id = AKROLE\naws_secret_access_key = srole\n")
    (tmp_path / "no-aws-config").write_text(
        "[profile role]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n")
    assert static_credentials("") == ("AKFILE", "sfile", "")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "senv")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "tok")
    assert static_credentials("") == ("AKENV", "senv", "tok")
    assert static_credentials("default") == ("AKFILE", "sfile", "")  # a named profile wins
    assert static_credentials("role") is None  # a role to assume: boto3's job
    assert static_credentials("missing") is None
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert static_credentials("") is None  # partial: boto3 reports it


def test_a_no_op_publish_never_imports_boto3(s3_config, tmp_path: Path) -> None:
    from podman.core.config import PublishConfig, WorkspaceConfig
    from podman.workflows.publish import publish

    public = tmp_path / "public"
    (public / "show").mkdir(parents=True)
    (public / "show" / "feed.xml").write_text("<rss/>")
    (public / "index.html").write_text("<html/>")
    ws = WorkspaceConfig(root=tmp_path, storage=replace(s3_config, prefix=""),
                         publish=PublishConfig(prefix=s3_config.prefix))
    assert len(publish(ws).uploaded) == 2
    code = (
        "import sys, json; from pathlib import Path; from dataclasses import replace\n"
        "from podman.core.config import PublishConfig, StorageConfig, WorkspaceConfig\n"
        "from podman.workflows.publish import publish\n"
        f"cfg = StorageConfig(**json.loads({_config_json(ws.storage)!r}))\n"
        f"ws = WorkspaceConfig(root=Path({str(tmp_path)!r}), storage=cfg,\n"
        f"                     publish=PublishConfig(prefix={s3_config.prefix!r}))\n"
        "r = publish(ws)\n"
        "print(len(r.uploaded), len(r.plan.unchanged), 'boto3' in sys.modules,"
        " 'botocore' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "2", "False", "False"]


def _config_json(config) -> str:
    import json

    return json.dumps({k: v for k, v in vars(config).items() if k != "path"})
