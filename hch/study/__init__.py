"""Studies: an experiment x a grid x trials, run, stored, resumed and reported."""

from hch.study.cluster import RayCluster
from hch.study.executor import ChunkRunner, Executor, Work, chunked, drain
from hch.study.experiments import Experiment, Trial, experiment, load_experiment
from hch.study.grid import Grid, parse_params
from hch.study.local import LocalLoop
from hch.study.plan import Definition, Job, StudySpec, tree_seed
from hch.study.plots import plot
from hch.study.pool import ProcessPool
from hch.study.progress import BarProgress, Quiet, StudyProgress
from hch.study.report import Cell, summarize, table
from hch.study.results import ResultRow, Results, load
from hch.study.rows import RowBatch
from hch.study.runner import executor_for, plan_study, run_study
from hch.study.traces import KeepTraces, TracePolicy

__all__ = [
    "BarProgress",
    "Cell",
    "ChunkRunner",
    "Definition",
    "Executor",
    "Experiment",
    "Grid",
    "Job",
    "KeepTraces",
    "LocalLoop",
    "ProcessPool",
    "Quiet",
    "RayCluster",
    "ResultRow",
    "Results",
    "RowBatch",
    "StudyProgress",
    "StudySpec",
    "TracePolicy",
    "Trial",
    "Work",
    "chunked",
    "drain",
    "executor_for",
    "experiment",
    "load",
    "load_experiment",
    "parse_params",
    "plan_study",
    "plot",
    "run_study",
    "summarize",
    "table",
    "tree_seed",
]
