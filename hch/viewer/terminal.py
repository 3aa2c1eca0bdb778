"""``hch show``: a recorded tree in the terminal, one node per entry, readable at 80
columns.

Each node shows a mark (right, wrong, where an error was born, failed), its path, its
answer or error, memes, its agent where it differs from its parent's, notes and events,
and its question folded below. Pointers read ``$1→root.0:1`` where a message names them;
a node's line of pointers says what it made, unlocked (at what cost) and passed on
unread, and what its answer reads as once unlocked; after the tree, every pointer's
content with who made, passed and unlocked it. Every string from the trace is untrusted: control and
direction-changing characters are shown as escapes, and nothing is read as markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from rich.console import Console
from rich.text import Text

from hch.errors import ConfigError
from hch.flow import PointerFlow, annotate, revealed
from hch.model import Hold, Node, Path, Status, Tree, Unlock, format_path
from hch.text import printable
from hch.viewer.facts import TreeFacts, outline

__all__ = ["ONLY", "Only", "render"]

Only = Literal["wrong", "failed", "memes"]
ONLY: tuple[Only, ...] = ("wrong", "failed", "memes")

ROWS = 400
"""Without ``--depth``, a tree is shown down to the deepest level that keeps it under
this many nodes (a hint says how to see more)."""

_MARKS: dict[str, tuple[str, str]] = {
    "right": ("✓", "green"),
    "wrong": ("✗", "red"),
    "born": ("✸", "bold red"),
    "failed": ("!", "bold yellow"),
    "cancelled": ("⊘", "dim"),
    "limited": ("⊗", "magenta"),
    "unknown": ("·", ""),
    "missing": ("…", "dim"),
}
_LEGEND = [
    ("right", "right"),
    ("wrong", "wrong"),
    ("born", "went wrong here"),
    ("failed", "failed"),
    ("limited", "limited"),
    ("unknown", "unchecked"),
]
_MIN_TEXT = 32
_WAYS = {"down": "↓", "up": "↑", "into": "⊂"}


def _fold(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text`` (made printable), saying how much is left."""
    if len(text) <= limit:
        return printable(text)
    return f"{printable(text[:limit])}… (+{len(text) - limit} chars)"


