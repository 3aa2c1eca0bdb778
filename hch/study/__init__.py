"""Studies: an experiment x a grid x trials, run, stored, resumed and reported."""

from hch.study.results import ResultRow, Results, load

__all__ = ["ResultRow", "Results", "load"]
