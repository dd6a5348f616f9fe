"""Pull the code out of a model's answer.

Handles RUST_BEGIN/RUST_END delimiters, Markdown fences, prose before and after, a stray `fn main`, the
model's own tests, a signature repeated before the real function, and `use` lines the benchmark header
already provides (a second import of the same name does not compile). Rust items are chosen with
tree-sitter; Python definitions with the standard `ast` module (parsed, never run), which drops the
model's own usage examples (`print(f(...))`, asserts, `if __name__ == "__main__":`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rustcoder.rust_syntax import rust_parser
from rustcoder.types import RUST_BEGIN, RUST_END, Language

if TYPE_CHECKING:
    from tree_sitter import Node

BEGIN, END = RUST_BEGIN, RUST_END
_FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:^[ \t]*```|\Z)", re.S | re.M)
"""A Markdown fence: only at the start of a line, so a doc-test fence inside `///` comments is not one."""
_RUST_TAGS = {"rust", "rs", ""}
_PY_TAGS = {"python", "py", "python3", ""}
_KEEP = {
    "function_item",
    "struct_item",
    "enum_item",
    "impl_item",
    "trait_item",
    "const_item",
    "static_item",
    "type_item",
    "macro_definition",
    "use_declaration",
    "union_item",
}


def _between_delimiters(text: str) -> str | None:
    if BEGIN not in text and END not in text:
        return None
    start = text.find(BEGIN)
    body = text[start + len(BEGIN) :] if start >= 0 else text
    end = body.find(END)
    return body[:end] if end >= 0 else body


def _fenced(text: str, tags: set[str], marker: str) -> str | None:
    blocks: list[tuple[str, str]] = [(tag.lower(), body) for tag, body in _FENCE.findall(text)]
    blocks = [(tag, body) for tag, body in blocks if tag in tags]
    if not blocks:
        return None
    with_marker = [body for _, body in blocks if marker and marker in body]
    return with_marker[0] if with_marker else max((body for _, body in blocks), key=len)


def code_region(text: str, language: Language, entry_point: str = "") -> str:
    """The part of an answer that is code: between delimiters, else in a fence, else all of it."""
    delimited = _between_delimiters(text)
    if delimited is not None:
        text = delimited
    if language is Language.PYTHON:
        return _fenced(text, _PY_TAGS, f"def {entry_point}") or text
    return _fenced(text, _RUST_TAGS, f"fn {entry_point}") or text


def _name(node: Node) -> str:
    name = node.child_by_field_name("name")
    return (name.text or b"").decode() if name is not None else ""


def _is_test_item(node: Node, attributes: list[Node]) -> bool:
    attrs = " ".join((a.text or b"").decode() for a in attributes)
    return node.type == "mod_item" and ("cfg(test)" in attrs or _name(node) == "tests")


def imported_names(header: str) -> set[str]:
    """Names a block of `use` lines brings into scope (the last segment of each path, or its alias)."""
    names: set[str] = set()
    for item in rust_parser().parse(header.encode()).root_node.named_children:
        if item.type == "use_declaration":
            names |= _use_names(item)
    return names


def _last_segment(path: Node | None) -> str:
    if path is None:
        return ""
    if path.type == "scoped_identifier":
        path = path.child_by_field_name("name") or path
    return (path.text or b"").decode()


def _use_names(node: Node, parent: str = "") -> set[str]:
    """The names a use tree binds: leaves, aliases, and `self` (which binds the parent module)."""
    names: set[str] = set()
    for child in node.named_children:
        if child.type == "identifier":
            names.add((child.text or b"").decode())
        elif child.type == "self":
            names.add(parent)
        elif child.type == "scoped_identifier":
            names.add(_last_segment(child))
        elif child.type == "use_as_clause":
            alias = child.child_by_field_name("alias")
            if alias is not None:
                names.add((alias.text or b"").decode())
        elif child.type == "scoped_use_list":
            inner = child.child_by_field_name("list")
            if inner is not None:
                names |= _use_names(inner, _last_segment(child.child_by_field_name("path")))
        elif child.type == "use_list":
            names |= _use_names(child, parent)
        elif child.type == "use_wildcard":
            names.add("*" + (child.text or b"").decode())
    return names - {""}


def select_rust_items(code: str, entry_point: str, header: str = "") -> str:
    """Keep what a solution needs: helpers, types, imports and the entry function (its last full definition).

    Drops `fn main`, test modules, free-standing statements and prose, bodiless repeats of the signature,
    and `use` lines whose every name the header already imports.
    """
    source = code.encode("utf-8")
    root = rust_parser().parse(source).root_node
    provided = imported_names(header) if header else set()
    items: list[tuple[Node, list[Node]]] = []
    attributes: list[Node] = []
    for node in root.named_children:
        if node.type == "attribute_item":
            attributes.append(node)
            continue
        if node.type in ("line_comment", "block_comment"):
            continue
        if node.type in _KEEP and not _is_test_item(node, attributes):
            items.append((node, attributes))
        attributes = []
    entries = [n for n, _ in items if n.type == "function_item" and _name(n) == entry_point]
    entries = [n for n in entries if n.child_by_field_name("body") is not None] or entries
    keep_entry = entries[-1] if entries else None
    kept: list[str] = []
    for node, attrs in items:
        if node.type == "function_item" and _name(node) in ("main", entry_point) and node is not keep_entry:
            continue
        if node.type == "function_item" and node.child_by_field_name("body") is None:
            continue
        if node.type == "use_declaration" and provided and _use_names(node) <= provided:
            continue
        start = attrs[0].start_byte if attrs else node.start_byte
        kept.append(source[start : node.end_byte].decode("utf-8", errors="replace"))
    if keep_entry is None:
        return code.strip() + "\n"  # nothing recognisable: let the compiler say what is wrong
    return "\n\n".join(kept) + "\n"


def _global_names_used(functions: Sequence[ast.stmt]) -> set[str]:
    """Names the definitions read but never bind themselves: the module-level values they need."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for function in functions:
        for node in ast.walk(function):
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
    return loaded - bound


def _assigns_only(node: ast.stmt, names: set[str]) -> bool:
    """Whether `node` is a module-level assignment to nothing but names in `names`."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign):
        targets = [node.target]
    else:
        return False
    return all(isinstance(target, ast.Name) and target.id in names for target in targets)


def select_python_items(code: str, entry_point: str) -> str:
    """Imports, definitions and the module-level values they use, in their original text; top-level
    statements that only exercise the function (prints, asserts, a `__main__` block) are dropped."""
    try:
        module = ast.parse(code)
    except SyntaxError:
        return code.strip("\n") + "\n"  # the executor reports the SyntaxError
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    functions = [node for node in module.body if isinstance(node, definitions)]
    if not any(node.name == entry_point for node in functions):
        return code.strip("\n") + "\n"
    needed = _global_names_used(functions)
    lines = code.splitlines()
    kept = []
    for node in module.body:
        if isinstance(node, (*definitions, ast.Import, ast.ImportFrom)) or _assigns_only(node, needed):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            kept.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "\n\n".join(kept) + "\n"


def extract_solution(text: str, language: Language, entry_point: str, header: str = "") -> str:
    """A complete solution from a model's answer, ready for the harness to add imports and tests."""
    region = code_region(text, language, entry_point)
    if language is Language.PYTHON:
        return select_python_items(region, entry_point)
    return select_rust_items(region, entry_point, header)
