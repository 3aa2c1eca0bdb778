"""A local OpenAI-compatible model server: simulated or scripted models, injected faults.

Tests and offline users point ``LLMAgent`` at it; ``hch serve-model`` runs it from the
shell.
"""

from agents.server._faults import Fault, Faults
from agents.server._grader import GraderModel
from agents.server._http import ModelServer
from agents.server._responders import (
    ChatRequest,
    Responder,
    TableModel,
    Unanswerable,
    question_of,
)
from agents.server._simulated import SimulatedModel

__all__ = [
    "ChatRequest",
    "Fault",
    "Faults",
    "GraderModel",
    "ModelServer",
    "Responder",
    "SimulatedModel",
    "TableModel",
    "Unanswerable",
    "question_of",
]
