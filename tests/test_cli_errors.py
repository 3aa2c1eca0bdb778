"""Bad input to every subcommand, through the real console script: exit status 2 (1 for
a run that failed), a line naming the problem, never a traceback, nothing recorded lost."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest

import hch
from agents.server import ModelServer, SimulatedModel
from hch.cache import Cache, CachedCall
from hch.registry import registered
from hch.study import load
from tests.cli_harness import ROOT, assert_fails, write
from tests.cli_harness import hch as run_hch

FLIPS = "tests.study_experiments:flips"
"""A tiny study: 2 grid points x 6 trials of one-node trees."""

WORDCOUNT = """
    from hch import Answer, Question
    from hch.tasks import Sample


    class WordCount:
        name = "wordcount"

        def sample(self, seed: int) -> Sample:
            n = seed % 5 + 2
            return Sample(question=Question(text=" ".join(["w"] * n)), truth=n, task=self.name)

        def check(self, sample: Sample, answer: Answer) -> bool:
            return answer.text == str(sample.truth)


    class Counter:
        async def answer(self, question, ctx):
            return Answer(text=str(len(question.text.split())))
"""

WC_STUDY = """
    from hch import Limits
    from hch.study import Trial, experiment
    from wordcount import Counter, WordCount  # a module beside this file

    TASK = WordCount()


    @experiment(grid={"depth": [0]}, trials=3)
    def wc(depth: int, seed: int) -> Trial:
        limits = Limits(max_depth=depth)
        return Trial(task=TASK, sample=TASK.sample(seed), agent=Counter(), limits=limits)
