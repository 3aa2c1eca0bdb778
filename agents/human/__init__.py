"""People at the nodes: in a terminal (``TerminalHuman``) or in a browser (``agents.human.web``).

A human node shows its workspace (question, position, limits left, the pointers in front
of the person numbered ``$1``, ``$2``, ..., everything asked and answered so far) and
takes actions: ask one or several subquestions, follow up with a child, call a granted
tool, write a note, unlock a pointer, hold content behind a new pointer, answer. Each
action is recorded as a ``ModelCall`` of model ``human:<name>`` keyed by what the
person saw, so that a cache seeded from a trace (``Cache.from_trace``) replays the
person's actions unattended.
"""

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
    parse_action,
    refusal,
)
from agents.human._human import Human
from agents.human._mailbox import Mailbox
from agents.human._terminal import TerminalHuman, render
from agents.human._workspace import Workspace

__all__ = [
    "Action",
    "Ask",
    "Choice",
    "FollowUp",
    "HoldContent",
    "Human",
    "Mailbox",
    "Reply",
    "TerminalHuman",
    "UnlockPointer",
    "UseTool",
    "Workspace",
    "WriteNote",
    "parse_action",
    "refusal",
    "render",
]
