"""Standing guarantee (issue 9): `podman check FEED` on arbitrary XML, or bytes that are almost
XML, is findings and an exit code (0, 1 or 2), never an internal error or a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.check.test_feed import FEED
from tests.fixtures.cli import run

NAMESPACES = {
    "itunes": ["http://www.itunes.com/dtds/podcast-1.0.dtd", "http://www.itunes.com/DTDs/Podcast-1.0.dtd"],
    "podcast": ["https://podcastindex.org/namespace/1.0", "http://podcastindex.org/namespace/1.0/"],
    "atom": ["http://www.w3.org/2005/Atom"],
    "content": ["http://purl.org/rss/1.0/modules/content/"],
    "x": ["urn:x", ""],
}
TAGS = ["rss", "channel", "item", "title", "description", "link", "language", "guid",
        "enclosure", "pubDate", "lastBuildDate", "image", "url", "copyright", "author",
        "itunes:image", "itunes:category", "itunes:author", "itunes:owner", "itunes:email",
        "itunes:explicit", "itunes:duration", "itunes:episode", "itunes:season",
        "itunes:episodeType", "itunes:type", "itunes:summary", "itunes:block", "itunes:complete",
        "itunes:new-feed-url", "podcast:guid", "podcast:locked", "podcast:transcript",
        "podcast:chapters", "podcast:alternateEnclosure", "podcast:source", "podcast:person",
        "podcast:funding", "podcast:soundbite", "podcast:medium", "atom:link",
        "content:encoded", "x:unknown"]
ATTRS = ["href", "url", "length", "type", "text", "version", "isPermaLink", "rel", "owner",
         "start", "duration", "bitrate", "default", "uri", "role", "language"]
TRICKY = ["", " ", "0", "-1", "1e308", "nan", "18446744073709551616", "99:99:99", "1:2:3:4",
          "javascript:alert(1)", "data:text/html,x", "http://[::1", "https://example.com/a.mp3",
          "http://", "audio/mpeg", "yes", "true", "clean", "Mon, 01 Jan 2024 00:00:00 +0000",
          "Sun, 31 Dec 9999 23:59:59 -2359", "Mon, 01 Jan 0001 00:00:00 +2359",
          "Feb 30 2024", "<p>x</p>", "<script>x</script>", "<a href='javascript:x'>x</a>",
          "²", "١٢", "\u202e", "\ufeff", "𝄞" * 3, "a" * 5000]
values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(st.dictionaries(st.sampled_from(ATTRS), values, max_size=3))
    attr_text = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    if depth >= 3:
        children: list[str] = []
    else:
        children = draw(st.lists(elements(depth + 1), max_size=4))
    text = escape(draw(values)) if draw(st.booleans()) else ""
    if draw(st.booleans()) and text:
        text = f"<![CDATA[{text.replace(']]>', '')}]]>"
    return f"<{tag}{attr_text}>{text}{''.join(children)}</{tag}>"


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    decls = "".join(
        f' xmlns:{prefix}="{draw(st.sampled_from(uris))}"'
        for prefix, uris in NAMESPACES.items() if draw(st.booleans()))
    root = draw(st.sampled_from(["rss", "feed", "channel", "x:rss"]))
    version = draw(st.sampled_from([' version="2.0"', ' version="0.91"', ""]))
    items = "".join(draw(st.lists(elements(), max_size=6)))
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n',
                                 '<?xml version="1.0" encoding="ISO-8859-1"?>\n',
                                 "\ufeff", "", "<!DOCTYPE rss>\n"]))
    tail = draw(st.sampled_from(["", "\n", "trailing", "<!-- c -->"]))
    doc = f"{head}<{root}{version}{decls}><channel>{items}</channel></{root}>{tail}"
    return doc.encode("utf-8", "surrogatepass")


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """A valid feed with a few bytes replaced, inserted or cut: almost XML."""
    data = bytearray(FEED.encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "replace", "cut"]))
        chunk = draw(st.binary(min_size=1, max_size=8))
        if kind == "insert":
            data[at:at] = chunk
        elif kind == "replace":
            data[at:at + len(chunk)] = chunk
        else:
            del data[at:at + draw(st.integers(1, 200))]
    return bytes(data)


def check_never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.xml"
        path.write_bytes(data)
        result = run("check", path)
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.stderr, result.stderr
    assert "Traceback" not in result.output


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feeds())
@example(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><item><guid>g</guid>'
         b'<enclosure url="https://example.com/a.mp3" length="\xc2\xb2" type="audio/mpeg"/>'
         b'</item></channel></rss>')  # found by this test: "²".isdigit() but int("²") fails
def test_check_on_arbitrary_xml_never_crashes(data: bytes) -> None:
    check_never_crashes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_check_on_almost_xml_never_crashes(data: bytes) -> None:
    check_never_crashes(data)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300))
def test_check_on_arbitrary_bytes_never_crashes(data: bytes) -> None:
    check_never_crashes(data)


HOSTILE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>t</title><link>{url}</link><itunes:image href="{url}"/><item><title>a</title>
<guid>g</guid><enclosure url="{url}" length="{length}" type="audio/mpeg"/></item>
</channel></rss>
"""


@pytest.mark.parametrize(("url", "length"), [
    ("http://[::1", "5"), ("http://[x]/a.mp3", "5"), ("http://a:99999/x.mp3", "5"),
    ("http://127.0.0.1:{port}/a.mp3", "²"), ("http://127.0.0.1:{port}/a.mp3", "١٢"),
])
@pytest.mark.parametrize("online", [False, True])
def test_hostile_urls_and_lengths(url: str, length: str, online: bool, tmp_path: Path) -> None:
    """Found by the fuzzing above: URLs that urllib cannot split and lengths that are digits
    to str.isdigit() but not to int() crashed the rules and the --online probes. The
    reachable ones point at a closed loopback port: nothing leaves the machine."""
    from tests.fixtures.s3_server import free_port

    path = tmp_path / "feed.xml"
    path.write_text(HOSTILE.format(url=url.format(port=free_port()), length=length), "utf-8")
    result = run("check", path, *(["--online"] if online else []))
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    assert "[enclosure]" in result.stdout


@pytest.mark.parametrize("encoding", ["TF-8", "UTF-16", "utf-32", "no such"])
def test_declared_encodings_expat_cannot_read(encoding: str, tmp_path: Path) -> None:
    """Found by the fuzzing above: an unknown or multi-byte encoding in the XML declaration
    raised LookupError or ValueError instead of being reported as not well-formed."""
    path = tmp_path / "feed.xml"
    path.write_text(f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel/>'
                    "</rss>", "utf-8")
    result = run("check", path)
    assert result.exit_code == 1 and "[xml-wellformed]" in result.stdout, result.output
