"""Untrusted text from traces, made safe to print on one terminal line."""

from __future__ import annotations

import unicodedata

__all__ = ["safe"]

_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
"""Control, format (bidi overrides, zero-width), surrogate, private, unassigned, line breaks."""


def safe(value: object, limit: int | None = 100) -> str:
    """``value`` as text on one line, with no character a terminal could act on.

    Control and format characters (escape sequences, carriage returns, bidi overrides)
    are shown as Python escapes (``\\x1b``, ``\\u202e``); text longer than ``limit``
    characters is cut with an ellipsis. Never interpret the result as markup: hand it to
    rich as ``rich.text.Text``.
    """
    text = value if isinstance(value, str) else str(value)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNSAFE else ch
        for ch in text
    )
