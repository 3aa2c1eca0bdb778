"""Engine speed and memory with an agent that behaves like a real one.

The agent sums ``n`` by halving it: its question is ``str(n)``; it asks two children
for ``n // 2`` and ``n - n // 2`` (fresh Question objects) and answers ``str(a + b)``
(a fresh Answer); ``n = 1`` answers alone. A root of ``2^(k-1)`` gives a tree of
``2^k - 1`` nodes. The baseline is a plain recursion on the same event loop that builds
a comparable record per node (path, question, answer, children) with fresh strings: what
any framework must at least do.

Printed per size 2^10 ... 2^17, all in this one process, each figure the best of
``--repeat`` runs:

* hch vs plain asyncio, each with the interpreter's default garbage collection;
* hch vs plain asyncio with the collector off on both sides (the limit);
* hch on trio vs plain trio (collector off on both sides);
* nodes/s at the largest size against the smallest;
* memory the finished tree keeps per node (tracemalloc).

``--nodes 1000000`` instead runs one tree of about that many nodes: time and peak RSS
(in a fresh process each) in memory and streamed to a trace file, in memory with every
child started at once (``max_parallel=None``, the order before it was bounded by
default), and the time to ``hch.load`` that trace.

Run: ``.venv/bin/python benchmarks/engine.py [--repeat 3] [--min 10 --max 17]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import anyio

import hch
from hch import Answer, Context, Limits, Question

LIMITS = Limits(max_depth=64)


class Halver:
    """Sums n by halving it; fresh questions and answers at every node."""

    name = "halver"

    async def answer(self, question: Question, ctx: Context) -> Answer:
        n = int(question.text)
        if n <= 1:
            return Answer(text=question.text)
        half = n // 2
        a, b = await ctx.ask_all([Question(text=str(half)), Question(text=str(n - half))])
        return Answer(text=str(int(a.text) + int(b.text)))


class Record:
    """What the plain baseline keeps per node: the least a tracer must keep."""

    __slots__ = ("answer", "children", "path", "question")

    def __init__(self, path: tuple[int, ...], question: str) -> None:
        self.path = path
        self.question = question
        self.answer = ""
        self.children = 0


async def plain_asyncio(n: int, path: tuple[int, ...], out: list[Record]) -> str:
    record = Record(path, str(n))
    if n > 1:
        half = n // 2
        a, b = await asyncio.gather(
            plain_asyncio(half, (*path, 0), out), plain_asyncio(n - half, (*path, 1), out)
        )
        record.children = 2
        record.answer = str(int(a) + int(b))
    else:
        record.answer = record.question
    out.append(record)
    return record.answer


async def plain_anyio(n: int, path: tuple[int, ...], out: list[Record]) -> str:
    """The same recursion in an anyio task group (on trio: plain trio nurseries)."""
    record = Record(path, str(n))
    if n > 1:
        half = n // 2
        got: list[str] = ["", ""]

        async def one(i: int, m: int) -> None:
            got[i] = await plain_anyio(m, (*path, i), out)

        async with anyio.create_task_group() as tg:
            tg.start_soon(one, 0, half)
            tg.start_soon(one, 1, n - half)
        record.children = 2
        record.answer = str(int(got[0]) + int(got[1]))
    else:
        record.answer = record.question
    out.append(record)
    return record.answer


def run_plain(n: int, backend: str) -> int:
    out: list[Record] = []
    if backend == "asyncio":
        asyncio.run(plain_asyncio(n, (), out))
    else:
        anyio.run(plain_anyio, n, (), out, backend="trio")
    return len(out)


def run_hch(n: int, backend: str, **options: Any) -> hch.Tree:
    return hch.run(str(n), Halver(), limits=LIMITS, backend=backend, **options)


def best(repeat: int, fn: Callable[[], object], gc_off: bool) -> float:
    """Fastest of ``repeat`` timed calls (garbage of earlier runs collected first)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        if gc_off:
            gc.disable()
        t = time.perf_counter()
        try:
            fn()
        finally:
            gc.enable()
        times.append(time.perf_counter() - t)
    return min(times)


def kept_per_node(n: int) -> float:
    gc.collect()
    tracemalloc.start()
    tree = run_hch(n, "asyncio")
    gc.collect()
    kept, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return kept / len(tree)


