"""IDA across epochs: do amplification and distillation improve the agent, or do errors
and memes compound from one epoch to the next?

Epoch 1 amplifies a noisy calculator (``agents.simulated``) into trees of depth 2 over
sums of 16 one-digit numbers; each later epoch amplifies the agent distilled from the
epoch before (``agents.distill.FallibleDistiller``), which imitates the tree with the
chosen fidelity and inherits its meme root capture as its own meme birth rate. The
table gives accuracy and meme root capture per epoch with 95% intervals; plots go to
``DIR/plots/``. Without memes the accuracy settles at ``1 - e*``, the closed-form fixed
point of ``agents.distill.calculator_fixed_point``, drawn dashed.

    python -m experiments.ida_epochs --epochs 6 --fidelity 0.8 --meme-rate 0.02 --out DIR
    make ida
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from agents.distill import FallibleDistiller, calculator_fixed_point
from agents.memetic import LEDGER
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits, declare_memes
from hch.cli import run_script
from hch.ida import PLACEMENTS, EpochRecord, epochs_text, plot_epochs, run_ida
from hch.study import KeepTraces, Trial

__all__ = ["DEPTH", "STUDENT", "TASK", "distiller", "main", "trial"]

TASK = ArithmeticTask(leaves=16)
"""Balanced sums of 16 one-digit numbers (15 operations)."""

DEPTH = 2
"""The amplified trees: the root, two helpers and four leaves that add four numbers each."""

STUDENT = NoisyCalculator(p_error=0.03, capacity=4, p_handoff=0.01, max_slip=1_000_000)
"""The fresh student, and the agent of epoch 1: it misreads a child's answer once in a
hundred hand-offs, and errs more past four operations; its slips never cancel."""


def distiller(
    fidelity: float = 1.0,
    meme_rate: float = 0.0,
    inheritance: float = 1.0,
    persuasiveness: float = LEDGER.persuasiveness,
) -> FallibleDistiller:
    """The study's distiller; with ``meme_rate`` > 0 its agents inject and carry LEDGER."""
    meme = LEDGER.model_copy(update={"persuasiveness": persuasiveness}) if meme_rate else None
    return FallibleDistiller(
        student=STUDENT,
        ops=TASK.leaves - 1,
        fidelity=fidelity,
        meme=meme,
        inheritance=inheritance,
        meme_rate=meme_rate,
    )


def trial(agent: object, seed: int) -> Trial:
    """One amplified tree: a fresh sum, the epoch's agents, depth 2, LEDGER declared."""
    return Trial(
        task=TASK,
        sample=TASK.sample(seed),
        agent=agent,
        limits=Limits(max_depth=DEPTH),
        meta=declare_memes(LEDGER),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run (or resume) the epochs into ``--out``, print and save the table, plot it."""
    p = argparse.ArgumentParser(prog="python -m experiments.ida_epochs", description=__doc__)
    p.add_argument("--epochs", type=int, default=6, help="epochs (6)")
    p.add_argument("--fidelity", type=float, default=1.0, help="imitation fidelity in [0, 1] (1)")
    p.add_argument("--meme-rate", type=float, default=0.0, help="the student's meme birth rate (0)")
    p.add_argument("--inherit", type=float, default=1.0, help="root capture -> birth rate (1)")
    p.add_argument("--persuasiveness", type=float, default=LEDGER.persuasiveness)
    p.add_argument("--placement", choices=PLACEMENTS, default="latest")
    p.add_argument("--trials", type=int, default=400, help="trees per epoch (400)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/ida_epochs", help="run directory (resumable)")
    p.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    args = p.parse_args(argv)
    if not 0 <= args.fidelity <= 1 or not 0 <= args.meme_rate <= 1 or args.inherit < 0:
        p.error("fidelity and meme-rate must be in [0, 1], inherit >= 0")
    made = distiller(args.fidelity, args.meme_rate, args.inherit, args.persuasiveness)
    out = Path(args.out)
    title = (
        f"IDA: fidelity {args.fidelity}, meme rate {args.meme_rate}, inherit {args.inherit}, "
        f"placement {args.placement}, {args.trials} trees per epoch"
    )

    def shown(record: EpochRecord) -> None:
        print(
            f"  epoch {record.epoch}: accuracy {record.accuracy.text()}, "
            f"capture {record.capture.text()}",
            flush=True,
        )

    records = run_ida(
        trial,
        made.agent(STUDENT.p_error, args.meme_rate),
        made,
        out,
        epochs=args.epochs,
        trials=args.trials,
        placement=args.placement,
        seed=args.seed,
        keep_traces=KeepTraces.SAMPLE,
        backend=args.backend,
        on_epoch=shown,
    )
    fixed = None
    text = epochs_text(records, title)
    if not args.meme_rate:
        e = calculator_fixed_point(STUDENT, TASK.leaves, DEPTH, args.fidelity)
        fixed = 1 - e
        text += f"\nclosed-form fixed point without memes: error {e:.4f}, accuracy {fixed:.4f}"
    print(text)
    (out / "epochs.txt").write_text(text + "\n", encoding="utf-8")
    label = f"fidelity {args.fidelity}, meme rate {args.meme_rate}"
    plots = plot_epochs({label: records}, out, fixed_point=fixed)
    print(f"records: {out / 'epochs.jsonl'}; table: {out / 'epochs.txt'}; plots: {plots[0].parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_script("ida_epochs", main))
