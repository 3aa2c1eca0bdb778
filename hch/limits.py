"""Limits: the hard bounds a tree may never exceed, whatever its agents do."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Limits"]


class Limits(BaseModel):
    """Bounds on one tree.

    The root is depth 0; a node at ``max_depth`` cannot ask. ``budget`` counts nodes,
    HCH(n)-style: a node's budget includes itself, children are carved out of what is
    left, and whatever a child does not use returns to its parent when it answers.

    Timeouts are cooperative: they fire where a node awaits, and every ``ask`` and
    ``ask_all`` is such a point, even when it refuses at once. A node that blocks without
    awaiting (``time.sleep``, a long computation) holds the whole event loop: nothing can
    interrupt it, not even ``tree_timeout``, which fires at the next await anywhere. When
    such a node returns past its ``node_timeout`` it is recorded as timed out all the
    same. Run blocking work with ``await anyio.to_thread.run_sync(...)`` to keep it
    interruptible.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_depth: int = Field(3, ge=0, description="Deepest depth a node may have; 0 = root alone.")
    budget: int | None = Field(
        None, ge=1, description="Nodes the whole tree may use, root included; None = unbounded."
    )
    max_children: int | None = Field(
        None, ge=0, description="Questions one node may ask (follow-ups included); None = any."
    )
    node_timeout: float | None = Field(
        None,
        gt=0,
        description="Seconds one node may spend on its own work; time spent waiting for its "
        "children does not count, so a child's timeout reaches its parent as ChildFailed.",
    )
    tree_timeout: float | None = Field(None, gt=0, description="Seconds the whole tree may take.")
    unlock_cost: int = Field(
        1,
        ge=0,
        description="Budget one ctx.unlock of a pointer uses (a node's first unlock of it; "
        "later ones are free), as a child of that size would.",
    )
