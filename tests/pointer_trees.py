"""Trees with pointers for the tests of every view: a list-reversal agent that reads only
the lists it must and forwards its children's answers up unread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import hch
from hch import Answer, Content, Context, Hold, Limits, Node, Question, Tree, Unlock
from tests.viewer_trees import PAYLOADS

PARTS = [
    Content(text="$1 $2", pointers=("task:2", "task:3")),
    Content(text="$1 $2", pointers=("task:4", "task:5")),
    Content(text="5 6", memes=frozenset({"six"})),
    Content(text="1 2"),
    Content(text="3 4"),
]
"""The list 1..6 as content of content: ``task:1`` is ``task:2`` then ``task:3``, and
``task:2`` is ``task:4`` then ``task:5``."""


def question(parts: list[Content] | None = None) -> Question:
    return hch.holding("reverse the list $1", parts or PARTS, pointers=[1])


@dataclass(frozen=True)
class Reverser:
    """Reverses the list its question points to.

    It unlocks its list; a plain list it reverses itself and holds; a list of lists it
    asks a child to reverse each part of, then answers with the children's pointers in
    the other order, unread (the root wraps them in a note of its own first).

    Attributes:
        slip: A node whose own reversal goes wrong (it holds the list unreversed).
        peek: Nodes that unlock their children's answers before passing them on.
        swap: Nodes that forget to swap their children's answers.
    """

    slip: hch.Path | None = None
    peek: tuple[hch.Path, ...] = ()
    swap: tuple[hch.Path, ...] = ()
    name: str = "reverser"

    async def answer(self, q: Question, ctx: Context) -> Answer:
        listed = ctx.unlock(q.pointers[0])
        if not listed.pointers:
            items = listed.text.split()
            done = items if ctx.path == self.slip else list(reversed(items))
            return Answer(text="$1", pointers=(ctx.hold(" ".join(done), memes=listed.memes),))
        got = await ctx.ask_all(
            [Question(text="reverse the list $1", pointers=(p,)) for p in listed.pointers]
        )
        if ctx.path not in self.swap:
            got = got[::-1]
        up = tuple(p for a in got for p in a.pointers)
        if ctx.path in self.peek:
            for p in up:
                ctx.unlock(p)
        refs = " ".join(f"${i}" for i in range(1, len(up) + 1))
        if not ctx.path:
            return Answer(text="reversed: $1", pointers=(ctx.hold(refs, pointers=up),))
        return Answer(text=refs, pointers=up)


def reversal(agent: Reverser | None = None, trace: Path | None = None) -> Tree:
    """The list 1..6 reversed by ``agent`` (default: no slips) in a tree of 5 nodes."""
    return hch.run(
        question(), agent or Reverser(), limits=Limits(max_depth=3, budget=40), seed=0, trace=trace
    )


NO_CONTENT = "root.<img src=x onerror=window.pwned=11>:1"
"""A pointer no node held, whose id looks like a node's but names none."""


LOOP = "root.9:1"
"""Content that names itself twice: read all the way down, it would never end."""


def hostile_pointer_tree() -> Tree:
    """A tree whose pointer ids, content, holds and unlocks are attacks: every payload is
    a pointer held (by ``root.i``) as content that is itself a payload and points to the
    next payload's content; each node unlocks its own and passes it up; the root passes
    up a pointer the trace has no content for; one node holds content that names itself
    twice (``LOOP``)."""
    nodes = []
    for i, payload in enumerate(PAYLOADS):
        inner = PAYLOADS[(i + 1) % len(PAYLOADS)]
        content = Content(
            text=f"{payload} then $1", pointers=(inner,), memes=frozenset({payload[:20]})
        )
        nodes.append(
            Node(
                path=(i,),
                agent="holder",
                question=Question(text=f"q{i} $1", pointers=(inner,)),
                answer=Answer(text=f"a{i} $1 $2", pointers=(payload, inner)),
                events=[Hold(pointer=payload, content=content), Unlock(pointer=inner, cost=1)],
            )
        )
    loop = Content(text="$1 $2", pointers=(LOOP, LOOP))  # doubles at every level
    nodes.append(
        Node(
            path=(len(PAYLOADS),),
            agent="looper",
            question=Question(text="loop"),
            answer=Answer(text="$1", pointers=(LOOP,)),
            events=[Hold(pointer=LOOP, content=loop)],
        )
    )
    root_q = Question(text="look at $1 and $2", pointers=(PAYLOADS[0], NO_CONTENT))
    root = Node(
        path=(),
        agent="root",
        question=root_q,
        answer=Answer(text="$1 $2", pointers=(PAYLOADS[0], NO_CONTENT)),
        n_children=len(nodes),
        events=[Unlock(pointer=NO_CONTENT, cost=1)],
    )
    header = hch.TreeHeader(
        run_id="hostile-pointers",
        seed=0,
        limits=Limits(),
        agent="root",
        question=root_q,
        package_version=hch.__version__,
    )
    return Tree(header=header, nodes=[root, *nodes], duration=0.0)
