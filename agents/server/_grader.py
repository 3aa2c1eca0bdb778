"""A simulated model that plays the grader of ``agents.grader``: it names a failing node.

It reads the tree of the grader's prompt (``agents.tree_text``: ``[path] agent=...``
blocks with ``Q:`` and ``A:`` lines), works out the true answer of each node it checks
where it can (arithmetic expressions, list sums and sorts, lookups over the facts of the
root question), and names where it thinks the error was born: the first node, in the order
shown, that it found wrong with no child it found wrong. Like a model it is fallible:
it checks each node only with probability ``diligence``, and with ``p_confused`` names a
node at random. All randomness is seeded by the request.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agents.server._responders import ChatRequest
from agents.tree_text import FACTS_AS_ABOVE
from experiments.tasks.arithmetic import evaluate, parse, read_int
from experiments.tasks.lists import read_ints
from experiments.tasks.lookup import Facts, read_name, resolve
from hch import Answer, format_path
from hch.seeding import derive_seed

__all__ = ["GraderModel"]

_NODE = re.compile(r"^\[(root(?:\.\d+)*)\] agent=(.*)$")
_SUM = re.compile(r"^What is the sum of these \d+ numbers: (.*)\?$")
_SORT = re.compile(r"^Sort these \d+ numbers in ascending order: (.*)$")
_WHO = re.compile(r"Who is ((?:the [a-z]+ of )+)(\w+)\?\s*$")
_FACT = re.compile(r"^- (\w+): (.*)$")


@dataclass
class _Node:
    path: tuple[int, ...]
    question: str = ""
    answer: str = ""


class GraderModel(BaseModel):
    """A fallible grader of the ``agents.grader`` prompt.

    Attributes:
        diligence: Chance it checks a given node (unchecked nodes look right to it).
        p_confused: Chance it names a node at random.
        seed: Mixed into every reply's random draws.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    diligence: float = Field(0.85, ge=0, le=1)
    p_confused: float = Field(0.1, ge=0, le=1)
    seed: int = 0

    def __call__(self, request: ChatRequest) -> str:
        rng = random.Random(derive_seed(self.seed, request.messages))
        users = [str(m.get("content", "")) for m in request.messages if m.get("role") == "user"]
        nodes = _nodes(users[0] if users else "")
        return json.dumps({"action": "answer", "questions": [], "answer": self._pick(nodes, rng)})

    def _pick(self, nodes: list[_Node], rng: random.Random) -> str:
        if not nodes:
            return "root"
        if rng.random() < self.p_confused:
            return format_path(rng.choice(nodes).path)
        facts = _facts(nodes[0].question)
        wrong = {n.path for n in nodes if rng.random() < self.diligence and _wrong(n, facts)}
        for node in nodes:
            if node.path in wrong and not any(
                len(p) == len(node.path) + 1 and p[:-1] == node.path for p in wrong
            ):
                return format_path(node.path)
        return "root"


def _nodes(text: str) -> list[_Node]:
    """The node blocks of a rendered tree, in the order shown."""
    nodes: list[_Node] = []
    field = ""
    for line in text.splitlines():
        found = _NODE.match(line)
        if found:
            path = tuple(int(p) for p in found.group(1).split(".")[1:])
            nodes.append(_Node(path))
            field = ""
        elif nodes and line.startswith(("  Q: ", "  A: ")):
            field = "question" if line[2] == "Q" else "answer"
            setattr(nodes[-1], field, line[5:])
        elif nodes and field and line.startswith("     "):
            setattr(nodes[-1], field, getattr(nodes[-1], field) + "\n" + line[5:])
        else:
            field = ""
    return nodes


def _facts(root_question: str) -> Facts:
    """The facts a lookup's root question lists (none for other questions)."""
    facts: Facts = {}
    for line in root_question.splitlines():
        found = _FACT.match(line)
        if found:
            pairs = [part.split() for part in found.group(2).split(",")]
            facts[found.group(1)] = {p[0]: p[1] for p in pairs if len(p) == 2}
    return facts


def _wrong(node: _Node, facts: Facts) -> bool:
    """Whether the grader, working the node's question out, finds its answer wrong
    (False where it cannot work the question out)."""
    truth, given = _truth(node.question, node.answer, facts)
    return truth is not None and given != truth


def _truth(question: str, answer: str, facts: Facts) -> tuple[Any, Any]:
    """The true answer to a question it can read, and the answer given read alike."""
    given = Answer(text=answer)
    try:
        if found := _SUM.match(question):
            return sum(_numbers(found.group(1))), read_int(given)
        if found := _SORT.match(question):
            return sorted(_numbers(found.group(1))), read_ints(given)
        if (found := _WHO.search(question)) and facts:
            chain = [w for w in found.group(1).split() if w not in ("the", "of")][::-1]
            return resolve(facts, found.group(2), chain), read_name(given, list(facts))
        if FACTS_AS_ABOVE not in question and "\n" not in question:
            return evaluate(parse(question)), read_int(given)
    except (KeyError, ValueError):
        pass
    return None, None


def _numbers(listed: str) -> list[int]:
    return [int(x) for x in listed.split(",")]
