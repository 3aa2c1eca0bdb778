"""JSONL traces: exact round trips, crash safety, clear errors for what is not a trace."""

from __future__ import annotations

import contextlib
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

import hch
import hch.jsonl
from hch import (
    Answer,
    ChildFailed,
    Context,
    Limits,
    Question,
    SchemaVersionError,
    TraceError,
    Tree,
)

pytestmark = pytest.mark.anyio


async def rich(question: Question, ctx: Context) -> Answer:
    """Exercises every part of a node record: data, memes, events, follow-ups, failures,
    and text beyond ASCII (a file cut inside a character still loads)."""
    ctx.note(depth=ctx.depth, path=list(ctx.path))
    if question.text == "fail":
        raise RuntimeError("on purpose")
    if not ctx.can_ask:
        await ctx.tool("square", x=ctx.depth)
        return Answer(text="leaf ✓ é", data={"v": [1, 2.5]}, memes=frozenset({"z", "a"}))
    c = ctx.child()
    await c.ask(Question(text="first", data=[1, "x"]))
    await c.ask("again")
    with contextlib.suppress(ChildFailed):
        await ctx.ask_all(["fail", "ok"])
    return Answer(text="inner")


async def make_tree(trace: Path, **options: object) -> Tree:
    return await hch.run_tree(
        "q",
        rich,
        limits=Limits(max_depth=2, budget=40),
        seed=5,
        trace=trace,
        tools={"square": lambda x: x * x},
        task="t",
        truth={"answer": 1},
        **options,  # type: ignore[arg-type]
    )


