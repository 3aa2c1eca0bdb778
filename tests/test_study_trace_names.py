"""Trace folder names: readable, unique per grid point, safe as file names."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from hch.study.traces import trace_name

SAFE = re.compile(r"traces/[A-Za-z0-9._=,+-]{1,140}/\d+\.jsonl")


def test_names_read_as_their_parameters() -> None:
    assert trace_name({"depth": 3, "p_error": 0.005}, 7) == "traces/depth=3,p_error=0.005/7.jsonl"
    assert trace_name({"kind": "raises"}, 0) == "traces/kind=raises/0.jsonl"
    assert trace_name({"flag": True, "x": None}, 1) == "traces/flag=true,x=null/1.jsonl"
    assert trace_name({}, 2) == "traces/default/2.jsonl"


def test_strings_that_would_read_as_other_values_keep_apart() -> None:
    assert trace_name({"k": "1"}, 0) != trace_name({"k": 1}, 0)
    assert trace_name({"k": "true"}, 0) != trace_name({"k": True}, 0)
    assert trace_name({"a": "x,b=y"}, 0) != trace_name({"a": "x", "b": "y"}, 0)
    model = trace_name({"model": "Qwen/Qwen2.5-7B"}, 0)
    assert model.startswith("traces/model=Qwen_Qwen2.5-7B-")


params = st.dictionaries(
    st.text(min_size=1, max_size=12),
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    max_size=4,
)


@given(params, params)
def test_names_are_safe_and_unique(a: dict[str, object], b: dict[str, object]) -> None:
    assert SAFE.fullmatch(trace_name(a, 0)), trace_name(a, 0)
    if a != b:
        assert trace_name(a, 0) != trace_name(b, 0)
