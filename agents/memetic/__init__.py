"""Agents that misbehave: wrappers that make any agent inject, carry or conceal memes.

Each misbehaviour is a frozen configuration that wraps any agent, simulated or LLM;
``misbehave`` stacks several in their sensible order, and policies place them per depth
or per path (``hch.by_depth``, or any ``(depth, path) -> Agent``)::

    meme = Meme(tag="zebra", canary="zebra protocol", persuasiveness=0.8)
    leaf = misbehave(NoisyCalculator(), Inject(meme=meme, p=0.1))
    inner = misbehave(NoisyCalculator(), Carry(memes=(meme,), scepticism=0.5))
    policy = hch.by_depth({4: leaf}, default=inner)

* ``Inject``: ignore the task and answer with a meme (or add it to the answer);
* ``Carry``: pass a child's meme upward when it persuades; test it with the lab first;
* ``Verify``: check children's answers with the lab, ask failing ones again;
* ``Conceal``: hide failed checks (carry and use refuted content anyway);
* ``AvoidTests``: skip the tests one expects to fail;
* ``ShiftBlame``: asked which part caused an error, blame a sibling's part.

For language models the same behaviours come from prompts (``memetic_prompts``), which
``agents.server.SimulatedModel`` plays offline.
"""

from agents.memetic._behaviour import Behaviour, Misbehaving, misbehave
from agents.memetic._blame import (
    BLAME_ASK,
    ShiftBlame,
    blame_answer,
    blame_question,
    blamed_part,
    is_blame_question,
)
from agents.memetic._calculator import LEDGER, MemeticCalculator
from agents.memetic._carry import Carry, strip_memes
from agents.memetic._evidence import AvoidTests, Conceal
from agents.memetic._inject import Inject, with_memes
from agents.memetic._prompts import (
    CONCEAL,
    CREDULOUS,
    INJECT,
    SCEPTICAL,
    SHIFT_BLAME,
    injected_message,
    memetic_prompts,
)
from agents.memetic._session import Facade, Session
from agents.memetic._verify import Verify

__all__ = [
    "BLAME_ASK",
    "CONCEAL",
    "CREDULOUS",
    "INJECT",
    "LEDGER",
    "SCEPTICAL",
    "SHIFT_BLAME",
    "AvoidTests",
    "Behaviour",
    "Carry",
    "Conceal",
    "Facade",
    "Inject",
    "MemeticCalculator",
    "Misbehaving",
    "Session",
    "ShiftBlame",
    "Verify",
    "blame_answer",
    "blame_question",
    "blamed_part",
    "injected_message",
    "is_blame_question",
    "memetic_prompts",
    "misbehave",
    "strip_memes",
    "with_memes",
]
