"""`hch serve-humans`: a real server on 127.0.0.1, over HTTP and in headless Chromium.

Each test starts the command as a process (so it can be killed and started again), and
talks to it as people would: with the page in a browser, or with its JSON API.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from agents._asgi import listen
from agents.human import Ask, Reply, TerminalHuman
from agents.human.web import Board, Seats, WebHuman
from agents.llm import LLMAgent
from agents.scripted import Scripted
from agents.server import ModelServer, SimulatedModel
from experiments.tasks.arithmetic import ArithmeticTask, evaluate, render
from hch import Limits, ModelCall, Tree, by_depth, load, run, run_tree
from hch.cache import Cache
from tests.browser import CHROMEDRIVER, CHROMIUM, FLAGS, unavailable

TOKEN = "test-token-7f3a"
SERVE_HUMANS = (sys.executable, "-m", "hch", "serve-humans")
TASK = ArithmeticTask(leaves=4)


class Served:
    """One ``hch serve-humans`` process and a JSON client for its API."""

    def __init__(self, out: Path, *args: str, port: int = 0) -> None:
        cmd = [*SERVE_HUMANS, "--out", str(out), "--port", str(port)]
        cmd += ["--token", TOKEN, "--exit-when-done", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.lines = [self.proc.stdout.readline() for _ in range(3)]
        if not self.lines[0].startswith("serving on "):
            raise AssertionError(f"the server did not start: {self.lines} {self.finish()}")
        self.url = self.lines[0].split()[-1]
        self.page = self.lines[1].split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def call(
        self, path: str, body: dict[str, Any] | None = None, token: str | None = TOKEN
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data, headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def ok(self, path: str, body: dict[str, Any] | None = None) -> Any:
        status, got = self.call(path, body)
        assert status == 200, (path, body, status, got)
        return got

    def wait_for(self, what: Callable[[dict[str, Any]], bool], timeout: float = 30) -> Any:
        """The board's state, once ``what`` holds for it."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.ok("/api/state")
            if what(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"the board never got there: {state}")
            time.sleep(0.05)

    def queue(self) -> list[str]:
        return [w["path"] for w in self.ok("/api/state")["queue"]]

    def take(self, person: str, key: str | None = None) -> str:
        return str(self.ok("/api/take", {"person": person, "workspace": key})["lease"])

    def act(self, lease: str, **action: Any) -> Any:
        return self.ok("/api/act", {"lease": lease, "action": action})

    def settled(self, lease: str, timeout: float = 30) -> Any:
        """The workspace, once the node has done the last action and waits again."""
        deadline = time.monotonic() + timeout
        while not (seen := self.ok("/api/workspace", {"lease": lease}))["ready"]:
            assert time.monotonic() < deadline, seen
            time.sleep(0.02)
        return seen

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, "".join(self.lines) + out, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*args: str, out: Path | None = None, port: int = 0) -> Served:
        started.append(Served(out or tmp_path / "session", *args, port=port))
        return started[-1]

    yield start
    for s in started:
        s.kill()


def by_path(tree: Tree) -> dict[str, Any]:
    return {n.id: n for n in tree}


def human_calls(tree: Tree, path: tuple[int, ...]) -> list[ModelCall]:
    return [e for e in tree[path].events if isinstance(e, ModelCall) and "human:" in e.model]


# -- over HTTP ---------------------------------------------------------------------
def test_the_token_keeps_strangers_out(serve: Callable[..., Served]) -> None:
    s = serve("-q", "What is 1 + 1?", "--max-depth", "0")
    assert s.call("/api/state", token=None)[0] == 401
    assert s.call("/api/state", token=TOKEN + "x")[0] == 401
    status, got = s.call("/api/take", {"person": "eve"}, token="wrong")
    assert status == 401 and "access token" in got["error"]
    assert s.call("/api/state")[0] == 200
    with urllib.request.urlopen(s.url + "/", timeout=10) as page:  # the page itself is public
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp
        assert TOKEN not in page.read().decode()
    assert s.page == f"{s.url}/#token={TOKEN}"


