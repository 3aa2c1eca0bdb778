"""People at nodes handle pointers, in process: the numbered pointers of a workspace,
unlocking (and its cost), holding, passing pointers on unread, the refusals, and exact
replay of a human pointer tree from its trace.

``Ledger`` and ``Opener`` are also loaded by path by the terminal and web tests
(``hch run --task tests/test_human_pointers.py:Ledger``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from agents.human import HoldContent, TerminalHuman, UnlockPointer, refusal
from hch import (
    Answer,
    Content,
    Context,
    Hold,
    Limits,
    ModelCall,
    Question,
    Tree,
    Unlock,
    by_depth,
    holding,
    load,
    replay_tree,
    reveal,
    run_tree,
)
from hch.cache import Cache
from hch.tasks import Sample

pytestmark = pytest.mark.anyio


@dataclass
class Ledger:
    """Amounts held behind pointers: ``$1`` points to a part that itself points to a
    third part, so a reader who unlocks ``$1`` meets a new pointer.

    Attributes:
        note: Text added to the second part (untrusted text, for escaping tests).
    """

    note: str = ""
    name: str = "ledger"

    def sample(self, seed: int) -> Sample:
        question = holding(
            "What is the total of the amounts in $1 and $2?",
            [
                Content(text="3 apples at 2, and $1", pointers=("task:3",)),
                f"4 pears at 5{self.note}",
                "1 melon at 7",
            ],
            pointers=[1, 2],
        )
        return Sample(question=question, truth=33, task=self.name)

    def check(self, sample: Sample, answer: Answer) -> bool:
        return sum(int(n) for n in re.findall(r"\d+", answer.text)) == sample.truth


@dataclass
class Opener:
    """Unlocks everything it holds, keeps the subtotal of ``N at M`` behind a pointer of
    its own and answers with that pointer."""

    name: str = "opener"

    async def answer(self, question: Question, ctx: Context) -> Answer:
        seen: list[str] = []
        while locked := [p for p in ctx.pointers if not ctx.unlocked(p)]:
            seen += [ctx.unlock(p).text for p in locked]
        total = sum(int(a) * int(b) for a, b in re.findall(r"(\d+) \w+ at (\d+)", " ".join(seen)))
        return Answer(text="$1", pointers=(ctx.hold(f"subtotal: {total}"),))


def typed(*lines: str) -> io.StringIO:
    return io.StringIO("".join(line + "\n" for line in lines))


def human_calls(tree: Tree) -> list[ModelCall]:
    return [e for n in tree for e in n.events if isinstance(e, ModelCall) and "human:" in e.model]


LIMITS = Limits(max_depth=1, budget=8)
SESSION = (
    "unlock $2",
    "unlock $2",
    "unlock $9",
    "ask What is the subtotal of $1?",
    "hold $3 plus 20 (pears, read by me)",
    "ask check $7",
    "answer $4",
)


async def run_session(tmp_path: Path) -> tuple[Tree, str]:
    out = io.StringIO()
    person = TerminalHuman("ann", input=typed(*SESSION), output=out)
    sample = Ledger().sample(0)
    tree = await run_tree(
        sample.question,
        by_depth({0: person}, default=Opener()),
        limits=LIMITS,
        trace=tmp_path / "ledger.jsonl",
    )
    return tree, out.getvalue()


async def test_a_person_unlocks_holds_and_passes_pointers_on_unread(tmp_path: Path) -> None:
    tree, screen = await run_session(tmp_path)
    root, child = tree.root, tree[(0,)]

    # What the person saw first: the question in the workspace's numbering, both locked.
    first = human_calls(tree)[0].request
    assert first["question"] == "What is the total of the amounts in $1 and $2?"
    assert first["pointers"] == [{"n": 1, "locked": True}, {"n": 2, "locked": True}]
    assert "budget left 7" in screen and "  $1 locked (unlock $1 to see it)" in screen

    # Unlocking costs budget, once, and shows the content.
    second = human_calls(tree)[1].request
    assert second["pointers"][1] == {"n": 2, "locked": False, "text": "4 pears at 5"}
    assert second["budget"] == 6 and second["log"] == [{"kind": "unlock", "pointer": 2, "cost": 1}]
    assert "  $2: 4 pears at 5" in screen and "  unlocked $2 (cost 1)" in screen
    assert "refused: $2 is unlocked already: its content is shown" in screen
    assert "refused: $9 names no pointer here (pointers: $1..$2)" in screen

    # $1 went to the child unread; its answer is a new pointer, $3, still locked.
    assert child.question == Question(text="What is the subtotal of $1?", pointers=("task:1",))
    assert [e.pointer for e in root.events if isinstance(e, Unlock)] == ["task:2"]
    assert [e.pointer for e in child.events if isinstance(e, Unlock)] == ["task:1", "task:3"]
    assert "[0] Q: What is the subtotal of $1?\n      A: $3" in screen

    # A held note passes $3 on, unread, as the new $4; a bad $7 is refused.
    (held,) = [e for e in root.events if isinstance(e, Hold)]
    assert held.pointer == "root:1"
    assert held.content == Content(text="$1 plus 20 (pears, read by me)", pointers=("root.0:1",))
    assert "  held $4: $3 plus 20 (pears, read by me)" in screen
    assert "refused: $7 names no pointer here (pointers: $1..$4)" in screen

    # The answer forwards $4: the root never read the child's subtotal.
    assert root.answer == Answer(text="$1", pointers=("root:1",))
    revealed = reveal(root.answer, tree.content)
    assert revealed.text == "subtotal: 13 plus 20 (pears, read by me)"
    assert Ledger().check(Ledger().sample(0), revealed)
    # Itself, its unlock, and the child (itself and its two unlocks).
    assert (root.budget_used, child.budget_used) == (1 + 1 + 3, 1 + 2)
    # Refused at the prompt, before anything was done: only the others are recorded.
    actions = [c.response["action"] for c in human_calls(tree)]  # type: ignore[index]
    assert actions == ["unlock", "ask", "hold", "answer"]
    assert load(tmp_path / "ledger.jsonl").content == tree.content


def exact(tree: Tree) -> list[object]:
    """Everything a replay must reproduce: shape, messages, statuses, budgets and every
    event but timings (model calls compared by what was asked and done)."""
    return [
        (
            n.path,
            n.question,
            n.answer,
            n.status,
            n.budget_used,
            [(e.request, e.response) if isinstance(e, ModelCall) else e for e in n.events],
        )
        for n in tree
    ]


async def test_the_trace_replays_exactly_with_nobody_there(tmp_path: Path) -> None:
    tree, _ = await run_session(tmp_path)
    trace = tmp_path / "ledger.jsonl"

    out = io.StringIO()
    nobody = TerminalHuman("ann", cache=Cache.from_trace(trace), input=io.StringIO(), output=out)
    again = await run_tree(
        Ledger().sample(0).question, by_depth({0: nobody}, default=Opener()), limits=LIMITS
    )
    assert exact(again) == exact(tree) and again.content == tree.content
    assert all(c.cached for c in human_calls(again))
    assert "root: the recorded action {'action': 'unlock', 'pointer': 2" in out.getvalue()

    replayed = await replay_tree(trace, rerun=True)  # from the trace alone
    assert exact(replayed.tree) == exact(tree) and replayed.tree.content == tree.content
    assert replayed.rerun == len(tree)


async def test_an_unlock_past_the_budget_is_refused_in_the_persons_numbering() -> None:
    out = io.StringIO()
    person = TerminalHuman("bo", input=typed("unlock $1", "unlock $2", "answer $2"), output=out)
    tree = await run_tree(Ledger().sample(0).question, person, limits=Limits(max_depth=0, budget=2))
    screen = out.getvalue()
    assert "unlocked $1 (cost 1)" in screen and "$3 locked" in screen  # its inner pointer
    refused = "refused {'action': 'unlock', 'pointer': 2}: node root has 0 budget left; "
    assert refused + "unlocking $2 costs 1\n" in screen  # one line in the log
    assert "task:" not in screen  # pointers are never named to the person but by number
    assert tree.root.answer == Answer(text="$1", pointers=("task:2",))
    assert tree.root.budget_used == 2  # itself and its one unlock


async def test_a_pointerless_workspace_looks_as_before() -> None:
    person = TerminalHuman(input=typed("answer 2"), output=io.StringIO())
    tree = await run_tree("1 + 1", person, limits=Limits(max_depth=0))
    assert "pointers" not in human_calls(tree)[0].request


def test_refusals_read_the_pointers_of_the_view() -> None:
    view = {
        "depth": 0,
        "budget": 3,
        "children_left": 3,
        "log": [],
        "pointers": [{"n": 1, "locked": True}, {"n": 2, "locked": False, "text": "x"}],
    }
    assert refusal(view, UnlockPointer(pointer=1)) is None
    assert refusal(view, UnlockPointer(pointer=2)) == "$2 is unlocked already: its content is shown"
    assert (
        refusal(view, UnlockPointer(pointer=0)) == "pointers are numbered from $1; there is no $0"
    )
    assert refusal(view, HoldContent(text=" ")) == "held content cannot be empty"
    assert refusal(view, HoldContent(text="$1 and $3")) == (
        "$3 names no pointer here (pointers: $1..$2)"
    )
    from agents.human import Ask, Reply

    assert refusal(view, Ask(questions=["a $2", "b $5"])) == (
        "question 2: $5 names no pointer here (pointers: $1..$2)"
    )
    assert refusal({**view, "pointers": []}, Reply(text="$1")) == (
        "$1 names no pointer here (pointers: none)"
    )
