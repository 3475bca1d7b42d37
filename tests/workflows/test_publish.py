"""publish and doctor against a real SeaweedFS and a local static-host folder."""

from __future__ import annotations

import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from podman.core.config import PublishConfig, StorageConfig, WorkspaceConfig
from podman.core.errors import ConfigError, StorageError
from podman.storage import MEDIA_CACHE_CONTROL
from podman.storage.s3 import S3Storage
from podman.workflows.publish import (
    FEED_CONTENT_TYPE,
    cache_control_for,
    content_type_for,
    doctor,
    plan_publish,
    publish,
)
from tests.fixtures.s3 import isolate_aws_env, record_puts

PUBLIC = {
    "index.html": "<html>home</html>",
    "articles.json": '{"articles": []}',
    "style.css": "body{}",
    "daily/feed.xml": "<rss>feed</rss>",
    "daily/archive/2024.xml": "<rss>2024</rss>",
    "daily/index.html": "<html>show</html>",
    "daily/ep-1.html": "<html>ep 1</html>",
    "daily/ep-1.chapters.json": '{"version": "1.2.0", "chapters": []}',
    "daily/ep-1.vtt": "WEBVTT\n",
    "daily/ep-1.srt": "1\n00:00:00,000 --> 00:00:01,000\nhi\n",
    "daily/artwork-3fa9c1d2e4.jpg": "jpeg bytes",
    "daily/ep-1-waveform-0123456789abcdef.png": "png bytes",
}


def make_workspace(root: Path, storage: StorageConfig, **publish: object) -> WorkspaceConfig:
    for rel, text in PUBLIC.items():
        path = root / "public" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return WorkspaceConfig(root=root, storage=storage, publish=PublishConfig(**publish))


def publish_storage(ws: WorkspaceConfig) -> S3Storage:
    return S3Storage(replace(ws.storage, prefix=ws.publish.prefix))


@pytest.mark.parametrize(("name", "ctype", "cache"), [
    ("daily/feed.xml", FEED_CONTENT_TYPE, "public, max-age=300"),
    ("daily/archive/2024.xml", FEED_CONTENT_TYPE, "public, max-age=300"),
    ("index.html", "text/html; charset=utf-8", "public, max-age=300"),
    ("daily/ep.chapters.json", "application/json+chapters", "public, max-age=300"),
    ("articles.json", "application/json", "public, max-age=300"),
    ("daily/ep.vtt", "text/vtt", "public, max-age=300"),
    ("daily/ep.srt", "application/x-subrip", "public, max-age=300"),
    ("daily/artwork-3fa9c1d2e4.jpg", "image/jpeg", MEDIA_CACHE_CONTROL),
    ("daily/artwork.jpg", "image/jpeg", "public, max-age=300"),
    ("daily/ep-waveform-0123456789.png", "image/png", MEDIA_CACHE_CONTROL),
    ("style.css", "text/css", "public, max-age=300"),
])
def test_headers_by_name(name: str, ctype: str, cache: str) -> None:
    assert content_type_for(name) == ctype
    assert cache_control_for(name) == cache


def test_publish_to_s3_uploads_everything_feeds_last(s3_config, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, s3_config, prefix=f"{s3_config.prefix}-site")
    storage = publish_storage(ws)
    puts = record_puts(storage)
    result = publish(ws, storage=storage)
    assert sorted(result.uploaded) == sorted(PUBLIC)
    site = ws.publish.prefix
    assert sorted(puts) == sorted(f"{site}/{k}" for k in PUBLIC)
    assert [k.endswith(".xml") for k in puts] == [False] * (len(PUBLIC) - 2) + [True, True]
    feed = storage.head("daily/feed.xml")
    assert (feed["ContentType"], feed["CacheControl"]) == (FEED_CONTENT_TYPE,
                                                           "public, max-age=300")
    art = storage.head("daily/artwork-3fa9c1d2e4.jpg")
    assert (art["ContentType"], art["CacheControl"]) == ("image/jpeg", MEDIA_CACHE_CONTROL)
    chapters = storage.head("daily/ep-1.chapters.json")
    assert chapters["ContentType"] == "application/json+chapters"
    # a podcast app fetches the feed through the bucket's public URL
    url = f"{s3_config.public_url.rsplit('/', 1)[0]}/{site}/daily/feed.xml"
    with urllib.request.urlopen(url) as resp:
        assert resp.headers["Content-Type"] == FEED_CONTENT_TYPE
        assert resp.read() == b"<rss>feed</rss>"