def test_people_share_a_queue_one_person_per_node(serve: Callable[..., Served]) -> None:
    sample = TASK.sample(4)
    left, right = (render(p) for p in sample.question.data[1:])
    s = serve(
        "-t", "leaves=4", "--seed", "4", "-a", "p_error=0", "--human-at", "0", "--human-at", "1"
    )
    s.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root"])
    alice = s.take("alice")
    assert s.call("/api/take", {"person": "bob"}) == (
        404,
        {"error": "no workspace is waiting for a person"},
    )
    assert s.call("/api/take", {"person": "bob", "workspace": "tree:root"}) == (
        409,
        {"error": "workspace tree:root is taken by alice"},
    )
    assert s.call("/api/take", {"person": " "})[0] == 400
    status, got = s.call("/api/act", {"lease": alice, "action": {"action": "answer", "text": ""}})
    assert (status, got) == (422, {"error": "an answer cannot be empty"})
    status, got = s.call("/api/act", {"lease": alice, "action": {"action": "dance"}})
    assert status == 400 and "not an action" in got["error"]
    s.ok("/api/scratchpad", {"lease": alice, "text": "split it in two"})
    assert s.act(alice, action="ask", questions=[left, right]) == {
        "ok": True,
        "lease_goes_on": False,
    }
    assert s.call("/api/heartbeat", {"lease": alice})[0] == 410  # asking ended the lease

    s.wait_for(lambda st: sorted(w["path"] for w in st["queue"]) == ["root.0", "root.1"])
    a, b = s.take("alice", "tree:root.0"), s.take("bob", "tree:root.1")  # at once
    seen = s.ok("/api/workspace", {"lease": b})
    assert seen["view"]["question"] == right and seen["view"]["depth"] == 1
    assert {n["path"]: n["status"] for n in seen["nodes"]} == {
        "root": "waiting for children",
        "root.0": "with alice",
        "root.1": "with bob",
    }
    s.act(b, action="note", text="easy one")  # a note keeps the lease
    assert s.settled(b)["view"]["log"] == [{"kind": "note", "text": "easy one"}]
    s.act(a, action="answer", text=str(evaluate(sample.question.data[1])))
    s.act(b, action="answer", text=str(evaluate(sample.question.data[2])))

    s.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root"])
    bob = s.take("bob")
    seen = s.ok("/api/workspace", {"lease": bob})
    assert seen["scratchpad"] == "split it in two"  # kept with the workspace, for whoever
    assert [c["answer"] for c in seen["view"]["log"][0]["asked"]] == [
        str(evaluate(sample.question.data[1])),
        str(evaluate(sample.question.data[2])),
    ]
    s.act(bob, action="answer", text=str(sample.truth))
    code, out, err = s.finish()
    assert code == 0 and f"answer: {sample.truth}" in out, err

    tree = load(Path(s.lines[2].split()[1]))
    assert tree.complete and tree.root.answer.text == str(sample.truth)  # type: ignore[union-attr]
    who = [c.response["by"] for c in human_calls(tree, ())]  # type: ignore[index]
    assert who == ["alice", "bob"]
    assert human_calls(tree, ())[0].response["scratchpad"] == "split it in two"  # type: ignore[index]
    assert [c.response["action"] for c in human_calls(tree, (1,))] == ["note", "answer"]  # type: ignore[index]
    assert tree.header.agent.startswith(
        "Seats(human=WebHuman(name='people', tools=None, tree='tree'), depths=[0, 1]"
    )


def test_a_lapsed_lease_gives_the_workspace_back(serve: Callable[..., Served]) -> None:
    s = serve("-q", "What is 1 + 1?", "--max-depth", "0", "--lease", "0.5")
    s.wait_for(lambda st: st["queue"])
    gone = s.take("carol")
    assert s.queue() == []
    s.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root"], timeout=10)
    assert s.call("/api/act", {"lease": gone, "action": {"action": "answer", "text": "2"}}) == (
        410,
        {"error": "this lease has ended (it lapsed, or the node moved on)"},
    )
    dave = s.take("dave")
    s.act(dave, action="answer", text="2")
    assert s.finish()[0] == 0


def test_untrusted_text_comes_back_literally(serve: Callable[..., Served]) -> None:
    hostile = "<script>alert(1)</script>\x1b[2J\u202e {{7*7}} ${7*7}"
    s = serve("-q", hostile, "--max-depth", "0")
    state = s.wait_for(lambda st: st["queue"])
    assert state["queue"][0]["question"] == hostile
    lease = s.take("mallory")
    assert s.ok("/api/workspace", {"lease": lease})["view"]["question"] == hostile
    s.act(lease, action="answer", text=hostile)
    assert s.finish()[0] == 0