"""


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small recorded tree."""
    path = tmp_path_factory.mktemp("trace") / "run.jsonl"
    done = run_hch("run", "-t", "leaves=8", "--trace", str(path))
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small finished study directory."""
    out = tmp_path_factory.mktemp("study") / "flips"
    done = run_hch("study", FLIPS, "--out", str(out), "--quiet", "--no-plots", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return out


# -- your own modules ------------------------------------------------------------------


def test_the_current_folder_is_importable_for_run(tmp_path: Path) -> None:
    write(tmp_path, "wordcount.py", WORDCOUNT)
    args = ["run", "--task", "wordcount:WordCount", "--agent", "wordcount:Counter", "--json"]
    done = run_hch(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"correct": true' in done.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_experiment_imports_the_modules_beside_it(tmp_path: Path, workers: str) -> None:
    write(tmp_path, "lab/wordcount.py", WORDCOUNT)
    write(tmp_path, "lab/wc_study.py", WC_STUDY)
    out = tmp_path / "out"
    args = ["study", "lab/wc_study.py", "--out", str(out), "--quiet", "--no-plots"]
    done = run_hch(*args, "--workers", workers, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = load(out)
    assert len(rows) == 3 and all(r.correct for r in rows)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("def broken(:\n", ["bad.py, line 1", "SyntaxError"]),
        ("x = 1\nraise ValueError('deliberate')\n", ["bad.py, line 2", "ValueError: deliberate"]),
        ("import no_such_module_here\n", ["bad.py, line 1", "No module named"]),
    ],
)
def test_an_experiment_that_does_not_import_is_one_line(
    tmp_path: Path, source: str, words: list[str]
) -> None:
    (tmp_path / "bad.py").write_text(source)
    assert_fails(run_hch("study", "bad.py", cwd=tmp_path), "cannot import bad.py", *words)
    assert_fails(run_hch("run", "--task", "bad:Task", cwd=tmp_path), "cannot import bad", *words)


def test_a_module_that_is_not_there_is_named(tmp_path: Path) -> None:
    done = run_hch("study", "no_such_mod:exp", cwd=tmp_path)
    assert_fails(done, "cannot import no_such_mod", "No module named 'no_such_mod'")


# -- hch run ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--model", "sim", "--agent", "noisy-calculator"], ["--model", "noisy-calculator"]),
        (["-q", "1 + 2", "-t", "bogus=1"], ["-t/--task-option", "--question"]),
        (["--base-url", "http://127.0.0.1:1/v1"], ["--base-url", "--model"]),
        (["--cache", "calls.sqlite"], ["--cache", "--model"]),
        (["--api-key-env", "SOME_KEY"], ["--api-key-env", "--model"]),
        (["--max-depth", "-1"], ["max_depth"]),
        (["--agent", "no-such-agent"], ["no-such-agent", "noisy-calculator"]),
    ],
)
def test_run_refuses_options_it_would_drop_or_cannot_use(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    assert_fails(run_hch("run", *args, cwd=tmp_path), *words)
    assert list(tmp_path.iterdir()) == []  # nothing was made before the refusal


def test_an_api_key_variable_that_is_not_set_is_warned_about() -> None:
    with ModelServer(SimulatedModel()) as server:
        args = ["run", "--model", "sim", "--base-url", server.base_url, "-t", "leaves=4"]
        done = run_hch(*args, "--api-key-env", "HCH_TEST_NO_SUCH_KEY")
    assert done.returncode == 0, done.stderr
    assert "warning: $HCH_TEST_NO_SUCH_KEY (--api-key-env) is not set" in done.stderr


def test_a_task_runs_with_the_agent_it_suggests(tmp_path: Path) -> None:
    done = run_hch("run", "--task", "lookup", "--trace", "t.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {node.agent for node in hch.load(tmp_path / "t.jsonl")} == {"noisy-lookup"}


def test_the_wrong_agent_for_a_task_says_which_one_fits() -> None:
    done = run_hch("run", "--task", "lookup", "--agent", "noisy-calculator")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    # The question (a long list of facts) is shown once, not again inside the error.
    assert (done.stdout + done.stderr).count("Who is the") == 1
    assert "noisy-calculator reads arithmetic expressions" in done.stdout
    assert "hint: task lookup suggests the agent noisy-lookup (--agent noisy-lookup)" in (
        done.stderr
    )


def test_an_agent_whose_answer_is_not_async_is_told_so(tmp_path: Path) -> None:
    write(
        tmp_path,
        "syncagent.py",
        """
        from hch import Answer


        class Plain:
            def answer(self, question, ctx):
                return Answer(text="1")
        """,
    )
    done = run_hch("run", "-q", "1 + 0", "--agent", "syncagent:Plain", cwd=tmp_path)
    assert_fails(done, "Plain.answer must be a coroutine", "async def answer(self, question, ctx)")


@pytest.mark.parametrize(
    ("where", "words"),
    [
        ("/dev/full", ["cannot write the trace /dev/full", "No space left on device"]),
        ("folder", ["cannot write the trace folder", "Is a directory"]),
        ("afile/t.jsonl", ["cannot write the trace afile/t.jsonl", "afile: is a file"]),
    ],
)
def test_a_trace_that_cannot_be_written_names_the_file(
    tmp_path: Path, where: str, words: list[str]
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("kept\n")
    assert_fails(run_hch("run", "--trace", where, cwd=tmp_path), *words)
    assert (tmp_path / "afile").read_text() == "kept\n"


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = run_hch("--debug", "run", "--trace", "/dev/full")
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "No space left on device" in done.stderr


def test_an_unexpected_exception_is_one_line_pointing_at_debug(tmp_path: Path) -> None:
    write(
        tmp_path,
        "oddtask.py",
        """
        class Odd:
            name = "odd"

            def sample(self, seed):
                raise RuntimeError("this task cannot sample")
        """,
    )
    done = run_hch("run", "--task", "oddtask:Odd", cwd=tmp_path)
    assert_fails(done, "RuntimeError: this task cannot sample", "hch --debug run", status=1)


# -- hch study -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--trials", "0"),
        ("--trials", "-3"),
        ("--trace-every", "0"),
        ("--workers", "0"),
        ("--concurrency", "0"),
        ("--trials", "many"),
        ("--ray", "nowhere"),
    ],
)
def test_study_options_are_checked_before_anything_runs(
    tmp_path: Path, option: str, value: str
) -> None:
    done = run_hch("study", FLIPS, option, value, "--out", str(tmp_path / "s"), cwd=ROOT)
    assert_fails(done, f"argument {option}:", value)
    assert not (tmp_path / "s").exists()


def test_a_study_directory_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("kept\n")
    done = run_hch("study", FLIPS, "--out", str(tmp_path / "afile"), cwd=ROOT)
    assert_fails(done, "argument --out", "afile is a file, not a directory")
    done = run_hch("study", FLIPS, "--out", "/proc/no/such", cwd=ROOT)
    assert_fails(done, "cannot make the study directory /proc/no/such", "No such file")
    assert (tmp_path / "afile").read_text() == "kept\n"


def test_a_corrupt_study_file_is_named_and_no_row_is_lost(study: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    rows = (study / "results.jsonl").read_bytes()
    (broken / "results.jsonl").write_bytes(rows)
    (broken / "study.json").write_text("{not json")
    words = [f"{broken / 'study.json'} is not a study description", "Invalid JSON"]
    done = run_hch("study", FLIPS, "--out", str(broken), "--trials", "8", cwd=ROOT)
    assert_fails(done, *words)
    assert_fails(run_hch("report", str(broken)), *words)
    assert_fails(run_hch("view", str(broken)), *words)
    assert (broken / "results.jsonl").read_bytes() == rows
    (broken / "study.json").write_text('{"experiment": 3}')
    assert_fails(run_hch("study", FLIPS, "--out", str(broken), cwd=ROOT), "experiment:")


# -- reading traces and studies ---------------------------------------------------------


UNREADABLE = [
    ("", "x.jsonl: the file is empty"),
    ('{"hch_trace": 1, "hea', "x.jsonl, line 1: the file ends inside its first line"),
    (None, "x.jsonl: cannot read trace: No such file or directory"),
    ("folder", "x.jsonl: cannot read trace: Is a directory"),
]
"""A trace's content (None: no file, "folder": a directory) and what reading it says."""


