"""`hch study`: arguments, errors that name their parameter, and the table it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from hch.cli import main, parser
from hch.study import load

FLAGSHIP = str(Path(__file__).resolve().parent.parent / "experiments" / "depth_vs_quality.py")


def test_arguments_parse() -> None:
    argv = ["study", "x.py", "-p", "depth=0..6", "-p", "p_error=0.01,0.05", "--trials", "5"]
    argv += ["--out", "d", "--workers", "2", "--seed", "9", "--quiet", "--keep-traces", "failures"]
    args = parser().parse_args(argv)
    assert args.param == ["depth=0..6", "p_error=0.01,0.05"]
    assert (args.trials, args.out, args.workers, args.seed) == (5, "d", 2, 9)
    assert args.quiet and args.keep_traces == "failures"
    with pytest.raises(SystemExit):
        parser().parse_args(["study", "x.py", "--keep-traces", "some"])


def test_study_runs_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["study", FLAGSHIP, "-p", "depth=0..2", "-p", "p_error=0.01", "--trials", "4"]
    argv += ["--out", str(tmp_path), "--quiet", "--seed", "5"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "95% CI" in out
    assert f"plot: {tmp_path / 'plots' / 'accuracy.png'}" in out
    assert (tmp_path / "plots" / "accuracy.svg").stat().st_size > 0
    assert f"results: {tmp_path / 'results.jsonl'} (12 rows)" in out
    rows = load(tmp_path)
    deepest = max((r for r in rows if r.trace), key=lambda r: r.depth)
    assert f"deepest: {tmp_path / str(deepest.trace)}" in out
    assert len(rows) == 12
    assert {(r.params["depth"], r.params["p_error"]) for r in rows} == {
        (0, 0.01),
        (1, 0.01),
        (2, 0.01),
    }
    assert all(r.depth <= r.params["depth"] and r.truth is not None for r in rows)
    table = out.split("plot:")[0].splitlines()
    assert len(table) == 1 + 3  # header and one line per grid cell
    for line, depth in zip(table[1:], range(3), strict=True):
        cells = [r for r in rows if r.params["depth"] == depth]
        accuracy = sum(bool(r.correct) for r in cells) / len(cells)
        assert line.split()[:4] == [str(depth), "0.01", "4", f"{accuracy:.3f}"]


def test_study_by_module_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["study", "tests.study_experiments:flips", "--out", str(tmp_path), "--quiet"]
    argv += ["--no-plots"]
    assert main([*argv, "--trials", "2"]) == 0
    assert len(load(tmp_path)) == 4 and not (tmp_path / "plots").exists()
    assert main([*argv, "--seed", "8"]) == 2
    assert "holds a study with seed 3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("dpeth=1", "experiment depth_vs_quality has no parameter 'dpeth'"),
        ("depth=deep", "parameter depth: 'deep' is not usable"),
        ("depth=3..1", "parameter depth: range '3..1' is empty"),
        ("depth", "parameter 'depth' is not NAME=VALUES"),
    ],
)
def test_bad_parameters_exit_2_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], param: str, message: str
) -> None:
    assert main(["study", FLAGSHIP, "-p", param, "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hch study: error: ") and message in err
    assert not (tmp_path / "results.jsonl").exists()


def test_missing_experiment_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["study", "no/such/study.py", "--quiet"]) == 2
    assert "no such file: no/such/study.py" in capsys.readouterr().err
