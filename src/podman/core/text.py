"""Text made safe for XML and HTML: Markdown notes to sanitised HTML, CDATA, control chars."""

from __future__ import annotations

import functools
import re
from html import escape

# XML 1.0 forbids C0 controls except tab, LF, CR; also lone surrogates and U+FFFE/U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The same characters as UTF-8: single bytes, U+FFFE and U+FFFF (surrogates do not encode).
_ILLEGAL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# Apple's allowed HTML in descriptions (docs/feed-rules.md).
ALLOWED_TAGS = {"p", "ol", "ul", "li", "a", "b", "i", "strong", "em"}
_HEADING_OPEN = re.compile(r"<h[1-6]>")
_HEADING_CLOSE = re.compile(r"</h[1-6]>")
_EMPTY_P = re.compile(r"<p>\s*</p>\n?")
# What a terminal interprets: C0 controls (BEL, ESC, NUL, ...), DEL and C1 controls (CSI ...).
_TERMINAL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Drop characters that XML 1.0 cannot carry (control characters, surrogates)."""
    if type(text) is str:  # fast check (~7x quicker than the regex): clean text comes back
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return _ILLEGAL_XML.sub("", text)
        if (len(raw.translate(None, _ILLEGAL_BYTES)) == len(raw)
                and b"\xef\xbf\xbe" not in raw and b"\xef\xbf\xbf" not in raw):
            return text
    return _ILLEGAL_XML.sub("", text)


def terminal_text(text: str) -> str:
    """One line safe to print: control characters (escape sequences, BEL, NUL) removed."""
    return _TERMINAL_CONTROLS.sub("", text)


@functools.cache
def _markdown():  # markdown-it costs ~30 ms to import: only builds pay it
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


@functools.lru_cache(maxsize=65536)
def markdown_html(notes: str) -> str:
    """Show notes Markdown -> HTML limited to the tags podcast apps accept.

    Cached: one build renders each episode's notes for the feed and for its pages."""
    if not notes.strip():
        return ""
    html = _markdown().render(clean_text(notes))
    html = _HEADING_OPEN.sub("<p><strong>", _HEADING_CLOSE.sub("</strong></p>", html))
    return _EMPTY_P.sub("", sanitize_html(html))


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HEADINGS = {f"h{n}" for n in range(1, 7)}


@functools.lru_cache(maxsize=65536)
def html_notes(notes: str) -> str:
    """Show notes kept as HTML (an import's `notes_format = "html"`) -> the same tag list as
    Markdown notes: headings become bold paragraphs, line breaks spaces, the rest sanitised."""
    if not notes.strip():
        return ""
    import nh3

    html = nh3.clean(_BREAK.sub("\n", clean_text(notes)), tags=ALLOWED_TAGS | _HEADINGS,
                     attributes={"a": {"href"}}, url_schemes={"http", "https"},
                     link_rel=None, strip_comments=True)
    html = _HEADING_OPEN.sub("<p><strong>", _HEADING_CLOSE.sub("</strong></p>", html))
    return _EMPTY_P.sub("", sanitize_html(html))


def sanitize_html(html: str) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},  # the one URL policy: podman.core.urls
        link_rel=None,
        strip_comments=True,
    ).strip()


def cdata(text: str) -> str:
    """Wrap in CDATA; a `]]>` inside is split across two sections so it cannot end ours early."""
    return "<![CDATA[" + clean_text(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def html_link(url: str, title: str) -> str:
    return f'<a href="{escape(url, quote=True)}">{escape(clean_text(title), quote=False)}</a>'


def plain_text(html: str) -> str:
    """Tags removed, entities decoded, white space folded: for length-limited descriptions."""
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def truncate_utf8(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` UTF-8 bytes, cut at a word boundary with an ellipsis."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    budget = limit - len(ellipsis.encode("utf-8"))
    cut = raw[:budget].decode("utf-8", "ignore")
    if " " in cut[-40:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + ellipsis
