"""workflows.import_show through its public function: chapters from ID3 CHAP, an SRT transcript
under a non-standard type, a dead tracking-prefix host, and the dry run's dead-URL check."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

from podman.catalog.episodes import load_show_episodes
from podman.core.config import load_workspace
from podman.importer.fetch import FetchConfig
from podman.workflows.import_show import ImportOptions, import_show
from tests.fixtures.http import QuietHandler, serving

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SRT = b"1\n00:00:00,000 --> 00:00:01,000\nHello.\n"


def dead_host() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def feed(base: str, dead: str) -> str:
    return f"""<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Chapters Show</title>
<podcast:guid>aaaaaaaa-bbbb-5ccc-8ddd-eeeeeeeeeeee</podcast:guid>
<item><title>With ID3 chapters</title><guid>id3-1</guid>
<pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate>
<enclosure url="http://{dead}/redirect.mp3/{base[7:]}/chapters.mp3" length="1" type="audio/mpeg"/>
<podcast:transcript url="{base}/t.srt" type="application/srt"/>
<podcast:transcript url="{base}/gone.vtt" type="text/vtt"/>
</item></channel></rss>"""


def test_id3_chapters_srt_and_dead_prefix(workspace: Path, audio_files: dict[str, Path],
                                          tmp_path: Path) -> None:
    class Host(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/chapters.mp3":
                self.send_body(200, audio_files["mp3-chapters"].read_bytes(), "audio/mpeg")
            elif self.path == "/t.srt":
                self.send_body(200, SRT, "application/srt")
            else:
                self.send_body(404, b"", "text/plain")

    dead = dead_host()
    ws = load_workspace(workspace)
    with serving(Host) as base:
        source = tmp_path / "old.xml"
        source.write_text(feed(base, dead))
        opts = ImportOptions(source=str(source), show="chap",
                             fetch=FetchConfig(prefix_hosts=(dead,), retries=1, backoff=0))
        dry = import_show(ws, ImportOptions(**{**opts.__dict__, "dry_run": True}), now=NOW)
        assert dry.plan.dead_urls == [f"{base}/gone.vtt (HTTP 404)"]
        assert dry.plan.tracking == {dead: 1}
        assert not (workspace / "feeds" / "chap").exists()
        result = import_show(ws, opts, now=NOW)
    [outcome] = result.outcomes
    assert outcome.status == "imported", outcome.message
    assert any(w.startswith("transcript not imported:") for w in outcome.warnings)
    [ep] = load_show_episodes(workspace / "feeds" / "chap")
    assert [(c.start, c.title, c.url) for c in ep.chapters] == [
        (0.0, "First", None), (2.5, "Second", "https://example.com/b")]
    assert ep.extra["import"]["redirects"][0].startswith(f"{dead} unreachable")
    assert ep.extra["import"]["source_feed"] == str(source)  # a file naming no URL
    srt = workspace / "feeds" / "chap" / "episodes" / f"{ep.slug}.srt"
    assert srt.read_text() == SRT.decode()


def test_a_cut_download_resumes_in_the_next_run(workspace: Path, old_host) -> None:
    """A run that stops mid-file (here: no retries) leaves only a partial file under
    .podman-import/, which the next run resumes with Range + If-Range."""
    ws = load_workspace(workspace)
    opts = ImportOptions(source=old_host.url("/feed.xml"), show="old",
                         fetch=FetchConfig(retries=0))
    first = import_show(ws, opts, now=NOW)
    failed = {o.guid for o in first.failed}
    assert failed == {"drop-6", "busy-5", "missing-7", "html-8"}
    parts = list((workspace / ".podman-import" / "old").glob("*.part"))
    have = parts[0].stat().st_size if len(parts) == 1 else 0
    assert 0 < have < old_host.files["f"].stat().st_size
    old_host.fixed = True
    second = import_show(ws, opts, now=NOW)
    assert {o.guid for o in second.outcomes} == failed and not second.failed
    ranges = [h.get("Range") for p, h in old_host.requests if p == "/drop/f.mp3"]
    assert ranges == [None, f"bytes={have}-"]
    assert not (workspace / ".podman-import").exists()
    [ep] = [e for e in load_show_episodes(workspace / "feeds" / "old") if e.guid == "drop-6"]
    assert (workspace / "media" / ep.audio.key).read_bytes() == old_host.files["f"].read_bytes()
