"""Rust test code cut into CodeT's unit of a test, one assertion that reaches the function under test,
and the inputs the tests pass it: for the tests a model writes (`selection.written`) and a benchmark's
public examples alike. Tree-sitter only: nothing is compiled here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rustcoder.execute.testfns import attribute_name
from rustcoder.rust_syntax import rust_parser

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_TESTS = 8
ASSERTIONS = frozenset({"assert", "assert_eq", "assert_ne"})
SALVAGE_TRIES = 64


def closed(text: str) -> str:
    """`text` as it parses without error: itself, or, for an answer cut off by the token limit, cut back to
    its last complete statement or item with its open braces closed (unchanged if none parses)."""
    parser = rust_parser()
    if not parser.parse(text.encode("utf-8")).root_node.has_error:
        return text
    ends = [m.end() for m in re.finditer(r"[;}][ \t]*(?=\n)", text)]
    for end in reversed(ends[-SALVAGE_TRIES:]):
        for depth in range(1, 4):
            candidate = text[:end] + "\n}" * depth + "\n"
            if not parser.parse(candidate.encode("utf-8")).root_node.has_error:
                return candidate
    return text


def _is_assertion(node: Node) -> bool:
    call = node.named_children[0] if node.type == "expression_statement" and node.named_children else node
    macro = call.child_by_field_name("macro") if call.type == "macro_invocation" else None
    return macro is not None and (macro.text or b"").decode() in ASSERTIONS


def _cases(body: Node, entry_point: str, per_assertion: bool = True) -> list[str]:
    """A test body as CodeT's test cases: one body per assertion that reaches `entry_point`, with the
    statements before it that are not assertions (its `let`s); the whole body if it asserts nothing, or
    if not `per_assertion` (none if it never calls `entry_point`)."""
    whole = (body.text or b"").decode("utf-8", errors="replace")
    if not per_assertion:
        return [whole] if f"{entry_point}(" in whole else []
    setup: list[str] = []
    cases: list[str] = []
    for statement in body.named_children:
        text = (statement.text or b"").decode("utf-8", errors="replace")
        if statement.type in ("line_comment", "block_comment"):
            continue
        if not _is_assertion(statement):
            setup.append(text)
            continue
        lines = [*setup, text if text.endswith(";") else text + ";"]
        if any(f"{entry_point}(" in line for line in lines):
            cases.append("{\n    " + "\n    ".join(lines) + "\n}")
    return cases or ([whole] if f"{entry_point}(" in whole else [])


def split_tests(
    text: str, entry_point: str, limit: int = MAX_TESTS, *, salvage: bool = True, per_assertion: bool = True
) -> list[str]:
    """The model's tests in `text` as CodeT's unit, one assertion that calls `entry_point` each (at most
    `limit`), named `rc_tN` so that names cannot clash; `#[should_panic]` and `#[ignore]` tests are left
    out. `text` is `closed` first, where the token limit cut it off. (`salvage` and `per_assertion` off:
    whole test functions of an answer that parses, as before; kept for benchmarks/self_tests_split.py.)"""
    tree = rust_parser().parse((closed(text) if salvage else text).encode("utf-8"))
    found: list[str] = []
    stack = [tree.root_node]
    while stack and len(found) < limit:
        node = stack.pop()
        stack.extend(reversed(node.named_children))
        if node.type != "function_item" or node.has_error:
            continue
        attributes = []
        before = node.prev_named_sibling
        while before is not None and before.type == "attribute_item":
            attributes.append(attribute_name(before))
            before = before.prev_named_sibling
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if "test" not in attributes or {"should_panic", "ignore"} & set(attributes) or not name or not body:
            continue
        for case in _cases(body, entry_point, per_assertion)[: limit - len(found)]:
            found.append(f"#[test]\nfn rc_t{len(found)}() {case}")
    return found


def call_arguments(tests: Sequence[str], entry_point: str) -> list[str]:
    """The argument lists (`(vec![1, 2], 3)`) of every call to `entry_point` in `tests`, in order, each
    once: the inputs the model proposed."""
    seen: dict[str, None] = {}
    name = entry_point.encode()
    for test in tests:
        tree = rust_parser().parse(test.encode("utf-8"))
        stack = [tree.root_node]
        while stack:
            node = stack.pop()
            stack.extend(reversed(node.children))
            arguments = None
            if node.type == "call_expression":
                function = node.child_by_field_name("function")
                if function is not None and function.text == name:
                    arguments = node.child_by_field_name("arguments")
            elif node.type == "identifier" and node.text == name:  # inside a macro's token tree
                after = node.next_sibling
                if after is not None and after.type == "token_tree" and (after.text or b"").startswith(b"("):
                    arguments = after
            if arguments is not None:
                seen.setdefault((arguments.text or b"").decode("utf-8", errors="replace"), None)
    return list(seen)
