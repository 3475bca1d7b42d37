"""Related-article metadata (title, date, image) from a URL or a saved HTML page; ASCII URLs."""

from __future__ import annotations

import json
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

from podman import __version__
from podman.core.errors import ArticleError, BadInput
from podman.core.models import Article
from podman.core.urls import ascii_url

USER_AGENT = f"podman/{__version__} (+https://github.com/podman-media)"

def validate_url(url: str) -> str:
    """An absolute http(s) URL with a host, returned as ASCII; BadInput otherwise."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError as e:
        raise BadInput(f"{url}: not a valid URL ({e})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadInput(f"{url}: not an http or https URL")
    if not host:
        raise BadInput(f"{url}: the URL has no host")
    if any(c.isspace() for c in url):
        raise BadInput(f"{url}: the URL contains spaces")
    return ascii_url(url)


def _collapse(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


class _Meta(HTMLParser):
    """Collects the few things we need; html.parser never raises on broken markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] | None = None
        self.title: str | None = None
        self.time: str | None = None
        self.json_ld: list[str] = []
        self._script: list[str] | None = None
        self.charset: str | None = None
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and "content" in a:
                self.meta.setdefault(key, a["content"])
            if a.get("charset"):
                self.charset = self.charset or a["charset"]
            if a.get("http-equiv", "").lower() == "content-type":
                m = re.search(r"charset=([\w.:-]+)", a.get("content", ""), re.I)
                if m:
                    self.charset = self.charset or m[1]
        elif tag == "title" and self.title is None:
            self.title_parts = []
        elif tag == "time" and self.time is None and a.get("datetime"):
            self.time = a["datetime"]
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._script = []
        elif tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title_parts is not None:
            self.title = "".join(self.title_parts)
            self.title_parts = None
        elif tag == "script" and self._script is not None:
            self.json_ld.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self.title_parts is not None:
            self.title_parts.append(data)
        if self._script is not None:
            self._script.append(data)


def _json_ld_date(blobs: list[str]) -> str | None:
    def walk(node: object) -> str | None:
        if isinstance(node, dict):
            value = node.get("datePublished")
            if isinstance(value, str) and value.strip():
                return value
            for child in node.values():
                found = walk(child)
                if found:
                    return found
        elif isinstance(node, list):
            for child in node:
                found = walk(child)
                if found:
                    return found
        return None

    for blob in blobs:
        try:
            found = walk(json.loads(blob))
        except (ValueError, RecursionError):
            continue
        if found:
            return found
    return None


def parse_article_html(html: str, url: str) -> Article:
    """Title, publication date and image of a page; missing pieces are None, never an error."""
    parser = _Meta()
    parser.feed(html)
    parser.close()
    if parser.title_parts is not None:  # unclosed <title>
        parser.title = "".join(parser.title_parts)
    meta = parser.meta
    title = (
        _collapse(meta.get("og:title"))
        or _collapse(meta.get("twitter:title"))
        or _collapse(parser.title)
    )
    published = _collapse(
        meta.get("article:published_time")
        or parser.time
        or _json_ld_date(parser.json_ld)
        or meta.get("datepublished")
    )
    image = _collapse(meta.get("og:image") or meta.get("og:image:url"))
    if image:
        image = _resolve_image(image, url, parser.base)
    return Article(url=url, title=title, published=published, image=image)


def _resolve_image(image: str, url: str, base: str | None) -> str | None:
    """An absolute http(s) ASCII URL for og:image, or None when the page's value is unusable."""
    try:
        base_url = urllib.parse.urljoin(url, base) if base else url
        return validate_url(urllib.parse.urljoin(base_url, image))
    except (ValueError, BadInput):
        return None


def _sniff_charset(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", data[:4096], re.I)
    return m[1].decode("ascii") if m else None


def decode_html(data: bytes, header_charset: str | None = None) -> str:
    """Bytes to text: BOM, then the Content-Type charset, then <meta charset>, then UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    for charset in (header_charset, _sniff_charset(data)):
        if charset:
            try:
                return data.decode(charset, errors="replace")
            except LookupError:
                continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", errors="replace")


def fetch_article(url: str, *, timeout: float = 10, max_bytes: int = 2_000_000) -> Article:
    """Download a page (redirects followed, within `timeout` seconds in all and `max_bytes`)
    and read its metadata."""
    from podman.core.netfetch import FetchError, fetch_bytes

    url = validate_url(url)
    try:
        page = fetch_bytes(url, timeout=timeout, max_bytes=max_bytes,
                           headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    except FetchError as e:
        raise ArticleError(e.message.replace("larger than", "page is larger than")) from None
    return parse_article_html(decode_html(page.data, page.headers.get_content_charset()), url)


def read_article_file(path: str | Path, url: str) -> Article:
    """Metadata from a saved page (`--html FILE`); the URL is still the article's address."""
    url = validate_url(url)
    from podman.core.textfile import read_file_bytes

    data = read_file_bytes(Path(path), "HTML")
    return parse_article_html(decode_html(data), url)
