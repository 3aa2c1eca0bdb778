"""Tasks with checkable ground truth, generated or packaged."""

__all__ = ["BUILTIN_TASKS"]

BUILTIN_TASKS = {
    "arithmetic": "experiments.tasks.arithmetic:ArithmeticTask",
    "lookup": "experiments.tasks.lookup:LookupTask",
    "lists": "experiments.tasks.lists:ListTask",
    "game24": "experiments.tasks.game24:Game24Task",
    "reasoning-gym": "experiments.tasks.reasoning_gym:ReasoningGymTask",
}
"""Tasks the command line knows by name; anything else is given as ``module:attr``."""
