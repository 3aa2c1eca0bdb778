"""What a person can do at a node, and why an action is refused before it is taken.

An action is data (a pydantic model tagged by ``action``), so that it can be recorded
in a trace, memoised in a cache and sent over HTTP. ``refusal(view, action)`` reads only
the workspace view the person saw, so the terminal and the web app refuse the same
actions with the same reasons.

Texts a person writes (questions, answers, held content) may name the pointers in front
of them as ``$1``, ``$2``, ...: the pointers are passed on unread.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from hch import PointerError, Workspace

__all__ = [
    "Action",
    "Ask",
    "Choice",
    "FollowUp",
    "HoldContent",
    "Reply",
    "UnlockPointer",
    "UseTool",
    "WriteNote",
    "bad_pointer",
    "followable",
    "parse_action",
    "refusal",
]


class _Action(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ask(_Action):
    """Ask new children, all at once (``ctx.ask_all``); a single question is asked
    through a child handle, so that it can be followed up."""

    action: Literal["ask"] = "ask"
    questions: list[str]


class FollowUp(_Action):
    """Ask a child asked alone earlier another question; it sees the whole exchange."""

    action: Literal["follow_up"] = "follow_up"
    child: int
    question: str


class UseTool(_Action):
    """Call a tool the run granted (``ctx.tool``)."""

    action: Literal["tool"] = "tool"
    name: str
    args: dict[str, Any] = {}


class WriteNote(_Action):
    """Annotate the node in the trace (``ctx.note``)."""

    action: Literal["note"] = "note"
    text: str


class UnlockPointer(_Action):
    """See what pointer ``$pointer`` holds (``ctx.unlock``): the first time, it costs
    budget; the pointers inside the content are then numbered too."""

    action: Literal["unlock"] = "unlock"
    pointer: int


class HoldContent(_Action):
    """Put ``text`` in the tree's keeping (``ctx.hold``) and get a new pointer to it, to
    pass down in a question or up in the answer; its ``$n`` are pointers held here."""

    action: Literal["hold"] = "hold"
    text: str


class Reply(_Action):
    """Answer the node's question and leave it."""

    action: Literal["answer"] = "answer"
    text: str


Action = Annotated[
    Ask | FollowUp | UseTool | WriteNote | UnlockPointer | HoldContent | Reply,
    Field(discriminator="action"),
]
_ACTION: TypeAdapter[Action] = TypeAdapter(Action)


def parse_action(data: Any) -> Action:
    """An action from its JSON form (raises pydantic's ValidationError if it is none)."""
    return _ACTION.validate_python(data)


class Choice(BaseModel):
    """An action as taken by someone: what a human node records for each step.

    Attributes:
        action: What was done.
        by: Who did it (a person's name; the agent's own name in the terminal).
        scratchpad: The workspace's scratchpad when the action was taken (web only).
    """

    model_config = ConfigDict(frozen=True)

    action: Action
    by: str
    scratchpad: str = ""

    def response(self) -> dict[str, Any]:
        """The recorded form: the action's fields, then who took it (and the scratchpad)."""
        out: dict[str, Any] = {**self.action.model_dump(mode="json"), "by": self.by}
        if self.scratchpad:
            out["scratchpad"] = self.scratchpad
        return out

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> Choice:
        """Read back a recorded ``response()`` (from a trace or a cache)."""
        fields = {k: v for k, v in response.items() if k not in ("by", "scratchpad")}
        return cls(
            action=parse_action(fields),
            by=str(response.get("by", "")),
            scratchpad=str(response.get("scratchpad", "")),
        )


def refusal(view: dict[str, Any], action: Action) -> str | None:
    """Why ``action`` cannot be taken at the workspace ``view`` shows; None if it can.

    The limits are checked as far as the view shows them (children left, tools, earlier
    children); the tree checks them again when the action is taken.
    """
    left = view.get("children_left")
    if isinstance(action, Reply | HoldContent):
        if not action.text.strip():
            what = "an answer" if isinstance(action, Reply) else "held content"
            return f"{what} cannot be empty"
        return bad_pointer(view, action.text)
    if isinstance(action, UnlockPointer):
        return _unlock_refusal(view, action.pointer)
    if isinstance(action, WriteNote):
        return "a note cannot be empty" if not action.text.strip() else None
    if isinstance(action, UseTool):
        tools = view.get("tools")
        if not action.name.strip():
            return "name the tool to call"
        if tools is not None and action.name not in tools:
            granted = ", ".join(tools) or "none"
            return f"no tool {action.name!r} is granted here (granted: {granted})"
        return None
    if isinstance(action, FollowUp) and (reason := _follow_up_refusal(view, action.child)):
        return reason
    questions = action.questions if isinstance(action, Ask) else [action.question]
    if not questions:
        return "ask at least one question"
    for i, q in enumerate(questions, 1):
        if not q.strip():
            return "a question cannot be empty" if len(questions) == 1 else f"question {i} is empty"
        if reason := bad_pointer(view, q):
            return reason if len(questions) == 1 else f"question {i}: {reason}"
    if left is not None and len(questions) > left:
        if left == 0:
            return f"this node may ask no more questions (depth {view['depth']}, {_budget(view)})"
        return (
            f"this node may ask {left} more question{'s' if left != 1 else ''}, "
            f"not {len(questions)} ({_budget(view)})"
        )
    return None


def bad_pointer(view: dict[str, Any], text: str) -> str | None:
    """Why ``text`` cannot be sent from the workspace ``view`` shows: it names a
    ``$n`` past the pointers there. None if every ``$n`` names one."""
    shown = Workspace(str(p["n"]) for p in view.get("pointers", []))
    try:
        shown.read(text)
    except PointerError as exc:
        return str(exc)
    return None


def _unlock_refusal(view: dict[str, Any], n: int) -> str | None:
    if n < 1:
        return f"pointers are numbered from $1; there is no ${n}"
    if reason := bad_pointer(view, f"${n}"):
        return reason
    if not view["pointers"][n - 1]["locked"]:
        return f"${n} is unlocked already: its content is shown"
    return None


def _budget(view: dict[str, Any]) -> str:
    budget = view.get("budget")
    return "unlimited budget" if budget is None else f"budget left {budget}"


def _follow_up_refusal(view: dict[str, Any], child: int) -> str | None:
    threads = followable(view)
    if child in threads:
        return None
    asked = [c["child"] for e in view.get("log", []) if e["kind"] == "ask" for c in e["asked"]]
    if child in asked:
        return (
            f"child {child} was asked together with others; only a child asked alone "
            "can be followed up"
        )
    known = ", ".join(str(c) for c in asked) or "none yet"
    return f"there is no child {child} (children so far: {known})"


def followable(view: dict[str, Any]) -> set[int]:
    """Children (by index) a follow-up may address: those asked alone, and follow-ups."""
    found: set[int] = set()
    for entry in view.get("log", []):
        if entry["kind"] == "ask" and len(entry["asked"]) == 1:
            found.add(entry["asked"][0]["child"])
        elif entry["kind"] == "follow_up":
            found.add(entry["child"])
    return found
