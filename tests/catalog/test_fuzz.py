"""Standing guarantee (issue 9): arbitrary TOML values in every front-matter and show.toml key
never give an internal error, never write outside the workspace, never emit a non-http(s) URL."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.fixtures.cli import INIT_ARGS, SHOW, run, tree
from tests.fixtures.urls import bad_urls

NOW = "2030-01-01T00:00:00Z"
GUID = "6f1d3c52-2b1c-4e0c-9a0e-3f6a1c0b7d21"
HOSTILE_TEXT = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<x>", "vbscript:x",
                "file:///etc/passwd", "https://u:secret@e.com/", "https://e.com/a b",
                "../../../podman.toml", "/etc/passwd", "a b\"<x>", "", " ", "\x00\x07\x1b[31m",
                "https://e.com/ok", "https://bücher.example/ä", "daily/x.mp3", "x" * 5000,
                "<script>alert(1)</script>", "]]>", "0001-01-01", "News > Daily News"]

tz = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-23 * 60 - 59, 23 * 60 + 59))
SCALARS = st.one_of(
    st.sampled_from(HOSTILE_TEXT), st.text(max_size=30), st.booleans(),
    st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -0.0, 2**31]),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=tz),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.dates(), st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["url", "title", "key", "start",
                                                             "name", "href", "img", "type",
                                                             "bytes", "image", "text"]),
                                            inner, max_size=4)),
    max_leaves=6,
)

EPISODE: dict[str, Any] = {
    "guid": GUID, "title": "First", "published": datetime(2025, 3, 14, 17, tzinfo=UTC),
    "status": "published", "duration": 61.5, "season": 1, "episode": 2, "type": "full",
    "explicit": False, "image": "daily/cover.jpg", "waveform": "daily/first.png",
    "audio": {"key": "daily/first.mp3", "bytes": 100, "type": "audio/mpeg", "sha256": "ab"},
    "alternates": [{"key": "daily/first.opus", "bytes": 50, "type": "audio/ogg"}],
    "persons": [{"name": "Ann", "href": "https://e.com/ann", "img": "https://e.com/a.jpg"}],
    "soundbites": [{"start": 1, "duration": 5, "title": "bite"}],
    "articles": [{"url": "https://e.com/a", "title": "A", "image": "https://e.com/i.jpg",
                  "published": "2025-03-14"}],
    "chapters": [{"start": 0, "title": "A", "url": "https://e.com/a",
                  "image": "https://e.com/c.jpg"}],
}
SHOW_KEYS: dict[str, Any] = {
    "title": "Daily", "description": "News", "language": "en", "author": "Desk",
    "email": "desk@example.com", "podcast_guid": "9b024349-ccf0-5f69-a609-6b82873eab3c",
    "link": "https://e.com/", "owner_name": "Desk", "image": "", "categories": ["News"],
    "explicit": False, "type": "episodic", "copyright": "c", "locked": True,
    "locked_owner": "desk@example.com", "medium": "podcast", "block": False, "complete": False,
    "new_feed_url": "", "websub_hub": "https://hub.example/",
    "funding": [{"url": "https://e.com/give", "text": "Give"}],
    "persons": [{"name": "Ann", "href": "https://e.com/ann"}],
    "location": {"name": "London", "geo": "geo:51.5,-0.1"},
    "license": {"name": "cc-by", "url": "https://e.com/l"},
    "txt": [{"value": "v", "purpose": "p"}],
    "trailers": [{"title": "t", "url": "https://e.com/t.mp3",
                  "pubdate": datetime(2025, 1, 1, tzinfo=UTC)}],
    "update_frequency": {"text": "daily", "rrule": "FREQ=DAILY", "complete": False},
}


def _paths(data: dict[str, Any], prefix: tuple = ()) -> list[tuple]:
    """Every key path into the sample: top-level keys and the keys inside its tables."""
    out = []
    for key, value in data.items():
        out.append((*prefix, key))
        if isinstance(value, dict):
            out.extend(_paths(value, (*prefix, key)))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out.extend(_paths(value[0], (*prefix, key, 0)))
    return out


def _mutated(base: dict[str, Any], changes: list[tuple[tuple, Any]]) -> dict[str, Any]:
    data = json.loads(json.dumps(base, default=str))  # a deep copy ...
    data.update({k: v for k, v in base.items() if not isinstance(v, dict | list)})  # ... typed
    for k in ("audio", "trailers"):
        if k in base:
            data[k] = tomlkit.parse(tomlkit.dumps({k: base[k]})).unwrap()[k]
    for path, value in changes:
        target = data
        for part in path[:-1]:
            ok = isinstance(target, dict) and part in target or isinstance(target, list) and \
                isinstance(part, int) and part < len(target)
            target = target[part] if ok else None
        if not isinstance(target, dict | list) or isinstance(target, list) and (
                not isinstance(path[-1], int) or path[-1] >= len(target)):
            continue  # an earlier change replaced the table
        if value is _DELETE:
            target.pop(path[-1]) if isinstance(target, list) else target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    return data


_DELETE = object()


def _original(base: dict[str, Any], path: tuple) -> Any:
    value: Any = base
    for part in path:
        value = value[part]
    return value


def _typed(original: Any):
    """Values of the key's own type, so most mutations get past the type checks to the render."""
    if isinstance(original, bool):
        return st.booleans()
    if isinstance(original, int | float):
        return st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats())
    if isinstance(original, str):
        return st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=30))
    if isinstance(original, datetime):
        return SCALARS.filter(lambda v: isinstance(v, datetime))
    return VALUES


