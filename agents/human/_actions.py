"""What a person can do at a node, and why an action is refused before it is taken.

An action is data (a pydantic model tagged by ``action``), so that it can be recorded
in a trace, memoised in a cache and sent over HTTP. ``refusal(view, action)`` reads only
the workspace view the person saw, so the terminal and the web app refuse the same
actions with the same reasons.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "Action",
    "Ask",
    "Choice",
    "FollowUp",
    "Reply",
    "UseTool",
    "WriteNote",
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


class Reply(_Action):
    """Answer the node's question and leave it."""

    action: Literal["answer"] = "answer"
    text: str


Action = Annotated[Ask | FollowUp | UseTool | WriteNote | Reply, Field(discriminator="action")]
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
    if isinstance(action, Reply):
        return "an answer cannot be empty" if not action.text.strip() else None
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
    if left is not None and len(questions) > left:
        if left == 0:
            return f"this node may ask no more questions (depth {view['depth']}, {_budget(view)})"
        return (
            f"this node may ask {left} more question{'s' if left != 1 else ''}, "
            f"not {len(questions)} ({_budget(view)})"
        )
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
