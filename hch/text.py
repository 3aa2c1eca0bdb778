"""Untrusted text made safe to show where characters act: terminals, DOT files.

A trace's strings are model output. Shown as they are, a control character can move a
terminal's cursor or set its title, and a direction override can make text read
otherwise than it is; so they are written as escapes.
"""

from __future__ import annotations

import unicodedata

__all__ = ["printable"]

_ESCAPED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def printable(text: str) -> str:
    """``text`` on one line: line breaks as ``↵``, tabs as spaces, and control, format
    (direction overrides included), separator and unassigned characters as escapes."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("↵ ")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in _ESCAPED:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
