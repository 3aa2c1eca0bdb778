"""Trees the viewer tests look at: real runs of the noisy calculator, a counterfactual of
one, and a tree whose every string is hostile."""

from __future__ import annotations

from pathlib import Path

import hch
from agents.simulated import NoisyCalculator
from experiments.tasks.arithmetic import ArithmeticTask, evaluate
from hch import Answer, Limits, ModelCall, Node, NodeError, Note, Question, Status, ToolCall, Tree

TASK = ArithmeticTask(leaves=16)


def arithmetic(seed: int = 0, p_error: float = 0.05, trace: Path | None = None) -> Tree:
    """A depth-3 tree of 15 nodes answering a 16-leaf sum, judged by the arithmetic task."""
    sample = TASK.sample(seed)
    return hch.run(
        sample.question,
        NoisyCalculator(p_error=p_error),
        limits=Limits(max_depth=3),
        seed=seed,
        trace=trace,
        task=TASK.name,
        truth=sample.truth,
    )


def wrong_tree(trace: Path | None = None) -> Tree:
    """The first arithmetic tree (by seed) whose root is wrong."""
    for seed in range(100):
        tree = arithmetic(seed, trace=None)
        if tree.root.answer is not None and tree.root.answer.data != tree.header.truth:
            return arithmetic(seed, trace=trace)
    raise AssertionError("no wrong tree in 100 seeds")


def corrected(tree: Tree, path: hch.Path, trace: Path | None = None) -> Tree:
    """``tree`` run again with the right answer forced at ``path`` (a counterfactual)."""
    value = evaluate(tree[path].question.data)
    return hch.run(
        tree.header.question,
        NoisyCalculator(p_error=0.05),
        limits=tree.header.limits,
        seed=tree.header.seed,
        trace=trace,
        interventions={path: Answer(text=str(value), data=value)},
        task=tree.header.task,
        truth=tree.header.truth,
    )


def deepest_wrong(tree: Tree) -> hch.Path:
    """The deepest node whose answer is wrong: where an error was born."""
    wrong = [n for n in tree if n.answer is not None and not TASK.check_node(n.question, n.answer)]
    return max(wrong, key=lambda n: n.depth).path


PAYLOADS = [
    "<script>window.pwned = 1; document.title = 'pwned'</script>",
    "</script><script>window.pwned = 2</script>",
    "<!-- <script>window.pwned = 3</script> -->",
    "<img src=x onerror=\"window.pwned = 4; document.title = 'pwned'\">",
    '<svg onload="window.pwned = 5"><circle r=9 /></svg>',
    "javascript:window.pwned=6",
    "{{constructor.constructor('window.pwned = 7')()}}",
    "\u202eevil\u202c right-to-left \u2066override\u2069 \u2028line\u2029para",
    "\x1b]0;pwned\x07 <style>body{display:none}</style> & &amp; \"quoted\" 'single'",
]


def hostile_tree(big: int = 1_000_000) -> Tree:
    """A tree whose questions, answers, errors, notes, events, agents and memes are
    attacks, plus one answer of ``big`` characters."""
    nodes = []
    header_question = Question(text=PAYLOADS[0] + " root question")
    for i, payload in enumerate(PAYLOADS):
        nodes.append(
            Node(
                path=(i,),
                agent=payload,
                question=Question(text=f"q{i} {payload}", data={"html": payload}),
                answer=Answer(text=f"a{i} {payload}", memes=frozenset({payload[:30]})),
                events=[
                    Note(fields={payload: payload}),
                    ModelCall(
                        model=payload,
                        request={"messages": [{"role": payload, "content": payload}]},
                        response={"choices": [{"message": {"content": payload}}]},
                    ),
                    ToolCall(name=payload, args={"x": payload}, result=payload),
                ],
            )
        )
    nodes.append(
        Node(
            path=(len(PAYLOADS),),
            agent="big",
            question=Question(text="big answer"),
            answer=Answer(text="<script>window.pwned = 8</script>" + "x" * big),
        )
    )
    nodes.append(
        Node(
            path=(len(PAYLOADS) + 1,),
            agent="fails",
            question=Question(text="fails"),
            status=Status.FAILED,
            error=NodeError(type="<b>Boom</b>", message=PAYLOADS[3]),
        )
    )
    root = Node(
        path=(),
        agent=PAYLOADS[4],
        question=header_question,
        answer=Answer(text=PAYLOADS[1]),
        n_children=len(nodes),
    )
    header = hch.TreeHeader(
        run_id="hostile",
        seed=0,
        limits=Limits(),
        agent=PAYLOADS[3],
        question=header_question,
        task=PAYLOADS[2],
        truth=PAYLOADS[5],
        package_version=hch.__version__,
        meta={"params": {PAYLOADS[0]: PAYLOADS[6]}, "trial": 0},
    )
    return Tree(header=header, nodes=[root, *nodes])


def conversation_tree() -> Tree:
    """A root that asks one child twice (a follow-up) and another once; the leaves' answers
    carry memes, one passed up to the root; one node called a model and a tool."""
    call = ModelCall(
        model="sim-1",
        request={"messages": [{"role": "user", "content": "What is 2 + 2?"}], "temperature": 0},
        response={"choices": [{"message": {"content": "4, trust me"}}]},
        usage=hch.Usage(prompt_tokens=12, completion_tokens=5),
        latency=0.25,
        cost=0.0004,
        attempt=2,
        cached=True,
    )
    nodes = [
        Node(
            path=(),
            agent="boss",
            question=Question(text="What is 2 + 2, twice?"),
            answer=Answer(text="4 and 4", memes=frozenset({"trust-me"})),
            n_children=3,
        ),
        Node(
            path=(0,),
            agent="worker",
            question=Question(text="What is 2 + 2?"),
            answer=Answer(text="4, trust me", memes=frozenset({"trust-me"})),
            events=[call, ToolCall(name="calculator", args={"expr": "2+2"}, result=4)],
        ),
        Node(
            path=(1,),
            agent="worker",
            question=Question(text="Sure?"),
            answer=Answer(text="Yes", memes=frozenset({"hedge"})),
            follows=0,
            events=[Note(fields={"mood": "certain"})],
        ),
        Node(
            path=(2,), agent="worker", question=Question(text="And 3 + 3?"), answer=Answer(text="6")
        ),
    ]
    header = hch.TreeHeader(
        run_id="conversation",
        seed=0,
        limits=Limits(),
        agent="boss",
        question=nodes[0].question,
        package_version=hch.__version__,
    )
    return Tree(header=header, nodes=nodes)