def _changes(base: dict[str, Any]):
    paths = _paths(base)
    change = st.sampled_from(paths).flatmap(lambda path: st.tuples(
        st.just(path), st.one_of(_typed(_original(base, path)), VALUES, st.just(_DELETE))))
    return st.lists(change, min_size=1, max_size=3)


def _toml(data: dict[str, Any]) -> str | None:
    try:
        return tomlkit.dumps(data)
    except Exception:  # a value tomlkit cannot write (e.g. a time with a zone): not a TOML file
        return None


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    assert run("init", root, *INIT_ARGS).exit_code == 0
    (root.parent / "outside").mkdir()
    (root.parent / "outside" / "keep.txt").write_text("mine")
    return root


def _check_run(ws: Path, episode: str | None, show: str | None, fuzzing: bool = True) -> None:
    show_path = ws / "feeds" / SHOW / "show.toml"
    ep_path = ws / "feeds" / SHOW / "episodes" / "2025-03-14-first.md"
    show_path.write_text(show if show is not None else _toml(SHOW_KEYS))
    ep_path.write_text(f"+++\n{episode if episode is not None else _toml(EPISODE)}+++\nNotes "
                       "[x](javascript:alert(1)) <https://e.com/n>\n")
    shutil.rmtree(ws / "public", ignore_errors=True)
    before_outside = tree(ws.parent)
    for args in (["build", "--now", NOW], ["list", "--json"], ["check"]):
        result = run(*args[:1], "-C", ws, *args[1:])
        assert result.exit_code in (0, 1, 2), (args, result.output)
        if fuzzing:
            event(f"{args[0]} exit {result.exit_code}")  # --hypothesis-show-statistics
        assert "internal error" not in result.output and "Traceback" not in result.output, \
            (args, result.output)
        assert "secret" not in result.stderr
        if result.exit_code != 0:
            assert result.stderr.startswith("podman: error: "), result.output
        elif args == ["list", "--json"]:
            listed = {"list.json": result.stdout.encode("utf-8")}
            assert bad_urls(listed) == []
    after = tree(ws.parent)
    changed = {p for p in set(before_outside) | set(after)
               if before_outside.get(p) != after.get(p)}
    # a build writes public/ and its own git-ignored cache (.podman/cache/), nothing else
    assert all(p.startswith(("ws/public/", "ws/.podman/cache/")) for p in changed), sorted(changed)
    if (ws / "public").is_dir():
        assert bad_urls(tree(ws / "public")) == []


FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def test_the_unmutated_samples_build_and_emit_only_http_urls(ws: Path) -> None:
    _check_run(ws, None, None, fuzzing=False)
    assert (ws / "public" / SHOW / "feed.xml").is_file()


@FUZZ
@given(changes=_changes(EPISODE))
@example(changes=[(("published",), datetime(9999, 12, 31, 23,
                                            tzinfo=timezone(-timedelta(hours=5))))])
@example(changes=[(("guid",), "\x1b")])
@example(changes=[(("alternates",), [5])])
def test_any_front_matter_value(ws: Path, changes: list) -> None:
    _check_run(ws, _toml(_mutated(EPISODE, changes)) or "", None)


@FUZZ
@given(changes=_changes(SHOW_KEYS))
@example(changes=[(("trailers", 0, "pubdate"),
                   datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))))])
@example(changes=[(("license",), 1)])
@example(changes=[(("categories",), False)])
def test_any_show_toml_value(ws: Path, changes: list) -> None:
    _check_run(ws, None, _toml(_mutated(SHOW_KEYS, changes)) or "")


@FUZZ
@given(value=st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=20)))
def test_any_show_image_path(ws: Path, value: str) -> None:
    _check_run(ws, None, _toml({**SHOW_KEYS, "image": value}))
