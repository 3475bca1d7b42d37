"""Hosts' footers in show notes (privacy and ad-choice lines): found always, removed on request."""

from __future__ import annotations

import re
from html import unescape

# host -> the footer's text (tags removed, white space folded), matched whole
FOOTERS: dict[str, str] = {
    "Acast": r"Hosted on Acast\. See acast\.com/privacy for (?:more information|privacy and "
             r"opt-out information)\.?",
    "ART19": r"See Privacy Policy at https?://art19\.com/privacy and California Privacy Notice "
             r"at https?://art19\.com/privacy#do-not-sell-my-info\.?",
    "Megaphone": r"Learn more about your ad[- ]?choices\. Visit (?:megaphone\.fm|"
                 r"podcastchoices\.com)/adchoices\.?",
    "Omny": r"See omnystudio\.com/listener for privacy information\.?",
    "Anchor": r"(?:-+\s*)?(?:Send in a voice message|Support this podcast): "
              r"https?://(?:anchor\.fm|podcasters\.spotify\.com)/\S+",
}
_PARAGRAPH = re.compile(r"<p\b[^>]*>.*?</p>", re.S | re.I)
_TRAILING = re.compile(r"(?:\s*<(?:hr|br)\s*/?>)+\s*$", re.I)


def _text(html: str) -> str:
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r"\s+([.,;:])", r"\1", text)  # "<a>…</a>." leaves no space before the dot


def find_boilerplate(notes: str) -> list[str]:
    """The hosts whose footer the notes carry."""
    return strip_boilerplate(notes)[1]


def strip_boilerplate(notes: str) -> tuple[str, list[str]]:
    """(notes without host footers, the hosts found): a footer paragraph goes whole, a footer
    sentence in plain-text notes goes alone; the separators left at the end go too."""
    found: list[str] = []

    def paragraph(m: re.Match[str]) -> str:
        text = _text(m.group(0))
        for host, pattern in FOOTERS.items():
            if re.fullmatch(pattern, text, re.I):
                found.append(host)
                return ""
        return m.group(0)

    out = _PARAGRAPH.sub(paragraph, notes)
    for host, pattern in FOOTERS.items():
        out, n = re.subn(r"\s*" + pattern, "", out, flags=re.I)
        if n:
            found.append(host)
    if found:
        out = _TRAILING.sub("", out).strip()
    return (out if found else notes), sorted(set(found))
