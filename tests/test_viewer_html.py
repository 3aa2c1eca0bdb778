"""Pages embed their data safely: no string can end the script element or start markup."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from hch.viewer.html import embed_json, page

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and not math.isfinite(a):
        return b is None
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_same, a, b))
    return a == b


@given(json_values)
def test_embedded_json_reads_back_and_holds_nothing_html_reads(value: object) -> None:
    text = embed_json(value)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert _same(value, json.loads(text))


def test_the_policy_names_the_hashes_of_the_page_s_own_script_and_style() -> None:
    html = page(
        title="</title><script>x</script>",
        body="<p>b</p>",
        styles=["common.css"],
        scripts=["common.js"],
        data={"a": "</script>"},
    )
    assert "<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>" in html
    policy = re.search(r'content="(default-src[^"]*)"', html)
    assert policy is not None
    script = re.findall(r"<script>(.*?)</script>", html, re.S)[-1]
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None

    def sha(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"script-src 'sha256-{sha(script)}'" in policy.group(1)
    assert f"style-src 'sha256-{sha(style.group(1))}'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1) and "img-src data:" in policy.group(1)
