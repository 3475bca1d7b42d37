"""Apple Podcasts' category list (packaged data) and validation of a show's categories."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources

MAX_CATEGORIES = 2  # the issue asks for up to two; Apple reads only the first anyway


@cache
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Category → its subcategories, in Apple's order, with Apple's exact spelling."""
    text = resources.files("podman").joinpath("data/apple_categories.json").read_text("utf-8")
    return {name: tuple(subs) for name, subs in json.loads(text)["categories"].items()}


def _suggest(word: str, choices: list[str]) -> str:
    by_fold = {c.casefold(): c for c in choices}
    if word.casefold() in by_fold:
        return f'; did you mean "{by_fold[word.casefold()]}"? (spelling and case must match)'
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        folded = difflib.get_close_matches(word.casefold(), list(by_fold), n=1, cutoff=0.6)
        close = [by_fold[f] for f in folded]
    return f'; did you mean "{close[0]}"?' if close else ""


def category_problems(category: tuple[str, ...]) -> list[str]:
    """What is wrong with one ("Category",) or ("Category", "Subcategory") entry."""
    known = apple_categories()
    if not category or not category[0]:
        return ["an empty category"]
    if len(category) > 2:
        return [f'"{" > ".join(category)}": only one level of subcategory exists']
    name = category[0]
    if name not in known:
        return [f'"{name}" is not an Apple Podcasts category{_suggest(name, list(known))}']
    if len(category) == 2:
        sub = category[1]
        if sub not in known[name]:
            if not known[name]:
                return [f'"{name}" has no subcategories, so "{sub}" cannot be one']
            elsewhere = [c for c, subs in known.items() if sub in subs]
            if elsewhere:
                hint = f' (it is under "{elsewhere[0]}")'
            else:
                hint = _suggest(sub, list(known[name]))
            return [f'"{sub}" is not a subcategory of "{name}"{hint}']
    return []


def validate_categories(cats: tuple[tuple[str, ...], ...]) -> list[str]:
    """Problems with a show's categories, one sentence each; an empty list means valid."""
    problems: list[str] = []
    if not cats:
        problems.append("no category: Apple Podcasts requires at least one")
    if len(cats) > MAX_CATEGORIES:
        problems.append(f"{len(cats)} categories: use at most {MAX_CATEGORIES}")
    seen: set[tuple[str, ...]] = set()
    for cat in cats:
        if cat in seen:
            problems.append(f'"{" > ".join(cat)}" is listed twice')
        seen.add(cat)
        problems.extend(category_problems(cat))
    return problems
