"""Feed build benchmark: podman's renderer against feedgen, lxml and a string-join lower bound.

A script, never a timed test: every contender runs in its own subprocess (fair peak memory) in
one invocation, and the table prints ratios against the string-join bound measured in the same
run, so the numbers compare side by side on whatever machine runs it.

    PYTHONPATH=src python bench/build.py                    # 10,000 and 50,000 items
    PYTHONPATH=src python bench/build.py --sizes 1000,10000 --catalog 2000 --repeat 3

Contenders (same generated episodes; ~1 KB Markdown notes, two article links each):
  podman+md       podman.render.feed.render_feed over Episode objects, Markdown -> HTML included
  podman          the same with the episode views (notes HTML) prepared beforehand
  feedgen         python-feedgen + its podcast extension, notes HTML precomputed
  lxml            lxml.etree tree of the same feed, serialised; notes HTML precomputed
  string-join     f-strings + html.escape, notes HTML precomputed: the lower bound; its
                  bytes are checked equal to podman's

`ms` is the best of --repeat renders; `x bound` divides it by the best of the string-join
bound's renders timed alternately with it in the same subprocess; `peak MB` is tracemalloc's
peak during one render (Python allocations only: libxml2's own memory is invisible to it)
and `rss+ MB` is the growth of the process's max RSS over that render (covers C allocations).
The full `podman build` over a generated on-disk catalog is reported separately, by phase.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2030, 1, 1, tzinfo=UTC)
CONTENDERS = ("string-join", "podman", "podman+md", "lxml", "feedgen")
PEERS = {"feedgen": "feedgen", "lxml": "lxml"}

# -- realistic generated data ------------------------------------------------------------------

_WORDS = ("minister council budget election talks markets inflation rates troops region "
          "ceasefire report energy prices climate summit court ruling vote parliament "
          "economy growth jobs housing mortgages savings central bank analysts border trade "
          "tariffs exports strike union health hospital school teachers weather storm").split()


def _sentence(rnd: random.Random, n: int) -> str:
    words = [rnd.choice(_WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:])


def notes_markdown(rnd: random.Random, i: int) -> str:
    """About 1 KB of show notes: paragraphs, emphasis, a link, a list, an ampersand."""
    paras = [
        f"Today on the briefing: {_sentence(rnd, 14)}, and what it means for "
        f"**{_sentence(rnd, 2)}** & {_sentence(rnd, 3).lower()}. {_sentence(rnd, 18)}.",
        f"{_sentence(rnd, 20)}. Read [our full report](https://news.example.com/r/{i}) "
        f"for maps and background; {_sentence(rnd, 12).lower()}.",
        "In this episode:\n\n" + "\n".join(f"- {_sentence(rnd, 6)}" for _ in range(4)),
        f"{_sentence(rnd, 22)} \"{_sentence(rnd, 4)}\" -- {_sentence(rnd, 10).lower()}.",
    ]
    return "\n\n".join(paras)


def make_episodes(n: int, show: str = "bench") -> list:
    from podman.core.models import Article, AudioRef, Episode

    rnd = random.Random(20250314)
    start = datetime(2000, 1, 1, 6, tzinfo=UTC)
    out = []
    for i in range(n):
        published = start + timedelta(hours=13 * i, minutes=rnd.randrange(60))
        title = f"{_sentence(rnd, 6)} & {_sentence(rnd, 3).lower()} <{i}>"
        slug = f"{published:%Y-%m-%d}-ep-{i:06d}"
        url = f"https://news.example.com/{published:%Y/%m/%d}/story-{i}"
        out.append(Episode(
            show=show, slug=slug, guid=str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            title=title, published=published, status="published",
            duration=float(rnd.randrange(600, 4000)) + 0.25,
            audio=AudioRef(key=f"{show}/{slug}-{i:010x}.mp3", bytes=rnd.randrange(10**6, 10**8),
                           type="audio/mpeg", sha256=f"{i:064x}"),
            notes=notes_markdown(rnd, i),
            articles=(Article(url=url, title=title), Article(url=url + "-analysis",
                                                            title=f"Analysis: {title}")),
            season=(i // 100 + 1) if i % 3 == 0 else None,
            episode=(i + 1) if i % 3 == 0 else None,
            explicit=(i % 7 == 0) if i % 2 else None,
        ))
    out.sort(key=lambda e: (e.published, e.slug), reverse=True)
    return out


def configs(root: Path):
    from podman.core.config import PublishConfig, ShowConfig, StorageConfig, WorkspaceConfig

    ws = WorkspaceConfig(root=root, storage=StorageConfig(public_url="https://cdn.example.com/m"),
                         publish=PublishConfig(base_url="https://pods.example.com"))
    show = ShowConfig(
        slug="bench", title="The Bench Briefing & Co", description="Daily news, benchmarked.",
        language="en", author="Bench Newsroom", email="pod@news.example.com",
        podcast_guid="85e0e6ac-a914-5d3f-a7d9-e6472eb287b5",
        link="https://news.example.com/podcasts/bench", image="artwork.jpg",
        categories=(("News", "Daily News"),),
    )
    return ws, show


IMAGE_URL = "https://pods.example.com/bench/artwork-0123456789ab.jpg"

# -- contenders --------------------------------------------------------------------------------


def _podman(ws, show, episodes, html, precomputed: bool):
    from dataclasses import replace

    from podman.core.text import cdata
    from podman.render import feed
    from podman.render.view import prepare_episode

    if not precomputed:  # notes Markdown -> HTML and the rest of the per-episode view included
        return lambda: feed.render_feed(feed.FeedInputs(
            ws, show, [prepare_episode(ws, ep, None) for ep in episodes], image_url=IMAGE_URL))
    views = [replace(prepare_episode(ws, ep, None), notes_html=html[ep.guid],
                     notes_cdata=cdata(html[ep.guid])) for ep in episodes]
    inputs = feed.FeedInputs(ws, show, views, image_url=IMAGE_URL)
    return lambda: feed.render_feed(inputs)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _date(dt: datetime) -> str:
    return (f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
            f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} +0000")


def _string_join(ws, show, episodes, html):
    """The lower bound: the feed podman writes, as one f-string per item (notes precomputed,
    free of control characters and `]]>`, as the generated data is)."""
    base = ws.storage.public_url.rstrip("/")
    feed_url = ws.feed_url(show.slug)

    def render() -> bytes:
        e = escape
        t, link = e(show.title), e(show.link)
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
            'xmlns:podcast="https://podcastindex.org/namespace/1.0" '
            'xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:psc="http://podlove.org/simple-chapters" '
            'xmlns:fh="http://purl.org/syndication/history/1.0">\n<channel>\n'
            f"<title>{t}</title>\n<description>{e(show.description)}</description>\n"
            f"<link>{link}</link>\n<language>{e(show.language)}</language>\n"
            "<generator>podman 0.1.0</generator>\n"
            f"<lastBuildDate>{_date(episodes[0].published)}</lastBuildDate>\n"
            f'<atom:link href="{e(feed_url)}" rel="self" type="application/rss+xml"/>\n'
            f'<itunes:image href="{IMAGE_URL}"/>\n<image>\n<url>{IMAGE_URL}</url>\n'
            f"<title>{t}</title>\n<link>{link}</link>\n</image>\n"
            + "".join(f'<itunes:category text="{e(c[0])}">\n<itunes:category text="{e(c[1])}"/>'
                      "\n</itunes:category>\n" for c in show.categories)
            + f"<itunes:explicit>false</itunes:explicit>\n<itunes:author>{e(show.author)}"
            f"</itunes:author>\n<itunes:owner>\n<itunes:name>{e(show.author)}</itunes:name>\n"
            f"<itunes:email>{e(show.email)}</itunes:email>\n</itunes:owner>\n"
            f"<itunes:type>{show.type}</itunes:type>\n"
            f"<podcast:guid>{show.podcast_guid}</podcast:guid>\n"
            f'<podcast:locked owner="{e(show.email)}">yes</podcast:locked>\n'
        ]
        for ep in episodes:
            notes = f"<![CDATA[{html[ep.guid]}]]>"
            link = f"<link>{e(ep.articles[0].url)}</link>\n" if ep.articles else ""
            num = ""
            if ep.season:
                num += (f"<itunes:season>{ep.season}</itunes:season>\n"
                        f"<podcast:season>{ep.season}</podcast:season>\n")
            if ep.episode:
                num += (f"<itunes:episode>{ep.episode}</itunes:episode>\n"
                        f"<podcast:episode>{ep.episode}</podcast:episode>\n")
            if ep.explicit is not None:
                num += f"<itunes:explicit>{'true' if ep.explicit else 'false'}</itunes:explicit>\n"
            parts.append(
                f"<item>\n<title>{e(ep.title)}</title>\n"
                f'<guid isPermaLink="false">{e(ep.guid)}</guid>\n'
                f"<pubDate>{_date(ep.published)}</pubDate>\n{link}"
                f"<description>{notes}</description>\n<content:encoded>{notes}</content:encoded>\n"
                f'<enclosure url="{e(base + "/" + ep.audio.key)}" length="{ep.audio.bytes}" '
                f'type="{e(ep.audio.type)}"/>\n'
                f"<itunes:duration>{int(ep.duration + 0.5)}</itunes:duration>\n"
                f"<itunes:episodeType>{ep.episode_type}</itunes:episodeType>\n{num}</item>\n"
            )
        parts.append("</channel>\n</rss>\n")
        return "".join(parts).encode("utf-8")

    return render


def _lxml(ws, show, episodes, html):
    from lxml import etree

    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
          "podcast": "https://podcastindex.org/namespace/1.0",
          "atom": "http://www.w3.org/2005/Atom",
          "content": "http://purl.org/rss/1.0/modules/content/"}
    it, pc = f"{{{ns['itunes']}}}", f"{{{ns['podcast']}}}"
    atom, content = f"{{{ns['atom']}}}", f"{{{ns['content']}}}"
    base = ws.storage.public_url.rstrip("/")

    def render() -> bytes:
        sub = etree.SubElement
        rss = etree.Element("rss", version="2.0", nsmap=ns)
        ch = sub(rss, "channel")
        for tag, text in (("title", show.title), ("description", show.description),
                          ("link", show.link), ("language", show.language),
                          ("generator", "podman 0.1.0"),
                          ("lastBuildDate", _date(episodes[0].published))):
            sub(ch, tag).text = text
        sub(ch, atom + "link", href=ws.feed_url(show.slug), rel="self",
            type="application/rss+xml")
        sub(ch, it + "image", href=IMAGE_URL)
        cat = sub(ch, it + "category", text=show.categories[0][0])
        sub(cat, it + "category", text=show.categories[0][1])
        sub(ch, it + "explicit").text = "false"
        sub(ch, it + "author").text = show.author
        owner = sub(ch, it + "owner")
        sub(owner, it + "name").text = show.author
        sub(owner, it + "email").text = show.email
        sub(ch, it + "type").text = show.type
        sub(ch, pc + "guid").text = show.podcast_guid
        sub(ch, pc + "locked", owner=show.email).text = "yes"
        for ep in episodes:
            item = sub(ch, "item")
            sub(item, "title").text = ep.title
            sub(item, "guid", isPermaLink="false").text = ep.guid
            sub(item, "pubDate").text = _date(ep.published)
            if ep.articles:
                sub(item, "link").text = ep.articles[0].url
            notes = html[ep.guid]
            sub(item, "description").text = etree.CDATA(notes)
            sub(item, content + "encoded").text = etree.CDATA(notes)
            sub(item, "enclosure", url=f"{base}/{ep.audio.key}", length=str(ep.audio.bytes),
                type=ep.audio.type)
            sub(item, it + "duration").text = str(int(ep.duration + 0.5))
            sub(item, it + "episodeType").text = ep.episode_type
            if ep.season:
                sub(item, it + "season").text = sub(item, pc + "season").text = str(ep.season)
            if ep.episode:
                sub(item, it + "episode").text = sub(item, pc + "episode").text = str(ep.episode)
            if ep.explicit is not None:
                sub(item, it + "explicit").text = "true" if ep.explicit else "false"
        return etree.tostring(rss, xml_declaration=True, encoding="UTF-8")

    return render


def _feedgen(ws, show, episodes, html):
    import lxml.etree  # noqa: F401  (feedgen.util needs it imported first)
    from feedgen.feed import FeedGenerator

    base = ws.storage.public_url.rstrip("/")

    def render() -> bytes:
        fg = FeedGenerator()
        fg.load_extension("podcast")
        fg.title(show.title)
        fg.description(show.description)
        fg.link(href=show.link, rel="alternate")
        fg.link(href=ws.feed_url(show.slug), rel="self")
        fg.language(show.language)
        fg.generator("podman 0.1.0")
        fg.lastBuildDate(episodes[0].published)
        fg.podcast.itunes_image(IMAGE_URL)
        fg.podcast.itunes_category(show.categories[0][0], show.categories[0][1])
        fg.podcast.itunes_explicit("no")
        fg.podcast.itunes_author(show.author)
        fg.podcast.itunes_owner(name=show.author, email=show.email)
        fg.podcast.itunes_type(show.type)
        for ep in episodes:
            fe = fg.add_entry(order="append")
            fe.title(ep.title)
            fe.guid(ep.guid, permalink=False)
            fe.pubDate(ep.published)
            if ep.articles:
                fe.link(href=ep.articles[0].url)
            notes = html[ep.guid]
            fe.description(notes, isSummary=True)
            fe.content(notes, type="CDATA")
            fe.enclosure(f"{base}/{ep.audio.key}", str(ep.audio.bytes), ep.audio.type)
            fe.podcast.itunes_duration(int(ep.duration + 0.5))
            fe.podcast.itunes_episode_type(ep.episode_type)
            if ep.season:
                fe.podcast.itunes_season(ep.season)
            if ep.episode:
                fe.podcast.itunes_episode(ep.episode)
            if ep.explicit is not None:
                fe.podcast.itunes_explicit("yes" if ep.explicit else "no")
        return fg.rss_str(pretty=False, xml_declaration=True)

    return render


def worker(name: str, size: int, repeat: int) -> dict:
    """One contender in this process: memory run first, then the best of `repeat` timings."""
    from podman.render.feedtags import linked_chapters
    from podman.render.view import notes_html

    ws, show = configs(Path(tempfile.gettempdir()))
    episodes = make_episodes(size)
    html = {ep.guid: notes_html(ep, linked_chapters(ep)) for ep in episodes}
    factory = {"string-join": _string_join, "lxml": _lxml, "feedgen": _feedgen}.get(name)
    if name in ("podman", "podman+md"):
        render = _podman(ws, show, episodes, html, precomputed=(name == "podman"))
    else:
        render = factory(ws, show, episodes, html)
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    out = render()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    digest = __import__("hashlib").sha256(out).hexdigest()
    size_out = len(out)
    del out
    # Timed renders alternate with the string-join bound's in this same process, so the ratio
    # holds even when the machine's load drifts between contenders' subprocesses.
    bound = _string_join(ws, show, episodes, html)
    best = {"self": float("inf"), "bound": float("inf")}
    for _ in range(repeat):
        for key, fn in (("self", render), ("bound", bound)):
            gc.collect()
            t0 = time.perf_counter()
            fn()
            best[key] = min(best[key], time.perf_counter() - t0)
    return {"ms": best["self"] * 1000, "ratio": best["self"] / best["bound"],
            "peak_mb": peak / 2**20, "rss_mb": (rss1 - rss0) / 1024, "bytes": size_out,
            "sha256": digest}


# -- the full `podman build` over an on-disk catalog --------------------------------------------

def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def write_catalog(root: Path, episodes: list, show_slug: str = "bench") -> None:
    """A workspace with one show whose episode files look like `podman add`'s (more shows:
    call again with other slugs and episodes made for them)."""
    (root / "feeds" / show_slug / "episodes").mkdir(parents=True)
    (root / "podman.toml").write_text(
        '[storage]\nbackend = "local"\npath = "media"\npublic_url = "https://cdn.example.com/m"\n'
        '[publish]\nbase_url = "https://pods.example.com"\n', encoding="utf-8")
    ws, show = configs(root)
    (root / "feeds" / show_slug / "show.toml").write_text(
        f"title = {_toml_str(show.title)}\ndescription = {_toml_str(show.description)}\n"
        f'language = "en"\nauthor = {_toml_str(show.author)}\nemail = "{show.email}"\n'
        f'categories = ["News > Daily News"]\npodcast_guid = "{show.podcast_guid}"\n'
        f'link = "{show.link}"\n', encoding="utf-8")
    for ep in episodes:
        lines = [f'guid = "{ep.guid}"', f"title = {_toml_str(ep.title)}",
                 f"published = {ep.published:%Y-%m-%dT%H:%M:%SZ}", 'status = "published"',
                 f"duration = {ep.duration!r}"]
        lines += [f"{k} = {v}" for k, v in (("season", ep.season), ("episode", ep.episode))
                  if v is not None]
        if ep.explicit is not None:
            lines.append(f"explicit = {'true' if ep.explicit else 'false'}")
        lines += ["", "[audio]", f'key = "{ep.audio.key}"', f"bytes = {ep.audio.bytes}",
                  f'type = "{ep.audio.type}"', f'sha256 = "{ep.audio.sha256}"']
        for a in ep.articles:
            lines += ["", "[[articles]]", f"url = {_toml_str(a.url)}",
                      f"title = {_toml_str(a.title)}"]
        text = "+++\n" + "\n".join(lines) + "\n+++\n" + ep.notes + "\n"
        (root / "feeds" / show_slug / "episodes" / f"{ep.slug}.md").write_text(text, "utf-8")


def build_worker(root: Path) -> dict:
    """Phases of `podman build` in-process over the catalog at `root`, then the CLI itself."""
    from podman.core.config import load_workspace
    from podman.render.feed import FeedInputs, due_episodes, render_feed
    from podman.render.view import prepare_show
    from podman.workflows.build import build, load_catalog, render_outputs

    ws = load_workspace(root)
    t0 = time.perf_counter()
    cats = load_catalog(ws)
    t1 = time.perf_counter()
    due = prepare_show(ws, cats[0].dir, due_episodes(cats[0].episodes, NOW))
    render_feed(FeedInputs(ws, cats[0].show, due), root / "templates")
    t2 = time.perf_counter()
    outputs, _ = render_outputs(ws, cats, NOW)
    t3 = time.perf_counter()
    shutil.rmtree(ws.public_dir, ignore_errors=True)
    build(ws, now=NOW, cache=False)
    t4 = time.perf_counter()
    build(ws, now=NOW, cache=False)
    t5 = time.perf_counter()
    return {"files": len(outputs), "read": t1 - t0, "feed": t2 - t1, "render": t3 - t2,
            "build": t4 - t3, "rebuild": t5 - t4,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def settle(root: Path, age: float = 120.0) -> None:
    """Date the catalog back, as a workspace's files are when nobody just wrote them (files
    modified within the last 2 s are never trusted to the build cache)."""
    for path in root.rglob("*"):
        if path.is_file() and "public" not in path.parts:
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(age * 1e9)))


def cli_run(root: Path, env: dict[str, str], *extra: str) -> dict[str, float]:
    """`python -m podman build` as a child: wall seconds and its own peak RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "podman", "-C", str(root), "build", "--now",
                             NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), *extra], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"build failed: {proc.stderr.read().decode()[-400:]}")  # type: ignore
    proc.stderr.close()  # type: ignore[union-attr]
    return {"s": wall, "rss": usage.ru_maxrss / 1024}


