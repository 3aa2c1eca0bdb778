"""`hch cache stats|clear`: look at or empty the model-call cache."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "cache",
        help="show or clear the model-call cache",
        description="The model-call cache (default: $HCH_CACHE or ~/.cache/hch/).",
    )
    p.add_argument(
        "action",
        choices=["stats", "clear"],
        help="stats: entries per model (writes nothing); clear: remove every entry",
    )
    p.add_argument("--file", help="cache file (default: $HCH_CACHE or ~/.cache/hch/...)")
    p.add_argument("--json", action="store_true", help="print stats as one JSON object")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hch.cache import Cache, CacheStats, default_cache_path

    path = args.file or str(default_cache_path())
    if not Path(path).exists():  # nothing to look at or to clear; create nothing either
        if args.action == "clear":
            print(f"no cache at {path}: nothing to remove")
            return 0
        stats = CacheStats(file=path, entries=0, bytes=0, models={})
    else:
        cache = Cache(path, read_only=args.action == "stats")
        try:
            if args.action == "clear":
                print(f"removed {cache.clear()} entries from {cache.path}")
                return 0
            stats = cache.stats()
        finally:
            cache.close()
    if args.json:
        print(stats.model_dump_json())
        return 0
    print(f"file: {stats.file}\nentries: {stats.entries}\nbytes: {stats.bytes}")
    for model, n in sorted(stats.models.items()):
        print(f"  {model}: {n}")
    return 0
