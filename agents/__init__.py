"""Things that answer at nodes: simulated, scripted and LLM agents.

Note: the OpenAI Agents SDK also installs a top-level package named ``agents``; keep
the two in separate environments.
"""

__all__ = ["BUILTIN_AGENTS"]

BUILTIN_AGENTS = {
    "noisy-calculator": "agents.simulated:NoisyCalculator",
    "noisy-lookup": "agents.noisy_lookup:NoisyLookup",
    "noisy-lists": "agents.noisy_lists:NoisyLists",
    "llm": "agents.llm:LLMAgent",
}
"""Agents the command line knows by name; anything else is given as ``module:attr``."""
