"""Memetic selection: which content survives the trip up a tree, and why.

For one tree (any trace, whoever wrote it)::

    tm = trace_memes(tree)            # births, routes to the root, hops, root capture
    print(trace_text(tm))             # or trace_table(tm), a rich Table

For a study (one cell per grid point; rows keep ``MemeCounts`` when the experiment's
trials say ``measure=tree_metrics``, else traces are read)::

    cells = study_memes(hch.study.load(DIR), DIR)
    print(study_text(cells))          # capture, per-hop transmission, share, selection
    plot_memes(cells, DIR, x="depth", theory=...)   # DIR/plots/*.png and *.svg

The closed forms the simulator must match are ``root_capture`` and
``grounded_root_capture`` (derived in their module's docstring).
"""

from hch.analysis._meme_plots import Theory, plot_memes
from hch.analysis._meme_render import (
    show_study,
    study_tables,
    study_text,
    trace_table,
    trace_text,
)
from hch.analysis._meme_study import (
    METRICS_KEY,
    MemeCell,
    MemeCounts,
    Rate,
    study_memes,
    tree_metrics,
)
from hch.analysis._meme_theory import grounded_root_capture, root_capture
from hch.analysis._meme_trace import Birth, Hop, TreeMemes, carriers, trace_memes

__all__ = [
    "METRICS_KEY",
    "Birth",
    "Hop",
    "MemeCell",
    "MemeCounts",
    "Rate",
    "Theory",
    "TreeMemes",
    "carriers",
    "grounded_root_capture",
    "plot_memes",
    "root_capture",
    "show_study",
    "study_memes",
    "study_tables",
    "study_text",
    "trace_memes",
    "trace_table",
    "trace_text",
    "tree_metrics",
]
