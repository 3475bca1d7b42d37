"""Tests for podman.core.categories: Apple's list and category validation with suggestions."""

from __future__ import annotations

import pytest

from podman.core.categories import apple_categories, validate_categories


def test_list_has_apples_spelling() -> None:
    cats = apple_categories()
    assert len(cats) == 19
    assert "Personal Journals" in cats["Society & Culture"]
    assert {"Daily News", "Tech News"} <= set(cats["News"])
    for name in ("Technology", "True Crime", "TV & Film", "History", "Government"):
        assert name in cats


@pytest.mark.parametrize(
    "cats",
    [
        (("Technology",),),
        (("News", "Daily News"), ("Society & Culture", "Personal Journals")),
        (("TV & Film", "Film Reviews"),),
    ],
)
def test_valid(cats) -> None:
    assert validate_categories(cats) == []


@pytest.mark.parametrize(
    ("cats", "problem"),
    [
        (
            (("Technolgy",),),
            '"Technolgy" is not an Apple Podcasts category; did you mean "Technology"?',
        ),
        ((("technology",),), 'did you mean "Technology"? (spelling and case must match)'),
        ((("Society and Culture",),), 'did you mean "Society & Culture"?'),
        (
            (("News", "Daly News"),),
            '"Daly News" is not a subcategory of "News"; did you mean "Daily News"?',
        ),
        ((("Technology", "Tech News"),), '"Technology" has no subcategories'),
        (
            (("Arts", "Tech News"),),
            '"Tech News" is not a subcategory of "Arts" (it is under "News")',
        ),
        ((("News",), ("Arts",), ("Comedy",)), "3 categories: use at most 2"),
        ((), "no category"),
        ((("News",), ("News",)), '"News" is listed twice'),
        ((("Zzzzqqq",),), '"Zzzzqqq" is not an Apple Podcasts category'),
    ],
)
def test_problems(cats, problem: str) -> None:
    problems = validate_categories(cats)
    assert any(problem in p for p in problems), problems
