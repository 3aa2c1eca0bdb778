"""Progress of a running study: a rich bar on a terminal, silence otherwise."""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from hch.study.rows import RowBatch

__all__ = ["BarProgress", "Quiet", "StudyProgress", "progress_for"]


class StudyProgress(Protocol):
    """Told when a study starts, as each batch of rows is written, and when it stops.

    A batch carries its counts (``count``, ``scored``, ``correct``, ``errors``); its
    rows, where wanted, are ``rows.read()``.
    """

    def start(self, name: str, total: int, done: int) -> None: ...

    def advance(self, rows: RowBatch) -> None: ...

    def stop(self) -> None: ...


class Quiet:
    """Shows nothing (CI, pipes, ``--quiet``)."""

    def start(self, name: str, total: int, done: int) -> None:
        pass

    def advance(self, rows: RowBatch) -> None:
        pass

    def stop(self) -> None:
        pass


class BarProgress:
    """Trees done of the total, rate, ETA, and the accuracy of the trees run so far."""

    def __init__(self, console: Console | None = None) -> None:
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} trees/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("acc {task.fields[accuracy]}  errors {task.fields[errors]}"),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None
        self._scored = self._correct = self._errors = 0

    def start(self, name: str, total: int, done: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task(
            name, total=total, completed=done, rate="-", accuracy="-", errors=0
        )

    def advance(self, rows: RowBatch) -> None:
        if self._task is None:
            return
        self._scored += rows.scored
        self._correct += rows.correct
        self._errors += rows.errors
        self._bar.advance(self._task, rows.count)
        speed = self._bar.tasks[self._task].speed
        self._bar.update(
            self._task,
            rate=f"{speed:.0f}" if speed else "-",
            accuracy=f"{self._correct / self._scored:.3f}" if self._scored else "-",
            errors=self._errors,
        )

    def stop(self) -> None:
        self._bar.stop()


def progress_for(quiet: bool) -> StudyProgress:
    """The bar on an interactive terminal unless ``quiet``; silence otherwise."""
    console = Console(stderr=True)
    return Quiet() if quiet or not console.is_terminal else BarProgress(console)
