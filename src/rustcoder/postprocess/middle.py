"""Where a fill-in-the-middle completion ends, cut as an editor cuts a suggestion.

Each rule is an `EndRule` (backends.base): a pure function of the text so far that returns the length
to cut it to once it is complete. Backends stop generating there, and `cut` applies the same rules to
the finished text, so what is scored is what an editor would have inserted, however the stream was split:

- `LineEnd`: a single-line gap ends at the end of its first non-blank line (a model that starts with a
  newline is not cut to nothing).
- `BlockEnd`: a multi-line gap ends where the text closes a bracket that the prefix opened (the block
  the cursor is in); the bracket is left to the suffix when the suffix starts with it. Brackets are
  tokens tree-sitter finds, so braces in strings, chars and comments do not count.
- `SuffixRepeat`: the text ends where it starts writing the suffix's first line again.

And one `EndHold` (backends.base), the converse: `OpenBracket` keeps the model from ending the text
with its end token while a bracket the text opened is still open (a block's contents end balanced).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustcoder.rust_syntax import rust_parser

if TYPE_CHECKING:
    from rustcoder.backends.base import EndRule

_OPEN, _CLOSE = "{([", "})]"
_OPAQUE = frozenset({"string_literal", "raw_string_literal", "char_literal", "line_comment", "block_comment"})
"""Nodes whose brackets are text, not code."""


def _brackets(text: str) -> list[tuple[int, str]]:
    """(character offset, bracket) of each bracket token in `text`, in order."""
    data = text.encode("utf-8")
    found: list[tuple[int, str]] = []
    stack = [rust_parser().parse(data).root_node]
    while stack:
        node = stack.pop()
        if node.type in _OPAQUE:
            continue
        if node.child_count == 0 and node.type in (*_OPEN, *_CLOSE):
            found.append((node.start_byte, node.type))
        stack.extend(reversed(node.children))
    found.sort()
    return [(len(data[:at].decode("utf-8", errors="replace")), kind) for at, kind in found]


@dataclass(frozen=True, slots=True)
class LineEnd:
    """A single line: the text up to the newline that ends its first non-blank line."""

    name: str = "end of line"

    def __call__(self, text: str) -> int | None:
        start = len(text) - len(text.lstrip())
        at = text.find("\n", start)
        return at if at >= 0 and start < len(text) else None


@dataclass(frozen=True, slots=True)
class BlockEnd:
    """A block's contents: the text up to the bracket that closes the block the prefix opened.

    Where the prefix does not end by opening a bracket (the cursor is among statements), a text that
    begins by closing brackets (`} else {`) lowers the floor instead: then only a bracket that goes
    below the depth the text's first code reached ends it. Build it with `around`."""

    fresh_block: bool
    """The prefix ends by opening a bracket: the text is that block's contents."""
    suffix_closer: str
    """The suffix's first character when it is a closing bracket (the cut then leaves it to the suffix)."""
    name: str = "end of block"

    @classmethod
    def around(cls, prefix: str, suffix: str) -> BlockEnd:
        head = suffix.lstrip()[:1]
        return cls(prefix.rstrip()[-1:] in tuple(_OPEN), head if head in tuple(_CLOSE) else "")

    def __call__(self, text: str) -> int | None:
        if not any(c in text for c in _CLOSE):
            return None
        depth, floor, started = 0, 0, self.fresh_block
        for at, kind in _brackets(text):
            if kind in _OPEN:
                depth, started = depth + 1, True
                continue
            depth -= 1
            if not started and not text[:at].strip(_CLOSE + " \t\r\n"):
                floor = min(floor, depth)  # leading closers continue the line (`} else {`)
                continue
            started = True
            if depth < floor:
                return at if kind == self.suffix_closer else at + 1
        return None


@dataclass(frozen=True, slots=True)
class SuffixRepeat:
    """The text up to where a later line repeats the suffix's first line (of at least 4 characters)."""

    suffix: str
    name: str = "suffix repeated"

    def __call__(self, text: str) -> int | None:
        first = next((line.strip() for line in self.suffix.splitlines() if len(line.strip()) >= 4), "")
        if not first:
            return None
        lines = text.splitlines(keepends=True)
        offset = len(lines[0]) if lines else 0
        for line in lines[1:]:
            if line.strip() == first:
                return offset
            offset += len(line)
        return None


@dataclass(frozen=True, slots=True)
class OpenBracket:
    """Holds the end while the text has opened a bracket it has not closed (closers of the prefix's
    brackets do not count against it)."""

    name: str = "open bracket"

    def __call__(self, text: str) -> bool:
        if not any(c in text for c in _OPEN):
            return False
        depth = 0
        for _, kind in _brackets(text):
            if kind in _OPEN:
                depth += 1
            elif depth:
                depth -= 1
        return depth > 0


def cut(text: str, rules: Sequence[EndRule]) -> str:
    """`text` cut where the earliest rule says it is complete (whole if none does)."""
    cuts = [at for rule in rules if (at := rule(text)) is not None]
    return text[: min(cuts)] if cuts else text


def drop_repeated_rest(text: str, suffix: str) -> str:
    """A single line without the suffix's text on the same line (stripped) when `text` ends by writing
    it again (`x + 1;` before `;`); else `text` as it is."""
    rest = suffix.split("\n", 1)[0].strip()
    if rest and text.rstrip().endswith(rest):
        return text.rstrip()[: -len(rest)]
    return text
