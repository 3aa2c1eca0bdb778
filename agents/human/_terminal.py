"""TerminalHuman: a person answers a node by typing commands in a terminal.

The node's workspace is printed (question, position, what is left of the limits, the
earlier exchange of a follow-up, the pointers in front of the person, locked or with
their content, and everything asked and answered so far), then a prompt takes one
command. Reads happen on a daemon thread, so a waiting node never
blocks the event loop, Ctrl-C cancels it at once (the node is recorded as cancelled),
and an abandoned read never keeps the process alive.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from typing import Any, TextIO

import anyio
from anyio.lowlevel import RunVar

from agents.human._actions import (
    Action,
    Ask,
    Choice,
    FollowUp,
    HoldContent,
    Reply,
    UnlockPointer,
    UseTool,
    WriteNote,
    refusal,
)
from agents.human._human import Human
from agents.human._mailbox import Mailbox
from agents.human._workspace import Workspace
from hch import AgentError, ConfigError
from hch.loading import parse_options
from hch.text import printable

__all__ = ["HELP", "TerminalHuman", "render"]

HELP = """\
Commands:
  ask QUESTION            ask one subquestion (it can be followed up)
  ask                     ask several at once: one per line, an empty line ends
  follow N QUESTION       ask child N again; it sees your earlier exchange
  tool NAME [KEY=VALUE]   call a granted tool (values are JSON, else text)
  note TEXT               write a note on this node (kept in the trace)
  unlock $N               see what pointer $N holds (the first unlock costs budget)
  hold TEXT               keep TEXT behind a new pointer, to pass down or up
  answer TEXT             answer and leave (just `answer`: several lines, an empty line ends)
  help                    show this
