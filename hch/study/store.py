"""A study directory: ``study.json``, ``results.jsonl`` (append-only) and ``traces/``.

The parent process is the only writer. Rows are buffered and written in batches, by a
small thread, at least every ``flush_every`` seconds (and when the study ends), each
batch one ``write`` flushed to the OS: a killed study loses at most the rows of its last
``flush_every`` seconds, which a resumed run runs again. A write cut short leaves a last
line without its newline; opening the directory again cuts it off before anything is
appended, so every row is in the file exactly once.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from hch.errors import ConfigError, StudyMismatch
from hch.study.grid import merge
from hch.study.plan import StudySpec
from hch.study.results import RESULTS_FILE, ResultRow, load
from hch.study.rows import RowBatch, StudyRows

__all__ = ["FLUSH_EVERY", "STUDY_FILE", "StudyDir", "read_spec"]

STUDY_FILE = "study.json"
FLUSH_EVERY = 0.5
"""Seconds between two writes of buffered rows to ``results.jsonl``."""


class StudyDir:
    """Opens (or creates) a study directory for one run of ``spec``; a context manager.

    Attributes:
        rows: Every row of the directory: those found when it was opened, then each
            appended one, in order (what ``results.jsonl`` holds once flushed); rows
            added as text are read when first asked for.
        finished: The keys of the rows found when it was opened.
    """

    def __init__(self, path: str | Path, spec: StudySpec, *, flush_every: float = FLUSH_EVERY):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.spec = self._record(spec)
        self.results = self.path / RESULTS_FILE
        _cut_partial_line(self.results)
        self.rows = StudyRows(load(self.path) if self.results.exists() else [])
        self.finished = {row.key for row in self.rows}
        self._out: IO[str] = self.results.open("a", encoding="utf-8")
        self._pending: list[str] = []
        self._failed: ConfigError | None = None
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._writer = threading.Thread(
            target=self._flush_every, args=(flush_every,), name="hch-study-rows", daemon=True
        )
        self._writer.start()

    def _record(self, spec: StudySpec) -> StudySpec:
        file = self.path / STUDY_FILE
        old = read_spec(self.path)
        if old is not None:
            _check_same(self.path, old, spec)
            spec = spec.model_copy(
                update={
                    "grid": merge(old.grid, spec.grid),
                    "trials": max(old.trials, spec.trials),
                    "definition": old.definition or spec.definition,
                    "limits": spec.limits or old.limits,
                }
            )
        tmp = file.with_suffix(".json.tmp")
        tmp.write_text(spec.model_dump_json(indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, file)
        return spec

    def append(self, row: ResultRow) -> None:
        """Add a row; it reaches the file with the next batch."""
        self.add(RowBatch.of([row]))

    def add(self, batch: RowBatch) -> None:
        """Add a batch of rows; its lines reach the file, as they are, with the next write.

        Raises:
            ConfigError: once a batch could not be written (a full disk): the study
                stops; the rows in the file are whole, and a rerun runs the rest.
        """
        if self._failed is not None:
            raise self._failed
        with self._lock:
            self._pending.append(batch.lines)
        self.rows.add(batch)

    def flush(self) -> None:
        """Write the buffered rows now, in one write.

        Raises:
            ConfigError: naming the results file, when it cannot be written.
        """
        with self._lock:
            if self._failed is not None:
                raise self._failed
            if self._pending:
                try:
                    self._out.write("".join(self._pending))
                    self._out.flush()
                except OSError as exc:
                    self._failed = ConfigError(
                        f"cannot write {self.results}: {exc.strerror or exc}; the rows in it "
                        "are kept (a cut last line is dropped): run the same command again "
                        "to run the rest"
                    )
                    raise self._failed from None
                self._pending.clear()

    def _flush_every(self, seconds: float) -> None:
        while not self._closing.wait(seconds):
            try:
                self.flush()
            except ConfigError:
                return  # the next append or close says so in the study's own thread

    def close(self) -> None:
        """Write what is buffered and close the file."""
        if self._out.closed:
            return
        self._closing.set()
        self._writer.join()
        try:
            self.flush()
        finally:
            with contextlib.suppress(OSError):  # the flush above said what went wrong
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
    """Refuse a run of another study; an older directory without a definition resumes."""
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
    if old.definition is not None and new.definition is not None:
        differs = old.definition.differences(new.definition)
        if differs:
            raise StudyMismatch(
                f"{path} holds another experiment named {old.experiment!r}: "
                f"{', '.join(differs)} differ{'s' if len(differs) == 1 else ''}. "
                "Resume it with the same experiment, or use another --out"
            )
    if new.limits and new.limits != old.limits:
        raise StudyMismatch(
            f"{path} holds a study run with limits {_limits(old.limits)}; this run has "
            f"{_limits(new.limits)}. Resume it with the same limits (or none: the "
            "recorded ones are used), or use another --out"
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


def _limits(limits: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in sorted(limits.items())) or "the experiment's own"
