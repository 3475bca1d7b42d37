"""models: duration text, slugs, dates, RFC 2822, podcast:guid."""

from __future__ import annotations

import locale
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podman.core.models import (
    duration_text,
    episode_slug,
    iso,
    mint_guid,
    parse_datetime,
    podcast_guid,
    rfc2822,
    slugify,
    whole_seconds,
)


@pytest.mark.parametrize(("seconds", "text"), [
    (1688.0, "28:08"),
    (1481.0, "24:41"),
    (3723.0, "1:02:03"),
    (0.0, "0:00"),
    (0.4, "0:00"),
    (59.4, "0:59"),
    (59.5, "1:00"),
    (61.0, "1:01"),
    (3599.4, "59:59"),
    (3599.5, "1:00:00"),
    (36000.0, "10:00:00"),
])
def test_duration_text(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_whole_seconds_rounds_half_up() -> None:
    assert [whole_seconds(s) for s in (1687.5, 1687.49, 1688.0)] == [1688, 1687, 1688]


@pytest.mark.parametrize(("text", "slug"), [
    ("Putin urges Kiev to order troops", "putin-urges-kiev-to-order-troops"),
    ("Ça va? Naïve café", "ca-va-naive-cafe"),
    ("Émission spéciale: ÉTÉ", "emission-speciale-ete"),
    ("Rates 🎉 hold 🏦", "rates-hold"),
    ("  --Hello,   World!--  ", "hello-world"),
    ("🎉🎉", ""),
    ("Новости", ""),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_length_cuts_at_a_word() -> None:
    slug = slugify("alpha beta gamma delta epsilon", max_length=14)
    assert slug == "alpha-beta"
    assert len(slugify("x" * 100, max_length=20)) == 20


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=80))
def test_slugify_is_always_ascii_slug(text: str, max_length: int) -> None:
    slug = slugify(text, max_length=max_length)
    assert re.fullmatch(r"[a-z0-9-]*", slug)
    assert len(slug) <= max_length
    assert not slug.startswith("-") and not slug.endswith("-")
    assert "--" not in slug


def test_episode_slug_falls_back_to_episode() -> None:
    when = datetime(2025, 3, 14, tzinfo=UTC)
    assert episode_slug(when, "🎉") == "2025-03-14-episode"
    assert episode_slug(when, "Hello World") == "2025-03-14-hello-world"


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-14", datetime(2025, 3, 14, tzinfo=UTC)),
    ("2025-03-14T17:00:00Z", datetime(2025, 3, 14, 17, tzinfo=UTC)),
    ("2025-03-14T17:00:00z", datetime(2025, 3, 14, 17, tzinfo=UTC)),
    ("2025-03-14T17:00:00", datetime(2025, 3, 14, 17, tzinfo=UTC)),
    ("2025-03-14T19:30:00+02:30", datetime(2025, 3, 14, 17, tzinfo=UTC)),
    ("2025-03-14T12:00:00-05:00", datetime(2025, 3, 14, 17, tzinfo=UTC)),
    ("  2025-03-14T17:00:00Z ", datetime(2025, 3, 14, 17, tzinfo=UTC)),
])
def test_parse_datetime(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("garbage", ["", "yesterday", "2025-13-01", "2025-02-30",
                                     "14/03/2025", "2025-03-14T25:00:00Z", "Z"])
def test_parse_datetime_rejects_garbage(garbage: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(garbage)


def test_rfc2822() -> None:
    assert rfc2822(datetime(2025, 3, 14, 17, 0, 5, tzinfo=UTC)) == "Fri, 14 Mar 2025 17:00:05 +0000"
    tz = timezone(timedelta(hours=2))
    assert rfc2822(datetime(2025, 1, 1, 1, 0, tzinfo=tz)) == "Tue, 31 Dec 2024 23:00:00 +0000"
    assert rfc2822(datetime(2025, 3, 14, 17)) == "Fri, 14 Mar 2025 17:00:00 +0000"  # naive = UTC
    assert iso(datetime(2025, 1, 1, 1, 0, tzinfo=tz)) == "2024-12-31T23:00:00Z"


def test_rfc2822_is_english_under_any_locale() -> None:
    old = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "ru_RU.UTF-8", "C.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            assert rfc2822(datetime(2025, 5, 6, tzinfo=UTC)) == "Tue, 06 May 2025 00:00:00 +0000"
        finally:
            locale.setlocale(locale.LC_TIME, old)


@pytest.mark.parametrize("url", [
    "podnews.net/rss",
    "https://podnews.net/rss",
    "http://podnews.net/rss",
    "https://podnews.net/rss/",
    "https://podnews.net/rss///",
    "  https://podnews.net/rss  ",
])
def test_podcast_guid_podnews_vector(url: str) -> None:
    assert podcast_guid(url) == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_podcast_guid_podcasting20_spec_vector() -> None:
    # The example in the podcastindex.org namespace documentation for <podcast:guid>.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )


def test_mint_guid_is_random_uuid4() -> None:
    a, b = mint_guid(), mint_guid()
    assert a != b
    assert uuid.UUID(a).version == 4
