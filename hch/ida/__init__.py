"""IDA across epochs: amplify an agent into a tree, distill the tree into the next agent.

In iterated distillation and amplification the agent of epoch ``k + 1`` is trained to
imitate what a tree of epoch-``k`` agents achieves. ``run_ida`` runs that loop on any
task and any agents::

    records = run_ida(trial, base, distiller, "runs/ida", epochs=6, trials=400)

Epoch ``k`` runs a study of trees (``trial(agent_or_policy, seed) -> Trial``) whose
nodes use the agents made so far (``placed``: the newest everywhere, or a ladder with
stronger agents near the root), measures its accuracy and meme root capture with 95%
Wilson intervals, and hands the outcome to a ``Distiller``, which returns the next
agent. Each epoch is an ``EpochRecord`` in ``DIR/epochs.jsonl``, beside the epoch's
study directory (rows and kept traces); a killed run resumes where it stopped, and the
same seed gives the same records, on asyncio and trio alike.

The fixed point. Let ``e_k`` be the error of the agent of epoch ``k`` answering a root
question alone, and ``F(e)`` the error of the amplified tree whose agents err with
``e``. A distiller of perfect fidelity makes an agent exactly as good alone as the tree
it imitates, so without memes ``e_{k+1} = F(e_k)``, and the run settles where
amplifying no longer helps, ``e* = F(e*)``, wherever ``F`` crosses the diagonal with a
slope below 1. A ladder run that settles has the same agent at every depth there, so
it settles at the same ``e*``.
``agents.distill`` derives ``F`` in closed form for its simulated distiller
(``calculator_fixed_point``), and the tests check that a simulated run converges to it.
With imperfect fidelity the distilled agent mixes the tree's behaviour with a fresh
student's, and memes the tree carries become the next agent's own: the epochs show
whether errors and memes compound.
"""

from hch.ida._loop import (
    PLACEMENTS,
    Distilled,
    Distiller,
    EpochOutcome,
    Placement,
    TrialMaker,
    epoch_directory,
    placed,
    run_ida,
)
from hch.ida._records import EPOCHS_FILE, EpochRecord, Proportion, read_epochs, write_epochs
from hch.ida._report import epochs_text, plot_epochs

__all__ = [
    "EPOCHS_FILE",
    "PLACEMENTS",
    "Distilled",
    "Distiller",
    "EpochOutcome",
    "EpochRecord",
    "Placement",
    "Proportion",
    "TrialMaker",
    "epoch_directory",
    "epochs_text",
    "placed",
    "plot_epochs",
    "read_epochs",
    "run_ida",
    "write_epochs",
]
