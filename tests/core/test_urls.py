"""core.urls: the one URL policy (http(s) only, no spaces or credentials) and redaction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podman.core.urls import is_http_url, key_problem, redact, safe_url, url_problem


@pytest.mark.parametrize("url", ["https://e.com", "http://e.com/a?b=1&c=<2>#x",
                                 "https://[::1]:8000/a", "HTTPS://E.COM/é"])
def test_http_urls_pass(url: str) -> None:
    assert url_problem(url) is None and is_http_url(url)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript://e.com/%0aalert(1)",
                                 "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                                 "ftp://e.com/a", "//e.com/a", "/a", "https://", "http://[::1",
                                 "https://e.com/a b", "https://e.com/\x00", "https://e.com/\n",
                                 "https://u:p@e.com/", " https://e.com/"])
def test_everything_else_fails(url: str) -> None:
    assert url_problem(url) is not None
    assert safe_url(url) == ""


def test_safe_url_makes_an_iri_ascii() -> None:
    assert safe_url("https://bücher.example/ä?q=ö") == "https://xn--bcher-kva.example/%C3%A4?q=%C3%B6"


@pytest.mark.parametrize("key", ["daily/2025-03-14-a-0123456789.mp3", "a.png", "x/y_z~1.opus"])
def test_plain_storage_keys_pass(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize("key", ["", "/abs.mp3", "../x.mp3", "a//b.mp3", "a/./b", "a b.mp3",
                                 'a"b.mp3', "a<b>.mp3", "a?b", "a#b", "javascript:x",
                                 "https://e.com/x.mp3", "a\x00b"])
def test_unsafe_storage_keys_fail(key: str) -> None:
    assert key_problem(key) is not None


@given(user=st.text(st.characters(blacklist_characters="/?#", blacklist_categories=("Z", "C")),
                    min_size=1, max_size=20),
       secret=st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=20))
def test_redact_never_leaves_the_password(user: str, secret: str) -> None:
    for text in (f"https://{user}:{secret}@h.example/x", f"cannot connect to "
                 f"http://{user}:{secret}@127.0.0.1:9000 (refused)", f"S3://{secret}@bucket"):
        out = redact(text)
        assert secret not in out
        assert "***@" in out


def test_redact_keeps_text_without_userinfo() -> None:
    text = "mail desk@example.com about https://e.com/a@b"
    assert redact(text) == text


_URLISH = st.one_of(
    st.text(),
    st.builds(lambda scheme, host, rest: f"{scheme}://{host}{rest}",
              st.sampled_from(["http", "https", "HTTP", "ftp"]),
              st.text(alphabet="abcXYZ019.-@:[]%", max_size=12),
              st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=20)),
)


@given(_URLISH)
def test_the_plain_url_shortcut_answers_as_the_full_check(url: str) -> None:
    """safe_url and url_problem skip urlsplit for the common URL (urls._PLAIN_HTTP); whatever
    that shortcut takes, the full check accepts and returns unchanged."""
    from podman.core import urls

    if urls._PLAIN_HTTP.match(url):
        assert urls._problem(url) is None
        assert urls._safe(url) == url
    assert url_problem(url) == urls._problem(url)
    assert safe_url(url) == ("" if urls._problem(url) else urls._safe(url))
