"""The build cache: nothing changed answers without reading the catalog; anything else gives
exactly what a cold build gives (edits, deletions, clock skew, corrupt or foreign caches)."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podman.core.config import load_workspace
from podman.workflows import build as build_module
from podman.workflows.build import build
from tests.fixtures.cli import make_episode, write_episode
from tests.fixtures.feed import make_full_workspace, run

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
LATER = datetime(2025, 6, 10, 12, tzinfo=UTC)
CACHE = ".podman/cache/build.json"


def settle(root: Path, age: float = 60.0) -> None:
    """Date every input file back, as files not touched for a minute are (not racy)."""
    for path in [root / "podman.toml", *root.joinpath("feeds").rglob("*")]:
        if path.is_file():
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(age * 1e9)))


def public(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root / "public").as_posix(): p.read_bytes()
            for p in sorted((root / "public").rglob("*")) if p.is_file()}


def cold(root: Path, tmp: Path, now: datetime) -> dict[str, bytes]:
    """The same workspace copied without public/ and caches, built from nothing."""
    copy = tmp / f"cold-{len(list(tmp.glob('cold-*')))}"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("public", ".podman"))
    build(load_workspace(copy), now=now, cache=False)
    return public(copy)


def warm(root: Path, now: datetime = NOW) -> dict[str, bytes]:
    build(load_workspace(root), now=now)
    return public(root)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PODMAN_BASE_URL", "PODMAN_PUBLIC_URL", "PODMAN_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    root = make_full_workspace(tmp_path / "ws")
    write_episode(root, make_episode(  # scheduled between NOW and LATER
        show="full", slug="2025-06-05-scheduled", guid="0c7f6a1e-1111-4222-8333-444455556666",
        title="Scheduled", published=datetime(2025, 6, 5, tzinfo=UTC)))
    settle(root)
    build(load_workspace(root), now=NOW)
    return root


def forbid_catalog_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):  # a spy: the up-to-date answer must not read the catalog
        raise AssertionError("the catalog was read")

    monkeypatch.setattr(build_module, "load_catalog", refuse)


def test_nothing_changed_reads_no_catalog_and_writes_nothing(ws: Path, monkeypatch) -> None:
    before = {p: p.stat().st_mtime_ns for p in (ws / "public").rglob("*")}
    cache_before = (ws / CACHE).read_bytes()
    forbid_catalog_reads(monkeypatch)
    result = build(load_workspace(ws), now=NOW)
    assert result.written == [] and result.removed == []
    assert "full/feed.xml" in result.unchanged and result.feeds == {"full/feed.xml": 2}
    assert {p: p.stat().st_mtime_ns for p in (ws / "public").rglob("*")} == before
    assert (ws / CACHE).read_bytes() == cache_before
    # --check answers from the cache too; --no-cache renders (and would read the catalog)
    assert build(load_workspace(ws), now=NOW, check=True).stale == []
    with pytest.raises(AssertionError, match="catalog was read"):
        build(load_workspace(ws), now=NOW, cache=False)


def test_the_cli_says_the_same_with_and_without_the_cache(ws: Path) -> None:
    warm_run = run("-C", str(ws), "build", "--now", "2025-06-01T12:00:00Z")
    cold_run = run("-C", str(ws), "build", "--now", "2025-06-01T12:00:00Z", "--no-cache")
    assert warm_run.exit_code == cold_run.exit_code == 0
    assert warm_run.output == cold_run.output and "0 written" in warm_run.output


def edit(root: Path) -> None:
    path = root / "feeds/full/episodes/2025-05-27-trailer.md"
    path.write_text(path.read_text("utf-8").replace("Trailer", "Trailer, edited", 1), "utf-8")


def delete(root: Path) -> None:
    (root / "feeds/full/episodes/2025-05-20-budget-day.srt").unlink()


def skew(root: Path) -> None:
    """Same size, other bytes, and an mtime that went backwards (a clock set back)."""
    path = root / "feeds/full/episodes/2025-05-27-trailer.md"
    st = path.stat()
    text = path.read_text("utf-8")
    path.write_text(text.replace("Trailer", "TRAILER", 1), "utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 3_600 * 10**9))


def corrupt(root: Path) -> None:
    cache = root / CACHE
    cache.write_bytes(cache.read_bytes()[:-40] + b"\x00garbage")
    edit(root)


def foreign(root: Path) -> None:
    """A cache that claims everything is fresh but was written by another podman."""
    cache = root / CACHE
    data = json.loads(cache.read_text("utf-8"))
    edit(root)
    data["entries"]["inputs"] = {}
    data["stamp"] = data["stamp"].replace("0.", "9.", 1)
    cache.write_text(json.dumps(data), "utf-8")


def lying(root: Path) -> None:
    """A hand-edited cache whose recorded inputs match the edited files: outputs betray it."""
    from podman.workflows.buildcache import input_stats

    edit(root)
    settle(root, 120)
    cache = root / CACHE
    data = json.loads(cache.read_text("utf-8"))
    data["entries"]["inputs"] = input_stats(load_workspace(root))
    (root / "public/full/feed.xml").write_text("stale by hand", "utf-8")
    cache.write_text(json.dumps(data), "utf-8")


def tamper_output(root: Path) -> None:
    (root / "public/full/feed.xml").write_text("<rss>hand-edited</rss>", "utf-8")


def remove_output(root: Path) -> None:
    (root / "public/full/episodes/2025-05-27-trailer.html").unlink()


def new_template(root: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates/home.html.j2").write_text("<html>{{ shows|length }} shows</html>\n")


@pytest.mark.parametrize("change", [edit, delete, skew, corrupt, foreign, lying, tamper_output,
                                    remove_output, new_template])
def test_every_change_gives_the_cold_build(ws: Path, tmp_path: Path, change) -> None:
    change(ws)
    assert warm(ws) == cold(ws, tmp_path, NOW)
    settle(ws, 300)
    assert warm(ws) == cold(ws, tmp_path, NOW)  # and again, from the cache just written


def test_time_passing_makes_the_scheduled_episode_due(ws: Path, tmp_path: Path) -> None:
    later = warm(ws, LATER)
    assert b"Scheduled" in later["full/feed.xml"]
    assert later == cold(ws, tmp_path, LATER)
    assert warm(ws, NOW) == cold(ws, tmp_path, NOW)  # the clock going back as well
    assert b"Scheduled" not in public(ws)["full/feed.xml"]


def test_files_written_just_now_are_never_vouched_for(tmp_path: Path, monkeypatch) -> None:
    for name in ("PODMAN_BASE_URL", "PODMAN_PUBLIC_URL", "PODMAN_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    root = make_full_workspace(tmp_path / "ws")  # every file seconds old: racy
    build(load_workspace(root), now=NOW)
    path = root / "feeds/full/episodes/2025-05-27-trailer.md"
    st = path.stat()
    path.write_text(path.read_text("utf-8").replace("Trailer", "TRAILER", 1), "utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    assert warm(root) == cold(root, tmp_path, NOW)


def test_one_edited_episode_renders_only_its_notes_and_item(ws: Path, tmp_path: Path,
                                                            monkeypatch) -> None:
    from podman.render import feed, view

    calls: dict[str, list[str]] = {"markdown": [], "item": []}
    real_markdown, real_item = view.markdown_html, feed.item_context

    def markdown_spy(text):  # counts real calls, changes nothing
        calls["markdown"].append(text[:40])
        return real_markdown(text)

    def item_spy(ws_, v):
        calls["item"].append(v.ep.slug)
        return real_item(ws_, v)

    monkeypatch.setattr(view, "markdown_html", markdown_spy)
    monkeypatch.setattr(feed, "item_context", item_spy)
    edit(ws)
    path = ws / "feeds/full/episodes/2025-05-27-trailer.md"
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 30 * 10**9))  # settled, like the rest
    warm_files = warm(ws)
    edited = path.read_text("utf-8").split("+++")[-1].strip()
    # only the edited episode's notes may be converted again (it may have none)
    assert all(edited.startswith(c.strip()) for c in calls["markdown"])
    assert calls["item"] == ["2025-05-27-trailer"]
    before = len(calls["markdown"])
    assert warm_files == cold(ws, tmp_path, NOW)
    assert len(calls["markdown"]) > before  # the spy sees the cold build convert notes
    assert len(calls["item"]) == 1 + 2  # and print both items


def test_an_up_to_date_build_loads_no_render_or_catalog_code(ws: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from datetime import datetime, UTC\n"
            "from podman.core.config import load_workspace\n"
            "from podman.workflows.build import build\n"
            f"r = build(load_workspace(__import__('pathlib').Path({str(ws)!r})),"
            " now=datetime(2025, 6, 1, 12, tzinfo=UTC))\n"
            "print(len(r.written), [m for m in ('jinja2', 'markdown_it', 'podman.render.site',"
            " 'podman.catalog.episodes') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "0 []"


# -- the page cache: one edit re-renders only what depends on it, and nothing else changes ----

MARKETS = "https://news.example.com/2025/05/20/markets"  # shared with budget-day's articles


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The full workspace plus a second show and 24 more episodes (two show pages each),
    with article links shared across episodes and shows, built once with the cache."""
    from podman.core.models import Article, podcast_guid

    for name in ("PODMAN_BASE_URL", "PODMAN_PUBLIC_URL", "PODMAN_STORAGE_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    root = make_full_workspace(tmp_path / "ws")
    toml = (root / "feeds/full/show.toml").read_text("utf-8")
    other = root / "feeds/other"
    other.mkdir()
    (other / "show.toml").write_text(toml.replace("The Full Show", "The Other Show").replace(
        podcast_guid("https://pods.example.com/full/feed.xml"),
        podcast_guid("https://pods.example.com/other/feed.xml")), "utf-8")
    (other / "artwork.png").write_bytes((root / "feeds/full/artwork.png").read_bytes())
    for show in ("full", "other"):
        for n in range(12):
            shared = (Article(url=MARKETS, title="Markets react"),) if n % 3 == 0 else ()
            own = (Article(url=f"https://news.example.com/{show}/{n}", title=f"Story {n}"),)
            write_episode(root, make_episode(
                show=show, slug=f"2025-04-{n + 1:02d}-{show}-{n}",
                guid=f"0c7f6a1e-{n:04d}-4222-8333-{show[:4].encode().hex():0>12}",
                title=f"{show} {n}", notes=f"Notes of **{show} {n}**.",
                published=datetime(2025, 4, n + 1, 6, tzinfo=UTC), articles=shared + own))
    write_episode(root, make_episode(  # scheduled between NOW and LATER
        show="full", slug="2025-06-05-scheduled", guid="0c7f6a1e-1111-4222-8333-444455556666",
        title="Scheduled", published=datetime(2025, 6, 5, tzinfo=UTC),
        articles=(Article(url=MARKETS, title="Markets react"),)))
    settle(root)
    build(load_workspace(root), now=NOW)
    return root


def rewrite(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def retitle(root: Path) -> None:
    rewrite(root, "feeds/other/episodes/2025-04-05-other-4.md", 'title = "other 4"',
            'title = "other 4, retitled"')


def redate(root: Path) -> None:
    """An episode moves to the top of its show: every show page changes."""
    rewrite(root, "feeds/full/episodes/2025-04-02-full-1.md", "2025-04-02T06:00:00Z",
            "2025-05-31T06:00:00Z")


def add_article(root: Path) -> None:
    path = root / "feeds/other/episodes/2025-04-03-other-2.md"
    path.write_text(path.read_text("utf-8").replace(
        "[[articles]]", f'[[articles]]\nurl = "{MARKETS}"\ntitle = "Markets react"\n\n'
        "[[articles]]", 1), "utf-8")


def remove_article(root: Path) -> None:
    path = root / "feeds/full/episodes/2025-04-04-full-3.md"
    text = path.read_text("utf-8")
    block = f'[[articles]]\nurl = "{MARKETS}"\ntitle = "Markets react"\n'
    assert block in text
    path.write_text(text.replace(block, "", 1), "utf-8")


def delete_episode(root: Path) -> None:
    (root / "feeds/full/episodes/2025-04-07-full-6.md").unlink()


def change_show(root: Path) -> None:
    rewrite(root, "feeds/other/show.toml", "The Other Show", "The Other Show, renamed")


def add_override(root: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates/embed.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block body %}<p>{{ ep.title }}</p>{% endblock %}\n',
        "utf-8")


def edit_override(root: Path) -> None:
    add_override(root)
    settle(root)
    build(load_workspace(root), now=NOW)
    rewrite(root, "templates/embed.html.j2", "<p>", "<p class=edited>")


def change_artwork(root: Path) -> None:
    path = root / "feeds/full/artwork.png"
    path.write_bytes(path.read_bytes() + b"\0")  # trailing bytes: same image, new hash


def corrupt_pages(root: Path) -> None:
    for cache in (root / ".podman/cache").glob("pages*.json"):
        cache.write_bytes(cache.read_bytes()[:-40] + b"\x00garbage")
    retitle(root)


def lying_pages(root: Path) -> None:
    """Page entries that claim the current keys for pages edited by hand, and entries swapped
    between pages: the files' stats and the keys betray them."""
    for cache in (root / ".podman/cache").glob("pages*.json"):
        data = json.loads(cache.read_text("utf-8"))
        entries = data["entries"]
        paths = sorted(entries)
        for a, b in zip(paths[::2], paths[1::2], strict=False):
            entries[a][0], entries[b][0] = entries[b][0], entries[a][0]
        cache.write_text(json.dumps(data), "utf-8")
    (root / "public/other/index.html").write_text("stale by hand", "utf-8")
    (root / "public/full/embed/2025-04-01-full-0.html").write_text("stale by hand", "utf-8")


def lying_catalog(root: Path) -> None:
    """A parsed-front-matter cache whose entry claims the edited file's stats: its text
    digest betrays it."""
    cache = root / ".podman/cache/catalog-other.json"
    data = json.loads(cache.read_text("utf-8"))
    retitle(root)
    settle(root, 120)
    from podman.workflows.buildcache import input_stats

    stats = input_stats(load_workspace(root))
    slug = "2025-04-05-other-4"
    data["entries"][slug]["key"][0] = stats[f"feeds/other/episodes/{slug}.md"]
    cache.write_text(json.dumps(data), "utf-8")


@pytest.mark.parametrize("change", [
    retitle, redate, add_article, remove_article, delete_episode, change_show, add_override,
    edit_override, change_artwork, corrupt_pages, lying_pages, lying_catalog, tamper_output,
    remove_output])
def test_every_change_to_a_site_gives_the_cold_build(site: Path, tmp_path: Path,
                                                     change) -> None:
    change(site)
    assert warm(site) == cold(site, tmp_path, NOW)
    settle(site, 300)
    if (site / "templates").is_dir():
        settle_templates(site)
    assert warm(site) == cold(site, tmp_path, NOW)  # and again, from the caches just written


def settle_templates(root: Path) -> None:
    for path in (root / "templates").rglob("*"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 300 * 10**9))