Writing $N in a question, an answer or held text passes pointer $N on, unread.
Ctrl-C stops the tree: this node is recorded as cancelled and the trace stays loadable."""

_RULE = "─" * 72


@dataclass(eq=False)
class TerminalHuman(Human):
    """A person at a terminal plays the node.

    Attributes:
        name: Recorded as the node's agent and as who took each action.
        cache: A ``Cache`` (or its file) of memoised actions: a workspace seen before
            reuses its recorded action instead of asking.
        tools: Tool names to show (the run must grant them).
        input: Where commands are read (default: standard input).
        output: Where workspaces are shown (default: standard output).

    Several TerminalHumans on one input take turns: one node at a time has the prompt.
    """

    name: str = "you"
    input: TextIO | None = field(default=None, repr=False)
    output: TextIO | None = field(default=None, repr=False)

    @property
    def reads(self) -> TextIO:
        return self.input if self.input is not None else sys.stdin

    @property
    def writes(self) -> TextIO:
        return self.output if self.output is not None else sys.stdout

    def _say(self, text: str) -> None:
        self.writes.write(text + "\n")
        self.writes.flush()

    async def choose(self, workspace: Workspace) -> Choice:
        async with _terminal_lock(self.reads):
            view = workspace.view()
            self._say(render(view))
            lines = _lines(self.reads)
            where = view["path"]
            while True:
                self.writes.write(f"{where}> ")
                self.writes.flush()
                command = await self._read(lines, workspace)
                try:
                    action = await self._parse(command, lines, workspace)
                except ConfigError as exc:
                    self._say(f"refused: {exc}")
                    continue
                if action is None:
                    continue
                reason = refusal(view, action)
                if reason is None:
                    return Choice(action=action, by=self.name)
                self._say(f"refused: {printable(reason)}")

    def replayed(self, workspace: Workspace, choice: Choice) -> None:
        what = printable(str(choice.response()))
        self._say(f"{workspace.view()['path']}: the recorded action {what}")

    async def _read(self, lines: _Lines, workspace: Workspace) -> str:
        line = await lines.get()
        if line is None:
            raise AgentError(
                f"the terminal closed (end of input) before {workspace.view()['path']} was answered"
            )
        return line.strip()

    async def _parse(self, command: str, lines: _Lines, workspace: Workspace) -> Action | None:
        word, _, rest = command.partition(" ")
        rest = rest.strip()
        word = word.lower()
        if not word:
            return None
        if word in ("help", "?"):
            self._say(HELP)
            return None
        if word == "ask":
            if rest:
                return Ask(questions=[rest])
            return Ask(questions=await self._several(lines, workspace, "question"))
        if word in ("follow", "follow-up", "followup"):
            number, _, question = rest.partition(" ")
            if not number.isdigit():
                raise ConfigError("follow needs a child number and a question: follow N QUESTION")
            return FollowUp(child=int(number), question=question.strip())
        if word == "tool":
            if not rest:
                raise ConfigError("tool needs a name: tool NAME [KEY=VALUE ...]")
            name, *pairs = rest.split()
            return UseTool(name=name, args=parse_options(pairs, "tool"))
        if word == "note":
            return WriteNote(text=rest)
        if word == "unlock":
            number = rest.removeprefix("$")
            if not number.isdigit():
                raise ConfigError("unlock needs a pointer: unlock $N")
            return UnlockPointer(pointer=int(number))
        if word == "hold":
            return HoldContent(text=rest)
        if word == "answer":
            if rest:
                return Reply(text=rest)
            return Reply(text="\n".join(await self._several(lines, workspace, "line")))
        raise ConfigError(f"unknown command {printable(word)!r}; type help")

    async def _several(self, lines: _Lines, workspace: Workspace, what: str) -> list[str]:
        found: list[str] = []
        while True:
            self.writes.write(f"  {what} {len(found) + 1} (empty line ends): ")
            self.writes.flush()
            line = await self._read(lines, workspace)
            if not line:
                return found
            found.append(line)


def render(view: dict[str, Any]) -> str:
    """The workspace ``view`` as the terminal shows it, every untrusted text escaped."""
    left = view["children_left"]
    budget = view["budget"]
    facts = [
        f"node {view['path']}",
        f"depth {view['depth']}",
        "budget unlimited" if budget is None else f"budget left {budget}",
        "may ask any number" if left is None else f"may ask {left} more",
    ]
    out = [_RULE, " · ".join(facts), f"Question: {printable(view['question'])}"]
    if "data" in view:
        out.append(f"Data: {printable(repr(view['data']))}")
    if view["history"]:
        out.append("Earlier turns with the node asking you (this is a follow-up):")
        for turn in view["history"]:
            out.append(f"  Q: {printable(turn['question'])}")
            out.append(f"  A: {printable(turn['answer'])}")
    if "pointers" in view:
        out.append("Pointers ($N in what you write passes it on unread):")
        out.extend(_pointer(p) for p in view["pointers"])
    if view["log"]:
        out.append("So far:")
        out.extend(_entry(e) for e in view["log"])
    if "tools" in view:
        out.append(f"Tools: {printable(', '.join(view['tools']) or 'none')}")
    out.append("Type help for the commands.")
    return "\n".join(out)


def _answered(answer: str | None, failure: str | None) -> str:
    if answer is not None:
        return printable(answer)
    return f"(no answer: {printable(failure or 'failed')})"


def _pointer(p: dict[str, Any]) -> str:
    if p["locked"]:
        return f"  ${p['n']} locked (unlock ${p['n']} to see it)"
    line = f"  ${p['n']}: {printable(p['text'])}"
    if "data" in p:
        line += f"\n      data: {printable(repr(p['data']))}"
    return line


def _entry(e: dict[str, Any]) -> str:
    kind = e["kind"]
    if kind == "unlock":
        cost = f" (cost {e['cost']})" if "cost" in e else ""
        return f"  unlocked ${e['pointer']}{cost}"
    if kind == "hold":
        return f"  held ${e['pointer']}: {printable(e['text'])}"
    if kind == "ask":
        return "\n".join(
            f"  [{c['child']}] Q: {printable(c['question'])}\n"
            f"      A: {_answered(c['answer'], c['failure'])}"
            for c in e["asked"]
        )
    if kind == "follow_up":
        return (
            f"  [{e['child']}] follow-up to [{e['follows']}] Q: "
            f"{printable(e['question'])}\n"
            f"      A: {_answered(e['answer'], e['failure'])}"
        )
    if kind == "tool":
        outcome = f"error {e['error']}" if "error" in e else repr(e.get("result"))
        return f"  tool {printable(e['name'])} {printable(repr(e['args']))} -> {printable(outcome)}"
    if kind == "note":
        return f"  note: {printable(e['text'])}"
    return f"  refused {printable(repr(e['action']))}: {printable(e['reason'])}"


class _Lines:
    """Lines of one input stream, read ahead by a daemon thread."""

    def __init__(self, stream: TextIO) -> None:
        self._box: Mailbox[str | None] = Mailbox()
        self._stream = stream
        self._thread = threading.Thread(target=self._run, name="hch-terminal-input", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                line = self._stream.readline()
            except (OSError, ValueError):
                line = ""
            if not line:
                self._box.put(None)
                return
            self._box.put(line)

    async def get(self) -> str | None:
        """The next line, or None at the end of input (which stays the end)."""
        line = await self._box.get()
        if line is None:
            self._box.put(None)
        return line


_READERS: dict[int, tuple[TextIO, _Lines]] = {}
_READERS_LOCK = threading.Lock()


def _lines(stream: TextIO) -> _Lines:
    """The one reader of ``stream`` (every TerminalHuman on it shares it)."""
    with _READERS_LOCK:
        held = _READERS.get(id(stream))
        if held is None or held[0] is not stream:
            held = _READERS[id(stream)] = (stream, _Lines(stream))
        return held[1]


_LOCKS: RunVar[dict[int, anyio.Lock]] = RunVar("hch_terminal_locks")


def _terminal_lock(stream: TextIO) -> anyio.Lock:
    """This event loop's lock on ``stream``: one node at a time has the prompt."""
    locks = _LOCKS.get(None)
    if locks is None:
        locks = {}
        _LOCKS.set(locks)
    return locks.setdefault(id(stream), anyio.Lock())
