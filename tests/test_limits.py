"""Limits: defaults, validation, immutability."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hch import Limits


def test_defaults() -> None:
    limits = Limits()
    assert limits.max_depth == 3
    assert limits.budget is None
    assert limits.max_children is None
    assert limits.node_timeout is None
    assert limits.tree_timeout is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("max_depth", -1),
        ("budget", 0),
        ("max_children", -1),
        ("node_timeout", 0),
        ("tree_timeout", -1.0),
    ],
)
def test_out_of_range_values_are_refused(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        Limits.model_validate({field: value})


def test_zero_depth_and_zero_children_are_allowed() -> None:
    limits = Limits(max_depth=0, max_children=0)
    assert (limits.max_depth, limits.max_children) == (0, 0)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="max_dept"):
        Limits.model_validate({"max_dept": 2})


def test_limits_are_frozen_and_hashable() -> None:
    limits = Limits(budget=5)
    with pytest.raises(ValidationError):
        limits.budget = 6  # type: ignore[misc]
    assert hash(limits) == hash(Limits(budget=5))
