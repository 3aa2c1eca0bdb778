"""The IDA loop: amplify (a study of trees) -> measure -> distill, epoch after epoch."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args

from hch.agent import Agent, Policy, agent_name, by_depth, spec_of
from hch.errors import ConfigError, StudyMismatch
from hch.ida._records import EpochRecord, Proportion, read_epochs, write_epochs
from hch.model import Tree
from hch.study import Experiment, KeepTraces, Results, Trial, run_study, summarize

if TYPE_CHECKING:
    from hch.analysis.memes import MemeCounts

__all__ = [
    "PLACEMENTS",
    "Distilled",
    "Distiller",
    "EpochOutcome",
    "Placement",
    "TrialMaker",
    "epoch_directory",
    "placed",
    "run_ida",
]

Placement = Literal["latest", "ladder"]
"""How an epoch's trees use the agents made so far (see ``placed``)."""

PLACEMENTS: tuple[str, ...] = get_args(Placement)

TrialMaker = Callable[[Any, int], Trial]
"""``(agent or policy, seed) -> Trial``: one tree of an epoch, with the agents it is given."""


@dataclass(frozen=True)
class EpochOutcome:
    """What a distiller learns from: one epoch's trees, as measured.

    Attributes:
        epoch: The epoch (1, 2, ...).
        agent: The newest agent the epoch's trees used (the one at their root).
        accuracy: Right roots, with their interval.
        capture: Roots that carry a meme, with their interval.
        memes: The meme and error counts of every tree added up.
        rows: One result row per tree, in trial order (``row.metrics["memes"]`` holds
            its meme counts).
        directory: The epoch's study directory (its kept traces are in ``traces/``).
    """

    epoch: int
    agent: Any
    accuracy: Proportion
    capture: Proportion
    memes: MemeCounts
    rows: Results
    directory: Path


@dataclass(frozen=True)
class Distilled:
    """A distiller's answer: the next epoch's agent and the parameters it fitted.

    Attributes:
        agent: The distilled agent.
        fitted: What the epoch record keeps about the fit (JSON-able values).
    """

    agent: Any
    fitted: Mapping[str, Any] = field(default_factory=dict)


class Distiller(Protocol):
    """Makes the next epoch's agent from what the amplified trees of this one achieved.

    It must be a function of ``outcome`` alone (no clock, no unseeded randomness): a
    resumed run distills finished epochs again from their stored rows, and checks it
    gets the same agents.
    """

    def distill(self, outcome: EpochOutcome) -> Distilled: ...


def placed(agents: Sequence[Agent], placement: Placement = "latest") -> Agent | Policy:
    """Who answers in the trees of the epoch after ``agents`` (the base agent first).

    ``latest``: every node is the newest agent (HCH of the last distilled agent).
    ``ladder``: stronger agents near the root: with ``k`` agents, a node at depth ``d``
    uses ``agents[max(0, k - 1 - d)]``, so the root has the newest, its children the one
    before, and nodes ``k - 1`` levels down or deeper the base agent.
    """
    if placement == "latest":
        return agents[-1]
    if placement == "ladder":
        newest = len(agents) - 1
        return by_depth({d: agents[newest - d] for d in range(newest)}, default=agents[0])
    raise ConfigError(f"placement must be one of {', '.join(PLACEMENTS)}; got {placement!r}")


def epoch_directory(epoch: int) -> str:
    """The study directory of ``epoch`` inside a run's directory: ``epoch-001`` etc."""
    return f"epoch-{epoch:03d}"


