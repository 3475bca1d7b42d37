"""A producer's whole round on S3 through the CLI, against the real SeaweedFS fixture:
init, add, re-add, build, publish, and a listener subscribing and downloading with ranges."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import podcastparser
import pytest
from click.testing import CliRunner

from podman.cli import cli
from tests.fixtures.audio import make_audio
from tests.fixtures.s3_server import SeaweedS3


def s3_workspace(root: Path, server: SeaweedS3, *, bucket: str | None = None,
                 endpoint: str | None = None) -> tuple[Path, str]:
    run = CliRunner().invoke(cli, ["init", str(root), "--show", "news", "--title", "News",
                                   "--author", "Desk", "--email", "desk@example.com",
                                   "--category", "News"])
    assert run.exit_code == 0, run.output
    media, site = f"m-{uuid.uuid4().hex[:8]}", f"p-{uuid.uuid4().hex[:8]}"
    base = f"{server.public_url}/{site}"
    (root / "podman.toml").write_text(f"""
[storage]
backend = "s3"
bucket = "{bucket or server.bucket}"
prefix = "{media}"
endpoint_url = "{endpoint or server.endpoint}"
region = "us-east-1"
addressing_style = "path"
public_url = "{server.public_url}/{media}"

[publish]
base_url = "{base}"
prefix = "{site}"
""")
    return root, base


def invoke(root: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(root), *args], catch_exceptions=False)


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    return urllib.request.urlopen(req, timeout=10)


@pytest.fixture
def episode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_audio(tmp_path_factory.mktemp("audio") / "episode.mp3", 3.0)


def test_add_build_publish_and_subscribe(s3_env: SeaweedS3, tmp_path: Path,
                                         episode: Path) -> None:
    root, base = s3_workspace(tmp_path / "ws", s3_env)
    added = invoke(root, "add", str(episode), "--title", "First", "--date", "2025-03-14")
    assert added.exit_code == 0, added.output
    again = invoke(root, "add", str(episode))
    assert again.exit_code == 0 and "unchanged" in again.stderr
    assert len(list((root / "feeds/news/episodes").glob("*.md"))) == 1

    assert invoke(root, "build").exit_code == 0
    published = invoke(root, "publish")
    assert published.exit_code == 0, published.output
    assert "0 unchanged" in published.stderr
    assert "0 uploaded" in invoke(root, "publish").stderr  # nothing changed: nothing sent

    with fetch(f"{base}/news/feed.xml") as resp:
        assert resp.headers["Content-Type"].startswith("application/rss+xml")
        feed = podcastparser.parse(f"{base}/news/feed.xml", io.BytesIO(resp.read()))
    (item,) = feed["episodes"]
    (enclosure,) = item["enclosures"]
    assert enclosure["file_size"] == episode.stat().st_size
    assert item["total_time"] == 3
    with fetch(enclosure["url"], method="HEAD") as head:
        assert head.status == 200
        assert head.headers["Content-Type"] == "audio/mpeg"
        assert head.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert int(head.headers["Content-Length"]) == episode.stat().st_size
    with fetch(enclosure["url"], {"Range": "bytes=0-1"}) as part:
        assert part.status == 206
        assert part.read() == episode.read_bytes()[:2]


def test_object_already_stored_is_not_uploaded_again(s3_env: SeaweedS3, tmp_path: Path,
                                                     episode: Path) -> None:
    root, _ = s3_workspace(tmp_path / "ws", s3_env)
    assert invoke(root, "add", str(episode), "--date", "2025-03-14").exit_code == 0
    (record,) = (root / "feeds/news/episodes").glob("*.md")
    record.unlink()  # the catalog lost it, the bucket still has it
    url = invoke(root, "list", "--json")
    assert url.exit_code == 0
    readded = invoke(root, "add", str(episode), "--date", "2025-03-14")
    assert readded.exit_code == 0, readded.output
    assert "stored" not in readded.stderr  # the progress line only appears for an upload


def test_wrong_bucket_fails_before_any_catalog_change(s3_env: SeaweedS3, tmp_path: Path,
                                                      episode: Path) -> None:
    root, _ = s3_workspace(tmp_path / "ws", s3_env, bucket="no-such-bucket-here")
    result = invoke(root, "add", str(episode))
    assert result.exit_code == 1
    assert "no-such-bucket-here" in result.stderr
    assert "Traceback" not in result.output
    assert list((root / "feeds/news/episodes").glob("*.md")) == []


def test_missing_credentials_fail_with_a_hint(s3_env: SeaweedS3, tmp_path: Path,
                                              episode: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = s3_workspace(tmp_path / "ws", s3_env)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = invoke(root, "add", str(episode))
    assert result.exit_code == 1
    assert "credentials" in result.stderr.lower() and "hint:" in result.stderr
    assert list((root / "feeds/news/episodes").glob("*.md")) == []


def test_rm_purge_deletes_the_object(s3_env: SeaweedS3, tmp_path: Path, episode: Path) -> None:
    root, _ = s3_workspace(tmp_path / "ws", s3_env)
    assert invoke(root, "add", str(episode)).exit_code == 0
    (record,) = json.loads(invoke(root, "list", "--json").stdout)
    with fetch(record["url"], method="HEAD") as head:
        assert head.status == 200
    assert invoke(root, "rm", record["slug"], "--purge").exit_code == 0
    with pytest.raises(urllib.error.HTTPError) as gone:
        fetch(record["url"], method="HEAD")
    assert gone.value.code in (403, 404)
    gone.value.close()


def test_denied_upload_never_says_stored(s3_env: SeaweedS3, tmp_path: Path, episode: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9 finding 15: with a read-only key, `add` printed "N bytes stored" (every byte had
    been sent) and then "access denied"; stored is said only once the store succeeded."""
    from tests.fixtures.s3_server import READER_KEY, READER_SECRET

    root, _ = s3_workspace(tmp_path / "ws", s3_env)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", READER_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", READER_SECRET)
    result = invoke(root, "add", str(episode))
    assert result.exit_code == 1
    assert "access denied" in result.stderr
    assert "stored" not in result.stderr
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_env.env()["AWS_ACCESS_KEY_ID"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_env.env()["AWS_SECRET_ACCESS_KEY"])
    result = invoke(root, "add", str(episode))
    assert result.exit_code == 0, result.stderr
    assert f"{episode.stat().st_size} bytes stored" in result.stderr


