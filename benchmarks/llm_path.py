"""The LLM path: model client CPU per call, trees against the latency bound, and workers.

1. Client CPU per call: one-call trees (a leaf answers at once) with ``--concurrency``
   calls in flight; this process runs only them, so its CPU time (user + system) over
   the calls is what the client (and the small tree around each call) costs.
2. A model call costs ``latency`` and at most ``concurrency`` run at once, so no run can
   beat max(critical path x latency, calls x latency / concurrency), where the critical
   path counts the model calls that must follow one another. Printed: wall time, that
   bound, and their ratio (1.0 is perfect).
3. A study of small LLM trees with 1 worker and with 2: each worker process keeps the
   study's ``concurrency`` trees in flight, with its own endpoint limit.

The server runs as ``hch serve-model`` in its own process, as a remote endpoint would,
so its CPU is not counted.

Run: ``.venv/bin/python benchmarks/llm_path.py [--latency 0.05] [--concurrency 32]``
"""

from __future__ import annotations

import argparse
import heapq
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio

from agents.llm import LLMAgent
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits, ModelCall, Node, Tree, run_tree
from hch.study import Trial, experiment, run_study


@contextmanager
def served(latency: float) -> Iterator[str]:
    """``hch serve-model`` in a subprocess; yields its base URL."""
    cmd = [sys.executable, "-m", "hch", "serve-model", "--latency", str(latency)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def calls(node: Node) -> int:
    return sum(isinstance(e, ModelCall) for e in node.events)


def critical_path(tree: Tree, node: Node) -> int:
    """Model calls that must run one after another below and at ``node`` (one round)."""
    return calls(node) + max((critical_path(tree, c) for c in tree.children(node)), default=0)


def scheduled(tree: Tree, latency: float, concurrency: int) -> float:
    """Makespan of this tree's calls on ``concurrency`` ideal slots, longest path first:
    what a perfect client could reach given the tree's shape (the bound ignores shape)."""
    height: dict[tuple[int, ...], int] = {}
    ready: list[tuple[int, int, tuple[int, ...], int]] = []  # (-height, seq, path, call)
    pending: dict[tuple[int, ...], int] = {}
    for node in reversed(tree.nodes):
        height[node.path] = critical_path(tree, node)
    root = tree.root
    heapq.heappush(ready, (-height[root.path], 0, root.path, 0))
    running: list[tuple[float, int, tuple[int, ...], int]] = []
    now, seq = 0.0, 1
    while ready or running:
        while ready and len(running) < concurrency:
            _, _, path, k = heapq.heappop(ready)
            heapq.heappush(running, (now + latency, seq, path, k))
            seq += 1
        now, _, path, k = heapq.heappop(running)
        node = tree[path]
        kids = tree.children(node)
        if k == 0 and kids:
            pending[path] = len(kids)
            for kid in kids:
                heapq.heappush(ready, (-height[kid.path], seq, kid.path, 0))
                seq += 1
        elif k + 1 < calls(node):
            heapq.heappush(ready, (-height[path] + k + 1, seq, path, k + 1))
            seq += 1
        elif node.parent is not None:
            pending[node.parent] -= 1
            if pending[node.parent] == 0:
                parent = node.parent
                heapq.heappush(ready, (-height[parent] + 1, seq, parent, 1))
                seq += 1
    return now


def one_big_tree(base_url: str, latency: float, concurrency: int, leaves: int) -> None:
    task = ArithmeticTask(leaves=leaves)
    sample = task.sample(seed=0)
    agent = LLMAgent(model="sim", base_url=base_url, api_key="local", concurrency=concurrency)
    depth = leaves.bit_length()

    async def main() -> tuple[Tree, float]:
        start = time.perf_counter()
        tree = await run_tree(sample.question, agent, limits=Limits(max_depth=depth))
        return tree, time.perf_counter() - start

    tree, wall = anyio.run(main)
    total = sum(calls(n) for n in tree)
    path = critical_path(tree, tree.root)
    bound = max(path * latency, total * latency / concurrency)
    right = tree.root.answer is not None and task.check(sample, tree.root.answer)
    print(f"one tree: {len(tree)} nodes, {total} model calls, critical path {path} calls")
    print(f"  root {tree.root.status}, correct: {right}")
    print(f"  wall {wall:.3f}s   bound {bound:.3f}s   ratio {wall / bound:.2f}")
    ideal = scheduled(tree, latency, concurrency)
    print(f"  ideal schedule of this tree's shape {ideal:.3f}s   ratio {wall / ideal:.2f}")


def client_cpu(base_url: str, concurrency: int, calls: int) -> None:
    """CPU time of this process per model call, ``concurrency`` calls in flight."""
    agent = LLMAgent(model="sim", base_url=base_url, api_key="local", concurrency=concurrency)

    async def lanes(n: int) -> None:
        numbers = iter(range(n))

        async def lane() -> None:
            for i in numbers:  # lanes share the iterator
                tree = await run_tree(f"{i} + 1", agent, limits=Limits(max_depth=0))
                assert tree.root.answer is not None and tree.root.answer.text == str(i + 1)

        async with anyio.create_task_group() as tg:
            for _ in range(2 * concurrency):
                tg.start_soon(lane)

    async def main() -> tuple[float, float]:
        await lanes(4 * concurrency)  # connections opened, code warm
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        await lanes(calls)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        return cpu, wall

    cpu, wall = anyio.run(main)
    print(f"client: {calls} one-call trees, {concurrency} calls in flight")
    print(f"  CPU per call {cpu / calls * 1000:.3f} ms   {calls / wall:.0f} calls/s")


TASK = ArithmeticTask(leaves=4)


@experiment(grid={"url": [""], "concurrency": [32]}, trials=1000, name="llm_batch")
def llm_batch(url: str, concurrency: int, seed: int) -> Trial:
    """A small LLM tree: the root asks two one-operation children, then answers."""
    agent = LLMAgent(model="sim", base_url=url, api_key="local", concurrency=concurrency)
    return Trial(task=TASK, sample=TASK.sample(seed), agent=agent, limits=Limits(max_depth=2))


def many_small_trees(base_url: str, latency: float, concurrency: int, n: int) -> None:
    """The study of small trees with 1 and 2 workers, against one process's bound."""
    per_tree, path = 4, 3  # calls per tree, of which in a row
    bound = max(path * latency, n * per_tree * latency / concurrency)
    params = {"url": base_url, "concurrency": concurrency}
    print(f"study: {n} trees of 3 nodes ({per_tree} calls each), {4 * concurrency} in flight")
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            rows = run_study(
                llm_batch,
                out,
                params=params,
                trials=n,
                workers=workers,
                keep_traces="none",
                concurrency=4 * concurrency,
            )
            wall = time.perf_counter() - start
        ok = sum(1 for r in rows if r.correct)
        print(
            f"  {workers} worker(s): {len(rows) / wall:.0f} trees/s ({ok} correct)   "
            f"bound of one process {n / bound:.0f} trees/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per model call")
    parser.add_argument("--concurrency", type=int, default=32, help="model calls in flight")
    parser.add_argument("--leaves", type=int, default=512, help="leaves: 512 gives 511 nodes")
    parser.add_argument("--trees", type=int, default=1000, help="trees in the study batch")
    parser.add_argument("--calls", type=int, default=4000, help="calls timed for client CPU")
    opts = parser.parse_args()
    print(f"latency {opts.latency * 1000:.0f} ms per call, concurrency {opts.concurrency}")
    with served(opts.latency) as base_url:
        client_cpu(base_url, opts.concurrency, opts.calls)
        one_big_tree(base_url, opts.latency, opts.concurrency, opts.leaves)
        many_small_trees(base_url, opts.latency, opts.concurrency, opts.trees)


if __name__ == "__main__":
    main()
