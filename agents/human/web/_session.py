"""One served tree (or study): its state directory, its board, its web server, the run.

The directory holds ``session.json`` (what is played, so that a restart resumes the
same tree), ``trace.jsonl`` (streamed as nodes finish; a study keeps its own directory
``study/``) and ``memo.sqlite`` (every person's action, written as it is taken).
Started again on the same directory, the session seeds the memo from the partial trace
and runs the tree again: every action already taken is replayed from the memo, so no
answered node is lost and people carry on where they were.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path as FilePath
from typing import Any

from agents._asgi import BackgroundServer, listen
from agents.human.web._app import humans_app
from agents.human.web._board import Board
from agents.human.web._seats import Seats, WebHuman
from hch import (
    Agent,
    ConfigError,
    Limits,
    Path,
    Policy,
    Question,
    Tree,
    load,
    reveal,
    run,
    stable_hash,
)
from hch.cache import Cache
from hch.study import Experiment, Results, Trial, run_study

__all__ = ["Session"]

TREE = "tree"
"""The board id of a session's one tree."""


class Session:
    """A directory, a board and a web server for people to play nodes of a tree.

    Args:
        out: The state directory (created; reused to resume).
        host: Address to listen on (127.0.0.1 unless told otherwise).
        port: Port (0: a free one).
        token: The shared access token (default: a fresh random one).
        lease_seconds: How long a person keeps a workspace without a heartbeat.

    Raises:
        ConfigError: if the port is in use.
    """

    def __init__(
        self,
        out: str | FilePath,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        lease_seconds: float = 60.0,
    ) -> None:
        self.out = FilePath(out)
        self.token = token or secrets.token_urlsafe(18)
        self.board = Board(lease_seconds=lease_seconds)
        app = humans_app(self.board, self.token)
        self.server = BackgroundServer(app, listen(host, port), name="hch-humans")

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def page(self) -> str:
        """The address to open: the token rides in the fragment, never sent to a server."""
        return f"{self.url}/#token={self.token}"

    @property
    def trace(self) -> FilePath:
        return self.out / "trace.jsonl"

    @property
    def memo_file(self) -> FilePath:
        return self.out / "memo.sqlite"

    def start(self) -> Session:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @staticmethod
    def answer(tree: Tree) -> str | None:
        """The root's answer as the task reads it: every pointer in it opened (the tree
        is done, so nobody at a node learns from it)."""
        found = tree.root.answer
        return None if found is None else reveal(found, tree.content).text

    def claim(self, spec: Mapping[str, Any]) -> Tree | None:
        """Make the directory this session's: record ``spec``, or check it is the one
        recorded. Returns the partial tree of an earlier run, if there is one.

        Raises:
            ConfigError: if the directory holds another session.
        """
        self.out.mkdir(parents=True, exist_ok=True)
        file = self.out / "session.json"
        wanted = json.loads(json.dumps(spec, default=str))
        if file.exists():
            held = json.loads(file.read_text(encoding="utf-8"))
            if held != wanted:
                differ = sorted(k for k in {*held, *wanted} if held.get(k) != wanted.get(k))
                raise ConfigError(
                    f"{self.out} holds another session ({', '.join(differ)} differ); "
                    "give another --out, or the same options to resume it"
                )
        else:
            file.write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")
        return load(self.trace) if self.trace.exists() else None

    def memo(self, earlier: Tree | None) -> Cache:
        """The memo of people's actions, with every call of an earlier partial run added."""
        if earlier is None:
            return Cache(self.memo_file)
        return Cache.from_trace(earlier, self.memo_file)

    def play(
        self,
        question: Question,
        others: Agent | Policy,
        *,
        memo: Cache,
        depths: Iterable[int] = (0,),
        paths: Iterable[Path] = (),
        limits: Limits | None = None,
        seed: int = 0,
        tools: Mapping[str, Callable[..., Any]] | None = None,
        name: str = "people",
        backend: str = "asyncio",
        **header: Any,
    ) -> Tree:
        """Run the tree with people at ``depths`` and ``paths`` and ``others`` elsewhere,
        streaming it to ``trace``; blocks until the tree is done (Ctrl-C cancels it)."""
        human = WebHuman(
            name, cache=memo, tools=sorted(tools or {}) or None, board=self.board, tree=TREE
        )
        seats = Seats(human, others, depths=depths, paths=paths, board=self.board, tree=TREE)
        self.board.add_tree(TREE, question.text)
        tree = run(
            question,
            seats,
            limits=limits,
            seed=seed,
            trace=self.trace,
            tools=tools,
            backend=backend,
            **header,
        )
        self.board.tree_finished(TREE, self.answer(tree))
        self.board.finished = True
        return tree

    def play_study(
        self,
        experiment: Experiment,
        *,
        memo: Cache,
        depths: Iterable[int] = (0,),
        paths: Iterable[Path] = (),
        params: Mapping[str, Any] | None = None,
        trials: int | None = None,
        seed: int | None = None,
        concurrency: int = 8,
        name: str = "people",
        backend: str = "asyncio",
    ) -> Results:
        """Run a study into ``out/study`` with people at ``depths`` and ``paths`` of
        every tree (each trial's own agent elsewhere); blocks until it is done. Re-run on
        the same directory, it runs only the trees not finished, replaying the memo."""
        seated = seat_people(
            experiment, self.board, memo=memo, depths=depths, paths=paths, name=name
        )
        results = run_study(
            seated,
            self.out / "study",
            params=params,
            trials=trials,
            seed=seed,
            concurrency=concurrency,
            keep_traces="all",
            backend=backend,
        )
        self.board.finished = True
        return results


def seat_people(
    experiment: Experiment,
    board: Board,
    *,
    memo: Cache,
    depths: Iterable[int],
    paths: Iterable[Path],
    name: str,
) -> Experiment:
    """``experiment`` with people seated in every tree: each trial's agent (or policy)
    plays the other nodes, and each tree is shown on ``board`` as it runs."""
    depths, paths = list(depths), list(paths)

    def seated(trial: int, seed: int, **params: Any) -> Trial:
        made = experiment.trial(params, trial, seed)
        tree = f"t{trial}-{stable_hash(params, size=3)}"
        label = " · ".join([*(f"{k}={v}" for k, v in params.items()), f"trial {trial}"])
        board.add_tree(tree, made.root.text, label)
        human = WebHuman(name, cache=memo, tools=sorted(made.tools) or None, board=board, tree=tree)
        seats = Seats(human, made.agent, depths=depths, paths=paths, board=board, tree=tree)
        return made.model_copy(update={"agent": seats})

    seated.__qualname__ = f"seat_people({experiment.name})"
    return Experiment(
        seated,
        grid=experiment.grid,
        trials=experiment.trials,
        seed=experiment.seed,
        name=experiment.name,
    )
