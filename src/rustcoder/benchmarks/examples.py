"""Public example tests read off a prompt's doc comment: MultiPL-E translates HumanEval's doctests into
Rust (`/// >>> strlen(String::from("abc"))` then `/// 3`), so the examples a model is shown are also
checks a candidate can be run on without the hidden tests (as HumanEvalPack's `example_test` on the hub)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from rustcoder.rust_syntax import rust_parser

PROMPT = ">>> "
MODULE = "rc_examples"


def _is_expression(text: str) -> bool:
    """Whether `text` parses as one Rust expression (no error, nothing after it)."""
    tree = rust_parser().parse(f"fn f() {{ let _ = {text}; }}".encode())
    return not tree.root_node.has_error


def doc_examples(docstring: str, entry_point: str) -> list[tuple[str, str]]:
    """The (call, expected value) pairs of a doc comment's `>>> ENTRY(ARGS)` lines, each followed by
    its value on the next line; a pair either of whose parts is not a Rust expression is left out
    (an untranslated Python doctest, a value spread over lines)."""
    lines = [line.strip() for line in docstring.splitlines()]
    pairs: list[tuple[str, str]] = []
    for line, value in pairwise(lines):
        call = line.removeprefix(PROMPT).strip()
        shaped = line.startswith(PROMPT) and call.startswith(f"{entry_point}(") and bool(value)
        if shaped and not value.startswith(PROMPT.strip()) and _is_expression(call) and _is_expression(value):
            pairs.append((call, value))
    return list(dict.fromkeys(pairs))


def example_tests(pairs: list[tuple[str, str]]) -> str | None:
    """The examples as a test module, one `#[test]` function each (so a check counts them), or None."""
    return assertion_module([f"assert_eq!({call}, {value});" for call, value in pairs])


def assertion_module(assertions: Sequence[str]) -> str | None:
    """Assertions as a test module, one `#[test]` function each (so a check counts them), or None."""
    if not assertions:
        return None
    functions = "".join(
        f"    #[test]\n    fn example_{i}() {{\n        {assertion}\n    }}\n"
        for i, assertion in enumerate(assertions, 1)
    )
    return f"#[cfg(test)]\nmod {MODULE} {{\n    #[allow(unused_imports)]\n    use super::*;\n{functions}}}\n"
