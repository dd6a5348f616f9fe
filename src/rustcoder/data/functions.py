"""Functions (free ones and methods in impl blocks) and their doc comments, found with tree-sitter-rust.

A function is kept with its doc comment, its attributes and, for a method, the impl block's header, so
that an instruction or a FIM task built from it has the context a reader would. Left out, and counted:
files that are not UTF-8, functions that do not parse (tree-sitter's Rust grammar: edition-2015 code
such as `try!` does not), generated code (an `@generated` / "DO NOT EDIT" header, or
under build output), tests (`#[test]`, `#[cfg(test)]` modules, files under `tests/`, `benches/`,
`examples/`) unless asked, and trivial bodies (empty, a lone field or constant, `todo!()` and its
kin) that teach nothing. Every file belongs to the innermost crate containing it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rustcoder.data.crates import SKIPPED_DIRS, Crate
from rustcoder.rust_syntax import rust_parser

if TYPE_CHECKING:
    from tree_sitter import Node

TEST_DIRS = frozenset({"tests", "benches", "examples", "fuzz"})
GENERATED_MARKERS = ("@generated", "DO NOT EDIT", "Automatically generated", "auto-generated")
PLACEHOLDER_MACROS = frozenset({"todo", "unimplemented", "unreachable", "panic"})
MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class MinedFunction:
    """One function from a crate, with where it came from and its licence."""

    crate: str
    version: str
    licence: str
    path: str
    """The file, relative to the crate's root."""
    name: str
    signature: str
    """`pub fn add(a: i32, b: i32) -> i32`: the item up to its body."""
    doc: str
    """The doc comment's text, markers and common indentation removed ("" when undocumented)."""
    code: str
    """The whole item as written: doc comment, attributes, signature and body."""
    body: str
    """The body block, braces included."""
    impl: str | None
    """For a method: the impl block's header (`impl<T> Stack<T>`), else None."""
    start_line: int
    end_line: int

    @property
    def digest(self) -> str:
        """Identifies the function's normalised text (whitespace and comments do not count)."""
        return normalised_digest(self.signature + self.body)


@dataclass(slots=True)
class Extraction:
    functions: list[MinedFunction] = field(default_factory=list)
    files: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    """Why files or functions were left out, with counts."""


def code_tokens(code: str) -> list[str]:
    """The code's tokens as tree-sitter reads them, comments dropped (a string literal is one token)."""
    tree = rust_parser().parse(code.encode("utf-8", errors="replace"))
    tokens: list[str] = []

    def walk(node: Node) -> None:
        if node.type in ("line_comment", "block_comment"):
            return
        if node.child_count == 0 or node.type in ("string_literal", "raw_string_literal", "char_literal"):
            tokens.append((node.text or b"").decode("utf-8", errors="replace"))
            return
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return tokens


def normalised_digest(code: str) -> str:
    """A hash of the code's tokens: comments dropped and whitespace collapsed, so reformatting or
    recommenting a function does not make it new."""
    return tokens_digest(code_tokens(code))


def tokens_digest(tokens: list[str]) -> str:
    """normalised_digest of code already cut into `code_tokens`."""
    return hashlib.sha256("\x00".join(tokens).encode("utf-8")).hexdigest()[:20]


def _text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8") if node is not None else ""


def _attribute_names(attributes: list[Node]) -> set[str]:
    names = set()
    for attribute in attributes:
        inner = _text(attribute).removeprefix("#[").removesuffix("]").strip()
        names.add(inner.split("(", 1)[0].strip())
        if inner.replace(" ", "").startswith("cfg(test"):
            names.add("cfg(test)")
    return names


def _doc(comments: list[Node]) -> str:
    lines = []
    for comment in comments:
        text = _text(comment)
        if text.startswith("///") and not text.startswith("////"):
            lines.append(text[3:].rstrip("\n"))
        elif text.startswith("/**") and not text.startswith("/***"):
            lines += [line.strip().removeprefix("*").rstrip() for line in text[3:-2].splitlines()]
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines).strip()


def _adjacent(before: list[Node], item: Node) -> list[Node]:
    """The comments and attributes directly above `item`: the run that reaches it without a blank line."""
    kept: list[Node] = []
    line = item.start_point[0]
    for node in reversed(before):
        row, column = node.end_point
        last = row - 1 if column == 0 and row > node.start_point[0] else row  # a `//` comment's newline
        if last < line - 1:
            break
        kept.insert(0, node)
        line = node.start_point[0]
    return kept


