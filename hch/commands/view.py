"""`hch view`: a tree, two trees, or a study as a self-contained HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "view",
        help="write a tree, two trees side by side, or a study index as one HTML page",
        description="TRACE: the tree as one self-contained HTML page (no network needed "
        "to open it): collapsible, searchable, coloured by correctness, status, agent, "
        "depth or meme, with every recorded detail of a node beside it, pointers as chips "
        "that reveal their content, and every pointer's story (key o). TRACE TRACE_B: "
        "two trees aligned by path, what changed marked with its chain up to the root. "
        "STUDY_DIR: the study's index (table, plots, every kept tree linked), with a page "
        "per kept tree under trees/ beside it.",
    )
    p.add_argument(
        "source", metavar="TRACE|STUDY_DIR", help="a trace (.jsonl) or a study directory"
    )
    p.add_argument("other", metavar="TRACE_B", nargs="?", help="a second trace to compare with")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="the page to write (default: TRACE.html, A-vs-B.html beside A, or DIR/index.html)",
    )
    p.add_argument("--title", help="the page title (default: the file names)")
    p.add_argument("--open", action="store_true", help="open the page in a web browser")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from hch.errors import ConfigError

    try:
        written = _write(args)
    except OSError as exc:
        raise ConfigError(f"cannot write the page: {exc.strerror or exc}: {exc.filename}") from None
    print(f"wrote {written}  (open {written.resolve().as_uri()})")
    if args.open:
        import webbrowser

        webbrowser.open(written.resolve().as_uri())
    return 0


def _write(args: argparse.Namespace) -> Path:
    from hch.errors import ConfigError
    from hch.trace import load
    from hch.viewer.page import write_tree_page

    source = Path(args.source)
    if source.is_dir():
        if args.other:
            raise ConfigError(f"{source} is a study directory: it takes no second trace")
        from hch.viewer.index import write_study_index

        return write_study_index(source, args.output, title=args.title)
    elif args.other is None:
        out = Path(args.output) if args.output else source.with_suffix(".html")
        return write_tree_page(out, load(source), labels=(source.name, ""), title=args.title)
    else:
        other = Path(args.other)
        default = source.with_name(f"{source.stem}-vs-{other.stem}.html")
        out = Path(args.output) if args.output else default
        labels = (
            (str(source), str(other)) if source.name == other.name else (source.name, other.name)
        )
    return write_tree_page(out, load(source), load(other), labels=labels, title=args.title)
