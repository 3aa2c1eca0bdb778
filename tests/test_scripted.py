"""Scripted agents and agents from plain functions."""

from __future__ import annotations

import pytest

import hch
from agents.scripted import Scripted
from hch import AgentError, Answer, Context, Question, Status


def test_table_answers_by_question_text_with_default() -> None:
    agent = Scripted({"a": "1", "b": Answer(text="2", data=2)}, default="?")

    @hch.agent
    async def root(q: Question, ctx: Context) -> str:
        answers = await ctx.ask_all(["a", "b", "c"])
        return ",".join(a.text for a in answers)

    tree = hch.run("top", hch.by_depth({0: root}, default=agent), limits=hch.Limits(max_depth=1))
    assert tree.root.answer == Answer(text="1,2,?")
    assert tree[(1,)].answer == Answer(text="2", data=2)
    assert [n.agent for n in tree] == ["root", "scripted", "scripted", "scripted"]


def test_missing_entry_without_default_fails_the_node_by_name() -> None:
    tree = hch.run("unknown question", Scripted({"known": "yes"}, name="oracle"))
    assert tree.root.status is Status.FAILED
    assert tree.root.error is not None
    assert tree.root.error.type == "AgentError"
    assert "oracle" in tree.root.error.message
    assert "unknown question" in tree.root.error.message


def test_table_entries_must_be_answers_or_text() -> None:
    with pytest.raises(AgentError, match="table entry 'x'"):
        Scripted({"x": 3})  # type: ignore[dict-item]


def test_sync_function_agent() -> None:
    tree = hch.run("hi", hch.agent(lambda q, ctx: q.text.upper(), name="upper"))
    assert tree.root.answer == Answer(text="HI")
    assert tree.root.agent == "upper"
