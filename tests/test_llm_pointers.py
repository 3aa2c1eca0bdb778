"""LLMAgent with pointers, against the local server over real HTTP on 127.0.0.1: the
numbering the model sees, its unlock action, ``$n`` forwarded unread into questions and
answers, bad ``$n`` corrected, and requests unchanged for questions without pointers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import hch
from agents._reply import ReplyError, parse_reply
from agents.llm import LLMAgent, RetryPolicy
from agents.server import ChatRequest, ModelServer, SimulatedModel, TableModel
from hch import (
    Answer,
    Content,
    Context,
    Hold,
    Limits,
    ModelCall,
    ModelOutputError,
    Question,
    Status,
    Unlock,
)

pytestmark = pytest.mark.anyio

FAST = RetryPolicy(attempts=4, initial=0.001, jitter=0.001, max_wait=0.02, total=10)
DATA = Path(__file__).parent / "data"

SUM = hch.holding(
    "What is the sum of $1, $2 and $3?",
    ["12", Content(text="7 and $1", pointers=("task:4",)), "5", "30"],
    pointers=[1, 2, 3],
)
"""12 + (7 + 30) + 5 = 54; the 30 sits behind a pointer inside the second part."""


def llm(server: ModelServer, **options: Any) -> LLMAgent:
    return LLMAgent(model="sim", base_url=server.base_url, api_key="k", retry=FAST, **options)


def reply(answer: str = "", questions: tuple[str, ...] = (), unlock: tuple[str, ...] = ()) -> str:
    action = "unlock" if unlock else "ask" if questions else "answer"
    body = {"action": action, "questions": list(questions), "answer": answer}
    return json.dumps({**body, "unlock": list(unlock)} if unlock else body)


def turns(*replies: str) -> Callable[[ChatRequest], str]:
    """A scripted node: its n-th reply for the n-th request of its conversation."""

    def play(request: ChatRequest) -> str:
        said = sum(m["role"] == "assistant" for m in request.messages)
        return replies[min(said, len(replies) - 1)]

    return play


def calls(node: hch.Node) -> list[ModelCall]:
    return [e for e in node.events if isinstance(e, ModelCall)]


def unlocks(node: hch.Node) -> list[str]:
    return [e.pointer for e in node.events if isinstance(e, Unlock)]


def said(call: ModelCall, role: str = "user") -> list[str]:
    return [m["content"] for m in call.request["messages"] if m["role"] == role]


def schema(call: ModelCall) -> dict[str, Any]:
    fmt = call.request["params"]["response_format"]
    found = fmt["json_schema"]["schema"] if fmt["type"] == "json_schema" else fmt["schema"]
    return found  # type: ignore[no-any-return]


async def test_the_model_sees_one_numbering_for_the_node_and_unlocks() -> None:
    script = turns(reply(unlock=("$2",)), reply(unlock=("$1", "$3", "$4")), reply("54"))
    with ModelServer(TableModel({"What is the sum of $1, $2 and $3?": script})) as server:
        tree = await hch.run_tree(SUM, llm(server), limits=Limits(max_depth=0, budget=5))
    first, second, third = calls(tree.root)
    system = said(first, "system")[0]
    assert "$1, $2, ... stand for content you cannot see" in system
    assert said(first)[0].endswith("Budget left: 4\nLocked pointers: $1, $2, $3")
    assert said(first)[0].startswith("Question: What is the sum of $1, $2 and $3?\n")
    assert said(second)[-1] == (
        "Unlocked:\n$2: 7 and $4\nMay ask: no\nBudget left: 3\nLocked pointers: $1, $3, $4"
    )
    assert said(third)[-1] == (
        "Unlocked:\n$1: 12\n$3: 5\n$4: 30\nMay ask: no\nBudget left: 0\nLocked pointers: none"
    )
    assert schema(first)["properties"]["unlock"]["items"]["enum"] == ["$1", "$2", "$3"]
    assert schema(second)["properties"]["unlock"]["items"]["enum"] == ["$1", "$3", "$4"]
    assert "unlock" not in schema(third)["properties"]  # nothing locked: no unlock action
    assert unlocks(tree.root) == ["task:2", "task:1", "task:3", "task:4"]
    assert tree.root.budget_used == 5  # itself and four unlocks
    assert tree.root.answer == Answer(text="54")


async def test_pointers_pass_unread_into_questions_and_up_in_answers() -> None:
    table = {
        "What is the sum of $1, $2 and $3?": turns(
            reply(questions=("What is the sum of $1 and $2?", "What is $3 worth?")),
            reply("$1, $2 and 5"),
        ),
        "What is the sum of $1 and $2?": reply("$2 plus $1"),  # forwards both, unread
        "What is $1 worth?": turns(reply(unlock=("$1",)), reply("5")),
    }
    with ModelServer(TableModel(table)) as server:
        tree = await hch.run_tree(SUM, llm(server), limits=Limits(max_depth=1))
    forwarder, reader = tree.children(tree.root)
    assert forwarder.question == Question(
        text="What is the sum of $1 and $2?", pointers=("task:1", "task:2")
    )
    assert forwarder.answer == Answer(text="$1 plus $2", pointers=("task:2", "task:1"))
    assert reader.question == Question(text="What is $1 worth?", pointers=("task:3",))
    assert (unlocks(tree.root), unlocks(forwarder), unlocks(reader)) == ([], [], ["task:3"])
    followup = said(calls(tree.root)[-1])[-1]
    assert "A1: $2 plus $1\n" in followup and "A2: 5\n" in followup
    assert followup.endswith("Locked pointers: $1, $2, $3")
    assert tree.root.answer == Answer(text="$1, $2 and 5", pointers=("task:1", "task:2"))
    assert hch.reveal(tree.root.answer, tree.content).text == "12, 7 and 30 and 5"


async def test_bad_pointers_and_refused_unlocks_go_back_to_the_model() -> None:
    script = turns(
        reply(questions=("What is $7?",)),
        reply(unlock=("$9",)),
        reply(unlock=("$1",)),
        reply(unlock=("$1",)),
        reply(unlock=("$2",)),
        reply("$3 and 12"),
    )
    with ModelServer(TableModel({"What is the sum of $1, $2 and $3?": script})) as server:
        agent = llm(server, max_output_retries=2)
        tree = await hch.run_tree(SUM, agent, limits=Limits(max_depth=1, budget=2))
    assert tree.root.status is Status.OK and len(tree) == 1  # the bad question asked nothing
    corrections = [said(c)[-1] for c in calls(tree.root)[1:]]
    assert "$7 names no pointer here (pointers: $1..$3)" in corrections[0]
    assert "$9 names no pointer here (pointers: $1..$3)" in corrections[1]
    assert corrections[2].startswith("Unlocked:\n$1: 12\n")
    assert "$1 is unlocked already" in corrections[3]
    assert "$2 cannot be unlocked" in corrections[4] and "budget" in corrections[4]
    assert all(c.startswith("Your reply could not be used") for c in corrections[:2])
    assert unlocks(tree.root) == ["task:1"]
    assert tree.root.answer == Answer(text="$1 and 12", pointers=("task:3",))


async def test_a_model_that_keeps_naming_missing_pointers_fails_the_node() -> None:
    async def asker(question: Question, ctx: Context) -> Answer:
        note = ctx.hold("the note")
        try:
            return await ctx.ask(Question(text="What is in $1?", pointers=(note,)))
        except hch.ChildFailed as exc:
            return Answer(text=f"no answer: {exc}")

    with ModelServer(TableModel({}, default=reply("it is $4"))) as server:
        agent = llm(server, max_output_retries=1)
        tree = await hch.run_tree("go", hch.by_depth({0: hch.agent(asker)}, default=agent))
    child = tree[(0,)]
    assert child.question == Question(text="What is in $1?", pointers=("root:1",))
    assert child.status is Status.FAILED and child.error is not None
    assert child.error.type == ModelOutputError.__name__
    assert "$4 names no pointer here (pointers: $1)" in child.error.message
    assert len(calls(child)) == 2


async def test_pointers_met_later_bring_the_instructions_and_the_unlock_action() -> None:
    async def keeper(question: Question, ctx: Context) -> Answer:
        return Answer(text="here: $1", pointers=(ctx.hold("the code is 4711"),))

    root = turns(reply(questions=("Fetch the code",)), reply(unlock=("$1",)), reply("4711"))
    with ModelServer(TableModel({"What is the code?": root})) as server:
        agent = llm(server)
        policy = hch.by_depth({0: agent}, default=hch.agent(keeper))
        tree = await hch.run_tree("What is the code?", policy)
    opening, after_answers, after_unlock = calls(tree.root)
    assert "Pointers" not in json.dumps(opening.request)  # no pointer yet: as without them
    assert "unlock" not in json.dumps(opening.request["params"])
    shown = said(after_answers)[-1]
    assert shown.startswith("Answers to your subquestions:\nQ1: Fetch the code\nA1: here: $1\n")
    assert "Locked pointers: $1\n\nPointers: $1, $2, ... stand for content" in shown
    assert schema(after_answers)["properties"]["unlock"]["items"]["enum"] == ["$1"]
    assert said(after_unlock)[-1].startswith("Unlocked:\n$1: the code is 4711\n")
    (held,) = [e for e in tree[(0,)].events if isinstance(e, Hold)]
    assert unlocks(tree.root) == [held.pointer] == ["root.0:1"]
    assert tree.root.answer == Answer(text="4711")


@pytest.mark.parametrize("structured", ["json_schema", "json_object_schema"])
async def test_the_simulated_model_unlocks_or_forwards_and_answers_right(structured: str) -> None:
    forwarded = read = 0
    for seed in range(6):
        with ModelServer(SimulatedModel(seed=seed)) as server:
            agent = llm(server, structured=structured)
            tree = await hch.run_tree(SUM, agent, limits=Limits(max_depth=2))
        assert tree.root.answer == Answer(text="54")
        forwarded += any(n.depth and n.question.pointers for n in tree)
        read += bool(unlocks(tree.root))
        for node in tree:
            for call in calls(node):
                assert_fits(call)
    assert forwarded and read  # both choices were drawn


def assert_fits(call: ModelCall) -> None:
    """The reply has exactly the keys and values the request's schema of the turn allows."""
    assert call.response is not None
    got = json.loads(call.response["content"])
    found = schema(call)

    def fits(branch: dict[str, Any]) -> bool:
        props = branch["properties"]
        actions = [*props["action"].get("enum", []), props["action"].get("const")]
        names = got.get("unlock", [])
        return (
            set(got) == set(branch["required"])
            and got["action"] in actions
            and all(p in props["unlock"]["items"].get("enum", ()) for p in names)
        )

    assert any(fits(b) for b in found.get("anyOf", [found])), (got, found)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_pointer_tree_of_llm_agents_replays_exactly(tmp_path: Path, backend: str) -> None:
    trace = tmp_path / "pointers.jsonl"
    with ModelServer(SimulatedModel(seed=3, p_error=0.1)) as server:
        tree = hch.run(SUM, llm(server), limits=Limits(max_depth=2), trace=trace, backend=backend)
    assert any(unlocks(n) for n in tree) and len(tree) > 1
    again = hch.replay(trace, rerun=True, backend=backend)  # the server is gone
    assert again.model_calls == 0
    assert again.tree.fingerprint() == tree.fingerprint()
    assert [n.events for n in again.tree] == [n.events for n in tree]


