r"""Closed forms the simulator must match: how often a meme captures the root.

Setting: a full tree of fan-out ``b`` and depth ``D`` (the root at depth 0, leaves at
``D``). A node at depth ``k`` injects the meme with probability ``m_k``. A node that
did not inject is persuaded by each child that carries the meme, independently, with
probability ``c``, and carries it if at least one child persuaded it and it then keeps
it, with probability ``a`` (its own checks: 1 for a credulous node).

Let ``q_k`` be the chance that a node at depth ``k`` carries the meme. Then

    q_D = m_D,        q_k = m_k + (1 - m_k) · a · (1 - (1 - c · q_{k+1})^b),

and the root is captured with probability ``q_0``. Three cases in closed form:

* One birth at depth ``d`` on a chain (``b = 1``, ``a = 1``): ``c^d``.
* Births only at the leaves (``m_D = m``, others 0) and ``a = 1``: with ``u = 1 - q``,
  ``u_k = G(u_{k+1})`` where ``G(s) = (1 - c + c·s)^b`` is the generating function of
  Binomial(b, c). The leaves joined to the root by a path of persuading hops are
  generation ``D`` of a Galton–Watson process with Binomial(b, c) offspring, and the
  root escapes only if none of them is a birth:
  ``P(root captured) = 1 - G^{∘D}(1 - m)``. Memes are selected on the way up (their
  share grows with height) when ``b·c > 1``, the process's supercritical regime; for
  ``b·c ≤ 1`` capture vanishes as ``D`` grows, however likely births are.
* Meme-only answers asked again (a parent not persuaded by an answer that is nothing
  but the meme asks its question once more, as ``Carry(redo=True)`` does with memes
  that replace answers): each child slot persuades with probability
  ``c·q·(1 + q·(1 - c))`` instead of ``c·q``, the second term being the fresh child.
* With a lab: a sceptical node tests each meme it is persuaded of; a lab with error rate
  ``e`` judges one claim the same way everywhere in a tree, so with probability ``e`` it
  passes the meme (``a = 1``) and otherwise refutes it, after which a node still keeps
  it with probability ``leak = avoid + (1 - avoid)·conceal`` (it skipped the test, or
  hid the verdict): ``P = e·q_0(a=1) + (1 - e)·q_0(a=leak)``. A perfect lab (``e = 0``)
  with honest sceptics (``leak = 0``) lets no meme born below the root reach it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["grounded_root_capture", "root_capture"]


def _births(birth: float | Sequence[float], depth: int) -> list[float]:
    if isinstance(birth, int | float):
        return [float(birth)] * (depth + 1)
    rates = [float(m) for m in birth]
    if len(rates) != depth + 1:
        raise ValueError(f"birth needs one rate per depth 0..{depth}, got {len(rates)}")
    return rates


def _check(name: str, p: float) -> None:
    if not 0 <= p <= 1:
        raise ValueError(f"{name} must lie in [0, 1], got {p}")


def root_capture(
    depth: int,
    carry: float,
    birth: float | Sequence[float],
    fanout: int = 2,
    accept: float = 1.0,
    redo: bool = False,
) -> float:
    """Chance the root carries the meme (``q_0`` above).

    Args:
        depth: Depth of the leaves (``D``); 0 is the root alone.
        carry: Chance one carrying child persuades its parent (``c``).
        birth: Chance a node injects: one rate for every depth, or one per depth 0..D.
        fanout: Children per internal node (``b``).
        accept: Chance a persuaded node keeps the meme (``a``).
        redo: Meme-only answers that did not persuade are asked again once.
    """
    if depth < 0 or fanout < 1:
        raise ValueError(f"need depth >= 0 and fanout >= 1, got {depth}, {fanout}")
    for name, p in (("carry", carry), ("accept", accept)):
        _check(name, p)
    rates = _births(birth, depth)
    for m in rates:
        _check("birth", m)
    q = rates[depth]
    for k in range(depth - 1, -1, -1):
        slot = carry * q * (1 + q * (1 - carry)) if redo else carry * q
        q = rates[k] + (1 - rates[k]) * accept * (1 - (1 - slot) ** fanout)
    return q


def grounded_root_capture(
    depth: int,
    carry: float,
    birth: float | Sequence[float],
    fanout: int = 2,
    *,
    lab_error: float = 0.0,
    avoid: float = 0.0,
    conceal: float = 0.0,
) -> float:
    """Root capture when every carrier tests memes with a lab of error ``lab_error``.

    Args:
        avoid: Chance a node skips a test it expects to fail.
        conceal: Chance a node hides a failed test and carries the meme anyway.
    """
    for name, p in (("lab_error", lab_error), ("avoid", avoid), ("conceal", conceal)):
        _check(name, p)
    leak = avoid + (1 - avoid) * conceal
    passed = root_capture(depth, carry, birth, fanout)
    refuted = root_capture(depth, carry, birth, fanout, accept=leak)
    return lab_error * passed + (1 - lab_error) * refuted
