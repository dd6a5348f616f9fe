"""A mined instruction's doc examples as tests: the code blocks of the function's doc comment that
rustdoc would run, made into a libtest module that can follow an answer in one file.

rustdoc compiles each example as its own program against the crate; here the asked function is in the
same file, so the example's imports of the crate are dropped, its hidden lines (`# `) shown, and its
body run as a `#[test]`. An example that needs more of its crate than the function will not compile:
self-training finds that out by running the reference function against it, and judges that instruction
by compiling alone.
"""

from __future__ import annotations

import re
import textwrap

_FENCE = re.compile(r"^[ \t]*```([^\n`]*)\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
_RUNNABLE = frozenset({"rust", "edition2018", "edition2021", "edition2024"})
"""Fence attributes of blocks rustdoc runs; any other (ignore, no_run, compile_fail, should_panic, text,
another language) and the block is left out."""
_CRATE_USE = re.compile(r"^\s*(?:pub\s+)?use\s+(?!(?:std|core|alloc)\b)[^;]*;[ \t]*\n?", re.MULTILINE)
_EXTERN = re.compile(r"^\s*(?:#\[macro_use\]\s*)?extern\s+crate\s+[^;]*;[ \t]*\n?", re.MULTILINE)
_ENDS_OK = re.compile(r"\bOk(?:::<[^;]*>)?\(\(\)\)\s*;?\s*$")
"""An example ending in `Ok(())` uses `?`: rustdoc runs it in a function returning a Result."""


def doc_examples(instruction: str) -> list[str]:
    """The runnable examples of the instruction's doc comment, each ready to be a test's body (those
    with their own `fn main` left out)."""
    examples = []
    for fence, body in _FENCE.findall(instruction):
        attributes = {a.strip() for a in fence.split(",")} - {""}
        if not attributes <= _RUNNABLE:
            continue
        code = _EXTERN.sub("", _CRATE_USE.sub("", _shown(body))).strip("\n")
        if code.strip() and "fn main" not in code:
            examples.append(code)
    return examples


def _shown(body: str) -> str:
    """The block as rustdoc compiles it: hidden lines (`# code`, a lone `#`) included, unmarked."""
    lines = []
    for line in body.splitlines():
        stripped = line.lstrip()
        if stripped == "#":
            continue
        if stripped.startswith("# ") and not stripped.startswith("# ["):
            line = line[: len(line) - len(stripped)] + stripped[2:]
        lines.append(line)
    return "\n".join(lines)


def doc_tests(instruction: str) -> str:
    """A `#[cfg(test)]` module with one test per runnable example; "" when there is none."""
    examples = doc_examples(instruction)
    if not examples:
        return ""
    tests = ""
    for n, code in enumerate(examples, 1):
        returns = " -> Result<(), impl std::fmt::Debug>" if _ENDS_OK.search(code) else ""
        body = textwrap.indent(textwrap.dedent(code), " " * 8)
        tests += f"    #[test]\n    fn doc_example_{n}(){returns} {{\n{body}\n    }}\n\n"
    return f"#[cfg(test)]\nmod doc_examples {{\n    use super::*;\n\n{tests.rstrip()}\n}}\n"
