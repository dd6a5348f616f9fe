"""HumanEval's Python doctests as Rust examples: each `>>> ENTRY(ARGS)` line of a Python prompt and the
value on the line after it, or a line of prose giving a call and its value, read with Python's own
parser (literals only), then written in Rust by the Rust signature's parameter and return types.
HumanEvalPack-Rust's prompts carry no examples (its `example_test` is on the hub only); these are the
same problems' public examples. A pair that cannot be written for its types (a dict, a value of
another shape, a type the writer lacks) is left out."""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from rustcoder.benchmarks.examples import assertion_module
from rustcoder.rust_types import FLOATS, INTEGERS, Kind, RustType, signature_types
from rustcoder.types import Problem

HUMANEVALPACK = re.compile(r"^Rust/(\d+)$")
TOLERANCE = 1e-3
"""Relative: doc comments round their float values (`6.00`, `1.22`)."""
SEPARATORS = ("==>", "==", "=>", "\u279e", "->", "# returns", "should return", "returns", "=")
"""What prose puts between a call and its value, longest first (`\u279e` is HumanEval's arrow)."""
LOWER = {"true": True, "false": False}
"""Prose writes booleans as Rust does, sometimes."""


@dataclasses.dataclass(frozen=True, slots=True)
class Example:
    call: str
    expected: str
    approximate: bool = False
    """A float result, compared within TOLERANCE."""

    def assertion(self) -> str:
        if self.approximate:
            bound = f"{TOLERANCE} * (1.0 + ({self.expected} as f64).abs())"
            return f"assert!((({self.call}) as f64 - ({self.expected}) as f64).abs() <= {bound});"
        return f"assert_eq!({self.call}, {self.expected});"


def python_doctests(prompt: str, entry_point: str) -> list[tuple[tuple[Any, ...], Any]]:
    """(arguments, expected value) of each example whose arguments and value are literals: a
    `>>> ENTRY(...)` line and the value on the next, or a line of prose `ENTRY(...) == VALUE` (also
    `=>`, `==>`, `➞`, `->`, `# returns`, `should return`, `returns`)."""
    lines = [line.strip() for line in prompt.splitlines()]
    found: list[tuple[tuple[Any, ...], Any]] = []
    for line, value in pairwise([*lines, ""]):
        if line.startswith(">>> "):
            if value and not value.startswith(">>>"):
                found += _example(line.removeprefix(">>> "), value, entry_point)
            continue
        at = line.find(f"{entry_point}(")
        if at < 0 or (at > 0 and (line[at - 1].isalnum() or line[at - 1] in "_.")) or "def " in line:
            continue
        end = _call_end(line, at + len(entry_point))
        if end is None:
            continue
        rest = line[end:].strip()
        for separator in SEPARATORS:
            if rest.startswith(separator):
                found += _example(line[at:end], rest.removeprefix(separator).strip(), entry_point)
                break
    unique: dict[str, tuple[tuple[Any, ...], Any]] = {}
    for example in found:  # lists are unhashable: their text tells repeats apart
        unique.setdefault(repr(example), example)
    return list(unique.values())


def _example(call_text: str, value_text: str, entry_point: str) -> list[tuple[tuple[Any, ...], Any]]:
    """The call's literal arguments and the value, or nothing where either is not a literal."""
    try:
        call = ast.parse(call_text, mode="eval").body
    except (SyntaxError, ValueError):
        return []
    if not isinstance(call, ast.Call) or call.keywords:
        return []
    if not isinstance(call.func, ast.Name) or call.func.id != entry_point:
        return []
    for text in (value_text, value_text.rstrip(".,;:")):
        try:
            expected = LOWER[text] if text in LOWER else ast.literal_eval(text)
            return [(tuple(ast.literal_eval(a) for a in call.args), expected)]
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
    return []


def _call_end(line: str, opening: int) -> int | None:
    """The index after the parenthesis that closes the one at `opening`, skipping quoted text."""
    depth, quote = 0, ""
    for i in range(opening, len(line)):
        char = line[i]
        if quote:
            if char == quote and line[i - 1] != "\\":
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def rust_examples(
    doctests: list[tuple[tuple[Any, ...], Any]], signature: str, entry_point: str
) -> list[Example]:
    """The doctests as Rust calls of `entry_point` and expected values, for `signature`'s types."""
    types = signature_types(signature)
    if types is None or types.returns is None:
        return []
    returns = types.returns
    out: list[Example] = []
    for arguments, expected in doctests:
        if len(arguments) != len(types.parameters):
            continue
        written = [
            _literal(value, kind) if kind is not None else None
            for value, kind in zip(arguments, types.parameters, strict=True)
        ]
        value = _literal(expected, returns)
        if value is None or any(w is None for w in written):
            continue
        approximate = returns.kind is Kind.PRIMITIVE and returns.name in FLOATS
        out.append(Example(f"{entry_point}({', '.join(w for w in written if w)})", value, approximate))
    return list(dict.fromkeys(out))


def _literal(value: Any, kind: RustType) -> str | None:
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
            written = _literal(value, kind.inner)
            return f"&{written}" if written is not None else None
        case Kind.TUPLE:
            if not isinstance(value, (tuple, list)) or len(value) != len(kind.args):
                return None
            fields = [_literal(v, part) for v, part in zip(value, kind.args, strict=True)]
            return None if any(f is None for f in fields) else f"({', '.join(f for f in fields if f)})"
        case Kind.VEC if isinstance(value, (list, tuple)) and not value:  # typed: `vec![]` may not infer
            return f"Vec::<{kind.inner.text}>::new()"
        case Kind.VEC:
            items = _sequence(value, kind.inner)
            return f"vec![{items}]" if items is not None else None
        case Kind.OPTION if value is None:
            return "None"
        case Kind.OPTION:
            written = _literal(value, kind.inner)
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
    items = [_literal(v, element) for v in value]
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


def doctest_module(examples: list[Example]) -> str | None:
    """The examples as a test module, one `#[test]` function each, or None."""
    return assertion_module([example.assertion() for example in examples])


def with_humaneval_doctests(problems: Sequence[Problem]) -> list[Problem]:
    """The problems, a HumanEvalPack-Rust one without public examples (`Rust/N`: its offline copy has
    none) given those of HumanEval's Python prompt N, written for its signature; the others as they are."""
    if not any(p.example_tests is None and HUMANEVALPACK.match(p.task_id) for p in problems):
        return list(problems)
    from rustcoder.benchmarks import load_benchmark

    python = {p.task_id.removeprefix("HumanEval/"): p for p in load_benchmark("humaneval-python").problems}
    out = []
    for problem in problems:
        found = HUMANEVALPACK.match(problem.task_id)
        source = python.get(found.group(1)) if found and problem.example_tests is None else None
        if source is not None:
            doctests = python_doctests(source.prompt, source.entry_point)
            examples = rust_examples(doctests, problem.signature, problem.entry_point)
            problem = dataclasses.replace(problem, example_tests=doctest_module(examples))
        out.append(problem)
    return out
