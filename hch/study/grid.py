"""Grids: parameter name -> the values to try, as written in code or on the command line."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from hch.errors import ConfigError

__all__ = ["Grid", "as_values", "merge", "parse_params", "parse_values", "points"]

Grid = dict[str, list[Any]]
"""Parameter name -> its values, in the order they are run."""


def parse_values(name: str, text: str) -> list[Any]:
    """The values of one ``-p NAME=TEXT``.

    ``0..6`` is an inclusive integer range, ``0.01,0.05`` a list, ``[..]`` a JSON list,
    anything else one JSON scalar (or a bare string).
    """
    text = text.strip()
    if not text:
        raise ConfigError(f"parameter {name}: no value given")
    if text.startswith("["):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"parameter {name}: {text!r} is not a JSON list: {exc}") from None
        if not values:
            raise ConfigError(f"parameter {name}: the list of values is empty")
        return list(values)
    low, dots, high = text.partition("..")
    if dots:
        try:
            first, last = int(low), int(high)
        except ValueError:
            raise ConfigError(
                f"parameter {name}: range {text!r} needs integer ends, like 0..6"
            ) from None
        if last < first:
            raise ConfigError(f"parameter {name}: range {text!r} is empty ({last} < {first})")
        return list(range(first, last + 1))
    return [_scalar(name, item) for item in text.split(",")]


def _scalar(name: str, item: str) -> Any:
    item = item.strip()
    if not item:
        raise ConfigError(f"parameter {name}: empty value in a comma list")
    try:
        return json.loads(item)
    except json.JSONDecodeError:
        return item


def parse_params(pairs: Iterable[str]) -> Grid:
    """``["depth=0..6", "p_error=0.01,0.05"]`` -> ``{"depth": [0, ..., 6], "p_error": [...]}``."""
    grid: Grid = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f"parameter {pair!r} is not NAME=VALUES (e.g. depth=0..6)")
        if name in grid:
            raise ConfigError(f"parameter {name} is given twice")
        grid[name] = parse_values(name, text)
    return grid


def as_values(value: Any) -> list[Any]:
    """A grid entry in code: a list, tuple or range is the values; anything else one value."""
    if isinstance(value, list | tuple | range):
        return list(value)
    return [value]


def points(grid: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, the last parameter varying fastest."""
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grid.values())]


def merge(old: Mapping[str, list[Any]], new: Mapping[str, list[Any]]) -> Grid:
    """``old`` extended by the values of ``new`` it lacks (same parameter names)."""
    merged = {name: list(values) for name, values in old.items()}
    for name, values in new.items():
        known = merged.setdefault(name, [])
        known.extend(v for v in values if v not in known)
    return merged