class _View:
    """Which nodes to show, and how each one reads."""

    def __init__(
        self, facts: TreeFacts, at: Path, depth: int | None, only: Only | None, fold: int
    ) -> None:
        self.facts = facts
        self.fold = fold
        paths = outline(facts.nodes)
        if at not in set(paths):
            top = ", ".join(format_path(p) for p in paths if len(p) == 1) or "none"
            raise ConfigError(
                f"no node {format_path(at)} in this tree "
                f"({len(facts.nodes)} nodes; the root's children are {top})"
            )
        under = [p for p in paths if p[: len(at)] == at]
        self.kids: dict[Path, list[Path]] = {p: [] for p in under}
        for p in under:
            if p != at:
                self.kids[p[:-1]].append(p)
        self.size: dict[Path, int] = {}
        for p in reversed(under):
            self.size[p] = 1 + sum(self.size[c] for c in self.kids[p])
        self.matches = {p for p in under if self._matches(p, only)} if only else set(under)
        self.context: set[Path] = set()
        for p in self.matches:
            self.context.update(p[:d] for d in range(len(at), len(p)))
        self.context -= self.matches
        shown = self.matches | self.context
        self.auto_depth = depth is None and len(shown) > ROWS
        self.depth = self._deepest(shown, at) if depth is None else depth
        self.at = at
        self.shown = {p for p in shown if len(p) - len(at) <= self.depth}
        self.below = len(shown) - len(self.shown)

    def _matches(self, path: Path, only: Only) -> bool:
        node = self.facts.nodes.get(path)
        if node is None:
            return False
        if only == "wrong":
            return self.facts.correct[path] is False
        if only == "failed":
            return node.status != Status.OK
        return node.answer is not None and bool(node.answer.memes)

    @staticmethod
    def _deepest(shown: set[Path], at: Path) -> int:
        """The deepest relative depth that keeps at most ROWS nodes (at least 1)."""
        per_depth: dict[int, int] = {}
        for p in shown:
            per_depth[len(p) - len(at)] = per_depth.get(len(p) - len(at), 0) + 1
        total, depth = 0, 0
        for d in sorted(per_depth):
            total += per_depth[d]
            if total > ROWS and d > 1:
                break
            depth = d
        return depth

    def mark(self, path: Path) -> tuple[str, str]:
        node = self.facts.nodes.get(path)
        if node is None:
            return _MARKS["missing"]
        if node.status != Status.OK:
            return _MARKS["born" if self.facts.born(path) else str(node.status)]
        verdict = self.facts.correct[path]
        if verdict is None:
            return _MARKS["unknown"]
        if verdict:
            return _MARKS["right"]
        return _MARKS["born" if self.facts.born(path) else "wrong"]

    def entry(self, path: Path) -> list[Text]:
        """The texts of one node: its head line, then question, notes and events."""
        symbol, style = self.mark(path)
        faint = path in self.context
        head = Text(no_wrap=False)
        head.append(f"{symbol} ", style)
        head.append(format_path(path), "dim" if faint else "bold")
        node = self.facts.nodes.get(path)
        if node is None:
            head.append("  not recorded: the run stopped before this node finished", "dim")
            return [head]
        self._outcome(head, node, style, faint)
        parent = self.facts.nodes.get(path[:-1]) if path else None
        if parent is None or parent.agent != node.agent:
            head.append(f"  {_fold(node.agent, 40)}", "cyan dim")
        if node.follows is not None:
            head.append(f"  (follow-up to {format_path((*path[:-1], node.follows))})", "dim")
        shown = sum(1 for c in self.kids[path] if c in self.shown)
        if self.kids[path] and not shown:
            head.append(f"  [+{self.size[path] - 1} below]", "dim")
        elif shown < len(self.kids[path]):
            more = len(self.kids[path]) - shown
            head.append(f"  [{more} more {'child' if more == 1 else 'children'} not shown]", "dim")
        lines = [head, Text("Q: " + _fold(annotate(node.question), self.fold), "dim")]
        held = self._pointers(node)
        if held:
            lines.append(Text(held, "magenta"))
        extra = _events(node)
        if extra:
            lines.append(Text(_fold(extra, self.fold), "dim italic"))
        return lines

    def _pointers(self, node: Node) -> str:
        """What the node did with pointers, and what its answer reads as unlocked."""
        parts = []
        made = [e.pointer for e in node.events if isinstance(e, Hold)]
        if made:
            parts.append("made " + _ids(made))
        unlocks = [e for e in node.events if isinstance(e, Unlock)]
        if unlocks:
            cost = sum(e.cost for e in unlocks)
            parts.append(f"unlocked {_ids([e.pointer for e in unlocks])} (cost {cost})")
        unread = self.facts.unread.get(node.path, ())
        if unread:
            parts.append("passed on unread " + _ids(list(unread)))
        read = revealed(node.answer, self.facts.tree.content) if node.answer else None
        if read is not None:
            parts.append("answer unlocked: " + _fold(read, self.fold))
        return "⇢ " + "; ".join(parts) if parts else ""

    def _outcome(self, head: Text, node: Node, style: str, faint: bool) -> None:
        if node.answer is not None:
            head.append("  A: ", "dim")
            head.append(_fold(annotate(node.answer), self.fold), "dim" if faint else style)
        if node.status != Status.OK:
            head.append(f"  {node.status}", style)
            if node.error is not None:
                error = f"{node.error.type}: {node.error.message}"
                head.append(": " + _fold(error, self.fold), style)
        elif self.facts.correct[node.path] is False and self.facts.born(node.path):
            head.append("  went wrong here", style)
        if node.answer is not None and node.answer.memes:
            born = self.facts.memes_born(node.path)
            tags = [("◆" if m in born else "◇") + printable(m) for m in sorted(node.answer.memes)]
            head.append("  " + " ".join(tags), "bold cyan")


