"""The back catalogue: RFC 5005 pages followed from a loopback server, merged by GUID; caps."""

from __future__ import annotations

from podman.importer.fetch import Fetcher
from podman.importer.pages import collect
from podman.importer.reader import read_feed
from tests.fixtures.http import QuietHandler, serving


def page(items: range, nxt: str = "", extra: str = "") -> bytes:
    link = f'<atom:link rel="next" href="{nxt}"/>' if nxt else ""
    body = "".join(f"<item><guid>g{n}</guid><title>{n}</title><itunes:episode>{n}"
                   "</itunes:episode></item>" for n in items)
    return (f'<rss xmlns:atom="http://www.w3.org/2005/Atom" '
            f'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>P'
            f"</title>{link}{extra}{body}</channel></rss>").encode()


class Paged(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802
        pages = {"/p1": page(range(10, 7, -1), "/p2?x=1"),
                 "/p2?x=1": page(range(8, 4, -1), "/p3"),  # g8 repeats: merged once
                 "/p3": page(range(4, 0, -1), "/p1")}  # a loop back to the start stops
        body = pages.get(self.path)
        self.send_body(200 if body else 404, body or b"", "application/rss+xml")


def load(fetcher: Fetcher):
    def read(url: str):
        resp = fetcher.get(url, limit=10**6)
        return read_feed(resp.body, url, base_url=resp.url)
    return read


def test_pages_followed_in_order_without_repeats() -> None:
    with serving(Paged) as base:
        fetcher = Fetcher()
        first = load(fetcher)(f"{base}/p1")
        cat = collect(first, load(fetcher))
    assert [i.guid for i in cat.items] == [f"g{n}" for n in range(10, 0, -1)]
    assert cat.pages == [f"{base}/p2?x=1", f"{base}/p3"]
    assert [i.position for i in cat.items][:4] == [1, 2, 3, 5]  # document order, g8 read twice
    assert cat.warnings == [] and cat.duplicates == []


def test_dead_page_is_a_warning() -> None:
    with serving(Paged) as base:
        first = read_feed(page(range(3, 0, -1), f"{base}/gone"), "first")
        cat = collect(first, load(Fetcher()))
    assert len(cat.items) == 3
    assert cat.warnings[0].startswith(f"page {base}/gone could not be read (")


def test_capped_feeds_are_suspected() -> None:
    capped = read_feed(page(range(100, 0, -1)), "capped")
    assert "exactly 100 items" in collect(capped, load(Fetcher())).warnings[0]
    numbered = read_feed(page(range(40, 37, -1)), "numbered")
    assert collect(numbered, load(Fetcher())).warnings == [
        "episode numbers go up to 40 but there are 3 items: older episodes may be missing "
        "(add a saved copy with --extra-source)"]


def test_duplicate_guid_in_one_document_is_recorded() -> None:
    doubled = read_feed(page(range(1, 3)) .replace(b"<guid>g2</guid>", b"<guid> g1 </guid>"),
                        "dup")
    cat = collect(doubled, load(Fetcher()))
    assert [(d.position, k.position) for d, k in cat.duplicates] == [(2, 1)]


def test_an_item_without_audio_does_not_shadow_a_later_one_with_its_guid() -> None:
    """Apps drop an item without an enclosure before they compare GUIDs, so the later item
    with audio is the episode (and what `check --against` requires)."""
    audio = '<enclosure url="https://old.example/a.mp3" length="1" type="audio/mpeg"/>'
    xml = page(range(1, 4)).replace(b"<guid>g2</guid>", b"<guid>g1</guid>").replace(
        b"<title>2</title>", f"<title>2</title>{audio}".encode()).replace(
        b"<title>3</title>", f"<title>3</title>{audio}".encode()).replace(
        b"<guid>g3</guid>", b"<guid>g1</guid>")
    cat = collect(read_feed(xml, "dup"), load(Fetcher()))
    assert [(i.position, i.enclosure_url) for i in cat.items] == [
        (1, None), (2, "https://old.example/a.mp3")]
    assert [(d.position, k.position) for d, k in cat.duplicates] == [(3, 2)]