@pytest.mark.parametrize("name", ["json_schema", "json_object_schema", "dollars"])
def test_trees_recorded_before_pointers_replay_with_the_same_requests(name: str) -> None:
    """These traces were recorded by LLMAgent before it knew pointers (the commit that
    added pointers to the engine), against SimulatedModel with garbled replies and slips,
    and a table model writing dollar amounts. A request that differs in one byte is
    not in the recording, and the replay raises NotRecorded."""
    recording = hch.load(DATA / f"llm-before-pointers-{name}.jsonl")
    again = hch.replay(recording, rerun=True)
    assert again.model_calls == 0 and again.rerun == len(recording)
    assert again.tree.fingerprint() == recording.fingerprint()
    requests = json.dumps([c.request for n in again.tree for c in calls(n)])
    assert "Locked pointers" not in requests and "unlock" not in requests


def test_unlock_replies_are_read_only_where_there_are_pointers() -> None:
    with pytest.raises(ReplyError, match="neither questions"):
        parse_reply('{"unlock": ["$2"]}')  # as before pointers: not a decision
    assert parse_reply('{"unlock": ["$2"]}', may_unlock=True).unlock == ["$2"]
    lenient = parse_reply('Sure: {"action": "Unlock", "unlock": [2, "$2", " $3"]}', True)
    assert lenient.unlock == ["$2", "$3"]
    assert parse_reply('{"unlock": ["$1"], "answer": "5"}', may_unlock=True).answer == "5"
    with pytest.raises(ReplyError, match="names no pointer"):
        parse_reply('{"action": "unlock", "unlock": []}', may_unlock=True)
    with pytest.raises(ReplyError, match=r'name pointers as "\$1"'):
        parse_reply('{"action": "unlock", "unlock": ["the list"]}', may_unlock=True)
