"""The figure engine every plot shares: the writer, interval bands, lines, the x-check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.image import imread

from hch.errors import ConfigError
from hch.figures import PLOTS_DIR, FigureWriter, axes, band, check_x, is_number, series


@dataclass
class _Cell:
    params: dict[str, Any] = field(default_factory=dict)


def test_the_writer_saves_png_and_svg_into_the_plots_folder_and_lists_them(
    tmp_path: Path,
) -> None:
    writer = FigureWriter(tmp_path / "study", dpi=100)
    fig, ax = axes((4, 3))
    ax.plot([0, 1], [0, 1])
    first = writer.save(fig, "one")
    second = writer.save(axes()[0], "two")
    folder = tmp_path / "study" / PLOTS_DIR
    assert first == [folder / "one.png", folder / "one.svg"]
    assert writer.written == [*first, *second]
    assert [f.name for f in second] == ["two.png", "two.svg"]
    assert imread(folder / "one.png").shape[:2] == (300, 400)  # 4x3 inches at 100 dpi
    assert imread(folder / "two.png").shape[:2] == (450, 700)  # the default size
    assert ET.parse(folder / "one.svg").getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_a_band_draws_the_values_and_shades_the_intervals_in_the_line_colour() -> None:
    _, ax = axes()
    points = [(0.5, 0.4, 0.6), None, (0.7, 0.65, 0.9)]
    line = band(ax, [1, 2, 3], points, alpha=0.25, color="#ff7f0e", label="w=2")
    assert list(line.get_xdata()) == [1, 3]  # the point measured nowhere is left out
    assert list(line.get_ydata()) == [0.5, 0.7]
    assert line.get_label() == "w=2" and line.get_marker() == "o"
    (shade,) = ax.collections
    assert shade.get_alpha() == 0.25
    assert np.allclose(shade.get_facecolor()[0][:3], to_rgba("#ff7f0e")[:3])
    lows_highs = shade.get_paths()[0].vertices[:, 1]
    assert min(lows_highs) == pytest.approx(0.4) and max(lows_highs) == pytest.approx(0.9)


def test_a_band_with_nothing_measured_draws_nothing() -> None:
    _, ax = axes()
    assert band(ax, [1, 2], [None, None], label="empty") is None
    assert not ax.lines and not ax.collections


def test_lines_group_cells_by_the_other_parameters_sorted_by_x() -> None:
    cells = [
        _Cell({"depth": 10, "noise": "a"}),
        _Cell({"depth": 2, "noise": "a"}),
        _Cell({"depth": 3.5, "noise": "b\x1b"}),
    ]
    lines = series(cells, "depth", text=repr)
    assert list(lines) == ["noise='a'", "noise='b\\x1b'"]
    assert [c.params["depth"] for c in lines["noise='a'"]] == [2, 10]  # 2 < 10, as numbers
    only = series([_Cell({"depth": 2}), _Cell({"depth": 1})], "depth")
    assert list(only) == [""] and [c.params["depth"] for c in only[""]] == [1, 2]


def test_x_must_be_a_parameter_of_every_cell() -> None:
    cells = [_Cell({"depth": 1, "width": 2}), _Cell({"width": 3, "noise": 0.1})]
    check_x(cells[:1], "depth")
    with pytest.raises(ConfigError, match="'depth': parameters are depth, width, noise"):
        check_x(cells, "depth")
    with pytest.raises(ConfigError, match="parameters are none"):
        check_x([_Cell()], "depth")


def test_numbers_are_ints_and_floats_not_bools() -> None:
    assert is_number(3) and is_number(0.5)
    assert not is_number(True) and not is_number("3") and not is_number(None)