def sizes(args: argparse.Namespace) -> None:
    print(f"realistic agent (sum n by halving); best of {args.repeat}; ratio = time hch / plain")
    header = f"{'nodes':>9} {'hch/s':>9} {'plain/s':>9} {'default GC':>11} {'GC off':>8}"
    print(f"{header} {'trio GC off':>12}")
    rates = {}
    for k in range(args.min, args.max + 1):
        n = 2 ** (k - 1)
        nodes = 2 * n - 1
        hch_default, plain_default, hch_off, plain_off, trio_hch, trio_plain = (
            best(args.repeat, partial(fn, n, backend), gc_off=off)
            for fn, backend, off in (
                (run_hch, "asyncio", False),
                (run_plain, "asyncio", False),
                (run_hch, "asyncio", True),
                (run_plain, "asyncio", True),
                (run_hch, "trio", True),
                (run_plain, "trio", True),
            )
        )
        rates[k] = nodes / hch_default
        print(
            f"{nodes:>9,} {nodes / hch_default:>9,.0f} {nodes / plain_default:>9,.0f} "
            f"{hch_default / plain_default:>10.2f}x {hch_off / plain_off:>7.2f}x "
            f"{trio_hch / trio_plain:>11.2f}x"
        )
    print(
        f"nodes/s at 2^{args.max} vs 2^{args.min}: {rates[args.max] / rates[args.min]:.2f} "
        "(goal >= 0.8)"
    )
    k = min(args.max, 15)
    cmd = [sys.executable, __file__, "--child", "kept", "--n", str(2 ** (k - 1))]
    kept = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    print(f"kept memory per node (2^{k} nodes): {kept['bytes']:,.0f} B (goal <= 1,000)")
    print("goals: default GC <= 1.0x; GC off <= 1.5x; trio GC off <= 1.6x")


def child(mode: str, n: int, trace: str) -> None:
    """In a fresh process: one measurement, printed as JSON.

    Fresh, because the interpreter's free lists (small tuples, floats) would otherwise
    hand a tree memory that earlier runs left behind, and tracemalloc would not see it.
    """
    if mode == "kept":
        print(json.dumps({"bytes": kept_per_node(n)}))
        return
    t = time.perf_counter()
    if mode == "memory":
        tree = run_hch(n, "asyncio")
        count = len(tree)
    elif mode == "unbounded":
        tree = run_hch(n, "asyncio", max_parallel=None)
        count = len(tree)
    elif mode == "streamed":
        tree = run_hch(n, "asyncio", record=False, trace=trace)
        count = tree.root.budget_used
    else:
        count = len(hch.load(trace))
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "rss": rss, "nodes": count}))


def million(args: argparse.Namespace) -> None:
    n = 1 << (args.nodes.bit_length() - 1)  # 2n - 1 nodes, about --nodes
    with tempfile.TemporaryDirectory() as tmp:
        trace = str(Path(tmp) / "big.jsonl")
        print(f"one tree of {2 * n - 1:,} nodes (realistic agent), each figure a fresh process")
        for mode, goal in (
            ("streamed", "peak RSS goal < 400 MB"),
            ("memory", "peak RSS goal < 1.5 GB"),
            ("unbounded", "in memory, max_parallel=None: every child at once"),
            ("load", "time goal < 8 s"),
        ):
            cmd = [sys.executable, __file__, "--child", mode, "--n", str(n), "--trace", trace]
            out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            print(
                f"  {mode:<9} {out['seconds']:7.1f} s  peak RSS {out['rss'] / 2**20:7,.0f} MB  "
                f"{out['nodes']:,} nodes  ({goal})"
            )
        print(f"  trace file: {Path(trace).stat().st_size / 2**20:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure; best kept")
    parser.add_argument("--min", type=int, default=10, help="smallest size, as a power of two")
    parser.add_argument("--max", type=int, default=17, help="largest size, as a power of two")
    parser.add_argument("--nodes", type=int, help="one tree of about this many nodes instead")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, args.trace)
    elif args.nodes:
        million(args)
    else:
        sizes(args)


if __name__ == "__main__":
    main()