def test_the_clock_making_an_episode_due_changes_its_pages_and_boxes(site: Path,
                                                                     tmp_path: Path) -> None:
    later = warm(site, LATER)
    assert "full/episodes/2025-06-05-scheduled.html" in later
    assert later == cold(site, tmp_path, LATER)
    assert warm(site, NOW) == cold(site, tmp_path, NOW)  # and back
    assert "full/episodes/2025-06-05-scheduled.html" not in public(site)


def test_one_edit_renders_only_the_pages_that_show_it(site: Path, monkeypatch) -> None:
    from podman.render import templating

    rendered: list[str] = []
    real = templating.render

    def spy(name, *args, **context):  # counts real renders, changes nothing
        rendered.append(name)
        return real(name, *args, **context)

    monkeypatch.setattr(templating, "render", spy)
    retitle(site)
    settle(site)
    result = build(load_workspace(site), now=NOW)
    # its page, its embed, the show page listing it, the box of its article; the home page
    # and the feeds' channels are rendered every build (one each)
    assert sorted(n for n in rendered if n.endswith(".html.j2")) == [
        "box-fragment.html.j2", "box.html.j2", "embed.html.j2", "episode.html.j2",
        "home.html.j2", "show.html.j2"]
    assert "other/episodes/2025-04-05-other-4.html" in result.written
    assert len(result.unchanged) > 10 * len(result.written)
    rendered.clear()
    again = build(load_workspace(site), now=NOW, cache=False)  # --no-cache renders it all
    assert rendered.count("episode.html.j2") == 26 and again.written == []
