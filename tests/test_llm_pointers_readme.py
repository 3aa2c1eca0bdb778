"""The README's "Language models at the nodes" Python runs as written against
``hch serve-model``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_language_models_section_runs_against_serve_model(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Language models at the nodes") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 2
    server = subprocess.Popen(
        [sys.executable, "-m", "hch", "serve-model"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "OPENAI_BASE_URL": base_url,
            "OPENAI_API_KEY": "sk-local",
        }
        done = subprocess.run(
            [sys.executable, "-c", "\n".join(blocks)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith(" 21")  # (3 + 4) * (5 - 2)
    assert lines[1] == "54"
    read = [line.split(" ", 1)[1] for line in lines[2:]]
    assert lines[2].startswith("root ") and any("task:" in r for r in read)
    assert (tmp_path / "runs" / "pointers.jsonl").exists()
