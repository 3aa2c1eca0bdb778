"""Experiments: plain functions from grid parameters (and a trial's seed) to a Trial.

    @experiment(grid={"depth": range(7), "p_error": [0.005, 0.01]}, trials=200)
    def depth_vs_quality(depth: int, p_error: float, seed: int) -> Trial:
        sample = TASK.sample(seed)
        return Trial(task=TASK, sample=sample, agent=NoisyCalculator(p_error=p_error),
                     limits=Limits(max_depth=depth))

The function is called once per tree with its grid point as keyword arguments, plus
``trial`` (the index within the grid point) and ``seed`` (derived from the study seed,
the grid point and the trial) if it takes them.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import sys
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from hch.errors import ConfigError
from hch.limits import Limits
from hch.loading import load_module, module_ref
from hch.model import Answer, Question, Tree
from hch.study.grid import Grid, as_values, points
from hch.study.plan import Definition, tree_seed
from hch.tasks import Sample

__all__ = ["Experiment", "Trial", "define", "experiment", "load_experiment"]

RESERVED = ("trial", "seed")
"""Arguments the runner passes itself; they cannot be grid parameters."""


class Trial(BaseModel):
    """What one tree of an experiment runs: a question, who answers it, and the limits.

    Give a task and one of its samples (scored with ``task.check``), or a question with
    its ``truth`` (scored by ``check`` if given, else by equality with the answer's data,
    or with its stripped text when it has no data).

    Attributes:
        agent: One agent for every node, an async function, or a policy
            ``(depth, path) -> Agent``.
        task: The task the sample comes from.
        sample: The root question with its truth.
        question: The root question, when there is no task.
        truth: The right answer to ``question``.
        check: ``check(answer) -> bool`` for ``question``; overrides equality.
        limits: Hard bounds on the tree.
        tools: Channels nodes may call with ``ctx.tool(name, ...)``.
        meta: Stored in the trace header.
        measure: Summarises the finished tree into its result row (``ResultRow.metrics``):
            a function of the Tree returning JSON-able values, such as
            ``hch.analysis.memes.tree_metrics``. A study can then report on every tree,
            not only on those whose trace it keeps.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    agent: Any
    task: Any = None
    sample: Sample | None = None
    question: Question | str | None = None
    truth: Any = None
    check: Callable[[Answer], bool] | None = None
    limits: Limits = Field(default_factory=Limits)
    tools: dict[str, Callable[..., Any]] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)
    measure: Callable[[Tree], Mapping[str, Any]] | None = None

    @model_validator(mode="after")
    def _one_question(self) -> Trial:
        if (self.sample is None) == (self.question is None):
            raise ValueError("give either sample (with task) or question (with truth), not both")
        if self.sample is not None and self.task is None:
            raise ValueError("a sample needs the task that checks it: Trial(task=..., sample=...)")
        return self

    @property
    def root(self) -> Question:
        """The root question."""
        if self.sample is not None:
            return self.sample.question
        q = self.question
        return q if isinstance(q, Question) else Question(text=str(q))

    @property
    def expected(self) -> Any:
        """The truth the root answer is checked against."""
        return self.sample.truth if self.sample is not None else self.truth

    def grade(self, answer: Answer) -> float | None:
        """A score in [0, 1]: the task's own grade where it gives one, else 1.0 if right."""
        # A GradedTask by its method: isinstance against a runtime-checkable Protocol
        # costs more than some whole trees, once per tree.
        score = getattr(self.task, "score", None) if self.sample is not None else None
        if callable(score):
            return float(score(self.sample, answer))
        right = self.score(answer)
        return None if right is None else float(right)

    def score(self, answer: Answer) -> bool | None:
        """Whether ``answer`` is right; None when nothing can say."""
        if self.sample is not None:
            return bool(self.task.check(self.sample, answer))
        if self.check is not None:
            return bool(self.check(answer))
        if self.truth is None:
            return None
        if answer.data is not None:
            return bool(answer.data == self.truth)
        return answer.text.strip() == str(self.truth).strip()


