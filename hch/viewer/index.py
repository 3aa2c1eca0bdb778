"""A study's index page: accuracy per grid point, the plots, and every kept tree linked.

``write_study_index(DIR)`` writes ``DIR/index.html`` and, beside it under ``trees/``, a
page per kept trace (``trees/depth=3,p_error=0.005/7.html``), each linking back. A
tree page is rewritten only when its trace, or this viewer, is newer than it.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hch.errors import ConfigError, HCHError
from hch.study.plots import PLOTS_DIR
from hch.study.report import Cell, parameters, summarize
from hch.study.results import ResultRow, load
from hch.study.store import read_spec
from hch.study.traces import TRACES_DIR
from hch.trace import load as load_trace
from hch.viewer.html import page
from hch.viewer.page import write_tree_page

__all__ = ["PAGES_DIR", "write_study_index"]

PAGES_DIR = "trees"
"""Tree pages go to ``trees/`` beside the index, mirroring ``DIR/traces/``."""

_BODY = """<div id="index">
<header id="head"></header>
<section id="plots" aria-label="plots"></section>
<section><h2>Grid points</h2><p class="muted" id="cells-note"></p>
<div class="scroll"><table class="grid" id="cells"></table></div></section>
<section><h2 id="trees-title">Trees</h2><div id="filters"></div>
<div class="scroll tall"><table class="grid" id="trees"></table></div></section>
</div>"""

_VIEWER_FILES = Path(__file__).parent


def _viewer_mtime() -> float:
    """When this viewer last changed: pages older than that are written again."""
    files = [*_VIEWER_FILES.glob("*.py"), *(_VIEWER_FILES / "assets").iterdir()]
    return max(f.stat().st_mtime for f in files)


def _plots(directory: Path) -> list[dict[str, str]]:
    """The study's plots as ``data:`` URIs (the page loads nothing from elsewhere)."""
    found = []
    for name in ("accuracy", "nodes"):
        for suffix, kind in (("svg", "image/svg+xml"), ("png", "image/png")):
            file = directory / PLOTS_DIR / f"{name}.{suffix}"
            if file.is_file():
                data = base64.b64encode(file.read_bytes()).decode("ascii")
                found.append({"name": name, "uri": f"data:{kind};base64,{data}"})
                break
    return found


def _cell(cell: Cell, kept: int) -> dict[str, Any]:
    return {**cell.model_dump(mode="json"), "accuracy": cell.accuracy, "kept": kept}


def _trace_file(directory: Path, row: ResultRow) -> Path | None:
    """The row's trace file, if it names one inside ``DIR/traces/`` that exists."""
    if not row.trace:
        return None
    name = Path(row.trace)
    if name.is_absolute() or ".." in name.parts or name.parts[:1] != (TRACES_DIR,):
        return None
    file = directory / name
    return file if file.is_file() else None


def _tree_page(
    directory: Path, row: ResultRow, out: Path, stale_before: float
) -> tuple[str | None, str | None]:
    """Write the row's tree page if needed; (its link from the index, or a problem)."""
    trace = _trace_file(directory, row)
    if trace is None:
        return None, "trace file missing" if row.trace else None
    relative = trace.relative_to(directory / TRACES_DIR).with_suffix(".html")
    target = out.parent / PAGES_DIR / relative
    link = quote(Path(os.path.relpath(target, out.parent)).as_posix(), safe="/=,.+-_~")
    if target.is_file():
        made = target.stat().st_mtime
        if made >= trace.stat().st_mtime and made >= stale_before:
            return link, None
    try:
        tree = load_trace(trace)
    except HCHError as exc:
        return None, f"trace unreadable: {exc}"
    params = ", ".join(f"{k}={json.dumps(v)}" for k, v in row.params.items())
    back = quote(Path(os.path.relpath(out, target.parent)).as_posix(), safe="/=,.+-_~")
    write_tree_page(
        target,
        tree,
        labels=(row.trace or trace.name, ""),
        title=f"{row.study}: {params}, trial {row.trial}",
        back=back,
    )
    return link, None


def write_study_index(
    directory: str | Path, out: str | Path | None = None, *, title: str | None = None
) -> Path:
    """Write the index of the study in ``directory`` (default ``DIR/index.html``) and
    a page per kept tree under ``trees/`` beside it; return the index file."""
    directory = Path(directory)
    try:
        rows = load(directory)
    except FileNotFoundError as exc:
        raise ConfigError(f"{directory} is not a study directory: {exc}") from None
    out = Path(out) if out is not None else directory / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    stale_before = _viewer_mtime()
    items = []
    kept: dict[str, int] = {}
    for row in rows:
        link, problem = _tree_page(directory, row, out, stale_before)
        item = row.model_dump(mode="json")
        item.update(page=link, problem=problem)
        items.append(item)
        if link:
            key = json.dumps(row.params, sort_keys=True, default=str)
            kept[key] = kept.get(key, 0) + 1
    found = read_spec(directory)
    spec = found.model_dump(mode="json") if found else {}
    study = rows[0].study if rows else spec.get("experiment", directory.name)
    title = title or f"{study}: study index"
    data = {
        "title": title,
        "study": study,
        "directory": str(directory),
        "spec": spec,
        "params": parameters(rows),
        "cells": [
            _cell(c, kept.get(json.dumps(c.params, sort_keys=True, default=str), 0))
            for c in summarize(rows)
        ],
        "rows": items,
        "plots": _plots(directory),
    }
    html = page(
        title=title,
        body=_BODY,
        styles=["common.css", "index.css"],
        scripts=["common.js", "index.js"],
        data=data,
    )
    out.write_text(html, encoding="utf-8")
    return out
