"""Tasks with checkable ground truth, generated or packaged."""

__all__ = ["BUILTIN_TASKS"]

BUILTIN_TASKS = {
    "arithmetic": "experiments.tasks.arithmetic:ArithmeticTask",
}
"""Tasks the command line knows by name; anything else is given as ``module:attr``."""
