"""Where one tree's root error came from, in a few lines a researcher can read.

Every string taken from the trace (questions, answers, notes, truths) goes through
``safe``: it is untrusted model output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from hch.analysis.blame import Blame
from hch.analysis.errors import Checks, ErrorTrail, Fate, Role, TreeErrors, Verdict
from hch.analysis.text import safe
from hch.errors import PointerError
from hch.model import Answer, Content, Path, Question, Tree, format_path
from hch.pointers import reveal
from hch.tasks import NodeTruth

M = TypeVar("M", Question, Answer, Content)

__all__ = ["explain", "explain_blame"]

SHOWN = 8
"""Origins and corrections listed one by one; more are counted."""


def explain(
    tree: Tree, errors: TreeErrors, task: Any = None, *, fixes: Sequence[Path] | None = None
) -> list[str]:
    """Lines explaining where the root's error came from and what stopped other errors.

    Args:
        tree: The tree.
        errors: ``tree_errors(tree, task)``.
        task: The task, to show the true answer of a node where it can (``NodeTruth``).
        fixes: Nodes each of which, corrected alone, makes the root right (from
            counterfactual replay); listed when given.
    """
    root = tree.root
    lines = [f"question: {safe(tree.header.question.text)}", _root_line(tree, errors)]
    if errors.checks is Checks.NONE:
        return [*lines, "nothing to check against: the trace names no task or no truth"]
    if errors.checks is Checks.ROOT:
        lines.append(
            f"task {safe(tree.header.task)} checks only root answers, "
            "so it cannot say which node erred"
        )
        return lines
    lines.append(_counts(errors))
    if errors.root is Verdict.WRONG:
        trails = errors.root_trails
        lines.append(f"the root's error was born at {_many(len(trails), 'node')}:")
        for trail in trails[:SHOWN]:
            lines += _origin(tree, trail, task)
        lines += _more(len(trails))
        if fixes is not None:
            lines.append(_fixes(fixes))
    elif root.answer is None:
        lines.append(f"the root gave no answer ({root.status})")
    corrected = [t for t in errors.trails if t.fate is Fate.CORRECTED]
    if corrected:
        lines.append(f"{_many(len(corrected), 'error')} corrected on the way up:")
        for trail in corrected[:SHOWN]:
            assert trail.stop is not None
            lines.append(
                f"  born at {_where(trail.origin)}, corrected by {_where(trail.stop)}"
                f" after {_many(trail.levels, 'level')}"
            )
        lines += _more(len(corrected))
    lost = [t for t in errors.trails if t.fate is Fate.LOST]
    if lost:
        lines.append(f"{_many(len(lost), 'error')} lost track of under unchecked nodes")
    return lines


def explain_blame(found: Blame) -> list[str]:
    """Lines on a counterfactual blame: the smallest corrections, the culprits, the most
    pivotal nodes, and whether the search was exact."""
    who = "the root" if not found.target else f"node {format_path(found.target)}"
    how = "exact"
    if not found.exact:
        how = f"bounded: no fixing set has fewer than {_many(found.searched + 1, 'node')}"
    lines = [f"blame by counterfactual replay ({how}; {_many(found.replays, 'replay')}):"]
    if found.size is None:
        erring = _many(len(found.candidates), "erring node")
        lines.append(f"  no set of the {erring} below {who} makes it right when corrected")
    else:
        lines.append(
            f"  smallest correction that makes {who} right: {_many(found.size, 'node')} "
            f"({_many(len(found.minimal_sets), 'such set')}, {len(found.decisive)} where the "
            "errors were born):"
        )
        for fix in found.decisive[:SHOWN]:
            lines.append("    " + " + ".join(format_path(p) for p in fix))
        lines += _more(len(found.decisive))
    if found.own:
        lines.append(f"  {who} is wrong even when every child answers right: it erred on its own")
    if found.culprits:
        named = ", ".join(_where(p) for p in found.culprits[:SHOWN])
        extra = f" and {len(found.culprits) - SHOWN} more" if len(found.culprits) > SHOWN else ""
        lines.append(f"  culprits: {named}{extra}")
    pivotal = found.most_pivotal()
    if pivotal:
        lines.append(
            "  most pivotal (share of the smallest corrections needing it): "
            + ", ".join(f"{format_path(p)} {share:.2f}" for p, share in pivotal)
        )
    return lines


def _read(message: M, tree: Tree) -> M:
    """The message as its reader sees it with every pointer unlocked (as checks read
    it); as it is when its pointers cannot be followed (a cut-off or edited trace)."""
    try:
        return reveal(message, tree.content)
    except PointerError:
        return message


def _root_line(tree: Tree, errors: TreeErrors) -> str:
    root = tree.root
    answer = (
        "no answer"
        if root.answer is None
        else f"answered {safe(_read(root.answer, tree).text, 60)}"
    )
    truth = "" if tree.header.truth is None else f", truth {safe(tree.header.truth, 60)}"
    verdict = {Verdict.RIGHT: "right", Verdict.WRONG: "wrong", Verdict.UNKNOWN: "unchecked"}
    return f"root: {answer}{truth}: {verdict[errors.root]}"


def _counts(errors: TreeErrors) -> str:
    verdicts = list(errors.verdicts.values())
    count = {v: verdicts.count(v) for v in Verdict}
    roles = list(errors.roles.values())
    return (
        f"nodes: {len(verdicts)} (right {count[Verdict.RIGHT]}, wrong {count[Verdict.WRONG]}, "
        f"unchecked {count[Verdict.UNKNOWN]}); errors born {roles.count(Role.ORIGINATING)}, "
        f"passed on {roles.count(Role.PROPAGATING)}, corrected {roles.count(Role.CORRECTING)}"
    )


def _origin(tree: Tree, trail: ErrorTrail, task: Any) -> list[str]:
    node = tree[trail.origin]
    notes = "; ".join(f"{k}={v}" for note in node.notes for k, v in note.items())
    lines = [f"  {_where(node.path)}" + (f", notes: {safe(notes, 80)}" if notes else "")]
    question = _read(node.question, tree)
    lines.append(f"    asked:    {safe(question.text)}")
    answer = safe(_read(node.answer, tree).text, 60) if node.answer else "-"
    truth = _truth(question, task)
    lines.append(f"    answered: {answer}" + (f"   truth: {safe(truth, 60)}" if truth else ""))
    if trail.levels:
        route = " -> ".join(format_path(p) for p in trail.path)
        lines.append(f"    travelled {_many(trail.levels, 'level')}: {route}")
    return lines


def _truth(question: Question, task: Any) -> str | None:
    if not isinstance(task, NodeTruth):
        return None
    truth = task.node_truth(question)
    return None if truth is None else str(truth)


def _fixes(fixes: Sequence[Path]) -> str:
    if not fixes:
        return "no single node, corrected alone, makes the root right"
    named = ", ".join(format_path(p) for p in fixes[:SHOWN])
    extra = f" and {len(fixes) - SHOWN} more" if len(fixes) > SHOWN else ""
    return f"corrected alone, each of these makes the root right: {named}{extra}"


def _where(path: Path) -> str:
    return f"{format_path(path)} (depth {len(path)})"


def _many(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _more(n: int) -> list[str]:
    return [f"  ... and {n - SHOWN} more"] if n > SHOWN else []
