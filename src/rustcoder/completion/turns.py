"""Whose turn it is on the one model: single-line requests first, and a wait that a cancellation ends.

Invariant: at most one request holds the model; a request waiting for it leaves as soon as it is
cancelled (a newer keystroke, a client gone, shutdown), so stale requests never pile up behind a long
one; and while a single-line request waits, no multi-line request is given the model before it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

POLL_SECONDS = 0.02
"""How often a waiting request checks whether it was cancelled."""


class Turns:
    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._busy = False
        self.waiting_lines = 0
        """Single-line requests waiting for the model (a running multi-line one yields to them)."""

    def acquire(self, single_line: bool, cancelled: Callable[[], bool]) -> bool:
        """Wait for the model; False if cancelled first (then nothing is held)."""
        with self._turn:
            if single_line:
                self.waiting_lines += 1
            try:
                while self._busy or (not single_line and self.waiting_lines > 0):
                    if cancelled():
                        return False
                    self._turn.wait(POLL_SECONDS)
                if cancelled():
                    return False
                self._busy = True
                return True
            finally:
                if single_line:
                    self.waiting_lines -= 1

    def release(self) -> None:
        with self._turn:
            self._busy = False
            self._turn.notify_all()
