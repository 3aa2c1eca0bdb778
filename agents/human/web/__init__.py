"""People at the nodes in browsers: ``hch serve-humans`` and its parts.

A ``Session`` serves a ``Board`` (the queue of waiting workspaces, leases on them, the
live tree) through a small web app; ``Seats`` is the policy that puts a ``WebHuman``
at the chosen nodes and other agents elsewhere. Needs the ``humans`` extra.
"""

from agents.human.web._app import SECURITY_HEADERS, humans_app
from agents.human.web._board import Board, BoardError, workspace_key
from agents.human.web._seats import Seats, WebHuman
from agents.human.web._session import Session

__all__ = [
    "SECURITY_HEADERS",
    "Board",
    "BoardError",
    "Seats",
    "Session",
    "WebHuman",
    "humans_app",
    "workspace_key",
]
