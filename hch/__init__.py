"""hch: simulate HCH and other task-decomposition trees, record them, and study them."""

from hch.agent import Agent, Child, Context, FunctionAgent, Policy, agent, by_depth
from hch.errors import (
    AgentError,
    BudgetExhausted,
    ChildFailed,
    DepthLimitExceeded,
    FanoutLimitExceeded,
    HCHError,
    LimitExceeded,
    SchemaVersionError,
    ToolNotGranted,
    TraceError,
)
from hch.graph import TreeStats, from_graph, to_graph, tree_stats
from hch.limits import Limits
from hch.model import (
    SCHEMA_VERSION,
    Answer,
    Event,
    Exchange,
    ModelCall,
    Node,
    NodeError,
    Note,
    Path,
    Question,
    Status,
    ToolCall,
    Tree,
    TreeHeader,
    Usage,
)
from hch.scheduler import run, run_tree
from hch.seeding import derive_seed
from hch.tasks import NodeChecker, Sample, Task
from hch.trace import load
from hch.version import __version__

__all__ = [
    "SCHEMA_VERSION",
    "Agent",
    "AgentError",
    "Answer",
    "BudgetExhausted",
    "Child",
    "ChildFailed",
    "Context",
    "DepthLimitExceeded",
    "Event",
    "Exchange",
    "FanoutLimitExceeded",
    "FunctionAgent",
    "HCHError",
    "LimitExceeded",
    "Limits",
    "ModelCall",
    "Node",
    "NodeChecker",
    "NodeError",
    "Note",
    "Path",
    "Policy",
    "Question",
    "Sample",
    "SchemaVersionError",
    "Status",
    "Task",
    "ToolCall",
    "ToolNotGranted",
    "TraceError",
    "Tree",
    "TreeHeader",
    "TreeStats",
    "Usage",
    "__version__",
    "agent",
    "by_depth",
    "derive_seed",
    "from_graph",
    "load",
    "run",
    "run_tree",
    "to_graph",
    "tree_stats",
]
