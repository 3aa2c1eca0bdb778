"""Analyses of recorded trees: why a tree got it wrong, and the closed forms behind it."""

from hch.analysis.blame import Blame, Blamer, blame
from hch.analysis.claims import (
    BLAME_NOTE,
    ClaimCheck,
    ClaimRates,
    Claims,
    blame_claims,
    check_claims,
    claim_rates,
    claimed_blame,
)
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
from hch.analysis.explain import explain, explain_blame
from hch.analysis.plots import ERROR_PLOTS, plot_errors
from hch.analysis.study import CellErrors, StudyErrors, TaskFor, Travel, study_errors
from hch.analysis.study_blame import CellBlame, StudyBlame, study_blame
from hch.analysis.tables import Grid, blame_grids, depth_grid, describe_skipped, study_grids
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
    "BLAME_NOTE",
    "ERROR_PLOTS",
    "Blame",
    "Blamer",
    "CellBlame",
    "CellErrors",
    "Checks",
    "ClaimCheck",
    "ClaimRates",
    "Claims",
    "Corrected",
    "DepthErrors",
    "ErrorTrail",
    "Fate",
    "Grid",
    "Role",
    "StudyBlame",
    "StudyErrors",
    "TaskFor",
    "Travel",
    "TreeErrors",
    "Verdict",
    "blame",
    "blame_claims",
    "blame_grids",
    "broadcast_majority_accuracy",
    "chain_error",
    "check_claims",
    "claim_rates",
    "claimed_blame",
    "depth_grid",
    "describe_skipped",
    "explain",
    "explain_blame",
    "kesten_stigum",
    "kesten_stigum_threshold",
    "majority_error",
    "majority_fixed_point",
    "majority_step",
    "majority_threshold",
    "plot_errors",
    "safe",
    "study_blame",
    "study_errors",
    "study_grids",
    "tree_errors",
    "true_answer",
]
