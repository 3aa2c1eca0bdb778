"""Pointers in the node contract: who sees what, what unlocking costs, and exact replay."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hch
from hch import (
    Answer,
    BudgetExhausted,
    ChildFailed,
    Content,
    Context,
    Hold,
    Limits,
    PointerError,
    Question,
    Status,
    Unlock,
    Workspace,
)
from hch.pointers import maker

SECRET = re.compile(r"secret-[\w.:]+")


def secrets(value: object) -> set[str]:
    """Every secret token anywhere in ``value`` (a model, a list, a string)."""
    if hasattr(value, "model_dump_json"):
        value = value.model_dump_json()
    return set(SECRET.findall(json.dumps(value, default=str)))


@dataclass
class Spy:
    """Does random things with pointers and writes down every secret it was shown.

    Content texts hold secrets; message texts never do (they hold ``$i`` only), so a
    secret a node saw came from content the engine let it see.
    """

    name: str = "spy"

    async def answer(self, question: Question, ctx: Context) -> Answer:
        rng = ctx.rng
        seen = secrets(question) | secrets(ctx.history)
        for _ in range(rng.randint(0, 3)):
            held = ctx.pointers
            if held and rng.random() < 0.6:
                seen |= secrets(ctx.unlock(rng.choice(held)))
        if ctx.can_ask and rng.random() < 0.7:
            held = ctx.pointers
            asks = []
            for i in range(rng.randint(1, 3)):
                passed = tuple(rng.sample(held, k=min(len(held), rng.randint(0, 2))))
                asks.append(
                    Question(
                        text=f"q{i} " + " ".join(f"${j + 1}" for j in range(len(passed))),
                        pointers=passed,
                    )
                )
            try:
                got = await ctx.ask_all(asks)
                seen |= secrets(got)
            except ChildFailed as exc:
                seen |= secrets([a for a in exc.answers or [] if a is not None])
        if rng.random() < 0.5:  # a note of its own, built from what it saw
            ctx.hold(f"secret-{hch.format_path(ctx.path)} " + " ".join(sorted(seen)))
        ctx.note(seen=sorted(seen))
        held = ctx.pointers
        up = tuple(rng.sample(held, k=min(len(held), rng.randint(0, 2))))
        return Answer(text=" ".join(f"${j + 1}" for j in range(len(up))) or "done", pointers=up)


def root_question(n: int) -> Question:
    parts = [Content(text=f"secret-part{k} " + "x" * k) for k in range(1, n + 1)]
    # part 1 holds pointers to the others: content made of content
    parts[0] = Content(
        text="secret-part1 " + " ".join(f"${i}" for i in range(1, n)),
        pointers=tuple(f"task:{k}" for k in range(2, n + 1)),
    )
    return hch.holding("look at $1", parts, pointers=[1])


SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(seed=st.integers(0, 10_000), depth=st.integers(0, 3), parts=st.integers(1, 4))
def test_no_node_sees_content_it_did_not_unlock_or_make(seed: int, depth: int, parts: int) -> None:
    tree = hch.run(
        root_question(parts), Spy(), limits=Limits(max_depth=depth, budget=40), seed=seed
    )
    content = tree.content
    for node in tree:
        if node.status is not Status.OK:
            continue
        opened = {e.pointer for e in node.events if isinstance(e, (Unlock, Hold))}
        allowed = set().union(*(secrets(content[p].text) for p in opened)) if opened else set()
        allowed |= {f"secret-{node.id}"}  # its own note's name
        (note,) = node.notes
        assert set(note["seen"]) <= allowed, node.id
        # and it could only have unlocked or passed what it held
        for e in node.events:
            if isinstance(e, Unlock):
                assert e.pointer in content


def test_the_root_never_sees_the_parts_only_pointers() -> None:
    shown: list[Question] = []

    async def look(q: Question, ctx: Context) -> Answer:
        shown.append(q)
        return Answer(text="ok")

    tree = hch.run(root_question(3), look)
    assert shown[0].parts == () and shown[0].pointers == ("task:1",)
    assert tree.root.question.parts  # the trace keeps them: the task held them
    assert set(tree.content) == {"task:1", "task:2", "task:3"}


async def test_unlocks_use_budget_once_each(anyio_backend: str) -> None:
    seen: list[int | None] = []

    async def greedy(q: Question, ctx: Context) -> Answer:
        top = ctx.unlock(q.pointers[0])
        seen.append(ctx.budget)
        ctx.unlock(q.pointers[0])  # again: free
        seen.append(ctx.budget)
        for p in top.pointers:
            ctx.unlock(p)
        return Answer(text="read")

    tree = await hch.run_tree(root_question(3), greedy, limits=Limits(budget=10, unlock_cost=2))
    assert seen == [7, 7]
    assert tree.root.budget_used == 1 + 3 * 2
    assert [e.pointer for e in tree.root.events if isinstance(e, Unlock)] == [
        "task:1",
        "task:2",
        "task:3",
    ]
    short = await hch.run_tree(root_question(3), greedy, limits=Limits(budget=4, unlock_cost=2))
    assert short.root.status is Status.LIMITED
    assert "unlocking task:2 costs 2" in short.root.error.message  # type: ignore[union-attr]
    assert BudgetExhausted.__name__ == short.root.error.type  # type: ignore[union-attr]


async def test_pointers_not_held_are_refused_with_a_pointer_error(anyio_backend: str) -> None:
    async def guess(q: Question, ctx: Context) -> Answer:
        ctx.unlock("task:2")  # exists, but the root holds only task:1
        return Answer(text="no")

    tree = await hch.run_tree(root_question(2), guess)
    assert tree.root.error is not None and tree.root.error.type == "PointerError"
    assert "does not hold it" in tree.root.error.message

    async def forward_unknown(q: Question, ctx: Context) -> Answer:
        if ctx.depth:
            return Answer(text="child")
        with pytest.raises(PointerError, match="asks with pointer task:3"):
            await ctx.ask(Question(text="$1", pointers=("task:3",)))
        with pytest.raises(PointerError, match="only the root question has parts"):
            await ctx.ask(Question(text="x", parts=(Content(text="y"),)))
        return Answer(text="$1", pointers=("task:9",))

    tree = await hch.run_tree(root_question(3), forward_unknown)
    assert tree.root.n_children == 0  # refused before a child was started
    assert tree.root.error is not None and "answers with pointer task:9" in tree.root.error.message


async def test_a_pointer_passes_up_unread_and_the_asker_reads_it_all(anyio_backend: str) -> None:
    async def reverse(q: Question, ctx: Context) -> Answer:
        (p,) = q.pointers
        c = ctx.unlock(p)
        if not c.pointers:
            return Answer(text="$1", pointers=(ctx.hold(" ".join(reversed(c.text.split()))),))
        a, b = await ctx.ask_all([Question(text="reverse $1", pointers=(x,)) for x in c.pointers])
        # the children's answers go up inside a note, unread
        assert not ctx.unlocked(a.pointers[0]) and ctx.pointers[-1] == b.pointers[0]
        return Answer(text="$1", pointers=(ctx.hold("$1 $2", pointers=(*b.pointers, *a.pointers)),))

    q = hch.holding(
        "reverse $1",
        [Content(text="$1 $2", pointers=("task:2", "task:3")), "1 2", "3 4"],
        pointers=[1],
    )
    tree = await hch.run_tree(q, reverse, limits=Limits(max_depth=2))
    assert tree.root.answer is not None
    assert hch.reveal(tree.root.answer, tree.content).text == "4 3 2 1"
    assert hch.expand(tree.root.answer, tree.content) == "4 3 2 1"


def test_replay_of_a_pointer_tree_is_exact(tmp_path: Path) -> None:
    trace = tmp_path / "spy.jsonl"
    tree = hch.run(
        root_question(3), Spy(), limits=Limits(max_depth=3, budget=30), seed=7, trace=trace
    )
    assert any(isinstance(e, Hold) for n in tree for e in n.events)
    again = hch.replay(trace, rerun=True)
    assert again.reused == 0 and again.rerun == len(tree)
    assert again.tree.fingerprint() == tree.fingerprint()
    assert again.tree.content == tree.content
    loaded = hch.load(trace)
    assert loaded.fingerprint() == tree.fingerprint() and loaded.content == tree.content


async def gather_notes(q: Question, ctx: Context) -> Answer:
    """Children hold a note and answer with its pointer; the root reads every note."""
    if ctx.depth:
        return Answer(text="$1", pointers=(ctx.hold(f"note of {q.text}"),))
    got = await ctx.ask_all(["a", "b"])
    return Answer(text=" + ".join(ctx.unlock(a.pointers[0]).text for a in got if a.pointers))


def test_a_counterfactual_reaches_content_held_by_reused_nodes(tmp_path: Path) -> None:
    """Force one child's answer: its sibling is reused, and the root, run again, can
    still unlock what the reused sibling held."""
    trace = tmp_path / "notes.jsonl"
    tree = hch.run("notes", gather_notes, trace=trace)
    assert tree.root.answer == Answer(text="note of a + note of b")
    changed = hch.replay(trace, interventions={(0,): Answer(text="forced")})
    assert changed.reused == 1  # root.1, with the note it held
    assert changed.tree.root.answer == Answer(text="note of b")
    assert changed.tree.content == {"root.1:1": tree.content["root.1:1"]}


def test_a_version_2_trace_still_loads(tmp_path: Path) -> None:
    file = tmp_path / "v2.jsonl"
    header = {
        "schema_version": 2,
        "run_id": "r",
        "seed": 0,
        "limits": {"max_depth": 1},
        "agent": "a",
        "spec": {"kind": "opaque", "why": "test"},
        "question": {"text": "2 + 2"},
        "package_version": "0.1.0",
    }
    lines = [
        {"hch_trace": 2, "header": header},
        {"path": [], "agent": "a", "question": {"text": "2 + 2"}, "answer": {"text": "4"}},
        {"end": {"duration": 0.1}},
    ]
    file.write_text("".join(json.dumps(x) + "\n" for x in lines))
    tree = hch.load(file)
    assert tree.root.answer == Answer(text="4") and tree.root.answer.pointers == ()
    assert tree.content == {} and tree.complete


@given(
    held=st.lists(
        st.sampled_from(["task:1", "task:2", "root:1", "root.0:1", "root.1:2"]),
        unique=True,
        min_size=1,
    ),
    picks=st.lists(st.integers(0, 4), max_size=6),
)
def test_a_workspace_reads_back_what_it_shows(held: list[str], picks: list[int]) -> None:
    space = Workspace()
    message = Answer(text=" and ".join(f"${i + 1}" for i in range(len(held))), pointers=tuple(held))
    shown = space.show(message)
    written = " ".join(f"${space.number(held[i % len(held)])}" for i in picks)
    text, pointers = space.read(written)
    assert set(pointers) == {held[i % len(held)] for i in picks}
    # the written message means what the agent wrote: expanding both gives equal text
    content = {p: Content(text=f"<{p}>") for p in held}
    assert hch.expand(Answer(text=text, pointers=pointers), content) == " ".join(
        f"<{held[i % len(held)]}>" for i in picks
    )
    assert hch.expand(Answer(text=shown, pointers=tuple(space.pointers)), content) == hch.expand(
        message, content
    )
    with pytest.raises(PointerError, match=r"\$99 names no pointer"):
        space.read("$99")


def test_content_that_doubles_at_every_level_is_refused_not_expanded_forever() -> None:
    content = {"task:1": Content(text="x")}
    for k in range(2, 41):  # each level names the one below twice: 2^40 copies of "x"
        content[f"task:{k}"] = Content(text="$1 $1", pointers=(f"task:{k - 1}",))
    twenty = Answer(text="$1", pointers=("task:20",))
    assert hch.expand(twenty, content).count("x") == 2**19
    with pytest.raises(PointerError, match="passes 10,000,000 characters"):
        hch.expand(Answer(text="$1", pointers=("task:40",)), content)


def test_maker_names_the_node_or_none_for_ids_no_node_makes() -> None:
    assert maker("root.0.12:3") == (0, 12)
    assert maker("root:1") == ()
    for odd in ("task:2", "root.x:1", "<script>:1", "nothing"):
        assert maker(odd) is None


def test_a_copied_tree_with_other_nodes_is_indexed_anew() -> None:
    tree = hch.run("notes", gather_notes)
    assert tree[(1,)].answer is not None and tree.content  # both worked out once
    kept = [n for n in tree if n.path != (1,)]
    copy = tree.model_copy(update={"nodes": kept})
    assert (1,) not in copy and "root.1:1" not in copy.content
    assert (1,) in tree


def test_by_depth_takes_async_functions_and_ctx_shows_the_limits() -> None:
    costs: list[int] = []

    async def root(q: Question, ctx: Context) -> Answer:
        costs.append(ctx.limits.unlock_cost)
        return Answer(text=(await ctx.ask("leaf")).text)

    async def leaf(q: Question, ctx: Context) -> Answer:
        return Answer(text="from the leaf")

    policy = hch.by_depth({0: root}, default=leaf)
    tree = hch.run("go", policy, limits=Limits(unlock_cost=3))
    assert tree.root.answer == Answer(text="from the leaf") and costs == [3]
    assert tree.header.spec.kind == "by_depth"
    with pytest.raises(hch.AgentError, match="is not an agent"):
        hch.by_depth({0: "not an agent"})  # type: ignore[dict-item]
