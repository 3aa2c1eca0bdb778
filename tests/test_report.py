"""Study reports: cell arithmetic, Wilson intervals, table and text, plots, `hch report`."""

from __future__ import annotations

import io
import math
import statistics
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from rich.console import Console

from hch.cli import main
from hch.errors import ConfigError
from hch.study.plots import pick_x, plot
from hch.study.report import summarize, table, text
from hch.study.results import ResultRow

Z = statistics.NormalDist().inv_cdf(0.975)


def _wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson interval as the roots of (k/n - p)^2 = z^2 p (1 - p) / n."""
    phat, z2 = k / n, Z * Z
    a, b, c = 1 + z2 / n, -(2 * phat + z2 / n), phat * phat
    root = math.sqrt(b * b - 4 * a * c)
    return ((-b - root) / (2 * a), (-b + root) / (2 * a))


def _rows(params: dict[str, object], right: int, wrong: int, **extra: int) -> list[ResultRow]:
    """``right`` and ``wrong`` answered rows, plus ``failed``/``errors``/``unscored`` ones."""
    kinds = (
        [(True, "ok", 5)] * right
        + [(False, "ok", 7)] * wrong
        + [(None, "failed", 3)] * extra.get("failed", 0)
        + [(None, "error", 0)] * extra.get("errors", 0)
        + [(None, "ok", 9)] * extra.get("unscored", 0)
    )
    return [
        ResultRow(study="s", params=params, trial=i, seed=i, correct=c, status=s, nodes=nodes)
        for i, (c, s, nodes) in enumerate(kinds)
    ]


def _study() -> list[ResultRow]:
    rows: list[ResultRow] = []
    for depth, p, right, wrong in [(10, 0.1, 3, 9), (2, 0.1, 7, 3), (0, 0.1, 1, 1), (2, 0.3, 2, 8)]:
        rows += _rows({"depth": depth, "p_error": p}, right, wrong)
    return rows + _rows({"depth": 0, "p_error": 0.3}, 4, 2, failed=2, errors=1, unscored=3)


def test_cells_count_failures_and_errors_as_wrong() -> None:
    cells = {(c.params["depth"], c.params["p_error"]): c for c in summarize(_study())}
    odd = cells[(0, 0.3)]
    assert (odd.rows, odd.n, odd.right, odd.failed, odd.errors, odd.unscored) == (12, 9, 4, 2, 1, 3)
    assert odd.accuracy == pytest.approx(4 / 9)
    assert odd.nodes == pytest.approx((4 * 5 + 2 * 7 + 2 * 3 + 3 * 9) / 11)  # error rows never ran
    plain = cells[(2, 0.1)]
    assert (plain.n, plain.right, plain.accuracy) == (10, 7, 0.7)
    assert plain.nodes == pytest.approx((7 * 5 + 3 * 7) / 10)


@pytest.mark.parametrize(("k", "n"), [(0, 5), (1, 2), (7, 10), (4, 9), (200, 200), (37, 1000)])
def test_intervals_are_wilson(k: int, n: int) -> None:
    (cell,) = summarize(_rows({"depth": 1}, k, n - k))
    low, high = _wilson(k, n)
    assert cell.low == pytest.approx(max(0.0, low), abs=1e-7)  # hch.stats rounds z to 1.959964
    assert cell.high == pytest.approx(min(1.0, high), abs=1e-7)
    assert cell.low - 1e-12 <= k / n <= cell.high + 1e-12


def test_a_cell_with_nothing_scored_has_no_accuracy() -> None:
    (cell,) = summarize(_rows({"depth": 1}, 0, 0, unscored=4))
    assert (cell.n, cell.accuracy, cell.low, cell.high) == (0, None, 0.0, 1.0)


def test_cells_sort_by_parameters_numbers_numerically() -> None:
    order = [(c.params["depth"], c.params["p_error"]) for c in summarize(_study())]
    assert order == [(0, 0.1), (0, 0.3), (2, 0.1), (2, 0.3), (10, 0.1)]
    mixed = _rows({"k": "b"}, 1, 0) + _rows({"k": 3}, 1, 0) + _rows({"other": 1}, 1, 0)
    assert [c.params for c in summarize(mixed)] == [{"k": 3}, {"k": "b"}, {"other": 1}]


def test_text_table_holds_the_numbers() -> None:
    lines = [line.split() for line in text(_study()).splitlines()]
    header = lines[0]
    assert header == [
        "depth", "p_error", "n", "accuracy", "95%", "CI", "nodes", "failed", "errors", "unscored"
    ]  # fmt: skip
    assert [line[:2] for line in lines[1:]] == [
        ["0", "0.1"], ["0", "0.3"], ["2", "0.1"], ["2", "0.3"], ["10", "0.1"]
    ]  # fmt: skip
    low, high = _wilson(4, 9)
    assert lines[2][2:] == ["9", "0.444", f"{low:.3f}-{high:.3f}", "6.1", "2", "1", "3"]
    low, high = _wilson(3, 12)
    assert lines[5][2:] == ["12", "0.250", f"{low:.3f}-{high:.3f}", "6.5", "0", "0", "0"]


def test_unscored_column_only_when_needed() -> None:
    assert "unscored" not in text(_rows({"depth": 1}, 3, 1)).splitlines()[0]


def test_rich_table_has_one_row_per_cell() -> None:
    t = table(_study(), title="s")
    assert t.row_count == 5
    assert [c.header for c in t.columns][:5] == ["depth", "p_error", "n", "accuracy", "95% CI"]
    out = io.StringIO()
    Console(file=out, width=200).print(t)
    assert "0.444" in out.getvalue() and "0.700" in out.getvalue()


def test_x_defaults_to_depth_then_the_first_numeric_parameter() -> None:
    assert pick_x(_study()) == "depth"
    assert pick_x(_study(), "p_error") == "p_error"
    named = _rows({"agent": "a", "n": 2}, 1, 1) + _rows({"agent": "b", "n": 4}, 1, 1)
    assert pick_x(named) == "n"
    assert pick_x(_rows({"agent": "a"}, 1, 1)) is None
    with pytest.raises(ConfigError, match=r"'agent'.*numeric parameters are n"):
        pick_x(named, "agent")


def _colour_share(png: Path, hex_colour: str) -> float:
    image = imread(png)[..., :3]
    want = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return float(np.mean(np.all(np.abs(image - want) < 0.02, axis=-1)))


def test_plots_are_valid_files_with_one_line_per_series(tmp_path: Path) -> None:
    files = plot(_study(), tmp_path)
    names = sorted(f.name for f in files)
    assert names == ["accuracy.png", "accuracy.svg", "nodes.png", "nodes.svg"]
    assert all(f.parent == tmp_path / "plots" for f in files)
    for png in (tmp_path / "plots" / "accuracy.png", tmp_path / "plots" / "nodes.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert imread(png).shape[:2] == (540, 840)
        for colour in ("#1f77b4", "#ff7f0e"):  # p_error=0.1 and p_error=0.3
            assert _colour_share(png, colour) > 0.0005, (png.name, colour)
        assert _colour_share(png, "#2ca02c") == 0  # no third series
    for svg in (tmp_path / "plots" / "accuracy.svg", tmp_path / "plots" / "nodes.svg"):
        root = ET.parse(svg).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 20


def test_no_numeric_parameter_no_plots(tmp_path: Path) -> None:
    assert plot(_rows({"agent": "a"}, 1, 1), tmp_path) == []


def _write(directory: Path, rows: list[ResultRow]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in rows))


def test_hch_report_prints_the_table_and_the_plot_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "study", _study())
    assert main(["report", str(tmp_path / "study"), "--x", "p_error"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(text(_study()))
    for name in ("accuracy.png", "accuracy.svg", "nodes.png", "nodes.svg"):
        assert f"plot: {tmp_path / 'study' / 'plots' / name}" in out
        assert (tmp_path / "study" / "plots" / name).stat().st_size > 1000


def test_hch_report_names_a_missing_directory_or_parameter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path / "nowhere")]) == 2
    assert "no study results at" in capsys.readouterr().err
    _write(tmp_path / "study", _study())
    assert main(["report", str(tmp_path / "study"), "--x", "speed"]) == 2
    assert "cannot plot against 'speed'" in capsys.readouterr().err
