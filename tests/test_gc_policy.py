"""The engine relaxes the cyclic collector while it runs, and gives it back as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

import hch
from hch import Context, Limits, Question
from hch.gc_policy import DEFAULT, RELAXED, relaxed_gc


@pytest.fixture(autouse=True)
def default_gc() -> Iterator[None]:
    before, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(*DEFAULT)
    gc.enable()
    yield
    gc.set_threshold(*before)
    if not enabled:
        gc.disable()


seen: list[tuple[int, int, int]] = []


async def watch(question: Question, ctx: Context) -> str:
    seen.append(gc.get_threshold())
    if ctx.can_ask:
        await ctx.ask_all(["a", "b"])
    return "ok"


def test_a_run_relaxes_the_collector_and_restores_it() -> None:
    seen.clear()
    hch.run("q", watch, limits=Limits(max_depth=2))
    assert seen and set(seen) == {RELAXED}
    assert gc.get_threshold() == DEFAULT and gc.isenabled()


def test_a_users_own_setting_wins() -> None:
    seen.clear()
    gc.set_threshold(5000, 20, 20)
    hch.run("q", watch, limits=Limits(max_depth=1))
    assert set(seen) == {(5000, 20, 20)}
    assert gc.get_threshold() == (5000, 20, 20)
    gc.set_threshold(*DEFAULT)
    gc.disable()
    hch.run("q", watch, limits=Limits(max_depth=1))
    assert not gc.isenabled() and gc.get_threshold() == DEFAULT


def test_nested_uses_restore_only_when_the_last_ends(tmp_path: Path) -> None:
    with relaxed_gc():
        hch.run("q", watch, limits=Limits(max_depth=1), trace=tmp_path / "t.jsonl")
        assert gc.get_threshold() == RELAXED  # the inner run did not restore it early
        hch.load(tmp_path / "t.jsonl")
        assert gc.get_threshold() == RELAXED
    assert gc.get_threshold() == DEFAULT


def test_the_policy_is_given_back_when_a_run_fails() -> None:
    with pytest.raises(RuntimeError), relaxed_gc():
        raise RuntimeError("boom")
    assert gc.get_threshold() == DEFAULT
