"""A program on a pseudo-terminal that is its controlling terminal, for tests that type.

Ctrl-C written to it is a real SIGINT sent by the terminal driver, as when a person
presses it.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["Terminal"]

# Make the pty (stdin) the controlling terminal of a new session, then become `hch`.
_CTTY = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, '-m', 'hch', *sys.argv[1:]])"
)


class Terminal:
    """``hch ARGS`` on a pseudo-terminal: type into it and read its screen."""

    def __init__(self, *args: str, cwd: Path) -> None:
        master, slave = os.openpty()
        self.master = master
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CTTY, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = ""
        self.seen = 0  # where the last expected text ended

    def expect(self, text: str, timeout: float = 60.0) -> str:
        """Read until ``text`` is on screen after the last text expected; the screen."""
        deadline = time.monotonic() + timeout
        while (found := self.screen.find(text, self.seen)) < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen}")
        self.seen = found + len(text)
        return self.screen

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the process ended and closed the terminal
            return False
        self.screen += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def wait(self, timeout: float = 60.0) -> int:
        """The exit code, once the process has ended (its last output read)."""
        code = self.proc.wait(timeout=timeout)
        while self._read(0.2):
            pass
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
