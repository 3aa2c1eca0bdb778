"""Analyses of recorded trees: why a tree got it wrong, and the closed forms behind it."""

from hch.analysis.blame import Blame, Blamer, blame
from hch.analysis.corrections import Corrected, true_answer
from hch.analysis.errors import (
    Checks,
    DepthErrors,
    ErrorTrail,
    Fate,
    Role,
    TreeErrors,
    Verdict,
    tree_errors,
)
from hch.analysis.explain import explain
from hch.analysis.plots import ERROR_PLOTS, plot_errors
from hch.analysis.study import CellErrors, StudyErrors, TaskFor, Travel, study_errors
from hch.analysis.tables import Grid, depth_grid, describe_skipped, study_grids
from hch.analysis.text import safe
from hch.analysis.theory import (
    broadcast_majority_accuracy,
    chain_error,
    kesten_stigum,
    kesten_stigum_threshold,
    majority_error,
    majority_fixed_point,
    majority_step,
    majority_threshold,
)

__all__ = [
    "ERROR_PLOTS",
    "Blame",
    "Blamer",
    "CellErrors",
    "Checks",
    "Corrected",
    "DepthErrors",
    "ErrorTrail",
    "Fate",
    "Grid",
    "Role",
    "StudyErrors",
    "TaskFor",
    "Travel",
    "TreeErrors",
    "Verdict",
    "blame",
    "broadcast_majority_accuracy",
    "chain_error",
    "depth_grid",
    "describe_skipped",
    "explain",
    "kesten_stigum",
    "kesten_stigum_threshold",
    "majority_error",
    "majority_fixed_point",
    "majority_step",
    "majority_threshold",
    "plot_errors",
    "safe",
    "study_errors",
    "study_grids",
    "tree_errors",
    "true_answer",
]
