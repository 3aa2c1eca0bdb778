"""Untrusted text made safe to print on a terminal.

Every string in a tree may come from a model or another person. Printed as it is, an
escape sequence could move the cursor, rewrite what is on screen, retitle the window
or hide text; bidirectional overrides could reorder what is read. Those characters are
shown as visible escapes instead, and line breaks are kept only where the caller says.
"""

from __future__ import annotations

import unicodedata

__all__ = ["printable"]

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str, *, indent: str | None = None) -> str:
    """``text`` with control, escape and bidirectional characters shown as ``\\xNN``/
    ``\\uNNNN``. With ``indent``, line breaks are kept and each new line starts with it
    (so a text cannot pass for the screen's own lines); without, they are escaped too."""
    out: list[str] = []
    for ch in text:
        if ch == "\n" and indent is not None:
            out.append("\n" + indent)
        elif ch in _BIDI or unicodedata.category(ch) == "Cc":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