class Experiment:
    """A function that makes Trials, with its default grid, trial count and seed.

    Attributes:
        fn: The decorated function.
        name: The experiment's name (the function's, unless given).
        grid: Default values per parameter; the CLI's ``-p`` overrides them.
        trials: Default number of trees per grid point.
        seed: Default study seed.
    """

    def __init__(
        self,
        fn: Callable[..., Trial],
        *,
        grid: Mapping[str, Any] | None = None,
        trials: int = 100,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.trials = trials
        self.seed = seed
        self._signature = inspect.signature(fn)
        self._hints = get_type_hints(fn)
        self.grid = self._checked({k: as_values(v) for k, v in (grid or {}).items()})

    @property
    def ref(self) -> str:
        """Where a fresh process finds this experiment: ``module:attr`` or ``file.py:attr``.

        Raises:
            ConfigError: if the experiment is not a module-level name.
        """
        module = sys.modules.get(self.fn.__module__)
        attr = next((n for n, v in vars(module or object).items() if v is self), None)
        if module is None or attr is None:
            raise ConfigError(
                f"experiment {self.name} is not a module-level name of {self.fn.__module__}, "
                "so worker processes cannot import it"
            )
        return f"{module_ref(module)}:{attr}"

    @property
    def parameters(self) -> list[str]:
        """Names the function takes as grid parameters."""
        return [name for name in self._signature.parameters if name not in RESERVED]

    def resolve(self, overrides: Mapping[str, list[Any]]) -> Grid:
        """The default grid with ``overrides`` applied, every value checked and typed.

        Raises:
            ConfigError: naming the parameter that is unknown, missing or has a bad value.
        """
        grid = self._checked({**self.grid, **overrides})
        for name, p in self._signature.parameters.items():
            required = p.default is inspect.Parameter.empty and p.kind not in (
                inspect.Parameter.VAR_KEYWORD,
                inspect.Parameter.VAR_POSITIONAL,
            )
            if required and name not in grid and name not in RESERVED:
                raise ConfigError(
                    f"experiment {self.name}: parameter {name} has no value; "
                    f"give it with -p {name}=..."
                )
        return grid

    def _checked(self, grid: Mapping[str, list[Any]]) -> Grid:
        takes_any = any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in self._signature.parameters.values()
        )
        for name in grid:
            if name in RESERVED:
                raise ConfigError(f"parameter {name} is set by the runner; it cannot be in a grid")
            if name not in self._signature.parameters and not takes_any:
                raise ConfigError(
                    f"experiment {self.name} has no parameter {name!r}; "
                    f"it takes {', '.join(self.parameters) or 'none'}"
                )
        return {name: self._typed(name, values) for name, values in grid.items()}

    def _typed(self, name: str, values: list[Any]) -> list[Any]:
        if not values:
            raise ConfigError(f"parameter {name}: no values")
        hint = self._hints.get(name)
        if hint is None:
            return list(values)
        adapter: TypeAdapter[Any] = TypeAdapter(hint)
        typed: list[Any] = []
        for value in values:
            try:
                v = adapter.validate_python(value)
            except ValidationError as exc:
                problem = exc.errors()[0]["msg"]
                raise ConfigError(f"parameter {name}: {value!r} is not usable: {problem}") from None
            if v not in typed:
                typed.append(v)
        return typed

    def trial(self, params: Mapping[str, Any], trial: int, seed: int) -> Trial:
        """Call the function for one tree; raises whatever it raises."""
        kwargs = dict(params)
        for name, value in (("trial", trial), ("seed", seed)):
            if name in self._signature.parameters:
                kwargs[name] = value
        made = self.fn(**kwargs)
        if not isinstance(made, Trial):
            raise TypeError(
                f"experiment {self.name} returned {type(made).__name__}; expected a Trial"
            )
        return made

    def __repr__(self) -> str:
        return f"Experiment({self.name})"


def experiment(
    fn: Callable[..., Trial] | None = None,
    *,
    grid: Mapping[str, Any] | None = None,
    trials: int = 100,
    seed: int = 0,
    name: str | None = None,
) -> Any:
    """Make an Experiment from a function; usable as ``@experiment`` or ``@experiment(...)``.

    Args:
        grid: Parameter -> values (a list, tuple or range; a scalar is one value).
        trials: Trees per grid point.
        seed: The study seed.
        name: Defaults to the function's name.
    """

    def wrap(f: Callable[..., Trial]) -> Experiment:
        return Experiment(f, grid=grid, trials=trials, seed=seed, name=name)

    return wrap if fn is None else wrap(fn)


def load_experiment(spec: str) -> Experiment:
    """The experiment at ``file.py``, ``file.py:name``, ``module`` or ``module:name``.

    Without a name the module must define exactly one experiment.
    """
    where, _, attr = spec.rpartition(":") if _has_attr(spec) else (spec, "", "")
    module = load_module(where)
    if attr:
        found = getattr(module, attr, None)
        if not isinstance(found, Experiment):
            raise ConfigError(f"{where} has no experiment {attr!r}")
        return found
    found_all = {n: v for n, v in vars(module).items() if isinstance(v, Experiment)}
    if len(found_all) != 1:
        names = ", ".join(sorted(found_all)) or "none"
        raise ConfigError(
            f"{where} defines {len(found_all)} experiments ({names}); name one as {where}:NAME"
        )
    return next(iter(found_all.values()))


def define(experiment: Experiment, grid: Grid, seed: int) -> Definition:
    """What ``experiment`` is: its code, and the task and agent classes and the root
    question of trial 0 at the first point of ``grid`` (made twice: a part that differs
    between the two, as from an unseeded random choice, is left out, not compared)."""
    at = next(iter(points(grid)), {})
    parts = [_trial_parts(experiment, at, seed) for _ in range(2)]
    same = {k: v if parts[1].get(k) == v else None for k, v in parts[0].items()}
    return Definition(at=at, code=_code(experiment.fn), **same)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _trial_parts(experiment: Experiment, at: dict[str, Any], seed: int) -> dict[str, str | None]:
    try:
        made = experiment.trial(at, 0, tree_seed(seed, at, 0))
        question = f"{made.root.text}\n{made.expected!r}"
    except Exception:  # the study's rows will say what is wrong with the experiment
        return {"task": None, "agent": None, "question": None}
    # Classes by name alone: the module of one defined beside the experiment is named
    # after how it was run (``python file.py``, ``hch study file.py``).
    task = type(made.task).__qualname__ if made.task is not None else "none"
    agent = getattr(made.agent, "__qualname__", None) or type(made.agent).__qualname__
    return {"task": task, "agent": agent, "question": _digest(question)}


def _code(fn: Callable[..., Any]) -> str | None:
    """A digest of a function's code, without its decorators, docstring or layout."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    node.decorator_list = []
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        node.body = body[1:] or [ast.Pass()]
    return _digest(ast.dump(node))


def _has_attr(spec: str) -> bool:
    # "C:/x.py" style drive letters aside, a colon after the last path separator names an attr.
    tail = spec.replace("\\", "/").rsplit("/", 1)[-1]
    return ":" in tail
