"""The model-call cache: a SQLite file keyed by a canonical hash of the whole request.

Safe for many trees at once, in one process or several: WAL journal, one short
transaction per statement, a busy timeout for writers of other processes. Lookups run in
a worker thread (``anyio.to_thread``): a lookup costs tens of microseconds, but waiting
on another process's write lock must never block the event loop, and the thread hop is
small beside any model call.

Only what the caller puts in the request is keyed and stored; agents keep API keys and
auth headers out of requests, so they never reach this file.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict

from hch.errors import CacheError
from hch.hashing import stable_hash
from hch.model import ModelCall, Tree, Usage
from hch.trace import load

__all__ = [
    "Cache",
    "CacheStats",
    "CachedCall",
    "default_cache_path",
    "request_key",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_cache_path() -> Path:
    """``$HCH_CACHE``, else ``~/.cache/hch/model_calls.sqlite``."""
    env = os.environ.get("HCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "hch" / "model_calls.sqlite"


def request_key(model: str, request: dict[str, Any]) -> str:
    """The stable hash of (model, request); ``request`` holds the base URL, messages,
    parameters and sample index."""
    return stable_hash([model, request])


class CachedCall(BaseModel):
    """A stored reply: the response as recorded in the trace and its token usage."""

    model_config = ConfigDict(frozen=True)

    response: dict[str, Any]
    usage: Usage | None = None


class CacheStats(BaseModel):
    """What ``hch cache stats`` prints."""

    file: str
    entries: int
    bytes: int
    models: dict[str, int]


class Cache:
    """A model-call cache in one SQLite file (``":memory:"`` for a private one).

    Attributes:
        hits: Lookups answered from the cache by this object.
        misses: Lookups that found nothing.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        """Open (or create) the cache at ``path``; ``read_only`` opens an existing file
        without writing anything, for looking at it (``hch cache stats``)."""
        self.path = str(default_cache_path() if path is None else path)
        if read_only:
            if not Path(self.path).is_file():
                there = "not a file" if Path(self.path).exists() else "no such file"
                raise CacheError(f"{self.path}: {there}; a cache is a SQLite file")
            # A reader of a WAL database creates its -wal and -shm files when they are
            # missing; without them no writer has the file open, and it is read as is.
            wal = all(Path(self.path + end).exists() for end in ("-wal", "-shm"))
            mode = "mode=ro" if wal else "immutable=1"
            target, uri = f"{Path(self.path).resolve().as_uri()}?{mode}", True
        else:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            target, uri = self.path, False
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                target, timeout=30, isolation_level=None, check_same_thread=False, uri=uri
            )
        except sqlite3.Error as exc:
            raise CacheError(f"cannot open the cache {self.path}: {exc}") from None
        try:
            if read_only:
                self._db.execute("SELECT COUNT(*) FROM calls")
            else:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise CacheError(f"{self.path} is not a model-call cache (SQLite): {exc}") from None
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return f"Cache({self.path!r})"

    # -- async API for agents -------------------------------------------------------
    async def get(self, model: str, request: dict[str, Any]) -> CachedCall | None:
        found = await anyio.to_thread.run_sync(self.get_sync, model, request)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    async def put(self, model: str, request: dict[str, Any], call: CachedCall) -> None:
        await anyio.to_thread.run_sync(self.put_sync, model, request, call)

    # -- blocking API ---------------------------------------------------------------
    def get_sync(self, model: str, request: dict[str, Any]) -> CachedCall | None:
        key = request_key(model, request)
        with self._lock:
            row = self._db.execute("SELECT value FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else CachedCall.model_validate_json(row[0])

    def put_sync(self, model: str, request: dict[str, Any], call: CachedCall) -> None:
        key = request_key(model, request)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO calls (key, model, value, created) VALUES (?, ?, ?, ?)",
                (key, model, call.model_dump_json(), time.time()),
            )

    def stats(self) -> CacheStats:
        with self._lock:
            rows = self._db.execute("SELECT model, COUNT(*) FROM calls GROUP BY model").fetchall()
            size = self._db.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            ).fetchone()[0]
        models = {str(m): int(n) for m, n in rows}
        return CacheStats(
            file=self.path, entries=sum(models.values()), bytes=int(size), models=models
        )

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        with self._lock:
            n = int(self._db.execute("SELECT COUNT(*) FROM calls").fetchone()[0])
            self._db.execute("DELETE FROM calls")
            self._db.execute("VACUUM")
        return n

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @classmethod
    def from_trace(cls, trace: Tree | str | Path, path: str | Path = ":memory:") -> Cache:
        """A cache holding every successful model call of a recorded tree, so that running
        the same tree again with it makes no request at all."""
        tree = trace if isinstance(trace, Tree) else load(trace)
        cache = cls(path)
        for node in tree:
            for event in node.events:
                if isinstance(event, ModelCall) and event.response is not None and not event.error:
                    call = CachedCall(response=event.response, usage=event.usage)
                    cache.put_sync(event.model, event.request, call)
        return cache
