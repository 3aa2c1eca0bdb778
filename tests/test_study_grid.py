"""Experiments, grids and seeds: parsing, checking, and seeds that never move."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from pydantic import ValidationError

import hch.study
from experiments.tasks.arithmetic import ArithmeticTask
from hch import Answer, Limits
from hch.errors import ConfigError
from hch.study import Trial, experiment, load_experiment, parse_params, plan_study, tree_seed
from hch.study.grid import merge, parse_values, points
from tests import study_experiments
from tests.study_experiments import coin, flips


def test_public_names_are_exactly_all() -> None:
    public = {
        name
        for name, value in vars(hch.study).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert hch.study.__all__ == sorted(public)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("0..6", [0, 1, 2, 3, 4, 5, 6]),
        ("3..3", [3]),
        ("0.01,0.05", [0.01, 0.05]),
        ("7", [7]),
        ("true", [True]),
        ("fast", ["fast"]),
        ("a, b", ["a", "b"]),
        ('[1, "x,y"]', [1, "x,y"]),
    ],
)
def test_parse_values(text: str, values: list[object]) -> None:
    assert parse_values("p", text) == values


@pytest.mark.parametrize("text", ["", "a..b", "6..0", "1,,2", "[1,", "[]"])
def test_bad_values_name_the_parameter(text: str) -> None:
    with pytest.raises(ConfigError, match="parameter depth"):
        parse_values("depth", text)


def test_parse_params() -> None:
    assert parse_params(["depth=0..2", "p_error=0.01,0.05"]) == {
        "depth": [0, 1, 2],
        "p_error": [0.01, 0.05],
    }
    with pytest.raises(ConfigError, match="NAME=VALUES"):
        parse_params(["depth"])
    with pytest.raises(ConfigError, match="depth is given twice"):
        parse_params(["depth=1", "depth=2"])


def test_points_and_merge() -> None:
    assert points({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert points({}) == [{}]
    assert merge({"a": [1, 2]}, {"a": [2, 3]}) == {"a": [1, 2, 3]}


def test_overrides_replace_defaults_and_are_typed() -> None:
    grid = flips.resolve({"k": [1], "depth": [0, 1]})
    assert grid == {"k": [1], "depth": [0, 1]}
    assert flips.grid == {"k": [0, 1], "depth": [0]}  # the defaults are untouched

    @experiment(grid={"p": 0.5})
    def rates(p: float) -> Trial:
        return Trial(question="q", agent=coin)

    assert rates.resolve({"p": [1, 1.0]}) == {"p": [1.0]}  # typed and deduplicated
    assert type(rates.resolve({"p": [1]})["p"][0]) is float


def test_bad_parameters_are_config_errors_naming_them() -> None:
    with pytest.raises(ConfigError, match=r"no parameter 'dpeth'.*takes k, depth"):
        flips.resolve({"dpeth": [1]})
    with pytest.raises(ConfigError, match="parameter depth: 'deep' is not usable"):
        flips.resolve({"depth": ["deep"]})
    with pytest.raises(ConfigError, match="parameter seed is set by the runner"):
        flips.resolve({"seed": [1]})

    @experiment
    def needs(width: int) -> Trial:
        return Trial(question="q", agent=coin)

    with pytest.raises(ConfigError, match="parameter width has no value"):
        needs.resolve({})
    assert needs.resolve({"width": [2]}) == {"width": [2]}


def test_seeds_depend_only_on_study_seed_params_and_trial() -> None:
    small = {(j.key): j.seed for j in plan_study(flips).jobs()}
    bigger = {j.key: j.seed for j in plan_study(flips, params={"k": [0, 1, 2]}, trials=9).jobs()}
    assert len(small) == 2 * 6 and len(bigger) == 3 * 9
    assert all(bigger[key] == seed for key, seed in small.items())
    assert len(set(bigger.values())) == len(bigger)
    other = {j.key: j.seed for j in plan_study(flips, seed=4).jobs()}
    assert other.keys() == small.keys() and not set(other.values()) & set(small.values())
    job = next(plan_study(flips).jobs())
    assert job.seed == tree_seed(3, job.params, job.trial)


def test_jobs_go_trial_by_trial() -> None:
    jobs = list(plan_study(flips, trials=2).jobs())
    assert [(j.trial, j.params["k"]) for j in jobs] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_experiment_receives_params_trial_and_seed() -> None:
    seen = []

    @experiment(grid={"a": [1]})
    def spy(a: int, trial: int, seed: int) -> Trial:
        seen.append((a, trial, seed))
        return Trial(question="q", agent=coin)

    assert isinstance(spy.trial({"a": 1}, 4, 99), Trial)
    assert seen == [(1, 4, 99)]
    with pytest.raises(TypeError, match="returned str; expected a Trial"):
        study_experiments.fragile.trial({"mode": "returns"}, 0, 0)


def test_load_experiment_by_file_module_and_name(tmp_path: Path) -> None:
    assert load_experiment("tests.study_experiments:flips") is flips
    assert load_experiment(flips.ref) is flips
    with pytest.raises(ConfigError, match="defines 4 experiments"):
        load_experiment("tests.study_experiments")
    with pytest.raises(ConfigError, match="no experiment 'coin'"):
        load_experiment("tests.study_experiments:coin")
    file = tmp_path / "one.py"
    file.write_text(
        "from hch.study import Trial, experiment\n"
        "@experiment(grid={'x': [1, 2]})\n"
        "def only(x: int) -> Trial:\n"
        "    return Trial(question='q', truth=x, agent=None)\n"
    )
    loaded = load_experiment(str(file))
    assert loaded.name == "only" and loaded.grid == {"x": [1, 2]}
    assert loaded.ref == f"{file.resolve()}:only"
    assert load_experiment(loaded.ref).name == "only"
    with pytest.raises(ConfigError, match="no such file"):
        load_experiment(str(tmp_path / "missing.py"))


def test_trial_needs_exactly_one_question() -> None:
    task = ArithmeticTask(leaves=2)
    sample = task.sample(1)
    with pytest.raises(ValidationError, match="either sample"):
        Trial(agent=coin)
    with pytest.raises(ValidationError, match="either sample"):
        Trial(agent=coin, task=task, sample=sample, question="q")
    with pytest.raises(ValidationError, match="needs the task"):
        Trial(agent=coin, sample=sample)
    with pytest.raises(ValidationError, match="max_depth"):
        Trial(agent=coin, question="q", limits=Limits(max_depth=-1))


def test_trial_scoring() -> None:
    task = ArithmeticTask(leaves=2)
    sample = task.sample(1)
    right = Answer(text=str(sample.truth))
    assert Trial(agent=coin, task=task, sample=sample).score(right) is True
    assert Trial(agent=coin, task=task, sample=sample).score(Answer(text="x")) is False
    assert Trial(agent=coin, question="q", truth=3).score(Answer(text=" 3 ")) is True
    assert Trial(agent=coin, question="q", truth=3).score(Answer(text="3", data=4)) is False
    assert Trial(agent=coin, question="q").score(Answer(text="3")) is None
    custom = Trial(agent=coin, question="q", check=lambda a: a.text.startswith("y"))
    assert custom.score(Answer(text="yes")) is True
