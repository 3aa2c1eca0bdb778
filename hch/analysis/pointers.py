"""Pointers in a recorded tree: who made, passed and unlocked each one, how much content
reached the root unread, and whether memes go further when they ride in unread content.

For one tree (any trace with pointers)::

    tp = trace_pointers(tree)        # trails, unlocks, unread content, meme hops
    print(pointer_text(tp))          # or pointer_trails(tp).table(), a rich Table

For a study (rows keep ``PointerCounts`` and the revealed tree's ``MemeCounts`` when the
trials say ``measure=pointer_metrics``; otherwise traces are read)::

    cells = study_pointers(hch.study.load(DIR), DIR)
    print(pointer_study_text(cells))  # or show_pointers(rows, DIR, x="length"): tables and plots
    plot_pointers(cells, DIR, x="length")

Definitions:

* Content *reaches the root* when the root's answer points to it, directly or through
  other content (``hch.pointers.reached``). It *travelled unread* when it was made
  below the root (a task part, or a non-root node's ``ctx.hold``) and no node unlocked
  it: only its maker saw it. Shares are over all content reaching the root (the root's
  own notes included), in pieces of content and in characters of their own text
  (``$1`` references left out, so a note of pointers weighs nothing).
* A meme hop (a child whose answer carries a meme, and its parent; see
  ``hch.analysis.memes``, run on the tree with every message revealed, so memes inside
  content count) is *read* when the parent saw the meme: it was in the child's answer
  itself, or in content reached from it that the parent unlocked. A meme's route from
  its birth is *unread* when none of its hops, including the one where it stopped, was
  read: nobody who could have filtered it saw it.
"""

from hch.analysis._pointer_render import (
    plot_pointers,
    pointer_grids,
    pointer_study_text,
    pointer_text,
    pointer_trails,
    show_pointers,
)
from hch.analysis._pointer_study import (
    POINTERS_KEY,
    Mean,
    PointerCell,
    PointerCounts,
    pointer_metrics,
    study_pointers,
)
from hch.analysis._pointer_trace import (
    MemeRide,
    PointerTrail,
    Route,
    TreePointers,
    has_pointers,
    revealed_tree,
    trace_pointers,
)

__all__ = [
    "POINTERS_KEY",
    "Mean",
    "MemeRide",
    "PointerCell",
    "PointerCounts",
    "PointerTrail",
    "Route",
    "TreePointers",
    "has_pointers",
    "plot_pointers",
    "pointer_grids",
    "pointer_metrics",
    "pointer_study_text",
    "pointer_text",
    "pointer_trails",
    "revealed_tree",
    "show_pointers",
    "study_pointers",
    "trace_pointers",
]