def _ids(pointers: list[str], most: int = 8) -> str:
    shown = ", ".join(_fold(p, 60) for p in pointers[:most])
    return shown + (f" (+{len(pointers) - most} more)" if len(pointers) > most else "")


def _where(path: Path | None, nobody: str) -> str:
    return nobody if path is None else format_path(path)


def _content_lines(facts: TreeFacts, fold: int, most: int = 100) -> list[Text]:
    """Every pointer: its content, who made it, who passed it (``·`` unread), who
    unlocked it."""
    flows = list(facts.flow.values())
    if not flows:
        return []
    lines = [
        Text(f"content  {len(flows)} pointers", "bold")
        + Text("  (passed: ↓ in a question, ↑ in an answer, ⊂ inside content; · unread)", "dim")
    ]
    for f in flows[:most]:
        lines.append(_content_line(f, fold))
    if len(flows) > most:
        lines.append(Text(f"... and {len(flows) - most} more pointers", "dim"))
    return lines


def _content_line(f: PointerFlow, fold: int) -> Text:
    line = Text()
    line.append(_fold(f.pointer, 60), "bold magenta")
    line.append(f"  by {_where(f.maker, 'the task')}", "dim")
    said = _fold(annotate(f.content), fold) if f.content is not None else "(not in the trace)"
    line.append(f"  {said}")
    if f.hops:
        hops = [
            _where(h.by, "task")
            + _WAYS[h.way]
            + (_fold(h.into, 60) if h.into is not None else _where(h.to, "asker"))
            + ("" if h.read else "·")
            for h in f.hops
        ]
        line.append("  passed " + ", ".join(hops), "dim")
    if f.unlocked:
        who = ", ".join(f"{format_path(p)} ({cost})" for p, cost in f.unlocked)
        line.append(f"  unlocked by {who}", "cyan")
    else:
        line.append("  never unlocked", "dim")
    return line


def _events(node: Node) -> str:
    """Notes in full, and how many model and tool calls the node made."""
    parts = [
        f"{printable(k)}={json.dumps(v, ensure_ascii=False, default=str)}"
        for fields in node.notes
        for k, v in fields.items()
    ]
    calls = sum(1 for e in node.events if e.kind == "model")
    tools = sum(1 for e in node.events if e.kind == "tool")
    if calls:
        parts.append(f"{calls} model call{'s' * (calls != 1)}")
    if tools:
        parts.append(f"{tools} tool call{'s' * (tools != 1)}")
    return ("note: " if node.notes else "") + ", ".join(parts) if parts else ""


def _header(facts: TreeFacts, view: _View, name: str) -> list[Text]:
    tree = facts.tree
    h = tree.header
    lines = [Text(name, "bold")]
    if not tree.complete:
        lines[0].append(
            f"  incomplete: the run stopped after {len(tree)} nodes finished", "bold yellow"
        )
    rows: list[tuple[str, str, str]] = [("question", _fold(h.question.text, view.fold), "")]
    task = printable(h.task or "none")
    if h.truth is not None:
        task += f", truth {_fold(json.dumps(h.truth, default=str, ensure_ascii=False), 60)}"
    if h.task and facts.task is None:
        task += " (not installed here: nodes unchecked)"
    rows.append(("task", task, ""))
    if () in facts.nodes:
        symbol, style = view.mark(())
        root = facts.nodes[()]
        said = annotate(root.answer) if root.answer is not None else str(root.status)
        rows.append(("root", f"{symbol} {_fold(said, view.fold)}", style))
        read = revealed(root.answer, tree.content) if root.answer is not None else None
        if read is not None:
            rows.append(("revealed", _fold(read, view.fold), style))
    if facts.flow:
        unlocked = sum(1 for f in facts.flow.values() if f.unlocked)
        unread = sum(1 for f in facts.flow.values() if f.unread)
        rows.append(
            (
                "pointers",
                f"{len(facts.flow)}: {unlocked} unlocked, {unread} passed on unread"
                " (listed after the tree)",
                "",
            )
        )
    bad = [p for p in facts.nodes if facts.bad(p)]
    born = [p for p in bad if facts.born(p)]
    shape = f"{len(tree)}, depth {tree.depth}"
    if facts.checkable or bad:
        shape += f"; {len(bad)} wrong or failed, {len(born)} where an error was born"
    rows.append(("nodes", shape, ""))
    rows.append(("agent", _fold(h.agent, view.fold), "dim"))
    for key, value, style in rows:
        lines.append(Text(f"{key:<9}", "dim") + Text(value, style))
    legend = Text("marks    ", "dim")
    for key, meaning in _LEGEND:
        symbol, style = _MARKS[key]
        legend.append(symbol, style)
        legend.append(f" {meaning}  ")
    lines.append(legend)
    return lines


