"""Arguments for a function made from its signature's types alone (the `agreement` method's generator):
small, typical values of integers, floats, booleans, characters, strings, vectors, slices, options and
tuples. A parameter of any other type (a generic, a struct, `&mut`) means no generated inputs."""

from __future__ import annotations

from math import gcd
from typing import TYPE_CHECKING

from rustcoder.rust_syntax import signature_function

if TYPE_CHECKING:
    from tree_sitter import Node

SIGNED = {"i8", "i16", "i32", "i64", "i128", "isize"}
UNSIGNED = {"u8", "u16", "u32", "u64", "u128", "usize"}
WORDS = ("", "abc", "Hello World", "aba", "a1 b2")


def _values(node: Node) -> list[str] | None:
    """Literal values of the type `node`, or None if the generator has none for it."""
    text = (node.text or b"").decode()
    kind = node.type
    if kind == "primitive_type":
        if text in SIGNED:
            return ["0", "1", "7", "-3", "42", "-100"]
        if text in UNSIGNED:
            return ["0", "1", "7", "3", "42", "100"]
        if text in ("f32", "f64"):
            return ["0.0", "1.5", "-2.25", "10.0", "3.0"]
        if text == "bool":
            return ["true", "false"]
        if text == "char":
            return ["'a'", "'Z'", "'3'", "' '"]
        if text == "str":
            return [f'"{w}"' for w in WORDS]
        return None
    if kind == "type_identifier" and text == "String":
        return [f'String::from("{w}")' for w in WORDS]
    if kind == "reference_type":
        if any(child.type == "mutable_specifier" for child in node.children):
            return None
        inner = node.child_by_field_name("type")
        if inner is None:
            return None
        if inner.type == "primitive_type" and inner.text == b"str":
            return _values(inner)
        values = _values(inner)
        return [f"&{v}" for v in values] if values is not None else None
    if kind == "array_type" and node.child_by_field_name("length") is None:  # [T], behind a reference
        element = node.child_by_field_name("element")
        return _vectors(element) if element is not None else None
    if kind == "generic_type":
        name = node.child_by_field_name("type")
        arguments = node.child_by_field_name("type_arguments")
        args = [c for c in arguments.named_children] if arguments is not None else []
        if name is None or len(args) != 1:
            return None
        if name.text == b"Vec":
            return _vectors(args[0])
        if name.text == b"Option":
            some = _values(args[0])
            return ["None", *(f"Some({v})" for v in some[:3])] if some is not None else None
        return None
    if kind == "tuple_type":
        parts = [_values(child) for child in node.named_children]
        if any(p is None for p in parts) or not parts:
            return None
        return _combine([p for p in parts if p is not None], 5, ", ", "({})")
    return None


def _vectors(element: Node) -> list[str] | None:
    values = _values(element)
    if values is None:
        return None
    return [
        "vec![]",
        f"vec![{', '.join(values[1:4])}]",
        f"vec![{values[2 % len(values)]}]",
        f"vec![{', '.join(reversed(values))}]",
    ]


def _combine(columns: list[list[str]], count: int, sep: str, form: str) -> list[str]:
    """`count` rows taking a different value of each column (column i steps by the first number from
    i + 1 up that is coprime with its length, from offset i, so that every column varies and two
    columns of one type differ), each row once."""
    steps = []
    for i, column in enumerate(columns):
        step = i + 1
        while gcd(step, len(column)) != 1:
            step += 1
        steps.append(step)
    rows: dict[str, None] = {}
    for row in range(count * 3):
        picks = [
            column[(row * step + i) % len(column)]
            for i, (column, step) in enumerate(zip(columns, steps, strict=True))
        ]
        rows.setdefault(form.format(sep.join(picks)), None)
        if len(rows) == count:
            break
    return list(rows)


def generated_arguments(signature: str, count: int = 6) -> list[str]:
    """Up to `count` argument lists (`(vec![1, 7], 3)`) for a function with `signature` (as problems
    hold it: `name(a: i32) -> i32`); [] when a parameter's type is beyond the generator."""
    function = signature_function(signature)
    if function is None or function.child_by_field_name("type_parameters") is not None:
        return []
    parameters = function.child_by_field_name("parameters")
    columns: list[list[str]] = []
    for parameter in parameters.named_children if parameters is not None else []:
        kind = parameter.child_by_field_name("type")
        values = _values(kind) if parameter.type == "parameter" and kind is not None else None
        if values is None:
            return []
        columns.append(values)
    if not columns:
        return ["()"]
    return _combine(columns, count, ", ", "({})")
