"""pretty() must print exactly what json.dumps(indent=2, sort_keys=True, ensure_ascii=False)
prints (articles.json is published and compared byte for byte)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from podman.core.jsontext import pretty

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.text().map(Markup))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4),
                      max_leaves=30)


def reference(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@given(values)
def test_pretty_prints_what_json_prints(value: object) -> None:
    assert pretty(value) == reference(value)


def test_the_shapes_of_articles_json() -> None:
    record = {"title": "Ça & <b>", "duration": 1234.5, "height": 148, "explicit": None,
              "ok": True, "nan": float("nan"), "inf": float("-inf"), "zero": -0.0}
    value = {"https://b.example/": {"episodes": [record, dict(record)], "empty": [], "none": {}},
             "https://a.example/\u2028": record}
    assert pretty(value) == reference(value)
    assert pretty({}) == "{}" and pretty([]) == "[]" and pretty("x") == '"x"'


@pytest.mark.parametrize("value", [{1: "int key"}, {"a": {1, 2}}, [object()]])
def test_what_json_cannot_print_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        pretty(value)

