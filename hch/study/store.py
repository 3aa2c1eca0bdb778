"""A study directory: ``study.json``, ``results.jsonl`` (append-only) and ``traces/``.

The parent process is the only writer. Each row is one ``write`` of one line, flushed to
the OS at once, so a killed study loses at most the line it was writing; opening the
directory again cuts that half line off before anything is appended.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from hch.errors import ConfigError, StudyMismatch
from hch.study.grid import merge
from hch.study.plan import StudySpec
from hch.study.results import RESULTS_FILE, ResultRow, load

__all__ = ["STUDY_FILE", "StudyDir", "read_spec"]

STUDY_FILE = "study.json"


class StudyDir:
    """Opens (or creates) a study directory for one run of ``spec``; a context manager."""

    def __init__(self, path: str | Path, spec: StudySpec) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.spec = self._record(spec)
        self.results = self.path / RESULTS_FILE
        _cut_partial_line(self.results)
        self.finished = {row.key for row in load(self.path)} if self.results.exists() else set()
        self._out: IO[str] = self.results.open("a", encoding="utf-8")

    def _record(self, spec: StudySpec) -> StudySpec:
        file = self.path / STUDY_FILE
        old = read_spec(self.path)
        if old is not None:
            _check_same(self.path, old, spec)
            spec = spec.model_copy(
                update={"grid": merge(old.grid, spec.grid), "trials": max(old.trials, spec.trials)}
            )
        tmp = file.with_suffix(".json.tmp")
        tmp.write_text(spec.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, file)
        return spec

    def append(self, row: ResultRow) -> None:
        self._out.write(row.model_dump_json() + "\n")
        self._out.flush()
        self.finished.add(row.key)

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> StudyDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_spec(directory: str | Path) -> StudySpec | None:
    """The ``study.json`` of a study directory; None when it has none.

    Raises:
        ConfigError: naming the file, when it is not a study description.
    """
    file = Path(directory) / STUDY_FILE
    if not file.is_file():
        return None
    try:
        return StudySpec.model_validate_json(file.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"{file} is not a study description ({where + ': ' if where else ''}{first['msg']}); "
            "move it away, and hch study starts the study afresh"
        ) from None


def _check_same(path: Path, old: StudySpec, new: StudySpec) -> None:
    for what, was, now in (
        ("experiment", old.experiment, new.experiment),
        ("seed", old.seed, new.seed),
        ("parameters", sorted(old.grid), sorted(new.grid)),
    ):
        if was != now:
            raise StudyMismatch(
                f"{path} holds a study with {what} {was!r}; this run has {what} {now!r}. "
                "Resume it with the same experiment, seed and parameters, or use another --out"
            )


def _cut_partial_line(file: Path) -> None:
    """Drop a last line without its newline: the row a killed study was writing."""
    if not file.exists():
        return
    with file.open("rb+") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            fh.truncate(end)
