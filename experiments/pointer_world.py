"""Strong HCH with pointers: does forwarding content unread beat reading it, and what
rides up with it?

A list of ``length`` numbers is held behind pointers as a tree of parts, four numbers a
leaf (``experiments.tasks.pointer_lists``); the root must reverse it. Every node is a
``PointerLists`` agent (``agents.pointer_lists``) with one strategy:

* ``forward``: unlock only its own part, ask one child per sub-part, answer with a note
  ``$1 $2`` of its children's answer pointers, unread;
* ``top``: the same, but read the children's answers and copy them into its own;
* ``all``: unlock everything and reverse the list alone.

Working alone, each number moved or copied slips with ``p_error * (1 + (k - 1) /
capacity)`` for ``k`` numbers (0.002, capacity 8), so reading a long list errs; each
pointer passed unread goes to a sibling's content with ``p_wrong_pointer``. Leaves
attach a meme with ``p_meme`` (0.02); a node that sees a meme takes it out with
``p_filter`` (0.5), and a forwarding node sees none. The tables give accuracy, how much
of the content reaching the root travelled unread, unlocks and their share of the
budget, and meme root capture by route (unread or read), each with a 95% interval,
then accuracy and capture beside the closed forms (``PointerLists.accuracy``,
``meme_capture``); plots go to ``DIR/plots/``.

    python -m experiments.pointer_world --out runs/pointer_world     # make pointers
    hch study experiments/pointer_world.py -p length=64 -p read=forward,top -p op=sum
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from agents.pointer_lists import PointerLists, Strategy
from experiments.memetic_world import run_from_command_line
from experiments.tasks.pointer_lists import PointerListTask, PointerOp
from hch import Limits, declare_memes
from hch.analysis import Grid
from hch.analysis.memes import Rate
from hch.analysis.pointers import (
    PointerCell,
    plot_pointers,
    pointer_metrics,
    show_pointers,
    study_pointers,
)
from hch.cli import run_script
from hch.study import Trial, experiment
from hch.study.plots import plot
from hch.study.report import text

__all__ = ["MEASURE", "agent", "closed_forms", "main", "pointer_world", "task"]

MEASURE = partial(pointer_metrics, task=PointerListTask())
"""Pointers, memes and errors of a tree, for its result row (the task checks any node)."""


def task(length: int, op: PointerOp = "reverse") -> PointerListTask:
    """The list of the study: ``length`` numbers, four a leaf part, halves below."""
    return PointerListTask(length=length, chunk=4, op=op)


def agent(read: Strategy, p_wrong_pointer: float = 0.0, p_meme: float = 0.02) -> PointerLists:
    """Every node's agent for a strategy and a pointer-slip rate."""
    return PointerLists(
        read=read,
        p_error=0.002,
        capacity=8,
        p_wrong_pointer=p_wrong_pointer,
        p_meme=p_meme,
        p_filter=0.5,
    )


@experiment(
    grid={
        "read": ["forward", "top", "all"],
        "length": [16, 32, 64, 128],
        "p_wrong_pointer": [0, 0.01],
    },
    trials=100,
)
def pointer_world(
    read: Strategy,
    length: int,
    p_wrong_pointer: float,
    seed: int,
    p_meme: float = 0.02,
    op: PointerOp = "reverse",
) -> Trial:
    the_task = task(length, op)
    the_agent = agent(read, p_wrong_pointer, p_meme)
    return Trial(
        task=the_task,
        sample=the_task.sample(seed),
        agent=the_agent,
        limits=Limits(max_depth=12),  # deeper than any list of the grid needs
        meta=declare_memes(the_agent.meme),
        measure=MEASURE,
    )


def closed_forms(cells: Sequence[PointerCell]) -> Grid:
    """Accuracy and meme root capture beside the agent's law in closed form, per cell
    (capture's closed form leaves pointer slips out: ``-`` where there are some)."""
    lines = []
    for c in cells:
        p = c.params
        the_task = task(p["length"], p.get("op", "reverse"))
        the_agent = agent(p["read"], p["p_wrong_pointer"], p.get("p_meme", 0.02))
        parts = the_task.sample(0).question.parts
        law = f"{the_agent.accuracy(parts):.2f}" if the_task.op == "reverse" else "-"
        capture = the_agent.meme_capture(parts, the_task.op)
        lines.append(
            [
                str(p["read"]),
                str(p["length"]),
                str(p["p_wrong_pointer"]),
                c.accuracy.text(),
                law,
                Rate(hits=c.memes.captured, n=c.memes.trees).text(),
                "-" if p["p_wrong_pointer"] else f"{capture:.2f}",
            ]
        )
    headers = ["read", "length", "p_wrong_pointer", "accuracy (95% CI)", "law"]
    return Grid(
        title="measured against the closed forms (agents.pointer_lists)",
        headers=[*headers, "meme root capture (95% CI)", "law"],
        lines=lines,
        keys=3,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the study into ``--out`` (resumable), print its tables, write its plots."""
    rows, out = run_from_command_line(pointer_world, argv)
    print(text(rows))
    cells = study_pointers(rows, out)
    print()
    files = plot(rows, out, x="length")
    show_pointers(rows, out, cells=cells, plots=False)
    print()
    print(closed_forms(cells).text())
    files += plot_pointers(cells, out, x="length", title=pointer_world.name)
    for file in files:
        print(f"plot: {file}")
    print(f"results: {out / 'results.jsonl'} ({len(rows)} rows); traces: {out / 'traces'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_script("pointer_world", main))