def trivial(body: Node) -> bool:
    """Whether a body teaches nothing: empty, one field / path / literal, or a placeholder macro."""
    statements = [c for c in body.named_children if c.type not in ("line_comment", "block_comment")]
    if not statements:
        return True
    if len(statements) != 1:
        return False
    only = statements[0]
    if only.type == "expression_statement" and only.named_children:
        only = only.named_children[0]
    if only.type == "macro_invocation":
        return _text(only.child_by_field_name("macro")) in PLACEHOLDER_MACROS
    if only.type == "reference_expression" and only.named_children:
        only = only.named_children[-1]
    return only.type in (
        "field_expression",
        "identifier",
        "self",
        "scoped_identifier",
        "integer_literal",
        "boolean_literal",
        "string_literal",
        "unit_expression",
    )


class _FileFunctions:
    """The functions of one parsed file."""

    def __init__(self, crate: Crate, path: str, source: bytes, include_tests: bool, out: Extraction) -> None:
        self.crate, self.path, self.source = crate, path, source
        self.include_tests, self.out = include_tests, out

    def visit(self, container: Node, impl: str | None) -> None:
        comments: list[Node] = []
        attributes: list[Node] = []
        for child in container.named_children:
            if child.type in ("line_comment", "block_comment"):
                comments.append(child)
                continue
            if child.type == "attribute_item":
                attributes.append(child)
                continue
            names = _attribute_names(attributes)
            is_test = bool(names & {"test", "cfg(test)", "bench"})
            if child.type == "function_item":
                self._function(child, comments, attributes, impl, is_test)
            elif child.type == "impl_item":
                body = child.child_by_field_name("body")
                if body is not None:
                    header = self.source[child.start_byte : body.start_byte].decode("utf-8").strip()
                    self.visit(body, header)
            elif child.type == "mod_item":
                body = child.child_by_field_name("body")
                if body is not None and (self.include_tests or not is_test):
                    self.visit(body, None)
                elif body is not None:
                    self.out.skipped["test module"] += 1
            comments, attributes = [], []

    def _function(
        self, node: Node, comments: list[Node], attributes: list[Node], impl: str | None, is_test: bool
    ) -> None:
        body = node.child_by_field_name("body")
        name = node.child_by_field_name("name")
        if body is None or name is None:
            return  # a declaration in a trait, without a body
        if is_test and not self.include_tests:
            self.out.skipped["test function"] += 1
            return
        if node.has_error:
            self.out.skipped["function that does not parse (e.g. 2015's try!)"] += 1
            return
        if trivial(body):
            self.out.skipped["trivial body"] += 1
            return
        leading = _adjacent(sorted([*comments, *attributes], key=lambda n: n.start_byte), node)
        docs = [c for c in leading if c.type != "attribute_item"]
        first = (leading or [node])[0]
        self.out.functions.append(
            MinedFunction(
                crate=self.crate.name,
                version=self.crate.version,
                licence=self.crate.licence.expression,
                path=self.path,
                name=_text(name),
                signature=self.source[node.start_byte : body.start_byte].decode("utf-8").strip(),
                doc=_doc(docs),
                code=self.source[first.start_byte : node.end_byte].decode("utf-8"),
                body=_text(body),
                impl=impl,
                start_line=first.start_point[0] + 1,
                end_line=node.end_point[0] + 1,
            )
        )


def _files(crate: Crate, nested: set[Path], include_tests: bool, out: Extraction) -> Iterator[Path]:
    for path in sorted(crate.root.rglob("*.rs")):
        parts = path.relative_to(crate.root).parts
        if any(p in SKIPPED_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        if any(folder in path.parents for folder in nested):
            continue  # a crate of its own, mined as that crate
        if not include_tests and any(p in TEST_DIRS for p in parts[:-1]):
            out.skipped["test or example file"] += 1
            continue
        yield path


def extract(crate: Crate, *, nested: set[Path] | None = None, include_tests: bool = False) -> Extraction:
    """The functions of one crate's files (`nested`: roots of crates inside it, which are left to them)."""
    out = Extraction()
    for path in _files(crate, nested or set(), include_tests, out):
        relative = path.relative_to(crate.root).as_posix()
        try:
            data = path.read_bytes()
        except OSError:
            out.skipped["unreadable file"] += 1
            continue
        if len(data) > MAX_FILE_BYTES:
            out.skipped["file over 1 MiB"] += 1
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            out.skipped["file not UTF-8"] += 1
            continue
        head = data[:600].decode("utf-8", errors="replace")
        if any(marker.lower() in head.lower() for marker in GENERATED_MARKERS):
            out.skipped["generated file"] += 1
            continue
        tree = rust_parser().parse(data)
        if tree.root_node.has_error:
            out.skipped["file with syntax errors (its functions that contain them left out)"] += 1
        out.files += 1
        _FileFunctions(crate, relative, data, include_tests, out).visit(tree.root_node, None)
    return out