def stat_bound(root: Path, env: dict[str, str]) -> float:
    """A make-style up-to-date check: a fresh python that stats every file of the workspace."""
    code = ("import os,sys\nfor d,_,fs in os.walk(sys.argv[1]):\n for f in fs: "
            "os.stat(os.path.join(d,f))")
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(root)], env=env, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def run_cli_bench(size: int, shows: int, env: dict[str, str]) -> None:
    """The CLI over an on-disk catalog: cold, nothing changed, one episode edited."""
    with tempfile.TemporaryDirectory(prefix="podman-bench-") as tmp:
        root = Path(tmp)
        per = size // shows
        for n in range(shows):
            write_catalog(root, make_episodes(per, "bench") if shows == 1 else
                          _renamed(make_episodes(per, f"bench{n:02d}"), n), "bench"
                          if shows == 1 else f"bench{n:02d}")
        settle(root)
        cold = cli_run(root, env)
        noop = min((cli_run(root, env) for _ in range(3)), key=lambda r: r["s"])
        victim = sorted((root / "feeds").rglob("*.md"))[size // 3]
        st = victim.stat()
        victim.write_text(victim.read_text("utf-8") + "\nOne more line.\n", "utf-8")
        os.utime(victim, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # edited, not racy
        edited = cli_run(root, env)
        again = cli_run(root, env, "--no-cache")
        bound = stat_bound(root, env)
    print(f"\n`podman build` via the CLI: {size:,} episodes in {shows} show(s)")
    print(f"  cold (empty public/)         {cold['s'] * 1000:9.0f} ms   peak RSS "
          f"{cold['rss']:5.0f} MB")
    print(f"  nothing changed              {noop['s'] * 1000:9.0f} ms   peak RSS "
          f"{noop['rss']:5.0f} MB   x{noop['s'] / bound:.1f} the stat-every-file bound "
          f"({bound * 1000:.0f} ms)")
    print(f"  one episode edited           {edited['s'] * 1000:9.0f} ms   peak RSS "
          f"{edited['rss']:5.0f} MB")
    print(f"  --no-cache, nothing changed  {again['s'] * 1000:9.0f} ms   peak RSS "
          f"{again['rss']:5.0f} MB")


def _renamed(episodes: list, n: int) -> list:
    """Each show of a many-show catalog gets GUIDs of its own."""
    from dataclasses import replace

    return [replace(ep, guid=str(uuid.UUID(int=uuid.UUID(ep.guid).int ^ (n + 1) << 64,
                                            version=4))) for ep in episodes]


def run_build_bench(size: int, env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="podman-bench-") as tmp:
        root = Path(tmp)
        write_catalog(root, make_episodes(size))
        res = json.loads(subprocess.run(
            [sys.executable, __file__, "--build-worker", str(root)], env=env, check=True,
            capture_output=True, text=True).stdout)
        shutil.rmtree(root / "public")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "podman", "-C", str(root), "build", "--now",
                        NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), "--no-cache"], env=env, check=True,
                       capture_output=True)
        cli = time.perf_counter() - t0
    ms = {k: res[k] * 1000 for k in ("read", "feed", "render", "build", "rebuild")}
    print(f"\n`podman build` over {size:,} episode files on disk ({res['files']:,} output files)")
    print(f"  read + validate catalog      {ms['read']:9.0f} ms")
    print(f"  render feed.xml only         {ms['feed']:9.0f} ms   (Markdown included)")
    print(f"  render every output          {ms['render']:9.0f} ms   (feed, pages, embeds, json)")
    write = ms["build"] - ms["read"] - ms["render"]
    print(f"  build(), fresh public/       {ms['build']:9.0f} ms   (~{write:.0f} ms writing)")
    print(f"  build(), nothing changed     {ms['rebuild']:9.0f} ms   (no cache)")
    print(f"  `python -m podman build`     {cli * 1000:9.0f} ms   (subprocess, fresh public/)")
    print(f"  max RSS of the phases        {res['maxrss_mb']:9.0f} MB")


