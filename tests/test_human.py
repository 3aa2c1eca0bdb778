"""People at nodes, in process: the workspace a person sees, the actions they take, the
refusals, and memoised actions that replay a human tree with nobody there.

The terminal's streams are injected here; ``test_human_terminal.py`` drives a real
``hch run`` through a pseudo-terminal.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from agents.human import Ask, Choice, FollowUp, Reply, TerminalHuman, UseTool, refusal
from agents.scripted import Scripted
from agents.simulated import NoisyCalculator
from hch import (
    Answer,
    Context,
    Limits,
    ModelCall,
    NotRecorded,
    Question,
    Status,
    Tree,
    agent,
    by_depth,
    load,
    replay_tree,
    run_tree,
)
from hch.cache import Cache

pytestmark = pytest.mark.anyio


def typed(*lines: str) -> io.StringIO:
    return io.StringIO("".join(line + "\n" for line in lines))


def human_calls(tree: Tree) -> list[ModelCall]:
    return [e for n in tree for e in n.events if isinstance(e, ModelCall) and "human:" in e.model]


@agent(name="echo-history")
async def echo_history(question: Question, ctx: Context) -> Answer:
    """Answers with its question and how many earlier turns it was shown."""
    return Answer(text=f"{question.text} after {len(ctx.history)} turns")


async def test_a_person_asks_follows_up_calls_a_tool_notes_and_answers(tmp_path: Path) -> None:
    out = io.StringIO()
    person = TerminalHuman(
        "alice",
        tools=["double"],
        input=typed(
            "ask first?",
            "ask",
            "second?",
            "third?",
            "",
            "follow 0 and then?",
            "tool double x=21",
            "note the child was asked twice",
            "answer 42",
        ),
        output=out,
    )
    tree = await run_tree(
        "root question",
        by_depth({0: person}, default=echo_history),
        limits=Limits(max_depth=1),
        tools={"double": lambda x: 2 * x},
        trace=tmp_path / "t.jsonl",
    )
    root = tree.root
    assert root.answer == Answer(text="42") and root.agent == "alice"
    assert [n.question.text for n in tree.children(root)] == [
        "first?",
        "second?",
        "third?",
        "and then?",
    ]
    follow = tree[(3,)]
    assert follow.follows == 0 and follow.answer.text == "and then? after 1 turns"  # type: ignore[union-attr]
    actions = [c.response["action"] for c in human_calls(tree)]  # type: ignore[index]
    assert actions == ["ask", "ask", "follow_up", "tool", "note", "answer"]
    assert all(c.model == "human:alice" and c.response["by"] == "alice" for c in human_calls(tree))  # type: ignore[index]
    last = human_calls(tree)[-1].request  # exactly what the person saw before answering
    assert last["path"] == "root" and last["depth"] == 0 and last["children_left"] is None
    assert last["log"][-2] == {"kind": "tool", "name": "double", "args": {"x": 21}, "result": 42}
    assert root.notes == [{"text": "the child was asked twice"}]
    screen = out.getvalue()
    for shown in ("Question: root question", "[1] Q: second?", "A: first? after 0 turns", "-> 42"):
        assert shown in screen
    assert load(tmp_path / "t.jsonl").root.answer == Answer(text="42")


async def test_a_follow_up_shows_the_child_the_whole_exchange() -> None:
    out = io.StringIO()
    child = TerminalHuman("bob", input=typed("answer one", "answer two"), output=out)

    @agent(name="asker")
    async def asker(question: Question, ctx: Context) -> Answer:
        c = ctx.child()
        first = await c.ask("first question")
        second = await c.ask("second question")
        return Answer(text=f"{first.text}+{second.text}")

    tree = await run_tree("q", by_depth({0: asker}, default=child), limits=Limits(max_depth=1))
    assert tree.root.answer == Answer(text="one+two")
    second_view = human_calls(tree)[-1].request
    assert second_view["history"] == [{"question": "first question", "answer": "one"}]
    assert "Earlier turns with the node asking you" in out.getvalue()


async def test_refusals_say_why_and_change_nothing() -> None:
    out = io.StringIO()
    person = TerminalHuman(
        "alice",
        tools=["calc"],
        input=typed(
            "answer",  # several lines, ended at once: an empty answer
            "",
            "ask",
            "a",
            "b",
            "c",
            "",
            "ask x",
            "ask y",
            "follow 1 again?",
            "follow 7 again?",
            "tool nothing",
            "dance",
            "answer done",
        ),
        output=out,
    )
    tree = await run_tree(
        "q", by_depth({0: person}, default=echo_history), limits=Limits(max_depth=1, budget=3)
    )
    screen = out.getvalue()
    assert "refused: an answer cannot be empty" in screen
    assert "refused: this node may ask 2 more questions, not 3 (budget left 2)" in screen
    assert "refused: child 1 was asked together with others" not in screen
    assert "refused: there is no child 7 (children so far: 0, 1)" in screen
    assert "refused: no tool 'nothing' is granted here (granted: calc)" in screen
    assert "refused: unknown command 'dance'; type help" in screen
    assert "refused: this node may ask no more questions" in screen  # `follow 1` after two asks
    assert [c.response["action"] for c in human_calls(tree)] == ["ask", "ask", "answer"]  # type: ignore[index]
    assert tree.root.n_children == 2 and tree.root.answer == Answer(text="done")


def test_refusal_reads_only_the_view() -> None:
    view = {
        "depth": 1,
        "budget": 5,
        "children_left": 2,
        "log": [
            {"kind": "ask", "asked": [{"child": 0}, {"child": 1}]},
            {"kind": "ask", "asked": [{"child": 2}]},
        ],
    }
    assert refusal(view, Ask(questions=["a", " "])) == "question 2 is empty"
    assert refusal(view, FollowUp(child=2, question="more?")) is None
    assert "asked together with others" in str(refusal(view, FollowUp(child=1, question="?")))
    assert refusal(view, UseTool(name="any")) is None  # tools not shown: the tree decides
    assert refusal(view, Reply(text=" \n ")) == "an answer cannot be empty"


async def test_a_limit_the_tree_enforces_becomes_a_refused_entry() -> None:
    def costly(x: int) -> int:
        return x

    costly.cost = 5  # type: ignore[attr-defined]
    person = TerminalHuman(input=typed("tool costly x=1", "answer ok"), output=io.StringIO())
    tree = await run_tree(
        "q", person, limits=Limits(max_depth=0, budget=3), tools={"costly": costly}
    )
    refused = human_calls(tree)[-1].request["log"][-1]
    assert refused["kind"] == "refused" and "tool 'costly' costs 5" in refused["reason"]
    assert tree.root.answer == Answer(text="ok")


async def test_end_of_input_fails_the_node_with_a_clear_error() -> None:
    tree = await run_tree("q", TerminalHuman(input=io.StringIO(""), output=io.StringIO()))
    assert tree.root.status is Status.FAILED
    assert "end of input" in tree.root.error.message  # type: ignore[union-attr]


async def test_two_people_on_one_terminal_take_turns() -> None:
    out = io.StringIO()
    both = TerminalHuman("pat", input=typed("answer first", "answer second"), output=out)

    @agent(name="fan")
    async def fan(question: Question, ctx: Context) -> Answer:
        answers = await ctx.ask_all(["left?", "right?"])
        return Answer(text=",".join(a.text for a in answers))

    tree = await run_tree("q", by_depth({0: fan}, default=both), limits=Limits(max_depth=1))
    assert sorted(tree.root.answer.text.split(",")) == ["first", "second"]  # type: ignore[union-attr]
    screen = out.getvalue()
    assert screen.count("Question: left?") == 1 and screen.count("Question: right?") == 1
    # One workspace is shown and answered before the other one is shown.
    first, second = sorted([screen.index("Question: left?"), screen.index("Question: right?")])
    assert screen.index("> ", first) < second


async def test_memoised_actions_replay_a_whole_human_tree_with_nobody_there(
    tmp_path: Path,
) -> None:
    live = TerminalHuman(
        "alice",
        input=typed("ask", "2 + 3", "4", "", "answer 5", "answer 4", "answer 9"),
        output=io.StringIO(),
    )
    policy = by_depth({0: live, 1: live})
    trace = tmp_path / "live.jsonl"
    first = await run_tree("(2 + 3) + 4", policy, limits=Limits(max_depth=1), trace=trace)
    assert first.root.answer == Answer(text="9")

    out = io.StringIO()
    nobody = TerminalHuman(
        "alice", cache=Cache.from_trace(trace), input=io.StringIO(""), output=out
    )
    again = await run_tree(
        "(2 + 3) + 4", by_depth({0: nobody, 1: nobody}), limits=Limits(max_depth=1)
    )
    assert [(n.path, n.answer) for n in again] == [(n.path, n.answer) for n in load(trace)]
    assert all(c.cached for c in human_calls(again)) and len(human_calls(again)) == 4
    assert "root: the recorded action {" in out.getvalue()


async def test_the_memo_asks_the_person_only_where_the_view_changed(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "memo.sqlite")
    right = Scripted({"2 + 3": "5"})
    first = TerminalHuman(
        "al", cache=cache, input=typed("ask 2 + 3", "answer 5"), output=io.StringIO()
    )
    await run_tree("q", by_depth({0: first}, default=right), limits=Limits(max_depth=1))

    wrong = Scripted({"2 + 3": "6"})  # the child now answers otherwise: the view differs
    second = TerminalHuman("al", cache=cache, input=typed("answer 6"), output=io.StringIO())
    tree = await run_tree("q", by_depth({0: second}, default=wrong), limits=Limits(max_depth=1))
    assert [c.cached for c in human_calls(tree)] == [True, False]
    assert tree.root.answer == Answer(text="6")


def test_choices_round_trip_through_their_recorded_form() -> None:
    choice = Choice(action=FollowUp(child=2, question="why?"), by="bo", scratchpad="idea")
    assert choice.response() == {
        "action": "follow_up",
        "child": 2,
        "question": "why?",
        "by": "bo",
        "scratchpad": "idea",
    }
    assert Choice.from_response(choice.response()) == choice


async def test_a_human_trace_replays_from_the_trace_alone(tmp_path: Path) -> None:
    """The header rebuilds the people (their name; never their streams) and the replay
    serves each human node its recorded actions, as it serves an LLM its calls."""
    trace = tmp_path / "people.jsonl"
    live = TerminalHuman("ann", input=typed("ask", "2 + 3", "4", "", "answer 9"))
    policy = by_depth({0: live}, default=NoisyCalculator(p_error=0.0))
    recorded = await run_tree("(2 + 3) + 4", policy, limits=Limits(max_depth=1), trace=trace)

    again = await replay_tree(trace, rerun=True)  # every node runs again, nobody types
    assert [(n.path, n.answer) for n in again.tree] == [(n.path, n.answer) for n in recorded]
    assert again.rerun == len(recorded)


async def test_a_counterfactual_asks_the_person_only_what_changed(tmp_path: Path) -> None:
    trace = tmp_path / "people.jsonl"
    live = TerminalHuman("ann", input=typed("ask", "2 + 3", "4", "", "answer 9"))
    below = NoisyCalculator(p_error=0.0)
    await run_tree(
        "(2 + 3) + 4", by_depth({0: live}, default=below), limits=Limits(max_depth=1), trace=trace
    )
    with pytest.raises(NotRecorded, match="human:ann"):  # the root's view changed
        await replay_tree(trace, {(0,): Answer(text="6")})

    out = io.StringIO()
    asked = TerminalHuman("ann", input=typed("answer 10"), output=out)
    cf = await replay_tree(
        trace, {(0,): Answer(text="6")}, live=True, agent=by_depth({0: asked}, default=below)
    )
    assert cf.tree.root.answer == Answer(text="10") and cf.diff.root_changed
    assert "A: 6" in out.getvalue()  # shown the changed child, asked once: the ask replayed
    assert [c.cached for c in human_calls(cf.tree)] == [False, False]
