"""Find user objects: ``module:attr`` import paths, files, and ``key=value`` options."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from hch.errors import ConfigError

__all__ = [
    "build",
    "describe_validation",
    "import_path",
    "load_module",
    "load_target",
    "module_ref",
    "parse_options",
    "parse_path",
]


USER_MODULE_PREFIX = "hch_user_"
"""``load_module`` names modules loaded from files so; they are imported again by path."""


def module_ref(module: ModuleType) -> str:
    """How another process imports ``module`` again: its dotted name, or the path of its
    file for a script (``__main__``) or a file loaded by path."""
    name = module.__name__
    file = getattr(module, "__file__", None)
    if file is not None and (name == "__main__" or name.startswith(USER_MODULE_PREFIX)):
        return str(Path(file).resolve())
    return name


def import_path(obj: Any) -> str | None:
    """``module:qualname`` (see ``module_ref``) where importing finds ``obj`` again; None
    for a closure, a lambda or a class defined inside a function."""
    module = sys.modules.get(getattr(obj, "__module__", ""))
    found: Any = module
    for part in getattr(obj, "__qualname__", "<?>").split("."):
        found = getattr(found, part, None)
    if module is None or found is not obj:
        return None
    return f"{module_ref(module)}:{obj.__qualname__}"


def load_target(target: str) -> Any:
    """The object at ``module:attr`` or ``path/to/file.py:attr``."""
    module_name, sep, attr = target.rpartition(":")
    if not sep or not module_name:
        raise ConfigError(f"{target!r} is not module:attr")
    module = load_module(module_name)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ConfigError(f"{module_name} has no attribute {attr!r}") from None


def load_module(name: str) -> ModuleType:
    """Import a module by dotted name or from a ``.py`` file path.

    A file's folder becomes importable first, as ``python FILE`` makes it, so the file
    can import its neighbours. An error while importing is a ConfigError naming the file
    and line where it happened.
    """
    if name.endswith(".py"):
        path = Path(name)
        if not path.is_file():
            raise ConfigError(f"no such file: {name}")
        spec = importlib.util.spec_from_file_location(f"{USER_MODULE_PREFIX}{path.stem}", path)
        if spec is None or spec.loader is None:
            raise ConfigError(f"cannot import {name}")
        folder = str(path.resolve().parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[spec.name]
            raise ConfigError(f"cannot import {name}: {_where(exc)}") from exc
        return module
    try:
        return importlib.import_module(name)
    except Exception as exc:
        raise ConfigError(f"cannot import {name}: {_where(exc)}") from exc


_IMPORTLIB = str(Path(importlib.__file__).parent)


def _where(exc: Exception) -> str:
    """What went wrong while importing, and the file and line where."""
    if isinstance(exc, SyntaxError):
        return f"{exc.filename}, line {exc.lineno}: {type(exc).__name__}: {exc.msg}"
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename != __file__ and not f.filename.startswith(("<frozen", _IMPORTLIB))
    ]
    problem = f"{type(exc).__name__}: {exc}"
    if not frames:
        return problem  # the module itself was not found: no line of it ran
    last = frames[-1]
    return f"{last.filename}, line {last.lineno}: {problem}"


def parse_path(text: str) -> tuple[int, ...]:
    """A node path from ``root.2.0``, ``2.0``, ``2,0``, ``(2, 0)`` or ``root``."""
    body = text.strip().strip("()[]").strip()
    if body.startswith("root"):
        body = body[4:].lstrip(".")
    parts = [p.strip() for p in body.replace(",", ".").split(".") if p.strip()]
    try:
        path = tuple(int(p) for p in parts)
    except ValueError:
        raise ConfigError(f"{text!r} is not a node path (write it like root.2.0)") from None
    if any(i < 0 for i in path):
        raise ConfigError(f"{text!r} is not a node path: indices start at 0")
    return path


def parse_options(pairs: Iterable[str], what: str) -> dict[str, Any]:
    """``["p_error=0.05", "name=x"]`` -> ``{"p_error": 0.05, "name": "x"}`` (JSON values)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"{what} option {pair!r} is not KEY=VALUE")
        try:
            options[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            options[key.strip()] = raw
    return options


def build(factory: Any, options: Mapping[str, Any], what: str) -> Any:
    """Call ``factory(**options)``, turning a rejected option into a ConfigError naming it."""
    if not callable(factory):
        if options:
            raise ConfigError(f"{what} {factory!r} is an object; it takes no options")
        return factory
    try:
        return factory(**options)
    except ValidationError as exc:
        raise ConfigError(f"{what} {describe_validation(exc)}") from None
    except TypeError as exc:
        raise ConfigError(f"{what}: {exc}") from None


def describe_validation(exc: ValidationError) -> str:
    """One line per problem: ``option p_eror: Extra inputs are not permitted (got 1)``."""
    return "; ".join(
        f"option {'.'.join(str(p) for p in e['loc']) or '?'}: {e['msg']} (got {e['input']!r:.60})"
        for e in exc.errors()
    )
