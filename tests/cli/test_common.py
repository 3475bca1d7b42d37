"""cli.common: the one error funnel prints no credentials (URLs redacted), one line, exit code."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_s3 import invoke, s3_workspace
from tests.fixtures.s3_server import SeaweedS3, free_port

SECRET = "hunter2"


def _with_userinfo(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://admin:{SECRET}@{rest}"


def test_endpoint_userinfo_is_redacted_when_the_bucket_is_missing(s3_env: SeaweedS3,
                                                                  tmp_path: Path) -> None:
    root, _ = s3_workspace(tmp_path / "ws", s3_env, bucket="no-such-bucket",
                           endpoint=_with_userinfo(s3_env.endpoint))
    result = invoke(root, "doctor")
    assert result.exit_code == 1, result.output
    assert SECRET not in result.output
    assert "no-such-bucket" in result.output


def test_endpoint_userinfo_is_redacted_when_the_server_is_down(s3_env: SeaweedS3,
                                                               tmp_path: Path) -> None:
    endpoint = _with_userinfo(f"http://127.0.0.1:{free_port()}")
    root, _ = s3_workspace(tmp_path / "ws", s3_env, endpoint=endpoint)
    for args in (["doctor"], ["rm", "--purge", "nothing"], ["publish"]):
        result = invoke(root, *args)
        assert result.exit_code in (1, 2), result.output
        assert SECRET not in result.output, args
        assert "Traceback" not in result.output


def test_check_finding_lines_redact_userinfo(tmp_path: Path) -> None:
    from tests.check.test_feed import FEED, MP3
    from tests.fixtures.cli import run

    feed = tmp_path / "feed.xml"
    feed.write_text(FEED.replace(MP3, f"ftp://admin:{SECRET}@media.example.com/a.mp3"))
    result = run("check", feed)
    assert result.exit_code == 1, result.output
    assert "[enclosure]" in result.output and "[http-urls]" in result.output
    assert SECRET not in result.output
    assert "ftp://***@media.example.com/a.mp3" in result.output
