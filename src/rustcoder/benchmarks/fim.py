"""Fill-in-the-middle tasks: finding a file's own tests so they can run as a benchmark's tests do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rustcoder.rust_syntax import rust_parser

if TYPE_CHECKING:
    from tree_sitter import Node


def _test_modules(source: bytes) -> list[tuple[int, int]]:
    """Byte ranges of top-level `#[cfg(test)] mod ... { }` items, attribute included."""
    root = rust_parser().parse(source).root_node
    ranges: list[tuple[int, int]] = []
    pending: list[Node] = []
    for child in root.named_children:
        if child.type == "attribute_item":
            pending.append(child)
            continue
        if child.type in ("line_comment", "block_comment"):
            continue
        is_test = any((a.text or b"").replace(b" ", b"").startswith(b"#[cfg(test") for a in pending)
        if child.type == "mod_item" and is_test and child.child_by_field_name("body") is not None:
            ranges.append(((pending[0] if pending else child).start_byte, child.end_byte))
        pending = []
    return ranges


def split_tests(prefix: str, middle: str, suffix: str) -> tuple[str, str, str]:
    """(prefix, suffix, tests): the file's test modules that lie wholly in the prefix or the suffix,
    moved out of them into `tests`. A test module that the gap cuts stays where it is (its tests are
    then compiled but not run)."""
    source = (prefix + middle + suffix).encode("utf-8")
    gap_start = len(prefix.encode("utf-8"))
    gap_end = gap_start + len(middle.encode("utf-8"))
    before, after = prefix.encode("utf-8"), suffix.encode("utf-8")
    tests: list[bytes] = []
    for start, end in reversed(_test_modules(source)):
        if end <= gap_start:
            tests.insert(0, before[start:end])
            before = before[:start] + before[end:]
        elif start >= gap_end:
            tests.insert(0, after[start - gap_end : end - gap_end])
            after = after[: start - gap_end] + after[end - gap_end :]
    return before.decode("utf-8"), after.decode("utf-8"), "\n".join(t.decode("utf-8") for t in tests)
