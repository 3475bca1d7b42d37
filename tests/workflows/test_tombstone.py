"""`podman publish --tombstone NEW_URL`: the old feed's only change is itunes:new-feed-url; on
S3 the feed object carries WebsiteRedirectLocation (checked on a real SeaweedFS)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from podman.core.config import load_workspace
from podman.storage.s3 import S3Storage
from podman.workflows.tombstone import tombstone, with_new_feed_url
from tests.fixtures.cli import SHOW, make_episode, run, write_episode
from tests.fixtures.s3 import record_puts

NOW = "2025-06-01T12:00:00Z"
NEW = "https://new-host.example.net/shows/brief.rss?a=1&b=2"


def built(root: Path) -> bytes:
    write_episode(root, make_episode(guid="1b4e28ba-2fa1-4d3b-a3f5-ef19f1ba7c52"))
    assert run("-C", root, "build", "--now", NOW).exit_code == 0
    return (root / "public" / SHOW / "feed.xml").read_bytes()


def only_change(before: bytes, after: bytes) -> list[bytes]:
    return sorted(set(after.splitlines()) ^ set(before.splitlines()))


def test_tombstone_to_a_folder_changes_one_line_and_builds_keep_it(workspace: Path) -> None:
    toml = workspace / "podman.toml"
    toml.write_text(toml.read_text().replace("[publish]\n", '[publish]\ntarget = "site"\n'))
    before = built(workspace)
    assert run("-C", workspace, "publish").exit_code == 0
    result = run("-C", workspace, "publish", "--tombstone", NEW)
    assert result.exit_code == 0, result.output
    assert "cannot send a 301 itself" in result.stderr
    after = (workspace / "site" / SHOW / "feed.xml").read_bytes()
    assert only_change(before, after) == [
        b"<itunes:new-feed-url>https://new-host.example.net/shows/brief.rss?a=1&amp;b=2"
        b"</itunes:new-feed-url>"]
    assert (workspace / "public" / SHOW / "feed.xml").read_bytes() == after
    assert f'new_feed_url = "{NEW}"' in (workspace / "feeds" / SHOW / "show.toml").read_text()
    # the template writes the same bytes: a rebuild is not stale, a republish sends nothing
    check = run("-C", workspace, "build", "--check", "--now", NOW)
    assert check.exit_code == 0, check.output
    assert ": 0 uploaded" in run("-C", workspace, "publish").stderr


def test_an_existing_new_feed_url_is_replaced_in_place() -> None:
    feed = (b"<rss><channel><title>t</title>\n<itunes:new-feed-url>https://a/</itunes:new-feed-"
            b"url>\n<itunes:image href=\"x\"/>\n<item><title>i</title></item></channel></rss>")
    out = with_new_feed_url(feed, "https://b/")
    assert out == feed.replace(b"https://a/", b"https://b/")


def test_bad_tombstones_are_bad_input(workspace: Path) -> None:
    for url, message in (("ftp://x/feed", "not an http(s) URL"),
                         ("http://127.0.0.1:8000/daily/feed.xml", "this feed's own URL")):
        result = run("-C", workspace, "publish", "--tombstone", url)
        assert result.exit_code == 2 and message in result.stderr, result.output
    result = run("-C", workspace, "publish", "--tombstone", NEW)
    assert result.exit_code == 2 and "no feed has been built" in result.stderr


def test_tombstone_on_s3_sends_the_website_redirect(workspace: Path, s3_config) -> None:
    built(workspace)
    ws = replace(load_workspace(workspace), storage=s3_config)
    storage = S3Storage(replace(s3_config, prefix=f"{s3_config.prefix}-site"))
    sent = record_puts(storage, "x-amz-website-redirect-location")
    done = tombstone(ws, NEW, storage=storage)
    # the real PUT to the server carried the redirect metadata
    assert sent == [NEW]
    assert done.redirect_sent
    # SeaweedFS (4.x) drops x-amz-website-redirect-location and serves no S3 website, so it
    # can neither keep nor answer the 301: podman reads the object back and says so. AWS S3
    # keeps it and its website endpoints answer 301 (docs/migrating.md).
    head = storage.head(f"{SHOW}/feed.xml")
    assert done.redirect_kept is (head.get("WebsiteRedirectLocation") == NEW)
    assert done.redirect_kept is False
    body = storage.client.get_object(Bucket=storage.bucket,
                                     Key=f"{s3_config.prefix}-site/{SHOW}/feed.xml")["Body"].read()
    assert b"<itunes:new-feed-url>https://new-host.example.net/" in body
