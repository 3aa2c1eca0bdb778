"""One self-contained HTML page: our own CSS and JavaScript inline, the data as JSON.

Every string in a trace is untrusted model output, so a page is built to never run it:

* the data sits in a ``<script type="application/json">`` element, with ``<``, ``>``,
  ``&`` and the line separators U+2028/U+2029 written as JSON escapes, so no string can
  close the element or start markup;
* the scripts put trace text into the page with ``textContent`` only;
* a Content-Security-Policy allows nothing but this page's own script and style (by
  their hashes) and ``data:`` images: no remote load, no other inline script, no event
  handler attribute, no form, no ``<base>``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["asset", "embed_json", "page", "policy"]

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_UNSAFE = str.maketrans(_ESCAPES)


@cache
def asset(name: str) -> str:
    """The text of ``hch/viewer/assets/<name>``."""
    return (files("hch.viewer") / "assets" / name).read_text(encoding="utf-8")


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None: JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def embed_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element (see the module doc)."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"))
    return text.translate(_UNSAFE)


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def policy(script: str, style: str) -> str:
    """The Content-Security-Policy of a page whose only script and style are these."""
    return (
        "default-src 'none'; "
        f"script-src {_hash(script)}; "
        f"style-src {_hash(style)}; "
        "img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def page(*, title: str, body: str, styles: list[str], scripts: list[str], data: Any) -> str:
    """A whole page: ``body`` (our own markup), the named assets inline, and ``data``.

    The scripts are joined into one function scope; they read the data from the
    element ``#hch-data``.
    """
    style = "\n".join(asset(name) for name in styles)
    script = "(() => {\n'use strict';\n" + "\n".join(asset(n) for n in scripts) + "\n})();\n"
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy(script, style)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n{body}\n"
        f'<script type="application/json" id="hch-data">{embed_json(data)}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )
