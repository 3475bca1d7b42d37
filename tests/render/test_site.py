"""The built website as files: relative links, item links, pagination, subscribe links, oEmbed,
JSON-LD, the article boxes and articles.json, hostile catalog text."""

from __future__ import annotations

import io
import json
import re
import urllib.parse
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import podcastparser
import pytest

from podman.core.models import Article
from podman.render.links import article_id
from podman.render.site import BOX_HEAD, BOX_ROW, PAGE_SIZE
from podman.render.subscribe import subscribe_links
from tests.fixtures.cli import SHOW, make_episode, run, write_episode
from tests.fixtures.site import ARTICLE_URL, HOSTILE_TITLE, NOW

BASE = "http://127.0.0.1:8000"
LINK_ATTRS = {("a", "href"), ("link", "href"), ("img", "src"), ("audio", "src"),
              ("script", "src"), ("iframe", "src")}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "script":
            self._script = dict(self.tags[-1][1])

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))
            self._script = None

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def parse(path: Path) -> Tags:
    tags = Tags()
    tags.feed(path.read_text("utf-8"))
    return tags


def html_pages(root: Path) -> list[Path]:
    return sorted(p for p in (root / "public").rglob("*.html")
                  if not p.name.endswith(".fragment.html"))


def test_links_between_files_of_public_are_relative_and_resolve(site_ws: Path) -> None:
    public = site_ws / "public"
    media = site_ws / "media"
    checked = 0
    for page in html_pages(site_ws):
        here = page.relative_to(public).as_posix()
        for tag, attrs in parse(page).tags:
            for name in ("href", "src"):
                value = attrs.get(name)
                if (tag, name) not in LINK_ATTRS or not value:
                    continue
                assert not value.startswith(BASE), f"{here}: {tag} {name}={value}"
                if value.startswith(("http://", "https://")):
                    continue  # another site: an article, a podcast app
                target = urllib.parse.urlsplit(
                    urllib.parse.urljoin(f"http://h/{here}", value)).path.lstrip("/")
                found = (media / target.removeprefix("media/")
                         if target.startswith("media/") else public / target)
                assert found.is_file(), f"{here}: {value} -> {target} does not exist"
                checked += 1
    assert checked > 40


def test_absolute_urls_only_in_social_tags_json_ld_and_embed_code(site_ws: Path) -> None:
    page = next(p for p in html_pages(site_ws) if "/episodes/2025-03-14" in p.as_posix())
    tags = parse(page)
    metas = {a.get("property") or a.get("name"): a["content"] for t, a in tags.tags
             if t == "meta" and "content" in a}
    assert metas["og:url"] == f"{BASE}/daily/episodes/{page.name}"
    assert metas["twitter:card"] == "player"
    assert metas["twitter:player"] == f"{BASE}/daily/embed/{page.name}"
    assert metas["twitter:player:stream"].startswith(f"{BASE}/media/daily/")
    assert metas["og:image"].startswith(f"{BASE}/daily/artwork-")


def test_json_ld_is_a_podcast_episode_and_cannot_end_its_script(site_ws: Path) -> None:
    page = next(p for p in html_pages(site_ws) if "/episodes/2025-03-14" in p.as_posix())
    [(attrs, text)] = [(a, t) for a, t in parse(page).scripts
                       if a.get("type") == "application/ld+json"]
    assert "</" not in text and "<script" not in text
    data = json.loads(text)
    assert data["@type"] == "PodcastEpisode"
    assert data["name"] == " ".join(HOSTILE_TITLE.split())
    assert data["timeRequired"] == "PT40S"
    assert data["associatedMedia"]["encodingFormat"] == "audio/mpeg"
    assert data["partOfSeries"]["webFeed"] == f"{BASE}/daily/feed.xml"


def test_item_link_is_the_article_else_the_episode_page(site_ws: Path) -> None:
    data = (site_ws / "public" / SHOW / "feed.xml").read_bytes()
    feed = podcastparser.parse(f"{BASE}/daily/feed.xml", io.BytesIO(data))
    links = {e["title"]: e["link"] for e in feed["episodes"]}
    assert links["No article here"] == f"{BASE}/daily/episodes/2025-03-15-no-article-here.html"
    assert (site_ws / "public" / SHOW / "episodes" / "2025-03-15-no-article-here.html").is_file()
    [hostile] = [link for title, link in links.items() if title != "No article here"]
    assert hostile == ARTICLE_URL


