"""Find a benchmark's Rust test functions with tree-sitter and make them callable by rustcoder's runner.

Test code is trusted benchmark data. `#[test]` functions become plain `pub(crate)` functions (their
enclosing modules `pub(crate)` too) so the sample module can list them for the runner; commented-out
tests are not tests (tree-sitter sees comments as comments).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rustcoder.rust_syntax import rust_parser
from rustcoder.types import TestStyle

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass(frozen=True, slots=True)
class TestFn:
    """One test, by its path from the sample module."""

    __test__ = False  # not a pytest test class

    path: str
    should_panic: bool = False


@dataclass(frozen=True, slots=True)
class PreparedTests:
    source: str
    tests: tuple[TestFn, ...]


def attribute_name(node: Node) -> str:
    """An attribute item's name: `test` for `#[test]`, `should_panic` for `#[should_panic(expected = ..)]`."""
    text = (node.text or b"").decode("utf-8", errors="replace")
    inner = text.strip().removeprefix("#[").removesuffix("]").strip()
    return inner.split("(", 1)[0].split("=", 1)[0].strip()


def _has_visibility(node: Node) -> bool:
    return any(child.type == "visibility_modifier" for child in node.children)


class _Collector:
    def __init__(self) -> None:
        self.tests: list[TestFn] = []
        self.edits: list[tuple[int, int, bytes]] = []

    def visit(self, container: Node, path: list[str], mods: list[Node]) -> None:
        pending: list[Node] = []
        for child in container.named_children:
            if child.type == "attribute_item":
                pending.append(child)
                continue
            if child.type in ("line_comment", "block_comment"):
                continue
            if child.type == "function_item":
                self._function(child, pending, path, mods)
            elif child.type == "mod_item":
                body = child.child_by_field_name("body")
                name = child.child_by_field_name("name")
                if body is not None and name is not None:
                    self.visit(body, [*path, (name.text or b"").decode()], [*mods, child])
            pending = []

    def _function(self, node: Node, attrs: list[Node], path: list[str], mods: list[Node]) -> None:
        names = [attribute_name(a) for a in attrs]
        if "test" not in names or "ignore" in names:
            return
        name = node.child_by_field_name("name")
        if name is None:
            return
        self.tests.append(TestFn("::".join([*path, (name.text or b"").decode()]), "should_panic" in names))
        for attr, attr_name in zip(attrs, names, strict=True):
            if attr_name in ("test", "should_panic"):
                self.edits.append((attr.start_byte, attr.end_byte, b""))
        for item in [node, *mods]:
            if not _has_visibility(item):
                self.edits.append((item.start_byte, item.start_byte, b"pub(crate) "))


@lru_cache(maxsize=4096)
def prepare_tests(source: str, style: TestStyle) -> PreparedTests:
    """The runnable form of a Rust test source and the tests it defines (possibly none)."""
    data = source.encode("utf-8")
    tree = rust_parser().parse(data)
    if style is TestStyle.MAIN:
        has_main = any(
            child.type == "function_item" and (child.child_by_field_name("name") or child).text == b"main"
            for child in tree.root_node.named_children
        )
        return PreparedTests(source, (TestFn("main"),) if has_main else ())
    collector = _Collector()
    collector.visit(tree.root_node, [], [])
    for start, end, replacement in sorted(set(collector.edits), key=lambda e: (e[0], e[1]), reverse=True):
        data = data[:start] + replacement + data[end:]
    return PreparedTests(data.decode("utf-8"), tuple(collector.tests))
