"""The layers point one way, and no module reads another's private names.

Read from the source with ``ast`` (every import, including those inside functions), so
a later change cannot quietly break the rule:

* the engine (``hch``, its CLI included) imports no agent and no task;
* tasks (``experiments.tasks``) import no agents; agents may use tasks; ready studies
  (``experiments/*.py``) use both;
* ``hch.model`` is the bottom of the engine: it imports nothing of hch above it;
* ``import hch`` does not import networkx (a graph imports it when asked for).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hch", "agents", "experiments")

BOTTOM = {
    "hch.model": {"hch.compact", "hch.hashing", "hch.limits"},
    "hch.compact": set(),
    "hch.hashing": set(),
    "hch.limits": set(),
}
"""Engine modules at the bottom, and the only hch modules each may import."""


def _modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            parts = file.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), file


def _imports(name: str, tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".")[: -node.level or None]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


SOURCES = {name: ast.parse(file.read_text(), str(file)) for name, file in _modules()}
IMPORTS = {name: _imports(name, tree) for name, tree in SOURCES.items()}


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _breaks(importer: str, imported: str) -> str | None:
    if _under(importer, "hch") and (_under(imported, "agents") or _under(imported, "experiments")):
        return "the engine imports no agent or task"
    if _under(importer, "experiments.tasks") and _under(imported, "agents"):
        return "tasks import no agents"
    if importer in BOTTOM and _under(imported, "hch") and imported not in BOTTOM[importer]:
        allowed = any(_under(imported, ok) for ok in BOTTOM[importer])
        if not allowed:
            return f"{importer} is at the bottom; it may import only {sorted(BOTTOM[importer])}"
    return None


def test_the_packages_are_all_read() -> None:
    assert {"hch.scheduler", "hch.model", "agents.llm", "experiments.tasks.arithmetic"} <= set(
        SOURCES
    )


def test_imports_point_one_way() -> None:
    broken = sorted(
        f"{importer} imports {imported}: {why}"
        for importer, imported_all in IMPORTS.items()
        for imported in imported_all
        if (why := _breaks(importer, imported))
    )
    assert broken == []


@pytest.mark.parametrize(
    ("importer", "imported", "rule"),
    [
        ("hch.commands.run", "agents.simulated", "engine"),
        ("hch.study.runner", "experiments.tasks.arithmetic", "engine"),
        ("experiments.tasks.lists", "agents.noise", "tasks"),
        ("hch.model", "hch.graph", "bottom"),
    ],
)
def test_the_rule_catches_a_wrong_import(importer: str, imported: str, rule: str) -> None:
    assert _breaks(importer, imported) is not None
    assert _breaks("experiments.depth_vs_quality", "agents.simulated") is None
    assert _breaks("agents.simulated", "experiments.tasks.arithmetic") is None


def _private_defined(tree: ast.AST) -> set[str]:
    """Underscored names a module defines: functions, classes, attributes, slots."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # __slots__ entries, PrivateAttr names
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_no_module_reads_another_modules_private_names() -> None:
    defined = {name: _private_defined(tree) for name, tree in SOURCES.items()}
    ours = set().union(*defined.values())
    reads = []
    for name, tree in SOURCES.items():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.split(".")[0] in (PACKAGES)
            ):
                reads += [
                    f"{name} imports {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ours
                and node.attr not in defined[name]
            ):
                reads.append(f"{name} reads .{node.attr} (line {node.lineno})")
    assert reads == []


def test_import_hch_does_not_import_networkx() -> None:
    code = "import sys, hch; print('networkx' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "False"