@pytest.mark.parametrize(
    ("command", "content", "word"),
    [
        (command, content, word)
        for command in ["show", "view", "analyze", "export", "diff"]
        for content, word in UNREADABLE
        # view and analyze take a directory for a study; a missing path is neither
        if command in ("show", "export", "diff") or content not in (None, "folder")
    ],
)
def test_unreadable_traces_are_told_apart(
    tmp_path: Path, trace: Path, command: str, content: str | None, word: str
) -> None:
    x = tmp_path / "x.jsonl"
    if content == "folder":
        x.mkdir()
    elif content is not None:
        x.write_text(content)
    args = {"export": ["-o", str(tmp_path / "g.graphml")], "diff": [str(trace)]}.get(command, [])
    done = run_hch(command, str(x), *args, cwd=tmp_path)
    assert_fails(done, word)
    assert "line 0" not in done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["analyze", "nothing-here"], ["nothing-here: no such trace file or study directory"]),
        (["view", "nothing-here"], ["nothing-here: cannot read trace: No such file"]),
        (["report", "nothing-here"], ["no study results at nothing-here"]),
        (["view", "{trace}", "-o", "/proc/no/page.html"], ["cannot write the page"]),
        (["export", "{trace}", "-o", "/proc/no/t.graphml"], ["cannot write /proc/no/t.graphml"]),
        (["export", "{trace}", "-o", "t.xyz"], ["cannot tell the export format"]),
        (["show", "{trace}", "--at", "root.9"], ["no node root.9"]),
        (["show", "{trace}", "--depth", "-1"], ["--depth must be 0 or more"]),
        (["show", "{trace}", "--width", "0"], ["argument --width: must be 1 or more"]),
    ],
)
def test_readers_name_what_they_cannot_do(
    tmp_path: Path, trace: Path, args: list[str], words: list[str]
) -> None:
    argv = [a.replace("{trace}", str(trace)) for a in args]
    assert_fails(run_hch(*argv, cwd=tmp_path), *words)


# -- hch cache -------------------------------------------------------------------------


