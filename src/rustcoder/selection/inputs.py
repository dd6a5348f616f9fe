"""Arguments for a function made from its signature's types alone (the `agreement` method's generator):
small, typical values of integers, floats, booleans, characters, strings, vectors, slices, options and
tuples. A parameter of any other type (a generic, a struct, `&mut`) means no generated inputs."""

from __future__ import annotations

from math import gcd

from rustcoder.rust_types import FLOATS, INTEGERS, Kind, RustType, signature_types

WORDS = ("", "abc", "Hello World", "aba", "a1 b2")
PRIMITIVES: dict[str, tuple[str, ...]] = {
    **{name: ("0", "1", "7", "-3", "42", "-100") for name in INTEGERS if name.startswith("i")},
    **{name: ("0", "1", "7", "3", "42", "100") for name in INTEGERS if name.startswith("u")},
    **{name: ("0.0", "1.5", "-2.25", "10.0", "3.0") for name in FLOATS},
    "bool": ("true", "false"),
    "char": ("'a'", "'Z'", "'3'", "' '"),
    "str": tuple(f'"{w}"' for w in WORDS),
}


def _values(kind: RustType) -> list[str] | None:
    """Literal values of the type `kind`, or None if the generator has none for it."""
    match kind.kind:
        case Kind.PRIMITIVE:
            return list(PRIMITIVES[kind.name]) if kind.name in PRIMITIVES else None
        case Kind.STRING:
            return [f'String::from("{w}")' for w in WORDS]
        case Kind.REFERENCE if kind.inner.kind is Kind.PRIMITIVE and kind.inner.name == "str":
            return _values(kind.inner)
        case Kind.REFERENCE:
            values = _values(kind.inner)
            return [f"&{v}" for v in values] if values is not None else None
        case Kind.SLICE | Kind.VEC:
            return _vectors(kind.inner)
        case Kind.OPTION:
            some = _values(kind.inner)
            return ["None", *(f"Some({v})" for v in some[:3])] if some is not None else None
        case Kind.TUPLE:
            parts = [_values(part) for part in kind.args]
            if any(p is None for p in parts):
                return None
            return _combine([p for p in parts if p is not None], 5, ", ", "({})")
    return None


def _vectors(element: RustType) -> list[str] | None:
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
    types = signature_types(signature)
    if types is None or types.generic:
        return []
    columns: list[list[str]] = []
    for kind in types.parameters:
        values = _values(kind) if kind is not None else None
        if values is None:
            return []
        columns.append(values)
    if not columns:
        return ["()"]
    return _combine(columns, count, ", ", "({})")
