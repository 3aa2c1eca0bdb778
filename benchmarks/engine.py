"""Engine throughput: a zero-work agent over a tree of >= 100,000 nodes.

Shape: the root asks 4 children and every other node above ``--depth`` (default 10)
asks 3, i.e. four full ternary subtrees of depth 9 under one root:
1 + 4 * (3**10 - 1) / 2 = 118,097 nodes. The budget is exactly that many nodes, so the
default equal split carves each child exactly its subtree and budget accounting runs
on every node.

Printed: nodes/s with tracing off (``record=False``), traced in memory (``record=True``),
streamed to a JSONL file (``trace=file, record=False``: every node on disk, only the root
kept in memory), and a plain-asyncio recursion over the same shape with no framework (the
ratio framework/plain is a time ratio: 1.0 = as fast as plain asyncio); peak memory per
node, measured with tracemalloc over a traced in-memory run (the question and answer
texts are shared constants, so this is the engine's own cost); trace bytes per node.

Run: ``.venv/bin/python benchmarks/engine.py [--depth 10] [--repeat 3] [--backend trio]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import hch
from hch import Answer, Context, Limits, Question

T = TypeVar("T")
QUESTION = Question(text="q")
LEAF = Answer(text="1")
INNER = Answer(text="3")


def tree_size(depth: int, root_fanout: int, fanout: int) -> int:
    """Nodes in the benchmark shape: a root over ``root_fanout`` full subtrees."""
    subtree = sum(fanout**d for d in range(depth))
    return 1 + root_fanout * subtree if depth else 1


class Fan:
    """Zero-work agent: asks ``fanout`` copies of its question until it cannot ask."""

    name = "fan"

    def __init__(self, root_fanout: int, fanout: int) -> None:
        self.root_fanout = root_fanout
        self.fanout = fanout

    async def answer(self, question: Question, ctx: Context) -> Answer:
        if not ctx.can_ask:
            return LEAF
        k = self.fanout if ctx.path else self.root_fanout
        await ctx.ask_all([question] * k)
        return INNER


async def plain(depth: int, max_depth: int, root_fanout: int, fanout: int) -> str:
    """The same tree as bare asyncio tasks: no limits, no records."""
    if depth == max_depth:
        return "1"
    k = fanout if depth else root_fanout
    await asyncio.gather(*(plain(depth + 1, max_depth, root_fanout, fanout) for _ in range(k)))
    return "3"


def measured(fn: Callable[[], T]) -> tuple[T, int, int]:
    """``fn()`` with tracemalloc on: its result, bytes still held after it, peak bytes."""
    gc.collect()
    tracemalloc.start()
    result = fn()
    gc.collect()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, kept, peak


def best(repeat: int, fn: Callable[[], object]) -> float:
    """Fastest of ``repeat`` timed calls, with the garbage of earlier runs collected."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=10, help="max_depth of the tree")
    parser.add_argument("--root-fanout", type=int, default=4, help="children of the root")
    parser.add_argument("--fanout", type=int, default=3, help="children of other inner nodes")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per mode; best kept")
    parser.add_argument("--backend", default="asyncio", choices=["asyncio", "trio"])
    args = parser.parse_args()

    n = tree_size(args.depth, args.root_fanout, args.fanout)
    limits = Limits(max_depth=args.depth, budget=n)
    agent = Fan(args.root_fanout, args.fanout)

    def framework(**options: object) -> hch.Tree:
        tree = hch.run(QUESTION, agent, limits=limits, seed=0, backend=args.backend, **options)
        assert tree.root.budget_used == n, tree.root.budget_used
        return tree

    print(
        f"tree: {n:,} nodes (root fan-out {args.root_fanout}, then {args.fanout}, "
        f"max_depth {args.depth}); backend {args.backend}; best of {args.repeat}"
    )

    t_plain = best(
        args.repeat,
        lambda: asyncio.run(plain(0, args.depth, args.root_fanout, args.fanout)),
    )
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "bench.jsonl"
        t_off = best(args.repeat, lambda: framework(record=False))
        t_mem = best(args.repeat, lambda: framework(record=True))
        t_disk = best(args.repeat, lambda: framework(record=False, trace=trace))
        disk_bytes = trace.stat().st_size
        assert len(hch.load(trace)) == n

    tree, kept, peak = measured(lambda: framework(record=True))
    assert len(tree) == n
    del tree
    _, _, plain_peak = measured(
        lambda: asyncio.run(plain(0, args.depth, args.root_fanout, args.fanout))
    )

    def row(label: str, seconds: float, note: str = "") -> None:
        print(f"  {label:<24}{n / seconds:>10,.0f} nodes/s  {seconds:7.2f} s  {note}")

    print("throughput")
    row("plain asyncio", t_plain)
    row("tracing off", t_off, f"{t_off / t_plain:.2f}x plain")
    row("traced in memory", t_mem, f"{t_mem / t_plain:.2f}x plain  (goal <= 1.5x)")
    row("streamed to disk", t_disk, f"{t_disk / t_mem:.2f}x in-memory  (goal <= 1.3x)")
    print("size")
    print(f"  peak memory (tracemalloc, traced in memory): {peak / n:,.0f} B/node  (goal < 2 KB)")
    print(f"    of which the finished tree keeps: {kept / n:,.0f} B/node")
    print(f"    plain asyncio's own peak on this shape: {plain_peak / n:,.0f} B/node")
    print(f"  trace file: {disk_bytes / n:,.0f} B/node  (goal < 200 B)")


if __name__ == "__main__":
    main()
