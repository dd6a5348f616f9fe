"""Recent suggestions, reused without the model: the same cursor again, or a cursor the user moved by
typing what the suggestion began with (llama.vim and llama.vscode keep the same kind of cache).

Invariant: a hit is always the rest of a suggestion the model made for the same suffix and context,
from a prefix the new one extends by exactly the typed start of that suggestion; nothing else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Key:
    """What a suggestion depends on besides the prefix."""

    suffix: str
    context: str
    """A digest of the other files and the generation settings (a mode the client asked for too; the
    mode the cursor implies follows from the prefix and suffix)."""


class SuggestionCache:
    """An LRU of (key, prefix) → suggestion; thread-safe."""

    def __init__(self, size: int = 250) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Key, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: Key, prefix: str, text: str) -> None:
        if self.size <= 0 or not text:
            return
        with self._lock:
            self._entries[(key, prefix)] = text
            self._entries.move_to_end((key, prefix))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get(self, key: Key, prefix: str) -> str | None:
        """The suggestion for this prefix: a stored one, or the rest of one whose start was typed."""
        with self._lock:
            exact = self._entries.get((key, prefix))
            if exact is not None:
                self._entries.move_to_end((key, prefix))
                return exact
            for (stored_key, stored_prefix), text in reversed(self._entries.items()):
                if stored_key != key or not prefix.startswith(stored_prefix):
                    continue
                typed = prefix[len(stored_prefix) :]
                if typed and len(typed) < len(text) and text.startswith(typed):
                    return text[len(typed) :]
        return None

    def __len__(self) -> int:
        return len(self._entries)