def test_republish_sends_only_what_changed_from_one_listing(s3_config, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, s3_config, prefix=f"{s3_config.prefix}-site")
    publish(ws)
    storage = publish_storage(ws)
    puts, lists, heads = record_puts(storage), [], []
    storage.client.meta.events.register("before-parameter-build.s3.ListObjectsV2",
                                        lambda **kw: lists.append(1))
    storage.client.meta.events.register("before-parameter-build.s3.HeadObject",
                                        lambda **kw: heads.append(1))
    plan = plan_publish(ws, storage=storage)
    assert plan.upload == () and len(plan.unchanged) == len(PUBLIC)
    assert (len(lists), heads) == (1, [])
    (tmp_path / "public/daily/ep-1.html").write_text("<html>ep 1, fixed typo</html>")
    (tmp_path / "public/daily/feed.xml").write_text("<rss>feed v2</rss>")
    result = publish(ws, storage=storage)
    assert result.uploaded == ("daily/ep-1.html", "daily/feed.xml")
    assert [p.rsplit("/", 1)[-1] for p in puts] == ["ep-1.html", "feed.xml"]


def test_dry_run_changes_nothing_and_nothing_is_deleted(s3_config, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, s3_config, prefix=f"{s3_config.prefix}-site")
    storage = publish_storage(ws)
    storage.put_bytes(b"old", "daily/old-episode.html", content_type="text/html")
    puts = record_puts(storage)
    result = publish(ws, storage=storage, dry_run=True)
    assert result.dry_run and result.uploaded == () and puts == []
    assert len(result.plan.upload) == len(PUBLIC)
    assert result.plan.remote_only == ("daily/old-episode.html",)
    publish(ws, storage=storage)
    assert storage.stat("daily/old-episode.html") is not None


class FailingOn:
    """A real S3 target whose uploads of one key fail, to see that feeds are then held back."""

    def __init__(self, storage: S3Storage, key: str) -> None:
        self.storage, self.key = storage, key

    def list(self, prefix: str = ""):
        return self.storage.list(prefix)

    def put_bytes(self, data: bytes, key: str, **kw: str) -> None:
        if key == self.key:
            raise StorageError(f"upload of {key}: connection lost", "run it again")
        self.storage.put_bytes(data, key, **kw)


def test_a_failed_file_keeps_the_feeds_back(s3_config, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, s3_config, prefix=f"{s3_config.prefix}-site")
    storage = publish_storage(ws)
    with pytest.raises(StorageError, match="upload of daily/ep-1.html"):
        publish(ws, storage=FailingOn(storage, "daily/ep-1.html"))
    remote = storage.list()
    assert "daily/ep-1.vtt" in remote
    assert "daily/feed.xml" not in remote and "daily/ep-1.html" not in remote
    assert sorted(publish(ws, storage=storage).uploaded) == [
        "daily/archive/2024.xml", "daily/ep-1.html", "daily/feed.xml"]


def test_publish_to_a_local_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    ws = make_workspace(tmp_path / "ws", StorageConfig(path=tmp_path / "media"), target=site)
    seen: list[str] = []
    first = publish(ws, progress=lambda item: seen.append(item.key))
    assert sorted(first.uploaded) == sorted(PUBLIC) == sorted(seen)
    assert (site / "daily/feed.xml").read_text() == "<rss>feed</rss>"
    assert publish(ws).uploaded == ()
    (ws.public_dir / "daily/feed.xml").write_text("<rss>v2</rss>")
    assert publish(ws).uploaded == ("daily/feed.xml",)
    assert (site / "daily/feed.xml").read_text() == "<rss>v2</rss>"
    assert not list(site.rglob(".publish-*"))


def test_local_publish_without_a_target_says_how_to_fix_it(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, StorageConfig(path=tmp_path / "media"))
    with pytest.raises(ConfigError) as err:
        publish(ws)
    assert "[publish] target" in err.value.hint


def test_doctor_all_ok(s3_config, tmp_path: Path) -> None:
    ws = WorkspaceConfig(root=tmp_path, storage=s3_config)
    results = doctor(ws)
    assert [(r.name, r.ok) for r in results] == [
        ("credentials", True), ("bucket", True), ("upload", True), ("public HEAD", True),
        ("public Range", True), ("cleanup", True)]
    assert results[0].detail == "found (env)"
    assert S3Storage(s3_config).list(".podman-doctor/") == {}


