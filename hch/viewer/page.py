"""``hch view TRACE [TRACE_B]``: one tree, or two aligned by path, as one HTML page.

The page holds each tree's header and nodes (as the trace stores them, with each
node's verdict added), every pointer's content with who made, passed and unlocked it,
and the outline both trees share: every path either tree has, and
their ancestors, in pre-order. With two trees it also holds ``hch.diff``'s result, so
the page marks what changed and the chain of each change up to the root.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Any

from hch.diff import TreeDiff, diff
from hch.model import Path, Tree, format_path
from hch.viewer.facts import TreeFacts, outline
from hch.viewer.html import page

__all__ = ["tree_page", "write_tree_page"]

_CHANGE = {"changed": 1, "added": 2, "removed": 3}

_BODY = """<div id="app">
<header id="summary"></header>
<nav id="toolbar"></nav>
<main id="main">
<section id="tree" aria-label="tree">
<div id="rows" tabindex="0" role="tree"><div id="spacer"></div></div>
</section>
<aside id="panel" aria-label="node"></aside>
</main>
<footer id="footer"></footer>
</div>"""


def _content_data(facts: TreeFacts, row: dict[Path, int]) -> list[dict[str, Any]]:
    """Every pointer: its content, and who made, passed and unlocked it, nodes named by
    their row (-1: the task, or whoever asked the tree)."""

    def at(path: Path | None) -> int:
        return row[path] if path is not None else -1

    out = []
    for f in facts.flow.values():
        item: dict[str, Any] = {
            "id": f.pointer,
            "maker": row.get(f.maker, -1) if f.maker is not None else -1,
            "made_by": format_path(f.maker) if f.maker is not None else None,
            "hops": [[at(h.by), at(h.to), h.way, h.read, h.into] for h in f.hops],
            "unlocked": [[row[p], cost] for p, cost in f.unlocked],
        }
        if f.content is not None:
            item["content"] = f.content.model_dump(mode="json", exclude_defaults=True)
        out.append(item)
    return out


def _tree_data(facts: TreeFacts, label: str, row: dict[Path, int]) -> dict[str, Any]:
    tree = facts.tree
    nodes = []
    for node in tree:
        item = node.model_dump(mode="json", exclude_defaults=True)
        item["correct"] = facts.correct[node.path]
        if facts.born(node.path):
            item["born"] = True
        memes = facts.memes_born(node.path)
        if memes:
            item["memes_born"] = sorted(memes)
        nodes.append(item)
    return {
        "label": label,
        "header": tree.header.model_dump(mode="json"),
        "complete": tree.complete,
        "duration": tree.duration,
        "task_known": facts.task is not None,
        "checkable": facts.checkable,
        "nodes": nodes,
        "content": _content_data(facts, row),
    }


def _diff_data(d: TreeDiff, row: dict[Path, int]) -> dict[str, Any]:
    change = [0] * len(row)
    for c in d.changes:
        change[row[c.path]] = _CHANGE[c.kind]
    chain = [0] * len(row)
    for ch in d.chains:
        for p in ch.changed:
            chain[row[p]] = 1
    return {
        "change": change,
        "chain": chain,
        "chains": [
            {
                "source": row[ch.source],
                "changed": [row[p] for p in ch.changed],
                "stops_at": row[ch.stops_at] if ch.stops_at is not None else -1,
                "reaches_root": ch.reaches_root,
                "text": ch.describe(),
            }
            for ch in d.chains
        ],
        "root_changed": d.root_changed,
        "identical": d.identical,
        "counts": {kind: len(d.paths(kind)) for kind in ("changed", "added", "removed")},
        "same": d.same,
        "describe": {str(row[c.path]): c.describe() for c in d.changes},
    }


def tree_page(
    tree: Tree,
    other: Tree | None = None,
    *,
    labels: tuple[str, str] | None = None,
    title: str | None = None,
    back: str | None = None,
    task: Any = None,
) -> str:
    """The HTML page of ``tree``, or of ``tree`` and ``other`` side by side.

    Args:
        labels: What to call the trees (their file names; default "tree", or "A" and "B").
        title: The page title (default: the label, or "A vs B").
        back: A relative link shown as "study index" (pages written by a study index).
        task: The task that judges nodes (default: the one each header names).
    """
    trees = [tree] if other is None else [tree, other]
    labels = labels or (("tree", "") if other is None else ("A", "B"))
    facts = [TreeFacts(t, task) for t in trees]
    paths = outline(p for f in facts for p in f.nodes)
    row = {p: i for i, p in enumerate(paths)}
    at = []
    for f in facts:
        index = [-1] * len(paths)
        for i, node in enumerate(f.tree):
            index[row[node.path]] = i
        at.append(index)
    data: dict[str, Any] = {
        "kind": "tree" if other is None else "diff",
        "title": title or (labels[0] if other is None else f"{labels[0]} vs {labels[1]}"),
        "back": back,
        "trees": [_tree_data(f, label, row) for f, label in zip(facts, labels, strict=False)],
        "rows": [list(p) for p in paths],
        "at": at,
        "diff": _diff_data(diff(tree, other), row) if other is not None else None,
    }
    return page(
        title=data["title"],
        body=_BODY,
        styles=["common.css", "tree.css"],
        scripts=[
            "common.js",
            "tree_model.js",
            "tree_pointers.js",
            "tree_rows.js",
            "tree_panel.js",
            "tree_content.js",
            "tree_app.js",
        ],
        data=data,
    )


def write_tree_page(
    out: str | FilePath,
    tree: Tree,
    other: Tree | None = None,
    **options: Any,
) -> FilePath:
    """Write ``tree_page(tree, other, **options)`` to ``out``; return the file."""
    file = FilePath(out)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(tree_page(tree, other, **options), encoding="utf-8")
    return file