def test_a_killed_server_resumes_without_losing_an_answered_node(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    sample = TASK.sample(2)
    left, right = (render(p) for p in sample.question.data[1:])
    args = ("-t", "leaves=4", "--seed", "2", "--human-at", "0", "--human-at", "1")
    first = serve(*args)
    first.wait_for(lambda st: st["queue"])
    first.act(first.take("alice"), action="ask", questions=[left, right])
    first.wait_for(lambda st: len(st["queue"]) == 2)
    lease = first.take("bob", "tree:root.0")
    first.act(lease, action="note", text="checked twice")
    first.settled(lease)
    first.act(lease, action="answer", text="41")  # wrong on purpose: it must survive as is
    first.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root.1"])
    trace = tmp_path / "session" / "trace.jsonl"
    deadline = time.monotonic() + 30  # the board lets go of a node just before it is written
    while not (trace.exists() and (0,) in {n.path for n in load(trace)}):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()

    again = serve(*args, port=first.port)  # the same command, the same address
    assert "resuming: 1 nodes finished before" in again.lines[2]
    state = again.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root.1"])
    assert state["taken"] == []
    lease = again.take("carol")
    seen = again.ok("/api/workspace", {"lease": lease})
    done = {n["path"]: (n["status"], n["answer"]) for n in seen["nodes"]}
    assert done["root.0"] == ("ok", "41") and done["root"][0] == "waiting for children"
    again.act(lease, action="answer", text="7")
    again.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root"])
    again.act(again.take("carol"), action="answer", text="48")
    assert again.finish()[0] == 0

    tree = load(tmp_path / "session" / "trace.jsonl")
    assert tree.complete and tree.root.answer.text == "48"  # type: ignore[union-attr]
    replayed = human_calls(tree, (0,))
    assert [(c.response["by"], c.cached) for c in replayed] == [("bob", True), ("bob", True)]  # type: ignore[index]
    assert tree[(0,)].notes == [{"text": "checked twice"}]
    assert [c.cached for c in human_calls(tree, ())] == [True, False]


def test_a_study_puts_people_in_every_tree_and_resumes(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    args = ("--study", "tests/study_experiments.py:flips", "-p", "k=0,1", "--trials", "1")
    first = serve(*args)
    state = first.wait_for(lambda st: len(st["queue"]) == 2)
    labels = sorted(t["label"] for t in state["trees"])
    assert labels == ["k=0 · depth=0 · trial 0", "k=1 · depth=0 · trial 0"]
    truth = {w["key"]: w["question"] for w in state["queue"]}
    done = state["queue"][0]
    first.act(first.take("ann", done["key"]), action="answer", text="0")
    first.wait_for(lambda st: len(st["queue"]) == 1)
    rows = tmp_path / "session" / "study" / "results.jsonl"
    deadline = time.monotonic() + 30
    while not rows.exists() or not rows.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()

    again = serve(*args)  # the finished tree is a row already; only the other one waits
    state = again.wait_for(lambda st: len(st["queue"]) == 1)
    (left,) = state["queue"]
    assert left["key"] != done["key"] and left["key"] in truth
    again.act(again.take("ann"), action="answer", text="1")
    code, out, _ = again.finish()
    assert code == 0 and "trees: 2;" in out
    results = [json.loads(line) for line in rows.read_text().splitlines()]
    assert sorted(r["answer"] for r in results) == ["0", "1"]
    kept = sorted((tmp_path / "session" / "study" / "traces").glob("*/*.jsonl"))
    assert len(kept) == 2 and all(load(t).root.agent == "people" for t in kept)


def test_a_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    taken = listen("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        done = subprocess.run(
            [*SERVE_HUMANS, "--out", str(tmp_path / "s"), "--port", str(port), "-q", "x"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        taken.close()
    assert done.returncode == 2
    assert done.stderr == (
        f"hch serve-humans: error: 127.0.0.1:{port} is in use; choose another port with --port\n"
    )


def test_another_session_in_the_same_directory_is_refused(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    s = serve("-q", "one", "--max-depth", "0")
    s.kill()
    other = ("--port", "0", "-q", "two", "--max-depth", "0")
    done = subprocess.run(
        [*SERVE_HUMANS, "--out", str(tmp_path / "session"), *other],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "holds another session (question differ)" in done.stderr


@pytest.mark.anyio
async def test_a_person_answers_through_the_board_on_any_backend() -> None:
    """The tree waits on its own event loop (asyncio or trio) while people act from the
    web server's thread: the board is all that is shared."""
    board = Board(lease_seconds=30)
    board.add_tree("t", "1 + 1")
    human = WebHuman(board=board, tree="t")
    seats = Seats(human, Scripted({"1": "one"}), depths=[0], board=board, tree="t")

    def person() -> None:
        deadline = time.monotonic() + 30
        while not board.state()["queue"]:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        lease = board.take("pat")
        board.act(lease, Ask(questions=["1"]))
        while not board.state()["queue"]:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        lease = board.take("pat")
        assert board.workspace(lease)["view"]["log"][0]["asked"][0]["answer"] == "one"
        board.act(lease, Reply(text="2"))

    async with anyio.create_task_group() as tg:
        tg.start_soon(anyio.to_thread.run_sync, person)
        tree = await run_tree("1 + 1", seats, limits=Limits(max_depth=1))
    assert tree.root.answer is not None and tree.root.answer.text == "2"
    assert board.state()["queue"] == [] and tree[(0,)].agent == "scripted"


# -- in headless Chromium ----------------------------------------------------------
@pytest.fixture
def browsers(tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """Opens separate headless Chromium sessions (one per person, each with a fresh
    profile, as ``tests/browser.py`` sets them up); closes them after the test."""
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"headless Chromium unavailable: {reason}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opened: list[Any] = []

    def open_() -> Any:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        service = Service(executable_path=str(CHROMEDRIVER))
        opened.append(webdriver.Chrome(service=service, options=options))
        return opened[-1]

    yield open_
    for driver in opened:
        with contextlib.suppress(Exception):  # one the test closed itself
            driver.quit()


class Person:
    """One browser session on the page, doing what a person does."""

    def __init__(self, driver: Any, page: str, name: str) -> None:
        from selenium.webdriver.common.by import By

        self.d = driver
        self.by = By
        driver.get(page)
        self.el("person").send_keys(name)

    def el(self, id_: str) -> Any:
        return self.d.find_element(self.by.ID, id_)

    def wait(self, check: Callable[[], Any], timeout: float = 30) -> Any:
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.d, timeout, poll_frequency=0.1).until(lambda _: check())

    def text(self, id_: str) -> str:
        return str(
            self.d.execute_script("return document.getElementById(arguments[0]).textContent", id_)
        )

    def take_next(self, path: str) -> None:
        """Take the next workspace, once ``path`` is the one waiting first in the queue."""
        first = "return document.querySelector('#queue li')?.dataset.key"
        self.wait(lambda: self.d.execute_script(first) == f"tree:{path}")
        self.el("take-next").click()
        self.shows(path)

    def take(self, path: str) -> None:
        """Take the workspace of ``path`` from the queue, once it waits there."""
        click = (
            "const b = document.querySelector(`#queue li[data-key='${arguments[0]}'] button`);"
            "if (b) b.click(); return !!b"
        )
        from selenium.common.exceptions import TimeoutException

        def attempt() -> bool:
            # A list drawn just before the workspace left the queue can still show it;
            # the take is then refused, and a person clicks again once the list is fresh.
            if not self.d.execute_script(click, f"tree:{path}"):
                return False
            try:
                self.shows(path, timeout=3)
            except TimeoutException:
                return False
            return True

        self.wait(attempt)

    def shows(self, path: str, timeout: float = 30) -> None:
        self.wait(
            lambda: (
                self.text("ws-where").startswith(f"node {path} ")
                and self.el("workspace").is_displayed()
            ),
            timeout,
        )

    def ask(self, *questions: str) -> None:
        self.el("ask-text").send_keys("\n".join(questions))
        self.el("ask-btn").click()
        self.wait(lambda: not self.el("workspace").is_displayed())

    def answer(self, text: str) -> None:
        self.el("answer-text").send_keys(text)
        self.el("answer-btn").click()
        self.wait(lambda: "Answered" in self.text("status"))

    def answers(self, count: int) -> list[str]:
        """The answers shown in the workspace's log, once there are ``count``."""

        def found() -> list[str] | None:
            items = self.d.execute_script(
                "return [...document.querySelectorAll('#ws-log .answer')].map(e => e.textContent)"
            )
            return [str(t)[3:] for t in items] if len(items) >= count else None

        return list(self.wait(found))


@pytest.mark.browser
def test_two_people_in_two_browsers_answer_one_live_tree_with_llm_agents_below(
    serve: Callable[..., Served], browsers: Callable[[], Any], tmp_path: Path
) -> None:
    sample = TASK.sample(6)
    left, right = (render(p) for p in sample.question.data[1:])
    with ModelServer(SimulatedModel()) as model:
        llm = (
            "--agent",
            "llm",
            "-a",
            "model=sim",
            "-a",
            f"base_url={model.base_url}",
            "-a",
            "api_key=k",
        )
        s = serve("-t", "leaves=4", "--seed", "6", "--human-at", "0", "--human-at", "1", *llm)
        alice = Person(browsers(), s.page, "alice")
        bob = Person(browsers(), s.page, "bob")
        alice.take_next("root")
        assert alice.text("ws-question") == sample.question.text
        alice.ask(left, right)
        alice.take("root.0")  # both at once, each in their own workspace
        bob.take("root.1")
        bob.wait(lambda: "root.0 with alice" in bob.text("tree"))
        alice.ask(left)  # a language model answers below the people
        bob.ask(right)
        alice.take("root.0")
        bob.take("root.1")
        (got_left,) = alice.answers(1)
        (got_right,) = bob.answers(1)
        alice.answer(got_left)
        bob.answer(got_right)
        bob.take_next("root")
        assert bob.answers(2) == [got_left, got_right]
        result = str(evaluate([sample.question.data[0], int(got_left), int(got_right)]))
        bob.answer(result)
        assert s.finish()[0] == 0
        calls_before = model.requests

        tree = load(tmp_path / "session" / "trace.jsonl")
        assert tree.complete and tree.root.answer.text == result  # type: ignore[union-attr]
        agents = {n.id: n.agent for n in tree}
        assert agents == {
            "root": "people",
            "root.0": "people",
            "root.1": "people",
            "root.0.0": "llm:sim",
            "root.1.0": "llm:sim",
        }
        assert [c.response["by"] for c in human_calls(tree, (0,))] == ["alice", "alice"]  # type: ignore[index]
        assert [c.response["by"] for c in human_calls(tree, (1,))] == ["bob", "bob"]  # type: ignore[index]

        # The trace re-runs from its recorded actions and calls: nobody, and no model.
        memo = Cache.from_trace(tree)
        # Nobody types: a node asking a person would fail at the end of this input.
        nobody = TerminalHuman("people", cache=memo, input=io.StringIO(), output=io.StringIO())
        below = LLMAgent(model="sim", base_url=model.base_url, api_key="k", cache=memo)
        again = run(
            sample.question,
            by_depth({0: nobody, 1: nobody}, default=below),
            limits=Limits(max_depth=2),
            seed=6,
        )
        assert [(n.path, n.answer) for n in again] == [(n.path, n.answer) for n in tree]
        assert model.requests == calls_before


@pytest.mark.browser
def test_a_person_who_leaves_gives_the_node_back_and_a_killed_server_resumes(
    serve: Callable[..., Served], browsers: Callable[[], Any], tmp_path: Path
) -> None:
    hostile = (
        '<img src=x onerror="document.title=\'owned\'"><script>document.title="owned"</script>'
    )
    args = ("-q", hostile, "--max-depth", "1", "--human-at", "0", "--human-at", "1", "--lease", "5")
    first = serve(*args)
    alice = Person(browsers(), first.page, "alice")
    alice.take_next("root")
    assert alice.text("ws-question") == hostile  # shown as text, never run
    assert alice.d.find_elements(alice.by.CSS_SELECTOR, "#ws-question *") == []
    alice.ask("first <b>part</b>?", "second part?")

    bob = Person(browsers(), first.page, "bob")
    bob.take("root.0")
    bob.el("scratchpad").send_keys("bob was here")
    held = bob.d.execute_script("return sessionStorage.getItem('hch-lease')")
    bob.wait(lambda: first.ok("/api/workspace", {"lease": held})["scratchpad"] == "bob was here")
    bob.d.quit()  # bob leaves mid-node: the workspace goes back to the queue
    first.wait_for(lambda st: "root.0" in [w["path"] for w in st["queue"]], timeout=15)

    alice.take("root.0")
    assert alice.el("scratchpad").get_attribute("value") == "bob was here"
    alice.answer("one")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()

    again = serve(*args, port=first.port)
    again.wait_for(lambda st: [w["path"] for w in st["queue"]] == ["root.1"])
    alice.take("root.1")  # the same page carries on against the resumed server
    alice.answer("two")
    alice.take_next("root")
    assert [a for a in alice.answers(2)] == ["one", "two"]
    alice.answer("one and two")
    assert again.finish()[0] == 0
    assert alice.d.title != "owned"

    tree = load(tmp_path / "session" / "trace.jsonl")
    assert tree.complete and tree.root.answer.text == "one and two"  # type: ignore[union-attr]
    assert tree[(0,)].question.text == "first <b>part</b>?"
    assert [(c.response["by"], c.cached) for c in human_calls(tree, (0,))] == [("alice", True)]  # type: ignore[index]