def test_oembed_discovery_early_in_head_and_static_json(demo_ws: Path) -> None:
    public = demo_ws / "public"
    articles = json.loads((public / "articles.json").read_text())
    pages = [*sorted((public / "demo" / "episodes").glob("*.html")),
             *(public / a["box_path"] for a in articles.values())]
    for page in pages:
        text = page.read_text()
        head = text[:text.index("<title>")]
        [href] = re.findall(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"',
                            head)
        data = json.loads((page.parent / href).read_text())
        assert (data["version"], data["type"]) == ("1.0", "rich")
        [src] = re.findall(r'<iframe src="([^"]+)"', data["html"])
        assert src.startswith(BASE + "/") and f'height="{data["height"]}"' in data["html"]
        assert (public / src.removeprefix(BASE + "/")).is_file()
        assert 'title="' in data["html"]
    for article in articles.values():
        box = (public / article["box_path"]).with_suffix(".oembed.json")
        assert json.loads(box.read_text())["height"] == article["height"] == BOX_HEAD + BOX_ROW


def test_articles_json_lists_every_article_with_its_box(demo_ws: Path) -> None:
    public = demo_ws / "public"
    articles = json.loads((public / "articles.json").read_text())
    assert {a["episodes"][0]["duration_text"] for a in articles.values()} == {"28:08", "24:41"}
    for url, article in articles.items():
        assert article["box_path"] == f"articles/{article_id(url)}.html"
        assert article["box"] == f"{BASE}/{article['box_path']}"
        fragment = public / "articles" / f"{article_id(url)}.fragment.html"
        text = fragment.read_text()
        assert "<script" not in text and article["episodes"][0]["duration_text"] in text
        # the fragment is included into the CMS's page: its links are absolute
        assert re.findall(r'(?:href|src)="([^"]+)"', text)
        assert all(u.startswith(BASE) for u in re.findall(r'(?:href|src)="([^"]+)"', text))
        assert 'preload="none"' in text


def test_articles_json_streamed_equals_one_dump_of_the_whole_index(demo_ws: Path) -> None:
    """The build writes articles.json piece by piece; the bytes are what one json.dumps of
    the whole index gives (and an empty index is `{}`)."""
    from podman.render.site import articles_json

    data = (demo_ws / "public" / "articles.json").read_bytes()
    index = json.loads(data)
    assert len(index) >= 2
    assert data == (json.dumps(index, ensure_ascii=False, indent=2, sort_keys=True)
                    + "\n").encode()
    assert b"".join(articles_json(None, {})) == b"{}\n"  # type: ignore[arg-type]


def test_a_box_gathers_an_articles_episodes_across_shows_newest_first(workspace: Path) -> None:
    other = workspace / "feeds" / "weekly"
    other.mkdir()
    (other / "show.toml").write_text(
        (workspace / "feeds" / SHOW / "show.toml").read_text().replace("The Daily Test",
                                                                       "The Weekly Test"))
    (other / "artwork.png").write_bytes((workspace / "feeds" / SHOW / "artwork.png").read_bytes())
    url = "https://news.example.com/story"
    day = datetime(2025, 3, 10, 17, tzinfo=UTC)
    for n, (show, offset) in enumerate([(SHOW, 0), ("weekly", 2), (SHOW, 1)]):
        write_episode(workspace, make_episode(
            show=show, slug=f"2025-03-1{offset}-ep{n}",
            guid=f"00000000-0000-4000-8000-00000000000{n}",
            title=f"Ep {n}", published=day + timedelta(days=offset),
            articles=(Article(url, "The story"),)))
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    box = workspace / "public" / "articles" / f"{article_id(url)}.html"
    titles = re.findall(r'<h2 class="t"><a [^>]+>([^<]+)</a>', box.read_text())
    assert titles == ["Ep 1", "Ep 2", "Ep 0"]
    entry = json.loads((workspace / "public" / "articles.json").read_text())[url]
    assert entry["height"] == BOX_HEAD + 3 * BOX_ROW
    assert [e["show"] for e in entry["episodes"]] == ["weekly", SHOW, SHOW]


