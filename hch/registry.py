"""Tasks, agents and commands found by name: a registry fed by entry points.

A package declares what it provides in its ``pyproject.toml``, the built-ins exactly as
a third-party package would::

    [project.entry-points."hch.agents"]
    noisy-calculator = "agents.simulated:NoisyCalculator"

Groups: ``hch.tasks`` and ``hch.agents`` (``module:attr`` of a class or factory),
``hch.commands`` (a module with ``add_parser(subparsers)``, for commands that need a
layer above the engine, such as model servers). The engine itself imports no
particular agent or task: it looks their names up here.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any, Literal

from hch.errors import ConfigError
from hch.loading import load_target

__all__ = ["GROUPS", "Kind", "find", "registered"]

Kind = Literal["task", "agent", "command"]

GROUPS: dict[str, str] = {"task": "hch.tasks", "agent": "hch.agents", "command": "hch.commands"}
"""The entry-point group of each kind."""


@cache
def registered(kind: Kind) -> dict[str, str]:
    """Registered names of ``kind`` -> their ``module:attr`` (or module), sorted by name.

    When two packages register one name, the first one found wins.
    """
    found: dict[str, str] = {}
    for ep in entry_points(group=GROUPS[kind]):
        found.setdefault(ep.name, ep.value)
    return dict(sorted(found.items()))


def find(kind: Kind, spec: str) -> Any:
    """A registered name of ``kind``, or ``module:attr``, or ``path/to/file.py:attr``.

    Raises:
        ConfigError: naming the spec, and what is registered, when nothing is found.
    """
    known = registered(kind)
    if spec in known:
        return load_target(known[spec])
    if ":" not in spec:
        names = ", ".join(known) or "none"
        raise ConfigError(f"{spec!r} is neither a registered {kind} ({names}) nor module:attr")
    return load_target(spec)
