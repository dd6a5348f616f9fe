"""tree-sitter-rust, loaded once: the parser every stage that reads Rust syntax shares, and the spans of
a function that mining and the infilling benchmarks cut gaps at."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node, Parser


@lru_cache(maxsize=1)
def rust_parser() -> Parser:
    """A parser for Rust (tree_sitter is imported on first use, not with rustcoder)."""
    import tree_sitter_rust
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_rust.language()))


def signature_function(signature: str) -> Node | None:
    """The function item of a signature as problems hold it (`name(a: i32) -> i32`; a leading `fn` and a
    trailing `{` are accepted too), given an empty body; None where that does not parse as one."""
    head = signature.strip().removesuffix("{").strip()
    if not head.startswith(("fn ", "pub fn ")):
        head = f"fn {head}"
    tree = rust_parser().parse(f"{head} {{}}".encode())
    function = tree.root_node.named_children[0] if tree.root_node.named_children else None
    if function is None or function.type != "function_item" or tree.root_node.has_error:
        return None
    return function


class SpanKind(StrEnum):
    """Kinds of gap: a function's whole body, a nested block's contents, a statement, a line, an
    expression on one line."""

    BODY = "body"
    BLOCK = "block"
    STATEMENT = "statement"
    LINE = "line"
    EXPRESSION = "expression"


_STATEMENTS = ("expression_statement", "let_declaration")
_EXPRESSIONS = ("call_expression", "binary_expression", "method_call_expression", "macro_invocation")
_BLOCK_PARENTS = ("if_expression", "for_expression", "while_expression", "loop_expression", "else_clause")


def descendants(node: Node) -> Iterator[Node]:
    """`node` and every node below it, in document order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _nodes(node: Node, types: tuple[str, ...]) -> list[Node]:
    return [current for current in descendants(node) if current.type in types]


def syntax_spans(code: str) -> dict[SpanKind, list[tuple[int, int]]]:
    """Candidate middles of each kind, as (start, end) character offsets into `code`."""
    data = code.encode("utf-8")
    tree = rust_parser().parse(data)
    functions = _nodes(tree.root_node, ("function_item",))
    body = functions[0].child_by_field_name("body") if functions else None
    if body is None or body.end_byte - body.start_byte < 3:
        return {}

    def chars(start: int, end: int) -> tuple[int, int]:
        return len(data[:start].decode("utf-8")), len(data[:end].decode("utf-8"))

    def inside(block: Node) -> tuple[int, int] | None:
        start, end = block.start_byte + 1, block.end_byte - 1  # within the braces
        return chars(start, end) if data[start:end].strip() else None

    spans: dict[SpanKind, list[tuple[int, int]]] = {kind: [] for kind in SpanKind}
    if (whole := inside(body)) is not None:
        spans[SpanKind.BODY].append(whole)
    for block in _nodes(body, ("block",)):
        if block.parent is not None and block.parent.type in _BLOCK_PARENTS and (span := inside(block)):
            spans[SpanKind.BLOCK].append(span)
    for statement in _nodes(body, _STATEMENTS):
        spans[SpanKind.STATEMENT].append(chars(statement.start_byte, statement.end_byte))
    for expression in _nodes(body, _EXPRESSIONS):
        if expression.end_point[0] == expression.start_point[0]:
            spans[SpanKind.EXPRESSION].append(chars(expression.start_byte, expression.end_byte))
    body_start, body_end = chars(body.start_byte, body.end_byte)
    position = 0
    for line in code.splitlines(keepends=True):
        start, position = position, position + len(line)
        inner = start > body_start and position <= body_end  # lines after `{`, up to the one holding `}`
        stripped = line.strip()
        if inner and stripped and stripped not in ("{", "}", "};"):
            indent = len(line) - len(line.lstrip())
            spans[SpanKind.LINE].append((start + indent, start + len(line.rstrip("\n"))))
    return {kind: found for kind, found in spans.items() if found}