def render(
    tree: Tree,
    console: Console,
    *,
    name: str = "tree",
    at: Path = (),
    depth: int | None = None,
    only: Only | None = None,
    fold: int = 160,
    task: Any = None,
) -> None:
    """Print ``tree`` to ``console``: a header, then the nodes as an indented tree.

    Args:
        name: What to call the tree in the header (its file name).
        at: Show the subtree under this node.
        depth: Levels below ``at`` to show; by default as many as keep the view under
            ``ROWS`` nodes.
        only: Show only nodes that are wrong, failed, or carry memes (with their
            ancestors, faint, for context).
        fold: Longest text shown of a question, answer or note, in characters.
        task: The task that judges the nodes (default: the one the header names).
    """
    facts = TreeFacts(tree, task)
    view = _View(facts, at, depth, only, fold)
    for i, line in enumerate(_header(facts, view, name)):
        _print_wrapped(console, line, "", " " * 9 if i else "")
    if at:
        console.print(Text(f"subtree at {format_path(at)}", "bold"))
    if not view.shown:
        console.print(Text(f"no {only} nodes under {format_path(at)}", "yellow"))
        return
    console.print()
    for prefix, rest, text in _layout(view, console.width):
        _print_wrapped(console, text, prefix, rest)
    if view.below:
        hint = f"{view.below} deeper nodes not shown"
        hint += f" (showing {view.depth} levels; --depth N shows more)" if view.auto_depth else ""
        console.print(Text(hint, "dim"))
    content = _content_lines(facts, fold)
    if content:
        console.print()
    for line in content:
        _print_wrapped(console, line, "", "  ")


def _layout(view: _View, width: int) -> Iterator[tuple[str, str, Text]]:
    """(prefix of the first line, prefix of the next lines, text) for every shown line.

    Guides are two columns wide; past the depth where less than ``_MIN_TEXT`` columns
    would be left for text, deeper nodes stop indenting (their paths say where they are).
    """
    most = max(0, (width - _MIN_TEXT) // 2)
    stack: list[tuple[Path, str, str]] = [(view.at, "", "")]
    while stack:
        path, indent, connector = stack.pop()
        kids = [c for c in view.kids[path] if c in view.shown]
        own = indent + {"├╴": "│ ", "└╴": "  ", "": ""}[connector]
        if len(own) // 2 > most:
            own = indent
        below = own + ("│ " if kids else "  ")
        texts = view.entry(path)
        yield indent + connector, below, texts[0]
        for text in texts[1:]:
            yield below, below, text
        for i in range(len(kids) - 1, -1, -1):
            stack.append((kids[i], own, "└╴" if i == len(kids) - 1 else "├╴"))


def _print_wrapped(console: Console, text: Text, first: str, rest: str) -> None:
    width = max(8, console.width - max(len(first), len(rest)))
    for i, line in enumerate(text.wrap(console, width, overflow="fold")):
        prefix = Text(first if i == 0 else rest, "dim")
        console.print(prefix + line, no_wrap=True, overflow="crop")
