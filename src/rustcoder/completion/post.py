"""From the model's text to the suggestion an editor shows: the mode from the cursor, where the text ends,
and what is never suggested.

- Mode: after an opening bracket, or on a line with nothing but indentation, a block (multi-line);
  in the middle of a line, the rest of the line.
- Ends (generation stops there too): a line at its line end; a block where it closes the block the
  cursor is in, or starts repeating the lines below the cursor (postprocess.middle).
- Never suggested: code fences and whitespace alone; in a line, the text after the cursor written
  again at the end (`x + 1;` before `;`); text that makes the file's syntax worse than it is without
  it (more tree-sitter errors in prefix + text + suffix than in prefix + suffix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustcoder.completion.request import Mode

if TYPE_CHECKING:
    from rustcoder.backends.base import EndRule

_OPENERS = ("{", "(", "[")


def mode_at(prefix: str, suffix: str) -> Mode:
    """Multi-line after an opening bracket or on an otherwise empty line; else the rest of the line."""
    before = prefix.rsplit("\n", 1)[-1]
    after = suffix.split("\n", 1)[0]
    if before.rstrip().endswith(_OPENERS) and not after.strip(" \t)]};,"):
        return Mode.BLOCK
    return Mode.BLOCK if not before.strip() and not after.strip() else Mode.LINE


@dataclass(frozen=True, slots=True)
class RestOfLine:
    """The text up to its first line end: a suggestion in the middle of a line stays on that line."""

    name: str = "end of line"

    def __call__(self, text: str) -> int | None:
        at = text.find("\n")
        return at if at >= 0 else None


def end_rules(mode: Mode, prefix: str, suffix: str) -> tuple[EndRule, ...]:
    """Where a suggestion in `mode` at this cursor ends."""
    from rustcoder.postprocess.middle import BlockEnd, SuffixRepeat

    if mode is Mode.LINE:
        return (RestOfLine(),)
    return (BlockEnd.around(prefix, suffix), SuffixRepeat(suffix))


def _strip_fences(text: str) -> str:
    lines = text.split("\n")
    if lines and lines[0].lstrip().startswith("```"):
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and lines[-1].strip().startswith("```"):
        lines = lines[:-1]
    return "\n".join(lines) if "```" in text else text


def suggestion(text: str, mode: Mode, prefix: str, suffix: str) -> tuple[str, str]:
    """(the suggestion, why the text was dropped or ""): cut by the mode's end rules, without fences,
    never whitespace alone, never worse syntax than the file has without it."""
    from rustcoder.evaluation.fim_scores import syntax_errors
    from rustcoder.postprocess.middle import cut, drop_repeated_rest

    shown = cut(_strip_fences(text), end_rules(mode, prefix, suffix))
    if mode is Mode.LINE:  # the text after the cursor, written again
        shown = drop_repeated_rest(shown, suffix)
    if mode is Mode.BLOCK:  # the suffix's own line break and indentation follow the suggestion
        shown = shown.rstrip() if suffix.startswith(("\n", "\r\n")) or not suffix else shown.rstrip(" \t")
    if not shown.strip():
        return "", "whitespace only" if text else ""
    if syntax_errors(prefix + shown + suffix) > syntax_errors(prefix + suffix):
        return "", "makes the file's syntax worse"
    return shown, ""
