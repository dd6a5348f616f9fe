"""What the model sees of the code: the file around the cursor and chunks of other files, within a token
budget.

Invariant: the cursor's own line is never cut, and cuts fall on line boundaries. The prefix gets three
quarters of the budget and the suffix a quarter (as llama.cpp's server splits them); other files get
what the file leaves, in the client's order (it knows what the user touched last), whole chunks only.
A cut prefix starts at a line whose number (in the client's text) is a multiple of `grid`, so that as
the user types, the window's first line stays put for `grid` lines rather than moving with every line
(each move changes the whole prompt, which llama.cpp must then evaluate again).
When the client sends whole files rather than chunks, `snippets` picks the windows of them most like
the lines before the cursor (Jaccard similarity of identifiers, as Continue's and Cody's retrievers do).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rustcoder.backends.fim import ContextFile

Count = Callable[[str], int]
"""Tokens in a text, by the model's tokenizer."""

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Window:
    """The file's text that fits: prefix and suffix, cut at line boundaries, and the chosen chunks."""

    prefix: str
    suffix: str
    files: tuple[ContextFile, ...]
    truncated: bool
    """The prefix or the suffix was cut."""
    tokens: int
    """Tokens of prefix, suffix and files together (by `count`)."""


def _keep_tail(text: str, budget: int, count: Count, grid: int = 1) -> tuple[str, int]:
    """The last lines of `text` within `budget` tokens, from a line whose number is a multiple of `grid`
    when lines must go; the last (cursor) line is kept whatever it costs."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return "", 0
    costs = [count(lines[-1])]
    for line in reversed(lines[:-1]):
        cost = count(line)
        if sum(costs) + cost > budget:
            break
        costs.append(cost)
    start = len(lines) - len(costs)
    if start > 0 and grid > 1:
        start = min(len(lines) - 1, -(-start // grid) * grid)  # up to the next multiple of grid
    used = sum(costs[: len(lines) - start])
    return "".join(lines[start:]), used


def _keep_head(text: str, budget: int, count: Count) -> tuple[str, int]:
    """The first lines of `text` within `budget` tokens; the first (cursor) line is kept whatever it costs."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return "", 0
    kept, used = [lines[0]], count(lines[0])
    for line in lines[1:]:
        cost = count(line)
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    return "".join(kept), used


def fit(
    prefix: str, suffix: str, files: Sequence[ContextFile], budget: int, count: Count, grid: int = 16
) -> Window:
    """Prefix, suffix and files within `budget` tokens (see the module's invariant)."""
    prefix_part, prefix_tokens = _keep_tail(prefix, budget * 3 // 4, count, grid)
    suffix_part, suffix_tokens = _keep_head(suffix, budget - min(prefix_tokens, budget * 3 // 4), count)
    used = prefix_tokens + suffix_tokens
    chosen = []
    for chunk in files:
        cost = count(chunk.path) + count(chunk.text) + 2
        if used + cost <= budget:
            chosen.append(chunk)
            used += cost
    truncated = prefix_part != prefix or suffix_part != suffix
    return Window(prefix_part, suffix_part, tuple(chosen), truncated, used)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text))


def snippets(
    files: Sequence[ContextFile], query: str, *, lines: int = 32, stride: int = 16, most: int = 8
) -> list[ContextFile]:
    """The `most` windows of `lines` lines (every `stride` lines) of `files` most like `query` (Jaccard
    similarity of identifiers), most similar first; windows that share nothing are left out."""
    wanted = _words(query)
    scored: list[tuple[float, int, ContextFile]] = []
    for number, file in enumerate(files):
        rows = file.text.splitlines(keepends=True)
        for start in range(0, max(1, len(rows) - lines + stride), stride):
            text = "".join(rows[start : start + lines])
            words = _words(text)
            if not words or not wanted:
                continue
            score = len(words & wanted) / len(words | wanted)
            if score > 0:
                scored.append((score, number, ContextFile(f"{file.path}:{start + 1}", text)))
    scored.sort(key=lambda item: (-item[0], item[1], item[2].path))
    return [chunk for _, _, chunk in scored[:most]]
