"""hch.diff: two trees by path, what changed, and the chains of change up to the root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hch
from hch import Answer, Limits, Node, Question, Status, Tree, TreeHeader
from hch.cli import main
from tests.viewer_trees import corrected, deepest_wrong, wrong_tree


def make(answers: dict[hch.Path, str | None]) -> Tree:
    """A tree with these nodes; None answers are failed nodes."""
    nodes = [
        Node(
            path=p,
            agent="a",
            question=Question(text=f"q{p}"),
            answer=Answer(text=a) if a is not None else None,
            status=Status.OK if a is not None else Status.FAILED,
            n_children=sum(1 for q in answers if len(q) == len(p) + 1 and q[: len(p)] == p),
        )
        for p, a in answers.items()
    ]
    header = TreeHeader(
        run_id="t",
        seed=0,
        limits=Limits(),
        agent="a",
        question=Question(text="q"),
        package_version=hch.__version__,
    )
    return Tree(header=header, nodes=nodes)


def test_a_counterfactual_changes_a_chain_up_to_the_root() -> None:
    a = wrong_tree()
    born = deepest_wrong(a)
    b = corrected(a, born)
    d = hch.diff(a, b)
    assert not d.identical
    assert d.paths("added") == d.paths("removed") == []
    assert born in d.paths("changed")
    (chain,) = [c for c in d.chains if c.source == born]
    assert chain.changed[0] == born
    assert chain.changed == [born[:i] for i in range(len(born), len(born) - len(chain.changed), -1)]
    assert d.root_changed == chain.reaches_root
    if not chain.reaches_root:
        assert chain.stops_at == chain.changed[-1][:-1]
        assert d.get(chain.stops_at) is None
    change = d.get(born)
    assert change is not None and change.answer_changed and not change.status_changed
    assert d.same + len(d.changes) == len(a)


def test_a_masked_change_stops_where_the_answer_is_the_same() -> None:
    a = make({(): "10", (0,): "4", (0, 0): "1", (1,): "6"})
    b = make({(): "10", (0,): "5", (0, 0): "2", (1,): "6"})
    d = hch.diff(a, b)
    assert d.paths("changed") == [(0,), (0, 0)]
    assert not d.root_changed
    (chain,) = d.chains
    assert chain.source == (0, 0) and chain.changed == [(0, 0), (0,)] and chain.stops_at == ()
    assert not chain.reaches_root
    text = str(d)
    assert "2 nodes differ (2 changed, 0 added, 0 removed; 2 the same)" in text
    assert "the root is the same" in text
    assert "root.0.0 -> root.0 (stops at root, unchanged)" in text
    assert "answer '1' -> '2'" in text


def test_added_removed_and_status_changes() -> None:
    a = make({(): "3", (0,): "1", (0, 0): "1", (1,): "2"})
    b = make({(): None, (0,): "1", (1,): "2", (2,): "0"})
    d = hch.diff(a, b)
    assert d.paths("removed") == [(0, 0)]
    assert d.paths("added") == [(2,)]
    root = d.get(())
    assert root is not None and root.status_changed and root.answer_changed
    assert root.status_a == Status.OK and root.status_b == Status.FAILED
    assert "status ok -> failed" in root.describe()
    sources = sorted(c.source for c in d.chains)
    assert sources == [()] or (0, 0) in sources  # the root changed: it explains the addition
    removed = d.get((0, 0))
    assert removed is not None and removed.describe() == "removed (was answer '1')"


def test_identical_trees() -> None:
    a = wrong_tree()
    d = hch.diff(a, a)
    assert d.identical and not d.root_changed and d.chains == []
    assert str(d) == f"the trees are the same ({len(a)} nodes)"


answers = st.dictionaries(
    st.lists(st.integers(0, 2), max_size=3).map(tuple),
    st.one_of(st.none(), st.sampled_from(["0", "1", "2"])),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(answers, answers)
def test_diff_properties(x: dict[hch.Path, str | None], y: dict[hch.Path, str | None]) -> None:
    a, b = make(x), make(y)
    d, back = hch.diff(a, b), hch.diff(b, a)
    assert hch.diff(a, a).identical
    assert d.paths("added") == back.paths("removed") and d.paths("removed") == back.paths("added")
    assert d.paths("changed") == back.paths("changed")
    assert d.same + len(d.changes) == len(set(x) | set(y))
    changed = set(d.paths("changed")) | set(d.paths("added")) | set(d.paths("removed"))
    for chain in d.chains:
        assert set(chain.changed) <= changed
        assert chain.stops_at is None or chain.stops_at not in changed
    for path in d.paths("changed"):  # every change lies on some chain
        assert any(path in c.changed for c in d.chains)


def test_the_diff_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file, b_file = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a = wrong_tree(a_file)
    corrected(a, deepest_wrong(a), b_file)
    assert main(["diff", str(a_file), str(a_file)]) == 0
    assert "the trees are the same" in capsys.readouterr().out
    assert main(["diff", str(a_file), str(b_file)]) == 1
    assert "chains, from each change up:" in capsys.readouterr().out
    assert main(["diff", str(a_file), str(b_file), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data == hch.diff(a, hch.load(b_file)).model_dump(mode="json")
    assert main(["diff", str(a_file), str(tmp_path / "none.jsonl")]) == 2
    assert "none.jsonl" in capsys.readouterr().err
