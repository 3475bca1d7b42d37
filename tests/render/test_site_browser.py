"""The website and the article boxes in Debian's Chromium, served by `podman serve`."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from podman.render.site import BOX_ROW
from tests.fixtures.browser import (
    WIDTHS,
    Traffic,
    host_pages,
    podman_serve,
    press_play,
    sub_path_server,
    wait_playing,
)
from tests.fixtures.site import HOSTILE_ARTICLE, HOSTILE_TITLE

BOX_BUDGET = 15_000  # bytes before audio and artwork, per box or embed
PAGE_BUDGET = 50_000  # per page


@pytest.fixture(scope="module")
def demo_url(demo_ws: Path):
    with podman_serve(demo_ws) as base:
        yield base


@pytest.fixture(scope="module")
def site_url(site_ws: Path):
    with podman_serve(site_ws) as base:
        yield base


@pytest.fixture
def context(browser):
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def layout(context, url: str, script: bool) -> list:
    """Where every element of a page sits, with player.js loaded or refused."""
    page = context.new_page()
    if not script:
        page.route("**/player.js", lambda route: route.abort())
    page.goto(url)
    page.wait_for_load_state("networkidle")
    rects = page.evaluate("""[...document.body.querySelectorAll('*')].map(e => {
        const r = e.getBoundingClientRect(); return [e.tagName, r.x, r.y, r.width, r.height]; })""")
    page.close()
    return rects


def boxes(root: Path) -> dict[str, dict]:
    return json.loads((root / "public" / "articles.json").read_text("utf-8"))


def episode_path(root: Path, show: str = "daily", n: int = 0) -> str:
    pages = sorted((root / "public" / show / "episodes").glob("*.html"))
    return pages[n].relative_to(root / "public").as_posix()


def pages_of(root: Path, show: str) -> list[str]:
    """Every kind of page: home, show, episodes, embeds, article boxes."""
    public = root / "public"
    return ["index.html", f"{show}/index.html",
            *(p.relative_to(public).as_posix() for pattern in
              (f"{show}/episodes/*.html", f"{show}/embed/*.html", "articles/*.html")
              for p in sorted(public.glob(pattern)) if not p.name.endswith(".fragment.html"))]


def test_demo_boxes_list_their_episodes_with_exact_durations(context, demo_ws, demo_url):
    found = {}
    for article, box in boxes(demo_ws).items():
        page = context.new_page()
        traffic = Traffic().watch(page)
        page.goto(f"{demo_url}/{box['box_path']}")
        page.wait_for_load_state("networkidle")
        titles = page.locator(".row .t").all_inner_texts()
        assert titles == [e["title"] for e in box["episodes"]]
        found[article] = page.locator(".row .dur").all_inner_texts()
        # the height the CMS is told is the height the box has
        assert page.evaluate("document.body.getBoundingClientRect().height") == box["height"]
        assert traffic.media() == []  # no audio byte before the listener presses play
        assert traffic.hosts() == {demo_url.removeprefix("http://")}
        assert 0 < traffic.page_bytes() <= BOX_BUDGET
        assert page.evaluate("document.documentElement.classList.contains('js')")
        # the script's buttons had their place already: loading it moves nothing
        url = f"{demo_url}/{box['box_path']}"
        assert layout(context, url, True) == layout(context, url, False)
        page.close()
    assert sorted(found.values()) == [["24:41"], ["28:08"]]
    for embed in sorted((demo_ws / "public" / "demo" / "embed").glob("*.html")):
        page = context.new_page()
        page.goto(f"{demo_url}/demo/embed/{embed.name}")
        assert page.evaluate("document.body.getBoundingClientRect().height") == BOX_ROW
        page.close()


def test_pressing_play_in_a_box_plays_through_range_requests(context, demo_ws, demo_url):
    box = next(b for b in boxes(demo_ws).values() if b["episodes"][0]["duration_text"] == "28:08")
    page = context.new_page()
    traffic = Traffic().watch(page)
    page.goto(f"{demo_url}/{box['box_path']}")
    press_play(page)
    assert wait_playing(page, at_least=1.0) > 1.0
    media = traffic.media()
    assert media and all(rng.startswith("bytes=") for _, rng in media)
    assert any(status == 206 for url, status in traffic.statuses.items() if url == media[0][0])
    # forward 30 s, and a second player pauses the first (the demo boxes hold one each: use
    # the episode page's show list, which holds both)
    page.click("button[data-skip='30']")
    assert page.evaluate("document.querySelector('audio').currentTime") > 30
    show = context.new_page()
    show.goto(f"{demo_url}/demo/index.html")
    press_play(show, "li.ep:nth-child(1) audio")
    wait_playing(show, "li.ep:nth-child(1) audio", at_least=0.2)
    press_play(show, "li.ep:nth-child(2) audio")
    wait_playing(show, "li.ep:nth-child(2) audio", at_least=0.2)
    assert show.evaluate("document.querySelectorAll('audio')[0].paused") is True


def test_box_plays_under_a_strict_csp_and_in_a_sandboxed_frame(context, demo_ws, demo_url):
    box = next(iter(boxes(demo_ws).values()))
    src, height = f"{demo_url}/{box['box_path']}", box["height"]
    frame = f'<iframe src="{src}?childId=box1" title="Podcasts" height="{height}" width="100%"'
    listener = ("<script>window.msgs=[];addEventListener('message',e=>msgs.push(e.data))"
                "</script>")
    pages = {
        "/csp.html": (f"<!doctype html><title>Article</title><main><h1>News</h1>{frame}>"
                      "</iframe></main>",
                      {"Content-Security-Policy": f"default-src 'none'; frame-src {demo_url}"}),
        "/sandbox.html": (f"<!doctype html><title>Article</title>{listener}<main><h1>News</h1>"
                          f'{frame} sandbox="allow-scripts"></iframe></main>', {}),
    }
    with host_pages(pages) as news:
        for path in pages:
            page = context.new_page()
            traffic = Traffic().watch(page)
            errors: list = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(news + path)
            inner = page.frame_locator("iframe")
            inner.locator("audio").wait_for()
            child = page.frames[1]
            assert child.locator(".row .dur").inner_text() == box["episodes"][0]["duration_text"]
            press_play(child)
            assert wait_playing(child, at_least=0.5) > 0.5
            child.click("button[data-rate]")  # remembering the speed needs storage: guarded
            assert child.evaluate("document.querySelector('audio').playbackRate") == 1.25
            assert child.locator("button[data-rate]").inner_text() == "1.25×"
            assert errors == []
            assert traffic.hosts() == {news.removeprefix("http://"),
                                       demo_url.removeprefix("http://")}
            page.close()
        page = context.new_page()
        page.goto(news + "/sandbox.html")
        page.wait_for_function("window.msgs.length >= 2")
        msgs = page.evaluate("window.msgs")
        assert {"sentinel": "amp", "type": "embed-size", "height": height} in msgs
        assert f"pymxPYMxbox1xPYMxheightxPYMx{height}" in msgs


def test_chapters_seek_and_the_transcript_follows(context, site_ws, site_url):
    page = context.new_page()
    page.goto(f"{site_url}/{episode_path(site_ws)}")
    chapter = page.locator(".chapters a[data-t='10']")
    assert chapter.get_attribute("href").endswith("#t=10")
    chapter.click()
    assert wait_playing(page, "audio[data-main]", at_least=10.0) >= 10.0
    page.wait_for_selector(".cue.now[data-start='10']")
    assert "what the budget means" in page.locator(".cue.now").inner_text()
    # visible focus: a keyboard user sees where they are
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    # keys: Space pauses, → jumps 30 s
    page.locator("h1").click()
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('audio[data-main]').paused")
    before = page.evaluate("document.querySelector('audio[data-main]').currentTime")
    page.keyboard.press("ArrowRight")
    after = page.evaluate("document.querySelector('audio[data-main]').currentTime")
    assert after == pytest.approx(min(before + 30, 40.0), abs=1.0)


def test_a_t_fragment_starts_the_page_there(context, site_ws, site_url):
    page = context.new_page()
    page.goto(f"{site_url}/{episode_path(site_ws)}#t=20")
    press_play(page, "audio[data-main]")
    assert wait_playing(page, "audio[data-main]", at_least=20.0) >= 20.0


def test_pages_work_with_javascript_off(browser, site_ws, site_url, demo_ws, demo_url):
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        box = next(iter(boxes(demo_ws).values()))
        page.goto(f"{demo_url}/{box['box_path']}")
        assert page.locator(".row .dur").inner_text() == box["episodes"][0]["duration_text"]
        assert page.locator("audio").get_attribute("preload") == "none"
        assert page.locator("audio").get_attribute("controls") is not None
        url = f"{site_url}/{episode_path(site_ws)}"
        page.goto(url)
        assert page.locator(".cue").count() == 4
        href = page.locator(".chapters a[data-t='10']").get_attribute("href")
        with page.expect_navigation():  # the media fragment opens the audio at 0:10
            page.locator(".chapters a[data-t='10']").click()
        assert page.url == urllib.parse.urljoin(url, href)
        assert page.url.endswith(".mp3#t=10")
    finally:
        ctx.close()


def test_hostile_text_renders_as_text(context, site_ws, site_url):
    dialogs = []
    for path in [*pages_of(site_ws, "daily")]:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{site_url}/{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.pwned") is None, path
        assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0
        text = page.locator("body").inner_text()
        if "episodes/" in path and "2025-03-14" in path:
            assert page.locator("h1").inner_text() == " ".join(HOSTILE_TITLE.split())
            assert " ".join(HOSTILE_ARTICLE.split()) in " ".join(text.split())
            assert page.locator("a[href^='javascript:' i]").count() == 0
        page.close()
    assert dialogs == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe_within_budget(browser, demo_ws, demo_url, site_ws, site_url,
                                             scheme, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for root, base, show in ((demo_ws, demo_url, "demo"), (site_ws, site_url, "daily")):
        for path in pages_of(root, show):
            ctx = browser.new_context(color_scheme=scheme)
            page = ctx.new_page()
            traffic = Traffic().watch(page)
            page.goto(f"{base}/{path}")
            page.wait_for_load_state("networkidle")
            results = axe.run(page)
            if results.violations_count:
                problems.append(f"{path} ({scheme}):\n{results.generate_report()}")
            budget = BOX_BUDGET if path.startswith(("articles/", f"{show}/embed/")) \
                else PAGE_BUDGET
            assert traffic.page_bytes() <= budget, (path, traffic.sizes)
            assert traffic.hosts() == {base.removeprefix("http://")}, path
            assert traffic.media() == [], path
            ctx.close()
    assert not problems, "\n".join(problems)


def test_screenshots_for_review(browser, demo_ws, demo_url, site_ws, site_url,
                                tmp_path_factory):
    """Every kind of page at 375 and 1280 px (light; box and episode also dark), for a person
    to look at: the path is printed."""
    out = tmp_path_factory.mktemp("screenshots")
    box = next(iter(boxes(demo_ws).values()))["box_path"]
    shots = [(demo_url, box), *((site_url, path) for path in pages_of(site_ws, "daily"))]
    taken = []
    for base, path in shots:
        schemes = ("light", "dark") if "episodes/" in path or "articles/" in path else ("light",)
        for width in WIDTHS:
            for scheme in schemes:
                ctx = browser.new_context(viewport={"width": width, "height": 800},
                                          color_scheme=scheme)
                page = ctx.new_page()
                page.goto(f"{base}/{path}")
                page.wait_for_load_state("networkidle")
                name = f"{path.replace('/', '_')}-{width}-{scheme}.png"
                page.screenshot(path=out / name, full_page=True)
                taken.append(out / name)
                ctx.close()
    print(f"screenshots in {out}")
    assert len(taken) >= 2 * len(shots) and all(p.stat().st_size > 1000 for p in taken)


def test_axe_finds_violations_on_a_bad_page(context):
    """The accessibility check above can fail: a page with an unlabelled image link fails."""
    from axe_playwright_python.sync_playwright import Axe

    bad = '<!doctype html><title>x</title><main><a href="/"><img src="/x.png"></a></main>'
    with host_pages({"/bad.html": (bad, {})}) as base:
        page = context.new_page()
        page.goto(base + "/bad.html")
        assert Axe().run(page).violations_count > 0


def test_the_site_works_under_a_sub_path(context, demo_ws):
    with sub_path_server(demo_ws) as base:
        page = context.new_page()
        traffic = Traffic().watch(page)
        page.goto(f"{base}/demo/index.html")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.classList.contains('js')")
        assert all(status == 200 for status in traffic.statuses.values()), traffic.statuses
        page.click("li.ep:nth-child(1) h3 a")
        page.wait_for_load_state("networkidle")
        assert page.url.startswith(base + "/demo/episodes/")
        press_play(page, "audio[data-main]")
        assert wait_playing(page, "audio[data-main]") > 0.5