def test_show_pages_are_paginated(workspace: Path) -> None:
    day = datetime(2025, 1, 1, 17, tzinfo=UTC)
    total = 2 * PAGE_SIZE + 5
    for n in range(total):
        published = day + timedelta(days=n)
        write_episode(workspace, make_episode(
            slug=f"{published:%Y-%m-%d}-ep", guid=f"00000000-0000-4000-8000-{n:012d}",
            title=f"Episode {n}", published=published))
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    public = workspace / "public" / SHOW
    first, second, third = (public / "index.html", public / "page" / "2.html",
                            public / "page" / "3.html")
    counts = [len(re.findall(r'<li class="ep">', p.read_text())) for p in (first, second, third)]
    assert counts == [PAGE_SIZE, PAGE_SIZE, 5]
    assert f"Episode {total - 1}<" in first.read_text()  # newest first
    assert '<link rel="next" href="page/2.html">' in first.read_text()
    assert '<link rel="prev" href="../index.html">' in second.read_text()
    assert '<link rel="next" href="3.html">' in second.read_text()
    assert '<span aria-current="page">3</span>' in third.read_text()
    assert not (public / "page" / "4.html").exists()


def test_subscribe_links_are_https_and_need_an_apple_id_only_where_apps_do() -> None:
    feed = "https://pods.example.com/daily/feed.xml"
    without = dict(subscribe_links(feed))
    assert set(without) == {"AntennaPod", "Podcast Addict", "Player FM"}
    assert without["AntennaPod"] == ("https://antennapod.org/deeplink/subscribe?url="
                                     "https%3A%2F%2Fpods.example.com%2Fdaily%2Ffeed.xml")
    full = dict(subscribe_links(feed, "1234567"))
    assert full["Apple Podcasts"] == "https://podcasts.apple.com/podcast/id1234567"
    assert full["Overcast"] == "https://overcast.fm/itunes1234567"
    assert len(full) == 7 and all(u.startswith("https://") for u in full.values())


def test_show_page_has_autodiscovery_and_subscribe_links(workspace: Path) -> None:
    path = workspace / "feeds" / SHOW / "show.toml"
    path.write_text(path.read_text() + 'apple_id = "1234567"\n')
    assert run("build", "-C", workspace, "--now", NOW).exit_code == 0
    text = (workspace / "public" / SHOW / "index.html").read_text()
    assert '<link rel="alternate" type="application/rss+xml" title="The Daily Test" ' \
           'href="feed.xml">' in text
    assert 'href="https://podcasts.apple.com/podcast/id1234567"' in text
    assert 'value="http://127.0.0.1:8000/daily/feed.xml"' in text
    path.write_text(path.read_text().replace('"1234567"', '"podcasts.apple.com/id1"'))
    result = run("build", "-C", workspace, "--now", NOW)
    assert result.exit_code == 2 and "apple_id" in result.stderr


def _sneaky():
    from podman.core.models import Chapter

    return make_episode(guid="00000000-0000-4000-8000-000000000001", title="Sneaky",
                        articles=(Article("javascript:alert(1)", "Click me"),),
                        chapters=(Chapter(0.0, "Intro", "javascript:alert(2)"),))


def test_catalog_urls_other_than_http_are_refused_by_the_reader(workspace: Path) -> None:
    path = write_episode(workspace, _sneaky())
    result = run("build", "-C", workspace, "--now", NOW)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"podman: error: {path}")
    assert not (workspace / "public").exists()


def test_catalog_urls_other_than_http_never_become_links(workspace: Path) -> None:
    """An Episode made in code (past the reader) still renders such URLs as text only."""
    from podman.core.config import load_show, load_workspace
    from podman.render.feed import FeedInputs, render_feed
    from podman.render.site import render_site
    from podman.render.view import prepare_episode

    ws = load_workspace(workspace)
    show = load_show(workspace / "feeds" / SHOW)
    view = prepare_episode(ws, _sneaky(), None)
    pages = render_site(ws, show, [view], "")
    for name, page in pages.items():
        assert 'href="javascript' not in page.decode().lower(), name
    assert "<li>Click me</li>" in pages[f"{SHOW}/episodes/2025-03-14-first.html"].decode()
    feed = render_feed(FeedInputs(ws, show, [view])).decode()
    assert "javascript:" not in feed
    assert f"<link>{ws.publish.base_url}/daily/episodes/2025-03-14-first.html</link>" in feed


@pytest.mark.parametrize("kind,budget", [("page", 50_000), ("box", 15_000)])
def test_pages_are_within_budget(demo_ws: Path, site_ws: Path, kind: str, budget: int) -> None:
    """Each page with its stylesheet and script, before audio and artwork."""
    for root in (demo_ws, site_ws):
        public = root / "public"
        assets = sum((public / "assets" / n).stat().st_size for n in ("site.css", "player.js"))
        for page in html_pages(root):
            rel = page.relative_to(public).as_posix()
            is_box = rel.startswith("articles/") or "/embed/" in rel
            if is_box == (kind == "box"):
                assert page.stat().st_size + assets <= budget, rel
