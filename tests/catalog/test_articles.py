"""Tests for catalog.articles: metadata from HTML, fetching over a loopback server, ASCII URLs."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from podman import __version__
from podman.catalog.articles import (
    USER_AGENT,
    ascii_url,
    fetch_article,
    parse_article_html,
    read_article_file,
    validate_url,
)
from podman.core.errors import ArticleError, BadInput, ExitCode
from podman.core.models import Article
from tests.fixtures.http import QuietHandler, serving

PAGE = """<!doctype html>
<html><head>
<meta charset="utf-8">
<title>Site   title | News</title>
<meta property="og:title" content="Putin urges Kiev to order troops  in Kursk &amp; surrender">
<meta property="article:published_time" content="2025-03-14T17:00:00Z">
<meta property="og:image" content="/img/kursk.jpg">
</head><body><p>Text</body></html>
"""

CP1251 = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    "<title>Новости дня</title></head></html>"
).encode("cp1251")

LATIN1 = "<html><head><title>Café économie</title></head></html>".encode("latin-1")


SEEN_AGENTS: list[str | None] = []


class _Handler(QuietHandler):
    def _send(self, status: int, body: bytes, content_type: str = "text/html") -> None:
        self.send_body(status, body, content_type)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path
        if path == "/article":
            SEEN_AGENTS.append(self.headers.get("User-Agent"))
            self._send(200, PAGE.encode(), "text/html; charset=utf-8")
        elif path == "/moved":
            self.redirect(301, "/article")
        elif path == "/to-ftp":
            self.redirect(302, "ftp://example.com/x")
        elif path == "/huge":
            self._send(200, b"<html>" + b"x" * 5000)
        elif path == "/huge-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>" + b"x" * 5000)
            self.close_connection = True
        elif path == "/slow":
            time.sleep(1.0)
            self._send(200, PAGE.encode())
        elif path == "/cp1251":
            self._send(200, CP1251, "text/html")
        elif path == "/latin1":
            self._send(200, LATIN1, "text/html; charset=ISO-8859-1")
        else:
            self._send(404, b"<h1>not here</h1>")


@pytest.fixture
def server() -> Iterator[str]:
    with serving(_Handler) as base:
        yield base


def test_parse_prefers_og_title_and_resolves_image() -> None:
    article = parse_article_html(PAGE, "https://news.example.com/2025/03/14/story")
    assert article == Article(
        url="https://news.example.com/2025/03/14/story",
        title="Putin urges Kiev to order troops in Kursk & surrender",
        published="2025-03-14T17:00:00Z",
        image="https://news.example.com/img/kursk.jpg",
    )


@pytest.mark.parametrize(
    ("html", "title", "published"),
    [
        ('<meta name="twitter:title" content="Tw"><title>T</title>', "Tw", None),
        (
            "<title>\n  A &amp;\n B  </title><time datetime='2025-01-02'>x</time>",
            "A & B",
            "2025-01-02",
        ),
        (
            '<title>J</title><script type="application/ld+json">'
            '{"@graph": [{"@type": "NewsArticle", "datePublished": "2024-12-31T10:00:00+01:00"}]}'
            "</script>",
            "J",
            "2024-12-31T10:00:00+01:00",
        ),
        ('<script type="application/ld+json">{broken</script><title>B', "B", None),
        ("<html><body><p>no head at all <b>", None, None),
        ("<title></title><meta property='og:title' content='  '>", None, None),
        ("<<<>>> <title>Weird &#x263A; &nosuch; </title><p>", "Weird ☺ &nosuch;", None),
    ],
)
def test_parse_fallbacks_and_broken_html(html: str, title, published) -> None:
    article = parse_article_html(html, "https://example.com/a")
    assert (article.title, article.published) == (title, published)


@pytest.mark.parametrize(
    ("value", "image"),
    [
        ("//cdn.example/x.jpg", "https://cdn.example/x.jpg"),
        ("https://ü.example/ä.jpg", "https://xn--tda.example/%C3%A4.jpg"),
        ("javascript:alert(1)", None),
        ("http://[::1", None),
    ],
)
def test_og_image_is_an_absolute_ascii_http_url(value: str, image: str | None) -> None:
    html = f'<meta property="og:image" content="{value}">'
    assert parse_article_html(html, "https://e.example/a").image == image


def test_fetch_follows_redirect_and_sends_user_agent(server: str) -> None:
    article = fetch_article(server + "/moved")
    assert article.title == "Putin urges Kiev to order troops in Kursk & surrender"
    assert article.url == server + "/moved"
    assert article.image == server + "/img/kursk.jpg"
    assert USER_AGENT == f"podman/{__version__} (+https://github.com/podman-media)"


def test_fetch_sends_user_agent(server: str) -> None:
    SEEN_AGENTS.clear()
    fetch_article(server + "/article")
    assert SEEN_AGENTS == [USER_AGENT]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404"),
        ("/huge", "page is larger than 1000 bytes"),
        ("/huge-chunked", "page is larger than 1000 bytes"),
        ("/to-ftp", "redirected to a non-http URL ftp://example.com/x"),
    ],
)
def test_fetch_failures_name_the_url(server: str, path: str, message: str) -> None:
    with pytest.raises(ArticleError) as info:
        fetch_article(server + path, max_bytes=1000)
    text = str(info.value)
    assert text.startswith(server + path + ": ") and message in text
    assert "\n" not in text
    assert info.value.exit_code == ExitCode.FAILURE


def test_fetch_timeout(server: str) -> None:
    with pytest.raises(ArticleError, match=r"/slow: timed out after 0.2 s"):
        fetch_article(server + "/slow", timeout=0.2)


def test_fetch_connection_refused() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ArticleError, match="cannot connect"):
        fetch_article(f"http://127.0.0.1:{port}/x", timeout=2)


@pytest.mark.parametrize(
    ("path", "title"), [("/cp1251", "Новости дня"), ("/latin1", "Café économie")]
)
def test_fetch_decodes_charsets(server: str, path: str, title: str) -> None:
    assert fetch_article(server + path).title == title


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "file:///etc/passwd", "/relative", "http://", "http://[::1/"]
)
def test_non_http_urls_are_bad_input(url: str) -> None:
    with pytest.raises(BadInput) as info:
        fetch_article(url)
    assert not isinstance(info.value, ArticleError)
    assert str(info.value).startswith(url)


def test_read_article_file(tmp_path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(CP1251)
    article = read_article_file(path, "https://example.ru/новости")
    assert article.title == "Новости дня"
    assert article.url == "https://example.ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
    with pytest.raises(BadInput, match="no such HTML file"):
        read_article_file(tmp_path / "nope.html", "https://example.com/")


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        ("https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
        ("https://bücher.example/straße?q=ä", "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4"),
        ("http://пример.рф:8080/путь", "http://xn--e1afmkfd.xn--p1ai:8080/%D0%BF%D1%83%D1%82%D1%8C"),
        ("https://example.com/a%20b/ü", "https://example.com/a%20b/%C3%BC"),
    ],
)
def test_ascii_url(iri: str, uri: str) -> None:
    assert ascii_url(iri) == uri
    assert validate_url(iri) == uri
    assert ascii_url(uri) == uri