def test_cache_stats_and_clear_create_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "HCH_CACHE": ""}
    done = run_hch("cache", "stats", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "entries: 0" in done.stdout and ".cache/hch/model_calls.sqlite" in done.stdout
    for action in ("stats", "clear"):
        done = run_hch("cache", action, "--file", "nodir/x.sqlite", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert "nothing to remove" in done.stdout
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["home"]


def test_cache_stats_reads_a_cache_without_writing_it(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "calls.sqlite")
    cache.put_sync("m", {"q": 1}, CachedCall(response={"a": 1}))
    cache.close()
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    done = run_hch("cache", "stats", "--file", "calls.sqlite", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"entries":1' in done.stdout
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_cache_stats_refuses_what_is_not_a_cache_and_leaves_it_alone(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "other.sqlite")
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    assert_fails(
        run_hch("cache", "stats", "--file", "other.sqlite", cwd=tmp_path),
        "other.sqlite is not a model-call cache",
    )
    db = sqlite3.connect(tmp_path / "other.sqlite")
    assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    db.close()
    (tmp_path / "folder").mkdir()
    assert_fails(run_hch("cache", "stats", "--file", "folder", cwd=tmp_path), "folder: not a file")
    args = ["run", "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--cache", "folder"]
    assert_fails(run_hch(*args, cwd=tmp_path), "cannot open the cache folder")


# -- hch serve-model -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--port", "-1", ["must be from 0 (any free port) to 65535, got -1"]),
        ("--port", "70000", ["got 70000"]),
        ("--p-429", "2", ["must be from 0 to 1, got 2"]),
        ("--p-error", "nan", ["not a finite number"]),
        ("--latency", "-1", ["must be 0 or more, got -1"]),
        ("--threads", "0", ["must be 1 or more"]),
    ],
)
def test_serve_model_checks_its_options(option: str, value: str, words: list[str]) -> None:
    assert_fails(run_hch("serve-model", option, value), f"argument {option}:", *words)


@pytest.mark.parametrize("command", [["serve-model"], ["serve-humans", "--out", "people"]])
def test_a_server_on_a_port_in_use_is_one_line(tmp_path: Path, command: list[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_hch(*command, "--port", str(port), cwd=tmp_path)
    assert_fails(done, f"127.0.0.1:{port} is in use", "choose another port with --port")


# -- help and usage --------------------------------------------------------------------


def test_usage_errors_are_two_lines() -> None:
    assert_fails(run_hch(), "hch: error:", "COMMAND")
    assert_fails(run_hch("nope"), "invalid choice: 'nope'")
    done = run_hch("study")
    assert_fails(done, "hch study: error:", "FILE")
    assert done.stderr.splitlines()[1] == "(hch study --help lists the options)"


def test_every_help_reads_right() -> None:
    top = run_hch("--help")
    assert top.returncode == 0 and "--debug" in top.stdout and "130" in top.stdout
    commands = ["run", "study", "report", "analyze", "show", "view", "diff", "export", "cache"]
    for command in [*commands, *registered("command")]:
        done = run_hch(command, "--help")
        assert done.returncode == 0 and "Traceback" not in done.stderr, command
        assert "%%" not in done.stdout, command
    wide = {"COLUMNS": "1000"}  # no line breaks inside names
    assert "95% Wilson interval" in run_hch("report", "--help", env=wide).stdout
    run_help = run_hch("run", "--help", env=wide).stdout
    for name in [*registered("task"), *registered("agent")]:
        assert name in run_help
    for default in ["(default: 3)", "(default: 0)", "(default: asyncio)", "(default: unbounded)"]:
        assert default in run_help


# -- more bad input, every subcommand ---------------------------------------------------------


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, trace: Path, study: Path) -> Path:
    """A folder of things that are not what a command wants, beside good ones."""
    folder = tmp_path_factory.mktemp("bad")
    (folder / "adir").mkdir()
    (folder / "t.jsonl").write_bytes(trace.read_bytes())
    lines = trace.read_text().splitlines(keepends=True)
    (folder / "mid.jsonl").write_text(lines[0] + "garbage\n" + "".join(lines[1:]))
    (folder / "junk.sqlite").write_bytes(bytes(range(256)) * 2)
    rows = (study / "results.jsonl").read_text().splitlines(keepends=True)
    for name in ("rows", "traces"):
        (folder / name).mkdir()
        (folder / name / "study.json").write_bytes((study / "study.json").read_bytes())
    (folder / "rows" / "results.jsonl").write_text("".join(rows[:3]) + "{broken\n" + rows[3])
    (folder / "traces" / "results.jsonl").write_text("".join(rows))
    for row in load(study):
        if row.trace:  # every kept trace unreadable
            (folder / "traces" / row.trace).parent.mkdir(parents=True, exist_ok=True)
            (folder / "traces" / row.trace).write_text("garbage\n")
    return folder


BAD_INPUT = [
    (["run", "--seed", "abc"], ["argument --seed", "invalid int value"]),
    (["run", "--node-timeout", "-1"], ["node_timeout"]),
    (["run", "-t", "leaves=abc"], ["leaves"]),
    (["run", "-a", "p_error=2"], ["p_error"]),
    (["run", "--agent-at", "x"], ["--agent-at 'x' is not DEPTH=NAME"]),
    (["run", "--model", "m", "--base-url", "notaurl"], ["base_url", "not an http(s) URL"]),
    (["study", "{FLIPS}", "-p", "k=abc"], ["parameter k", "'abc' is not usable"]),
    (["study", "{FLIPS}", "-p", "nope=1"], ["has no parameter 'nope'"]),
    (["study", "{FLIPS}", "--node-timeout", "0"], ["argument --node-timeout", "more than 0"]),
    (["study", "{FLIPS}", "--out", "rows"], ["rows/results.jsonl, line 4", "invalid result row"]),
    (["report", "rows"], ["rows/results.jsonl, line 4"]),
    (["report", "t.jsonl"], ["no study results at t.jsonl"]),
    (["analyze", "traces"], ["none of its", "unreadable trace: 2"]),
    (["analyze", "mid.jsonl"], ["mid.jsonl, line 2", "invalid trace line"]),
    (["show", "t.jsonl", "--only", "bogus"], ["argument --only", "invalid choice"]),
    (["view", "t.jsonl", "-o", "adir"], ["cannot write the page"]),
    (["view", "t.jsonl", "nothere.jsonl"], ["nothere.jsonl: cannot read trace"]),
    (["diff", "t.jsonl", "mid.jsonl"], ["mid.jsonl, line 2"]),
    (["export", "t.jsonl", "-o", "adir"], ["adir"]),
    (["replay", "t.jsonl", "--set", "bogus"], ["--set 'bogus' is not PATH=ANSWER"]),
    (["replay", "t.jsonl", "--set", "root.9.9=1"], ["root.9.9"]),
    (["replay", "t.jsonl", "--agent-at", "root.0=noisy-calculator {bad"], ["not a JSON object"]),
    (["replay", "t.jsonl", "-o", "/dev/full"], ["cannot write the trace /dev/full", "No space"]),
    (["replay", "t.jsonl", "-o", "adir"], ["cannot write the trace adir", "Is a directory"]),
    (["replay", "adir"], ["adir: cannot read trace: Is a directory"]),
    (["cache", "stats", "--file", "junk.sqlite"], ["junk.sqlite is not a model-call cache"]),
    (["cache", "clear", "--file", "junk.sqlite"], ["junk.sqlite is not a model-call cache"]),
    (["serve-humans", "--out", "t.jsonl", "-t", "leaves=2"], ["t.jsonl: is a file"]),
    (["serve-humans", "--out", "h", "--port", "99999"], ["argument --port", "99999"]),
    (["serve-humans", "--out", "h", "--study", "nothere.py"], ["nothere.py"]),
    (["serve-humans", "--out", "h", "--lease", "-1"], ["argument --lease", "more than 0"]),
    (["serve-humans", "--out", "h", "--human-at", "-1"], ["argument --human-at", "0 or more"]),
    (["serve-humans", "--out", "h", "--study", "{FLIPS}", "--trials", "0"], ["--trials"]),
]
"""Arguments (``{FLIPS}``: a small study) and words of the one-line error they give."""


@pytest.mark.parametrize(("args", "words"), BAD_INPUT, ids=[" ".join(a) for a, _ in BAD_INPUT])
def test_bad_input_is_one_line_and_loses_nothing(
    files: Path, args: list[str], words: list[str]
) -> None:
    before = {p: p.read_bytes() for p in files.rglob("*") if p.is_file()}
    argv = [a.replace("{FLIPS}", FLIPS) for a in args]
    done = run_hch(*argv, cwd=files, env={"PYTHONPATH": str(ROOT)})
    assert_fails(done, *words)
    assert {p: p.read_bytes() for p in before} == before  # nothing recorded changed
    assert not (files / "h").exists()


def test_a_refused_connection_says_what_to_check(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    done = run_hch("run", "--model", "m", "--base-url", url, "--max-depth", "0", "--json")
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "connection refused (" in done.stdout
    assert f"is the server running at {url}?" in done.stdout
    assert "hint:" not in done.stderr  # no other agent would have fixed it


def test_a_corrupt_kept_trace_leaves_the_report_whole(files: Path) -> None:
    done = run_hch("report", "traces", "--no-plots", "--no-index", cwd=files)
    assert done.returncode == 0, done.stderr
    assert "accuracy" in done.stdout.splitlines()[0]