# -- driver ------------------------------------------------------------------------------------

def available(name: str) -> bool:
    mod = PEERS.get(name)
    if mod is None:
        return True
    import importlib.util

    return importlib.util.find_spec(mod) is not None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,50000", help="comma-separated item counts")
    ap.add_argument("--repeat", type=int, default=3, help="timed renders per contender (best)")
    ap.add_argument("--catalog", type=int, default=10000,
                    help="episode files for the full `podman build` bench (0 skips it)")
    ap.add_argument("--cli", default="2000:1,10000:1,50000:50",
                    help="EPISODES:SHOWS catalogs for the CLI build bench ('' skips it)")
    ap.add_argument("--only", default=",".join(CONTENDERS), help="contenders to run")
    ap.add_argument("--src", default=str(ROOT / "src"),
                    help="podman sources to measure (e.g. an older checkout, for before/after)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--build-worker", help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.size, args.repeat)))
        return
    if args.build_worker:
        print(json.dumps(build_worker(Path(args.build_worker))))
        return

    env = {**os.environ, "PYTHONPATH": args.src}
    print(f"podman from {args.src}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; best of {args.repeat}")
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"\nfeed of {size:,} items")
        print(f"  {'contender':<14}{'ms':>9}{'x bound':>9}{'peak MB':>9}{'rss+ MB':>9}"
              f"{'KB out':>9}")
        digests: dict[str, str] = {}
        for name in args.only.split(","):
            if not available(name):
                print(f"  {name:<14}  not installed (pip install -e '.[bench]')")
                continue
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", name, "--size", str(size),
                 "--repeat", str(args.repeat)], env=env, capture_output=True, text=True)
            if proc.returncode:
                print(f"  {name:<14}  failed: {proc.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(proc.stdout)
            digests[name] = r["sha256"]
            print(f"  {name:<14}{r['ms']:9.0f}{r['ratio']:8.2f}x{r['peak_mb']:9.1f}"
                  f"{r['rss_mb']:9.1f}{r['bytes'] / 1024:9.0f}")
        same = {n for n in ("podman", "podman+md") if digests.get(n) == digests.get("string-join")}
        if "string-join" in digests:
            print(f"  bytes equal to the string-join bound: {', '.join(sorted(same)) or 'none'}")
    if args.catalog:
        run_build_bench(args.catalog, env)
    for spec in filter(None, args.cli.split(",")):
        size, shows = (int(x) for x in spec.split(":"))
        run_cli_bench(size, shows, env)


if __name__ == "__main__":
    main()