async def test_a_streamed_trace_loads_equal(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    tree = await make_tree(trace)
    assert len(tree) > 10
    loaded = hch.load(trace)
    assert loaded == tree
    assert loaded.fingerprint() == tree.fingerprint()


async def test_save_writes_the_same_format(tmp_path: Path) -> None:
    tree = await make_tree(tmp_path / "a.jsonl")
    hch.save(tree, tmp_path / "sub" / "b.jsonl")
    assert hch.load(tmp_path / "sub" / "b.jsonl") == tree


async def test_without_record_the_file_still_has_every_node(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    kept = await make_tree(trace, record=False)
    full = hch.load(trace)
    assert len(kept) == 1
    assert full.root == kept.root
    assert len(full) == kept.root.budget_used


async def test_nodes_reach_the_file_as_they_finish(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    seen: list[int] = []

    async def node(question: Question, ctx: Context) -> str:
        if ctx.depth == 0:
            await ctx.ask_all(["a", "b"])
            seen.append(len(trace.read_text().splitlines()))
        return "ok"

    await hch.run_tree("q", node, limits=Limits(max_depth=1), trace=trace)
    assert seen == [3]  # header and both children, before the root has answered
    assert len(trace.read_text().splitlines()) == 5  # + root + end


@pytest.fixture(params=[4096, 3], ids=["one-chunk", "chunks-of-3"])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Loading reads a trace in chunks of lines: every reading test runs with the
    whole file in one chunk and with chunk boundaries everywhere."""
    monkeypatch.setattr(hch.jsonl, "CHUNK", request.param)
    return int(request.param)


async def test_a_file_cut_anywhere_loads_its_whole_nodes(tmp_path: Path, chunk: int) -> None:
    trace = tmp_path / "run.jsonl"
    tree = await make_tree(trace)
    data = trace.read_bytes()
    newlines = [i for i, byte in enumerate(data) if byte == ord("\n")]
    node_ends = newlines[1 : 1 + len(tree)]  # where each node line's text ends
    assert len(newlines) == len(tree) + 2  # header, nodes, end line
    by_path = {n.path: n for n in tree}
    cut = tmp_path / "cut.jsonl"
    for offset in range(newlines[0] + 1, newlines[-1]):
        cut.write_bytes(data[:offset])
        loaded = hch.load(cut)
        assert loaded.complete is False
        assert loaded.header == tree.header
        assert len(loaded) == sum(1 for end in node_ends if end <= offset)
        for n in loaded:
            assert n == by_path[n.path]
    assert hch.load(trace).complete is True


def test_a_file_cut_inside_the_header_is_not_a_trace(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_text('{"hch_trace": 1, "header": {"run_')
    with pytest.raises(TraceError, match=r"cut\.jsonl, line 1"):
        hch.load(path)


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("index", [1, 3, 7, 8])
async def test_a_malformed_middle_line_names_file_and_line(
    tmp_path: Path, chunk: int, index: int
) -> None:
    trace = tmp_path / "run.jsonl"
    await make_tree(trace)
    lines = trace.read_text().splitlines()
    lines[index] = lines[index][:20]
    bad = write(tmp_path / "bad.jsonl", *lines)
    line = index + 1
    with pytest.raises(TraceError, match=rf"bad\.jsonl, line {line}: invalid trace line") as info:
        hch.load(bad)
    assert info.value.line == line
    assert info.value.file == str(bad)


async def test_blank_lines_are_skipped_but_a_line_of_spaces_is_named(
    tmp_path: Path, chunk: int
) -> None:
    trace = tmp_path / "run.jsonl"
    tree = await make_tree(trace)
    lines = trace.read_text().splitlines()
    spaced = write(tmp_path / "blank.jsonl", *lines[:3], "", *lines[3:6], "", *lines[6:])
    assert hch.load(spaced) == tree
    spaces = write(tmp_path / "spaces.jsonl", *lines[:5], "   ", *lines[5:])
    with pytest.raises(TraceError, match=r"line 6: invalid trace line"):
        hch.load(spaces)


async def test_a_loaded_tree_is_kept_compact(tmp_path: Path) -> None:
    """hch.load keeps its nodes in compact form: far less than pydantic's own parse."""
    trace = tmp_path / "big.jsonl"

    async def halver(question: Question, ctx: Context) -> str:
        n = int(question.text)
        if n <= 1:
            return question.text
        a, b = await ctx.ask_all([str(n // 2), str(n - n // 2)])
        return str(int(a.text) + int(b.text))

    await hch.run_tree("512", halver, limits=Limits(max_depth=20), trace=trace)
    lines = trace.read_text().splitlines()[1:-1]

    def kept(read: Callable[[], object]) -> float:
        tracemalloc.start()
        got = read()
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert got
        return size

    loaded = kept(lambda: hch.load(trace))
    parsed = kept(lambda: [hch.Node.model_validate_json(line) for line in lines])
    assert loaded < 0.75 * parsed


async def test_a_node_line_with_a_wrong_field_says_which(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    await make_tree(trace)
    lines = trace.read_text().splitlines()
    node = json.loads(lines[2])
    node["status"] = "exploded"
    lines[2] = json.dumps(node)
    bad = write(tmp_path / "bad.jsonl", *lines)
    with pytest.raises(TraceError, match=r"bad\.jsonl, line 3: invalid trace line: status"):
        hch.load(bad)


@pytest.mark.parametrize(
    "first",
    ["garbage", "", "[1, 2]", '{"header": {}}', '{"trace": 1}'],
)
def test_a_wrong_first_line_is_not_a_trace(tmp_path: Path, first: str) -> None:
    path = write(tmp_path / "x.jsonl", first, "{}")
    with pytest.raises(TraceError, match=r"x\.jsonl, line 1: not an hch trace"):
        hch.load(path)


async def test_binary_garbage_after_the_header_is_named(tmp_path: Path, chunk: int) -> None:
    trace = tmp_path / "run.jsonl"
    await make_tree(trace)
    lines = trace.read_bytes().split(b"\n")
    lines[6] = b"\xff\xfe\x00garbage\x80"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\n".join(lines))
    with pytest.raises(TraceError, match=r"bad\.jsonl, line 7: the line is not UTF-8 text"):
        hch.load(bad)


def test_binary_garbage_is_not_a_trace(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(TraceError, match=r"x\.bin, line 1: not a trace"):
        hch.load(path)


def test_a_missing_file_or_a_folder_is_named_without_a_line(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match=r"nope\.jsonl: cannot read trace: No such file") as info:
        hch.load(tmp_path / "nope.jsonl")
    assert info.value.line is None and "line" not in str(info.value)
    (tmp_path / "folder").mkdir()
    with pytest.raises(TraceError, match=r"folder: cannot read trace: Is a directory"):
        hch.load(tmp_path / "folder")


@pytest.mark.parametrize("text", ["", "\n", "  \n\n"])
def test_an_empty_file_is_called_empty(tmp_path: Path, text: str) -> None:
    (tmp_path / "e.jsonl").write_text(text)
    with pytest.raises(TraceError, match=r"e\.jsonl: the file is empty") as info:
        hch.load(tmp_path / "e.jsonl")
    assert info.value.line is None


async def test_a_file_cut_inside_its_header_says_so(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    await make_tree(trace)
    header = trace.read_text().splitlines()[0]
    for cut in (5, 20, len(header) - 1):
        (tmp_path / "cut.jsonl").write_text(header[:cut])
        with pytest.raises(TraceError, match=r"cut\.jsonl, line 1: the file ends inside its"):
            hch.load(tmp_path / "cut.jsonl")
    (tmp_path / "other.jsonl").write_text('{"a": ')  # cut, but not a trace's header
    with pytest.raises(TraceError, match=r"other\.jsonl, line 1: not an hch trace"):
        hch.load(tmp_path / "other.jsonl")


async def test_an_unknown_schema_version_is_refused_clearly(tmp_path: Path) -> None:
    trace = tmp_path / "run.jsonl"
    await make_tree(trace)
    lines = trace.read_text().splitlines()
    head = json.loads(lines[0])
    head["hch_trace"] = 99
    lines[0] = json.dumps(head)
    newer = write(tmp_path / "newer.jsonl", *lines)
    with pytest.raises(SchemaVersionError, match=r"newer\.jsonl, line 1: .*version 99") as info:
        hch.load(newer)
    assert "upgrade hch" in str(info.value)


def test_an_invalid_header_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", '{"hch_trace": 1, "header": {"seed": "x"}}')
    with pytest.raises(TraceError, match=r"x\.jsonl, line 1: invalid trace header"):
        hch.load(path)