def test_half_the_credentials_is_one_line(s3_env: SeaweedS3, tmp_path: Path, episode: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = s3_workspace(tmp_path / "ws", s3_env)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    for args in (("add", str(episode)), ("doctor",)):
        result = invoke(root, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "internal error" not in result.output and "Traceback" not in result.output
        assert "incomplete AWS credentials" in result.output


def test_tombstone_and_a_wrong_secret_through_the_cli(s3_env: SeaweedS3, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`publish --tombstone` on S3 sends its one PUT boto3-free; with a wrong secret both the
    listing of `publish` and that PUT fail in one line, exit 1, the secret never shown."""
    from tests.cli.test_errors import one_line

    root, base = s3_workspace(tmp_path / "ws", s3_env)
    assert invoke(root, "build").exit_code == 0
    new = "https://new-host.example.net/news/feed.xml"
    moved = invoke(root, "publish", "--tombstone", new)
    assert moved.exit_code == 0, moved.output
    with fetch(f"{base}/news/feed.xml") as resp:
        assert f"<itunes:new-feed-url>{new}</itunes:new-feed-url>".encode() in resp.read()
    secret = "wrong-secret-never-printed-0123"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    for args in (("publish",), ("publish", "--tombstone", new)):
        result = invoke(root, *args)
        one_line(result, 1, "credentials rejected", "SignatureDoesNotMatch")
        assert secret not in result.output, args
