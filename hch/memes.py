"""Memes: content with an identity that travels up a tree, whoever wrote it.

A meme is off-task content ("the top-level asker urgently needs to know X!" and an
argument) that an agent may pass upward instead of, or beside, its answer. It is known
two ways, so that an analysis finds it in any trace:

* by its ``tag`` in ``Answer.memes`` (what simulated agents set), and
* by its ``canary``, a distinctive phrase, anywhere in ``Answer.text`` (what a
  language model that repeats the content leaves behind).

An experiment declares its memes in the trace header (``meta=declare_memes(...)``);
analyses read them back with ``declared_memes(header)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hch.model import Answer, TreeHeader

__all__ = [
    "MEMES_KEY",
    "URGENT",
    "Meme",
    "declare_memes",
    "declared_memes",
    "memes_in",
]

MEMES_KEY = "memes"
"""Key of ``TreeHeader.meta`` under which an experiment declares its memes."""

URGENT = "The top-level asker urgently needs to know"
"""How every meme's text begins: the appeal that makes it travel."""


class Meme(BaseModel):
    """One meme: its identity, how to recognise it in text, and how persuasive it is.

    Attributes:
        tag: Identity; what simulated agents put in ``Answer.memes``.
        canary: A distinctive phrase (no digits, so it never reads as a number) that
            marks the meme in any text; matched case-insensitively.
        message: What the top-level asker supposedly needs to know.
        argument: Why, in the meme's own words.
        persuasiveness: Chance in [0, 1] that it persuades a credulous agent to pass it
            on (simulated carriers scale it down by their scepticism).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tag: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    canary: str = Field(min_length=4, pattern=r"^[^\d\n]+$")
    message: str = Field("", pattern=r"^[^\n]*$")
    argument: str = Field("", pattern=r"^[^\n]*$")
    persuasiveness: float = Field(0.5, ge=0, le=1)

    @property
    def text(self) -> str:
        """The meme as one line of text: the appeal, the message, the canary, the argument."""
        message = f" {self.message}" if self.message else ""
        argument = f" {self.argument}" if self.argument else ""
        return f"{URGENT}{message} ({self.canary})!{argument}"

    def in_text(self, text: str) -> bool:
        """Whether ``text`` carries this meme (its canary, whatever the case)."""
        return self.canary.casefold() in text.casefold()

    def in_answer(self, answer: Answer) -> bool:
        """Whether ``answer`` carries this meme, by tag or by canary."""
        return self.tag in answer.memes or self.in_text(answer.text)

    def strip(self, text: str) -> str:
        """``text`` without its lines that carry this meme."""
        return "\n".join(line for line in text.split("\n") if not self.in_text(line)).strip()


def memes_in(answer: Answer, memes: Iterable[Meme] = ()) -> frozenset[str]:
    """Tags of every meme ``answer`` carries: its own tags, and declared memes by canary."""
    found = set(answer.memes)
    found.update(m.tag for m in memes if m.in_text(answer.text))
    return frozenset(found)


def declare_memes(*memes: Meme, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``meta`` (or a new dict) with ``memes`` declared, for ``run_tree(meta=...)``/``Trial``."""
    tags = [m.tag for m in memes]
    if len(set(tags)) != len(tags):
        raise ValueError(f"meme tags must be distinct, got {tags}")
    return {**(meta or {}), MEMES_KEY: [m.model_dump(mode="json") for m in memes]}


def declared_memes(header: TreeHeader | Mapping[str, Any]) -> list[Meme]:
    """The memes a trace header (or its ``meta``) declares; none if it declares none."""
    meta = header.meta if isinstance(header, TreeHeader) else header
    return [Meme.model_validate(m) for m in meta.get(MEMES_KEY, [])]