def test_doctor_with_a_wrong_public_url(s3_config, tmp_path: Path) -> None:
    # a common mistake: the public URL leaves out the storage prefix
    wrong = replace(s3_config, public_url=s3_config.public_url.rsplit("/", 1)[0])
    results = doctor(WorkspaceConfig(root=tmp_path, storage=wrong))
    failed = [r for r in results if not r.ok]
    assert [r.name for r in failed] == ["public HEAD"]
    assert "answered 404, not 200" in failed[0].detail
    assert "public_url" in failed[0].hint
    assert results[-1].name == "cleanup" and results[-1].ok


def test_doctor_without_credentials(s3_server, monkeypatch, tmp_path: Path) -> None:
    isolate_aws_env(monkeypatch, tmp_path)
    from tests.fixtures.s3 import s3_config_for

    results = doctor(WorkspaceConfig(root=tmp_path, storage=s3_config_for(s3_server)))
    assert [(r.name, r.ok) for r in results] == [("credentials", False)]
    assert "AWS_ACCESS_KEY_ID" in results[0].hint


def test_checksums_are_cached_by_size_and_mtime(tmp_path: Path) -> None:
    import os

    site = tmp_path / "site"
    ws = make_workspace(tmp_path / "ws", StorageConfig(path=tmp_path / "media"), target=site)
    feed = ws.public_dir / "daily/feed.xml"
    old = os.stat(feed)
    os.utime(feed, ns=(old.st_atime_ns, old.st_mtime_ns - 10**10))  # settled: cacheable
    assert len(publish(ws).uploaded) == len(PUBLIC)
    cache = ws.root / ".podman/cache/publish-md5.json"
    assert "daily/feed.xml" in cache.read_text()
    # same size, same mtime, other bytes: the cache vouches for the file (like make, rclone)
    st = os.stat(feed)
    feed.write_text("<rss>FEED</rss>")
    os.utime(feed, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert plan_publish(ws).upload == ()
    # a corrupt cache is ignored: the file is read again and the change is seen
    cache.write_text('{"stamp": 1, "entries": [')
    assert [i.key for i in plan_publish(ws).upload] == ["daily/feed.xml"]
    # a foreign cache (other stamp) is ignored as well
    cache.write_text('{"stamp": "other", "entries": {"daily/feed.xml": [[15, 0, 0], "x"]}}')
    assert [i.key for i in plan_publish(ws).upload] == ["daily/feed.xml"]


def test_files_written_just_now_are_never_vouched_for(tmp_path: Path) -> None:
    site = tmp_path / "site"
    ws = make_workspace(tmp_path / "ws", StorageConfig(path=tmp_path / "media"), target=site)
    import os

    publish(ws)  # every file is under a second old: racy, so none is cached
    feed = ws.public_dir / "daily/feed.xml"
    st = os.stat(feed)
    feed.write_text("<rss>FEED</rss>")  # same size, same mtime, other bytes
    os.utime(feed, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert [i.key for i in plan_publish(ws).upload] == ["daily/feed.xml"]


def test_a_lying_checksum_cache_never_stores_wrong_bytes(s3_config, tmp_path: Path) -> None:
    """publish sends the MD5 its cache holds as Content-MD5; a cache that lies (a wrong MD5, or
    no MD5 at all) makes the server refuse the light PUT and boto3 send it with a fresh one."""
    import json
    import os

    from podman.core.cachefile import file_key
    from podman.workflows.publish import CHECKSUMS, Checksums

    ws = make_workspace(tmp_path, s3_config, prefix=f"{s3_config.prefix}-site")
    past = 1_600_000_000
    for rel in PUBLIC:
        os.utime(tmp_path / "public" / rel, (past, past))  # settled: the cache vouches
    cache = Checksums(tmp_path)
    lies = {"index.html": "0" * 32, "style.css": "not an md5"}
    entries = {rel: [file_key((tmp_path / "public" / rel).stat()), lie]
               for rel, lie in lies.items()}
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    cache.path.write_text(json.dumps({"stamp": cache.stamp, "entries": entries}))
    assert cache.path.name == CHECKSUMS
    storage = publish_storage(ws)
    puts = record_puts(storage)
    result = publish(ws, storage=storage)
    assert sorted(result.uploaded) == sorted(PUBLIC)
    site = ws.publish.prefix
    # the wrong MD5 was refused and sent again (through boto3); "not an md5" was recomputed
    assert sorted(puts) == sorted([f"{site}/{k}" for k in PUBLIC] + [f"{site}/index.html"])
    for rel in lies:
        url = f"{s3_config.public_url.rsplit('/', 1)[0]}/{ws.publish.prefix}/{rel}"
        with urllib.request.urlopen(url) as resp:
            assert resp.read() == PUBLIC[rel].encode()
