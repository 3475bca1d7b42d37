"""Indented JSON text, the same as json.dumps(indent=2, sort_keys=True, ensure_ascii=False),
without the standard library's slow pure-Python path for indented output."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from json.encoder import c_make_encoder, encode_basestring  # C when the accelerator is present
from typing import Any


def pretty(value: Any) -> str:
    """`value` (str-keyed dicts, lists, tuples, str, int, float, bool, None) as indented JSON."""
    out: list[str] = []
    _emit(value, out, "\n")
    return "".join(out)


def _scalar(value: Any) -> str | None:
    """The JSON of a str, number, bool or None; None for a container."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value in (_INF, -_INF):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):  # subclasses (Markup) as their text, like json does
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _scalar(float(value))
    return None


def _emit(value: Any, out: list[str], newline: str) -> None:
    text = _scalar(value)
    if text is not None:
        out.append(text)
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        if all(type(k) is str for k in value) and all(
                type(v) in _FLAT or v is None for v in value.values()):
            # a table of plain values, the common case: the C encoder, told the indentation
            text = "".join(_encoder(inner)(value, 0))
            out.append(f"{{{inner}{text[1:-1]}{newline}}}")
            return
        sep = "{" + inner
        for key in sorted(value):
            if type(key) is not str:
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            item = value[key]
            text = _scalar(item)
            if text is not None:
                out.append(f"{sep}{encode_basestring(key)}: {text}")
            else:
                out.append(f"{sep}{encode_basestring(key)}: ")
                _emit(item, out, inner)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _emit(item, out, inner)
            sep = "," + inner
        out.append(newline + "]")
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")


@functools.cache
def _encoder(inner: str) -> Callable[[Any, int], Sequence[str]]:
    """json's own encoder (C when present, else its Python one), told the separators."""
    make = c_make_encoder
    if make is None:  # pragma: no cover - CPython always has the accelerator
        encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True,
                                   separators=("," + inner, ": "))
        return lambda value, _level: [encoder.encode(value)]
    return make(None, None, encode_basestring, None, ": ", "," + inner, True, False, True)


_INF = float("inf")
_FLAT = {str, int, float, bool}
