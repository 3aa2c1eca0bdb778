"""Compact records: the same frozen pydantic models in less memory.

pydantic gives every instance a ``__dict__`` of its own, each with a hash table of its
own, and a set of its own naming the fields it was given (216 B, as much as the dict of
a one-line ``Answer``). A compact record shares one fields-set with every record of its
class given the same fields and, when its class has enough fields for that to save
memory (a Node's 13 do), keeps its fields in a dict that shares its keys with every
compact record of its class (CPython's key-sharing dicts, as plain objects' attributes
use). Nothing a user can see changes: it is the same object, equal to what it was, and
dumps the same. It stays correct because records are frozen, and pydantic copies a
fields-set before ``model_copy`` changes it.

The scheduler records every node, question and answer in this form, and ``hch.load``
reads traces into it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["compact", "make"]

M = TypeVar("M", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__
_templates: dict[type[BaseModel], dict[str, Any]] = {}  # key-sharing dict of every field
_every: dict[type[BaseModel], set[str]] = {}  # each class's fields-set naming every field
_nested: dict[type[BaseModel], list[str]] = {}  # fields that may hold a record directly
_sharing: set[type[BaseModel]] = set()  # classes whose records take less with shared keys
_mutable: set[type[BaseModel]] = set()  # classes not frozen: their records stay as they are
_shared: dict[frozenset[str], set[str]] = {}
_shared_ids: set[int] = set()  # shared sets live as long as the process: their ids stay


def make(cls: type[M], fields: Mapping[str, Any]) -> M:
    """A compact ``cls`` from every one of its fields, without validation: for the
    engine's own records, whose every field it built itself."""
    values = _template(cls).copy()  # a copy of a key-sharing dict shares its keys too
    values.update(fields)
    record = _new(cls)
    _set(record, "__dict__", values)
    _set(record, "__pydantic_fields_set__", _every[cls])
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


def compact(record: M, *, deep: bool = False) -> M:
    """Make a frozen ``record`` compact, in place, and return it (a record of a class
    that is not frozen is returned as it is). ``deep`` also compacts the records it
    holds directly in its fields (a node's question, answer and error)."""
    given = record.__pydantic_fields_set__
    if id(given) in _shared_ids:
        return record
    cls = type(record)
    template = _template(cls)
    if cls in _mutable:  # setting a field would add to a fields-set others share
        return record
    if cls in _sharing:
        values = template.copy()
        values.update(record.__dict__)
        _set(record, "__dict__", values)
    if deep:
        for name in _nested[cls]:
            value = getattr(record, name)
            if value is not None:
                compact(value)
    _set(record, "__pydantic_fields_set__", _fields_set(frozenset(given)))
    return record


def _fields_set(names: frozenset[str]) -> set[str]:
    shared = _shared.get(names)
    if shared is None:
        shared = _shared.setdefault(names, set(names))
        _shared_ids.add(id(shared))
    return shared


def _template(cls: type[BaseModel]) -> dict[str, Any]:
    """A key-sharing dict holding each field of ``cls`` (as None), in field order: made
    by setting the fields on a bare instance the way plain attributes are set."""
    found = _templates.get(cls)
    if found is None:
        bare = _new(cls)
        for name in cls.model_fields:
            _set(bare, name, None)
        found = _templates[cls] = bare.__dict__
        _every[cls] = _fields_set(frozenset(cls.model_fields))
        if not cls.model_config.get("frozen"):
            _mutable.add(cls)
        if sys.getsizeof(found) < sys.getsizeof(dict.fromkeys(cls.model_fields)):
            _sharing.add(cls)
        _nested[cls] = [n for n, f in cls.model_fields.items() if _may_hold_record(f.annotation)]
    return found


def _may_hold_record(annotation: Any) -> bool:
    """Whether a field of this type holds a pydantic record itself (not in a list), or
    None: the fields ``compact(deep=True)`` follows."""
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    if get_origin(annotation) in (Union, UnionType):
        args = get_args(annotation)
        return all(a is type(None) or _may_hold_record(a) for a in args)
    return False
