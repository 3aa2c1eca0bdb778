"""The schema: Question, Answer, Node and Tree behave as the trace format promises."""

from __future__ import annotations

import pickle
import tracemalloc
from collections.abc import Callable

import pytest
from pydantic import ConfigDict

import hch
from hch import Answer, Limits, Node, NodeError, Note, Question, Status, ToolCall, Tree, TreeHeader
from hch.compact import compact


def header(**overrides: object) -> TreeHeader:
    fields: dict[str, object] = {
        "run_id": "r1",
        "seed": 1,
        "limits": Limits(),
        "agent": "a",
        "question": Question(text="q"),
        "package_version": "0",
    }
    fields.update(overrides)
    return TreeHeader.model_validate(fields)


def node(path: tuple[int, ...], **fields: object) -> Node:
    return Node.model_validate({"path": path, "agent": "a", "question": {"text": "q"}, **fields})


def test_node_derived_fields() -> None:
    n = node((2, 0), n_children=2, start=1.0, end=3.5, events=[Note(fields={"k": 1})])
    assert n.id == "root.2.0"
    assert n.depth == 2
    assert n.parent == (2,)
    assert n.children == [(2, 0, 0), (2, 0, 1)]
    assert n.duration == 2.5
    assert n.notes == [{"k": 1}]
    assert node(()).parent is None
    assert node(()).id == "root"


def test_models_are_frozen() -> None:
    with pytest.raises(ValueError):
        Question(text="q").text = "other"  # type: ignore[misc]
    with pytest.raises(ValueError):
        node(()).status = Status.FAILED  # type: ignore[misc]


def test_memes_serialise_sorted_and_load_as_a_set() -> None:
    a = Answer(text="x", memes=frozenset({"b", "a", "c"}))
    dumped = a.model_dump(mode="json")
    assert dumped["memes"] == ["a", "b", "c"]
    assert Answer.model_validate(dumped) == a


def test_node_error_from_exception_falls_back_to_repr() -> None:
    error = NodeError.from_exception(ValueError("bad"))
    assert error == NodeError(type="ValueError", message="bad")
    assert NodeError.from_exception(KeyError()).message == "KeyError()"


def test_events_keep_their_kind_when_defaults_are_excluded() -> None:
    n = node((), events=[ToolCall(name="calc", args={"x": 1}, result=2), Note(fields={})])
    dumped = n.model_dump(mode="json", exclude_defaults=True)
    assert [e["kind"] for e in dumped["events"]] == ["tool", "note"]
    assert Node.model_validate(dumped) == n


@pytest.mark.parametrize(
    "record",
    [
        Question(text="q"),
        Question(text="q $1", data={"n": [1, 2]}, pointers=("task:1",)),
        Answer(text="a", memes=frozenset({"m"})),
        Answer(text="a", data=3),
    ],
)
def test_a_compact_record_is_the_same_record_in_less_memory(record: Question | Answer) -> None:
    twin = record.model_copy()  # compacted in place; ``record`` stays as pydantic made it
    small = compact(twin)
    assert small is twin
    assert small.__pydantic_fields_set__ is not record.__pydantic_fields_set__
    assert type(small) is type(record)
    assert small == record and record == small
    if not isinstance(record.data, dict):
        assert hash(small) == hash(record)
    assert small.model_dump() == record.model_dump()
    assert small.model_dump(exclude_unset=True) == record.model_dump(exclude_unset=True)
    assert small.model_dump_json() == record.model_dump_json()
    assert pickle.loads(pickle.dumps(small)) == record
    with pytest.raises(ValueError):
        small.text = "changed"  # type: ignore[misc]
    # Kept per record, measured against pydantic's own instances (about 480 B each).
    dumped = record.model_dump()

    def kept(make: Callable[[], object]) -> float:
        tracemalloc.start()
        many = [make() for _ in range(1000)]
        size = tracemalloc.get_traced_memory()[0] / len(many)
        tracemalloc.stop()
        return size

    plain = kept(lambda: type(record).model_validate(dumped))
    assert kept(lambda: compact(type(record).model_validate(dumped))) < 0.8 * plain


def test_a_compact_record_shares_its_fields_set_but_copies_stay_apart() -> None:
    a, b = compact(Answer(text="a")), compact(Answer(text="b"))
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    changed = a.model_copy(update={"data": 1})
    assert changed.data == 1 and changed.model_fields_set == {"text", "data"}
    assert a.model_fields_set == b.model_fields_set == {"text"}
    assert a.data is None


def test_a_record_that_is_not_frozen_is_left_as_it_is() -> None:
    class Draft(Answer):
        model_config = ConfigDict(frozen=False)

    first, second = compact(Draft(text="a")), compact(Draft(text="b"))
    first.data = 1
    assert first.model_fields_set == {"text", "data"}
    assert second.model_fields_set == {"text"}


def test_recorded_nodes_are_compact_and_load_equal() -> None:
    tree = hch.run("3", lambda q, ctx: q.text)
    fresh = Tree.model_validate(tree.model_dump(mode="json"))
    assert fresh == tree
    assert tree.root.model_dump() == fresh.root.model_dump()
    assert tree.root.events == ()


def test_tree_orders_nodes_and_indexes_them() -> None:
    tree = Tree(header=header(), nodes=[node((1,)), node(()), node((0, 0)), node((0,))])
    assert [n.path for n in tree] == [(), (0,), (0, 0), (1,)]
    assert len(tree) == 4
    assert tree[(0, 0)].path == (0, 0)
    assert (1,) in tree
    assert (5,) not in tree
    assert "root" not in tree
    assert tree.root.path == ()
    assert tree.depth == 2
    with pytest.raises(KeyError, match=r"root\.7"):
        tree[(7,)]


def test_tree_children_skips_unrecorded_ones() -> None:
    tree = Tree(header=header(), nodes=[node((), n_children=3), node((0,)), node((2,))])
    assert [c.path for c in tree.children(tree.root)] == [(0,), (2,)]


def test_tree_without_root_says_it_is_incomplete() -> None:
    tree = Tree(header=header(), nodes=[node((0,))], complete=False)
    with pytest.raises(LookupError, match="incomplete"):
        _ = tree.root


def test_fingerprint_ignores_timings_and_run_id_only() -> None:
    base = Tree(header=header(), nodes=[node((), start=0.1, end=0.2)], duration=1.0)
    retimed = Tree(header=header(run_id="r2"), nodes=[node((), start=5.0, end=9.0)], duration=3.0)
    assert base.fingerprint() == retimed.fingerprint()
    answered = Tree(header=header(), nodes=[node((), answer={"text": "x"})])
    reseeded = Tree(header=header(seed=2), nodes=[node(())])
    incomplete = Tree(header=header(), nodes=[node(())], complete=False)
    prints = {t.fingerprint() for t in (base, answered, reseeded, incomplete)}
    assert len(prints) == 4


def test_a_tree_repr_is_a_summary_not_every_node() -> None:
    import hch

    tree = hch.run("q", hch.agent(lambda q, ctx: "a"))
    text = repr(tree)
    assert text == f"Tree(run_id={tree.header.run_id!r}, question='q', nodes=1, complete=True)"


def test_the_public_api_is_exactly_all() -> None:
    import types

    import hch

    public = {
        name
        for name, value in vars(hch).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert hch.__all__ == sorted(hch.__all__, key=lambda n: (not n.isupper(), n))
    assert set(hch.__all__) == public | {"__version__"}
