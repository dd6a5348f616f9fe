"""Whose turn it is on the one model: first come, first served, single-line requests before
multi-line ones, and a wait that a cancellation ends.

Invariant: at most one request holds the model; the next is the earliest waiting single-line request,
else the earliest waiting one (so with many clients each waits its turn, none is overtaken by a
later arrival of its kind); a request waiting for it leaves as soon as it is cancelled (a newer
keystroke, a client gone, shutdown), so stale requests never pile up behind a long one.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

POLL_SECONDS = 0.02
"""How often a waiting request checks whether it was cancelled."""


class Turns:
    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._busy = False
        self._tickets = itertools.count()
        self._waiting: list[tuple[int, bool]] = []
        """(ticket, single line) of each waiting request, in order of arrival."""
        self.waiting_lines = 0
        """Single-line requests waiting for the model (a running multi-line one yields to them)."""

    def _next(self) -> tuple[int, bool] | None:
        return next((w for w in self._waiting if w[1]), self._waiting[0] if self._waiting else None)

    def acquire(self, single_line: bool, cancelled: Callable[[], bool]) -> bool:
        """Wait for the model; False if cancelled first (then nothing is held)."""
        with self._turn:
            mine = (next(self._tickets), single_line)
            self._waiting.append(mine)
            self.waiting_lines += single_line
            try:
                while self._busy or self._next() != mine:
                    if cancelled():
                        return False
                    self._turn.wait(POLL_SECONDS)
                if cancelled():
                    return False
                self._busy = True
                return True
            finally:
                self._waiting.remove(mine)
                self.waiting_lines -= single_line
                self._turn.notify_all()  # the next in line may be another now

    def release(self) -> None:
        with self._turn:
            self._busy = False
            self._turn.notify_all()
