"""A language model that names the node where a tree went wrong: attribution by a grader.

The grader is an ``LLMAgent`` asked one question: the whole tree as text
(``agents.tree_text.render``), the root's right answer, and which node made the mistake
that sank the root. Its answer is read as a node path (``read_path``). Each grading runs
as a one-node hch tree, so the call is recorded, cached and replayed like any other.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from agents.llm import LLMAgent, Prompts
from agents.tree_text import read_path, render
from hch import Limits, Question, Tree, run
from hch.model import Path

__all__ = ["GRADER_PROMPTS", "TreeGrader"]

_SYSTEM = """\
You review the work of a tree of assistants. A question went to the root assistant; \
each assistant could split its question into subquestions for other assistants (its \
children) and combine their answers. The root's final answer was wrong. Find the node \
whose mistake caused it: the one that, had it answered right, would have made the final \
answer right; where an error was passed up unchanged, name the node where it began.

Reply with exactly one JSON object and nothing else:
{"action": "answer", "questions": [], "answer": "<the node's path, like root.0.1>"}"""

_QUESTION = """\
{question}

Which node made the mistake that made the final answer wrong? Answer with its path."""

GRADER_PROMPTS = Prompts(system=_SYSTEM, question=_QUESTION)
"""The grader's prompts: the rendered tree goes in as the question."""


class TreeGrader(BaseModel):
    """Names the node to blame for a tree's wrong root, by asking a language model.

    Attributes:
        agent: The model, as an ``LLMAgent`` (its prompts are replaced by
            ``GRADER_PROMPTS`` unless they were changed from the default).
    """

    model_config = ConfigDict(frozen=True)

    agent: LLMAgent

    def model_post_init(self, context: object) -> None:
        if self.agent.prompts == Prompts():
            agent = self.agent.model_copy(update={"prompts": GRADER_PROMPTS, "max_rounds": 0})
            object.__setattr__(self, "agent", agent)

    def grade(self, tree: Tree) -> Tree:
        """The grader's own one-node tree for ``tree`` (its answer names a node)."""
        return run(Question(text=render(tree)), self.agent, limits=Limits(max_depth=0))

    def __call__(self, tree: Tree) -> Path | None:
        """The node the model blames, or None when its reply names no node of ``tree``."""
        answer = self.grade(tree).root.answer
        return None if answer is None else read_path(answer.text, tree)
