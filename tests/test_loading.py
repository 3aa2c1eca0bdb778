"""Finding user objects by name and parsing KEY=VALUE options."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from hch.errors import ConfigError
from hch.loading import build, load_target, parse_options
from hch.registry import find


def test_registry_names_module_attr_and_files(tmp_path: Path) -> None:
    assert load_target("json:dumps").__name__ == "dumps"
    assert find("agent", "json:dumps").__name__ == "dumps"
    assert find("task", "arithmetic").__name__ == "ArithmeticTask"
    file = tmp_path / "mine.py"
    file.write_text("VALUE = 41 + 1\n")
    assert load_target(f"{file}:VALUE") == 42
    assert find("task", f"{file}:VALUE") == 42


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nothing", r"neither a registered agent \(.*noisy-calculator.*\) nor module:attr"),
        ("no_such_module_xyz:a", "cannot import no_such_module_xyz"),
        ("json:nope", "json has no attribute 'nope'"),
        ("/no/such/file.py:a", "no such file"),
    ],
)
def test_bad_names_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        find("agent", spec)


def test_parse_options_reads_json_values_and_falls_back_to_text() -> None:
    assert parse_options(["a=1", "b=0.5", "c=true", "d=x y", "e=[1,2]"], "agent") == {
        "a": 1,
        "b": 0.5,
        "c": True,
        "d": "x y",
        "e": [1, 2],
    }
    with pytest.raises(ConfigError, match="agent option 'oops' is not KEY=VALUE"):
        parse_options(["oops"], "agent")


class Config(BaseModel):
    rate: float = 0.1


def test_build_names_the_rejected_option() -> None:
    assert build(Config, {"rate": 0.5}, "agent") == Config(rate=0.5)
    with pytest.raises(ConfigError, match=r"agent option rate: .*valid number"):
        build(Config, {"rate": "fast"}, "agent")
    with pytest.raises(ConfigError, match="takes no options"):
        build(Config(), {"rate": 1}, "agent")
