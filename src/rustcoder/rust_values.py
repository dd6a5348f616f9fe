"""Python values written as Rust expressions of a given type (`rustcoder.rust_types`): numbers, booleans,
characters, strings, vectors, slices, options and tuples. A value that does not fit its type (a bool
for a number, a negative for an unsigned, a float for an integer, a list of the wrong length for a
tuple) has no expression."""

from __future__ import annotations

import math
from typing import Any

from rustcoder.rust_types import FLOATS, INTEGERS, Kind, RustType


def rust_literal(value: Any, kind: RustType) -> str | None:
    """`value` as a Rust expression of the type `kind`, or None where it cannot be one."""
    match kind.kind:
        case Kind.PRIMITIVE:
            return _primitive(value, kind.name)
        case Kind.STRING:
            return f"String::from({_string(value)})" if isinstance(value, str) else None
        case Kind.REFERENCE if kind.inner.kind is Kind.PRIMITIVE and kind.inner.name == "str":
            return _string(value)
        case Kind.REFERENCE if kind.inner.kind is Kind.SLICE:
            items = _sequence(value, kind.inner.inner)
            return f"&vec![{items}]" if items is not None else None
        case Kind.REFERENCE:
            written = rust_literal(value, kind.inner)
            return f"&{written}" if written is not None else None
        case Kind.TUPLE:
            if not isinstance(value, (tuple, list)) or len(value) != len(kind.args):
                return None
            fields = [rust_literal(v, part) for v, part in zip(value, kind.args, strict=True)]
            return None if any(f is None for f in fields) else f"({', '.join(f for f in fields if f)})"
        case Kind.VEC if isinstance(value, (list, tuple)) and not value:  # typed: `vec![]` may not infer
            return f"Vec::<{kind.inner.text}>::new()"
        case Kind.VEC:
            items = _sequence(value, kind.inner)
            return f"vec![{items}]" if items is not None else None
        case Kind.OPTION if value is None:
            return "None"
        case Kind.OPTION:
            written = rust_literal(value, kind.inner)
            return f"Some({written})" if written is not None else None
    return None


def _primitive(value: Any, text: str) -> str | None:
    if text == "bool":
        return ("true" if value else "false") if isinstance(value, bool) else None
    if isinstance(value, bool):
        return None  # a Python bool is an int: not for a number
    if text in INTEGERS and isinstance(value, int):
        return str(value) if value >= 0 or text.startswith("i") else None
    if text in FLOATS and isinstance(value, (int, float)) and math.isfinite(value):
        return repr(float(value))
    if text == "char" and isinstance(value, str) and len(value) == 1:
        return "'" + _escaped(value, "'") + "'"
    return None


def _sequence(value: Any, element: RustType) -> str | None:
    if not isinstance(value, (list, tuple)):
        return None
    items = [rust_literal(v, element) for v in value]
    return None if any(i is None for i in items) else ", ".join(i for i in items if i is not None)


def _string(value: Any) -> str | None:
    return '"' + _escaped(value, '"') + '"' if isinstance(value, str) else None


def _escaped(text: str, quote: str) -> str:
    out = []
    for char in text:
        if char in ("\\", quote):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 32:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    return "".join(out)
