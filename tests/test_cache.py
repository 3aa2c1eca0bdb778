"""The SQLite model-call cache: hits make no request, traces seed it, trees share it."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from agents.llm import LLMAgent
from agents.server import ModelServer, SimulatedModel
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Limits, ModelCall, Status, Tree, run_tree
from hch.cache import Cache, CachedCall, request_key
from hch.cli import main as cli

pytestmark = pytest.mark.anyio

QUESTION = "((1 + 2) + (3 + 4)) - ((5 + 6) - (7 + 8))"


def llm(server: ModelServer, cache: Cache | Path | None, **options: object) -> LLMAgent:
    return LLMAgent(model="sim", base_url=server.base_url, api_key="sk-t", cache=cache, **options)


def model_calls(tree: Tree) -> list[ModelCall]:
    return [e for n in tree for e in n.events if isinstance(e, ModelCall)]


def shape(tree: Tree) -> list[tuple[object, ...]]:
    return [(n.path, n.question.text, n.answer.text if n.answer else None) for n in tree]


async def test_second_run_is_served_from_the_cache_file(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite"
    with ModelServer(SimulatedModel(p_error=0.3)) as server:
        first = await run_tree(QUESTION, llm(server, db))
        sent = server.requests
        second = await run_tree(QUESTION, llm(server, db))  # a new agent: only the file is shared
        assert server.requests == sent
    assert sent == len(model_calls(first)) > 1
    assert all(c.cached and c.cost == 0.0 for c in model_calls(second))
    assert shape(second) == shape(first)


async def test_sample_index_and_parameters_are_part_of_the_key(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "calls.sqlite")
    with ModelServer(SimulatedModel()) as server:
        await run_tree("1 + 2", llm(server, cache))
        await run_tree("1 + 2", llm(server, cache, sample=1))
        await run_tree("1 + 2", llm(server, cache, temperature=0.7))
        assert server.requests == 3
        await run_tree("1 + 2", llm(server, cache, sample=1))
        assert server.requests == 3
    assert cache.stats().entries == 3


async def test_a_trace_alone_replays_its_model_calls(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    with ModelServer(SimulatedModel(p_error=0.3)) as server:
        first = await run_tree(QUESTION, llm(server, None), trace=trace)
        sent = server.requests
        replay = Cache.from_trace(trace)
        again = await run_tree(QUESTION, llm(server, replay))
        assert server.requests == sent
    assert shape(again) == shape(first)
    assert replay.hits == len(model_calls(again)) and replay.misses == 0


async def test_many_trees_and_two_connections_share_one_file(tmp_path: Path) -> None:
    db = tmp_path / "calls.sqlite"
    task = ArithmeticTask(leaves=4)
    questions = [task.sample(seed).question for seed in range(24)]
    caches = [Cache(db), Cache(db)]  # as two processes would
    trees: list[Tree] = []

    async def one(i: int, server: ModelServer) -> None:
        agent = llm(server, caches[i % 2])
        trees.append(await run_tree(questions[i], agent, limits=Limits(max_depth=2)))

    with ModelServer(SimulatedModel()) as server:
        async with anyio.create_task_group() as tg:
            for i in range(len(questions)):
                tg.start_soon(one, i, server)
        sent = server.requests
        assert all(t.root.status is Status.OK for t in trees)
        async with anyio.create_task_group() as tg:
            for i in range(len(questions)):
                tg.start_soon(one, i, server)
        assert server.requests == sent
    assert caches[0].stats().entries == len(
        {request_key(c.model, c.request) for t in trees for c in model_calls(t)}
    )


def test_keys_are_canonical_and_values_round_trip(tmp_path: Path) -> None:
    a = {"base_url": "u", "messages": [{"role": "user", "content": "x"}], "params": {"t": 0}}
    b = {"params": {"t": 0}, "messages": [{"content": "x", "role": "user"}], "base_url": "u"}
    assert request_key("m", a) == request_key("m", b)
    assert request_key("m", a) != request_key("m2", a)
    cache = Cache(tmp_path / "c.sqlite")
    cache.put_sync("m", a, CachedCall(response={"content": "hi"}))
    assert cache.get_sync("m", b) == CachedCall(response={"content": "hi"})


def test_cache_stats_and_clear_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite"
    cache = Cache(db)
    for i in range(3):
        cache.put_sync("model-x", {"i": i}, CachedCall(response={"content": str(i)}))
    cache.close()
    assert cli(["cache", "stats", "--file", str(db)]) == 0
    out = capsys.readouterr().out
    assert "entries: 3" in out and "model-x: 3" in out
    assert cli(["cache", "clear", "--file", str(db)]) == 0
    assert "removed 3 entries" in capsys.readouterr().out
    assert Cache(db).stats().entries == 0


async def test_a_counterfactual_replays_and_calls_only_where_inputs_changed(
    tmp_path: Path,
) -> None:
    from hch import Answer

    cache = Cache(tmp_path / "calls.sqlite")
    with ModelServer(SimulatedModel()) as server:
        factual = await run_tree(QUESTION, llm(server, cache), limits=Limits(max_depth=1))
        sent = server.requests
        left = factual[(0,)]
        assert left.answer is not None and left.answer.text == "10"
        wrong = Answer(text="11")
        counter = await run_tree(
            QUESTION, llm(server, cache), limits=Limits(max_depth=1), interventions={(0,): wrong}
        )
        fresh = server.requests - sent
    # The root's first call (its decomposition) and the untouched sibling replay from the
    # cache; only the root's second call sees a different answer and goes to the model.
    assert fresh == 1
    forced = counter[(0,)]
    assert forced.answer == wrong
    assert not [e for e in forced.events if isinstance(e, ModelCall)]
    first, second = [e for e in counter.root.events if isinstance(e, ModelCall)]
    assert first.cached and not second.cached
    assert all(c.cached for c in model_calls(counter) if c is not second)
    assert counter.root.answer is not None and factual.root.answer is not None
    assert int(counter.root.answer.text) == int(factual.root.answer.text) + 1


def test_a_file_that_is_not_a_cache_is_refused_by_name(tmp_path: Path) -> None:
    from hch.errors import CacheError

    bogus = tmp_path / "notes.txt"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(CacheError, match=r"notes.txt is not a model-call cache"):
        Cache(bogus)
    assert bogus.read_text().startswith("these are my notes")  # nothing was overwritten