def run_ida(
    trial: TrialMaker,
    base: Agent,
    distiller: Distiller,
    out: str | Path,
    *,
    epochs: int,
    trials: int,
    placement: Placement = "latest",
    seed: int = 0,
    concurrency: int = 64,
    keep_traces: KeepTraces | str = KeepTraces.SAMPLE,
    trace_every: int = 20,
    backend: str = "asyncio",
    on_epoch: Callable[[EpochRecord], None] | None = None,
) -> list[EpochRecord]:
    """Run ``epochs`` epochs of amplification and distillation into ``out``.

    Epoch ``k`` runs ``trials`` trees, each made by ``trial(agent_or_policy, seed)``
    with the agents placed by ``placement`` (epoch 1 uses ``base`` alone), as a study in
    ``out/epoch-00k/``; measures its accuracy and meme root capture; and asks
    ``distiller`` for the agent of epoch ``k + 1``. Each finished epoch is appended to
    ``out/epochs.jsonl``. Running again into ``out`` resumes: finished trees are not run
    again, finished epochs are distilled again from their rows (and must give the same
    records), and more ``epochs`` extend the run.

    Args:
        trial: Makes one tree's ``Trial`` from the epoch's agent or policy and the tree's
            seed (its task sample, limits, memes declared in ``meta``). Meme counts are
            added to its ``measure`` unless it already keeps them.
        base: The agent of the first epoch (the overseer IDA starts from).
        distiller: Makes each next agent (``Distiller``).
        out: The run's directory.
        epochs: Epochs to run (in all, counting those already in ``out``).
        trials: Trees per epoch.
        placement: ``latest`` or ``ladder`` (see ``placed``).
        seed: Tree seeds derive from it, the epoch and the trial.
        concurrency: Trees in flight at once on the event loop.
        keep_traces: Traces kept per epoch: all, sample, failures or none.
        trace_every: With ``sample``, keep every this-many-th trial's trace.
        backend: The anyio backend the trees run on, asyncio or trio.
        on_epoch: Told of each epoch's record as it is made.

    Raises:
        ConfigError: a bad argument. ``StudyMismatch``: ``out`` holds a run whose
            finished epochs came out differently (another base, distiller or trial).
    """
    if epochs < 1 or trials < 1:
        raise ConfigError(f"epochs and trials must be >= 1 (got {epochs}, {trials})")
    placed([base], placement)  # refuses an unknown placement before anything runs
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    stored = read_epochs(root)
    agents: list[Agent] = [base]
    records: list[EpochRecord] = []
    for epoch in range(1, epochs + 1):
        policy = placed(agents, placement)
        where = epoch_directory(epoch)
        rows = run_study(
            _epoch_experiment(trial, policy),
            root / where,
            params={"epoch": epoch},
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            keep_traces=keep_traces,
            trace_every=trace_every,
            backend=backend,
        )
        outcome = _outcome(epoch, agents[-1], _epoch_rows(rows, epoch, trials), root / where)
        made = distiller.distill(outcome)
        record = EpochRecord(
            epoch=epoch,
            placement=placement,
            policy=spec_of(policy),
            agent=agent_name(agents[-1]),
            trees=len(outcome.rows),
            accuracy=outcome.accuracy,
            capture=outcome.capture,
            failed=sum(1 for r in outcome.rows if r.status != "ok"),
            nodes=summarize(outcome.rows)[0].nodes,
            distilled=spec_of(made.agent),
            fitted=dict(made.fitted),
            directory=where,
        )
        if epoch <= len(stored):
            _check_same(root, stored[epoch - 1], record)
        records.append(record)
        agents.append(made.agent)
        write_epochs(root, records + stored[len(records) :])
        if on_epoch is not None:
            on_epoch(record)
    return records


def _epoch_experiment(trial: TrialMaker, policy: Agent | Policy) -> Experiment:
    """The study of one epoch: ``trial`` with the epoch's agents, meme counts measured."""

    def ida_epoch(epoch: int, seed: int) -> Trial:
        return _measured(trial(policy, seed))

    return Experiment(ida_epoch, trials=1)


def _measured(made: Trial) -> Trial:
    from hch.analysis.memes import METRICS_KEY, tree_metrics

    inner = made.measure

    def measure(tree: Tree) -> dict[str, Any]:
        found = dict(inner(tree)) if inner is not None else {}
        return found if METRICS_KEY in found else {**found, **tree_metrics(tree)}

    return made.model_copy(update={"measure": measure})


def _epoch_rows(rows: Results, epoch: int, trials: int) -> Results:
    """The epoch's first ``trials`` trees in trial order, however they finished (a
    directory may hold more from a longer run)."""
    kept = [r for r in rows if r.params.get("epoch") == epoch and r.trial < trials]
    return Results(sorted(kept, key=lambda r: r.trial))


def _outcome(epoch: int, agent: Any, rows: Results, directory: Path) -> EpochOutcome:
    from hch.analysis.memes import study_memes

    cell = summarize(rows)[0]
    memes = study_memes(rows, directory)[0].counts
    capture = memes.root_capture
    return EpochOutcome(
        epoch=epoch,
        agent=agent,
        accuracy=Proportion.of(cell.right, cell.n),
        capture=Proportion.of(capture.hits, capture.n),
        memes=memes,
        rows=rows,
        directory=directory,
    )


def _check_same(root: Path, old: EpochRecord, new: EpochRecord) -> None:
    was, now = old.model_dump(mode="json"), new.model_dump(mode="json")
    differs = [key for key in was if was[key] != now.get(key)]
    if differs:
        raise StudyMismatch(
            f"{root} holds an IDA run whose epoch {new.epoch} gave another {differs[0]} "
            f"({was[differs[0]]!r:.120}, now {now[differs[0]]!r:.120}); resume it with the "
            "same base agent, distiller, trials and seed, or use another directory"
        )
