"""`hch serve-humans`: a tree whose chosen nodes are played by people in browsers."""

from __future__ import annotations

import argparse

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve-humans", help="run a tree whose chosen nodes people play in browsers")
    p.set_defaults(func=lambda args: 0)
