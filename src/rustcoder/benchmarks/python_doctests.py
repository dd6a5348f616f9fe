"""HumanEval's Python doctests as Rust examples: each `>>> ENTRY(ARGS)` line of a Python prompt and the
value on the line after it, or a line of prose giving a call and its value, read with Python's own
parser (literals only), then written in Rust by the Rust signature's parameter and return types.
HumanEvalPack-Rust's prompts carry no examples (its `example_test` is on the hub only); these are the
same problems' public examples. A pair that cannot be written for its types (a dict, a value of
another shape, a type the writer lacks) is left out."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from rustcoder.benchmarks.examples import assertion_module
from rustcoder.rust_types import FLOATS, Kind, signature_types
from rustcoder.rust_values import rust_literal
from rustcoder.types import Problem

HUMANEVALPACK = re.compile(r"^Rust/(\d+)$")
TOLERANCE = 1e-3
"""Relative: doc comments round their float values (`6.00`, `1.22`)."""
SEPARATORS = ("==>", "==", "=>", "\u279e", "->", "# =>", "# returns", "should return", "returns", "=")
"""What prose puts between a call and its value, longest first (`\u279e` is HumanEval's arrow)."""
LOWER = {"true": True, "false": False}
"""Prose writes booleans as Rust does, sometimes."""
OUTPUT_SHOULD_BE = re.compile(r"^For (.+?),? the (?:output|result) should be (.+)$")
"""`For lst = [1,2,3] the output should be 14` (the names are the Python function's parameters)."""
NOT_LITERAL = (ValueError, TypeError, SyntaxError, MemoryError, RecursionError)
"""What `ast.literal_eval` raises for text that is no literal (or one too large or deep to read)."""
Doctest = tuple[tuple[Any, ...], Any]
"""An example's arguments and expected value."""


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


def python_doctests(prompt: str, entry_point: str) -> list[Doctest]:
    """(arguments, expected value) of each example whose arguments and value are literals, in any of
    HumanEval's forms: a `>>> ENTRY(...)` line and the value on the next (or after `==` on the same
    line); a line of prose `ENTRY(...) == VALUE` (also `=>`, `==>`, `➞`, `->`, `# =>`, `# returns`,
    `should return`, `returns`); `Input: ARGS` and `Output: VALUE` a line or two below; `For NAME =
    VALUE, ... the output should be VALUE`. Arguments given by name are put in the parameters' order."""
    lines = [line.strip() for line in prompt.splitlines()]
    names = _parameters(prompt, entry_point)
    found: list[Doctest] = []
    for at, line in enumerate(lines):
        following = lines[at + 1] if at + 1 < len(lines) else ""
        if line.startswith(">>> "):
            shown = line.removeprefix(">>> ")
            value = following if following and not following.startswith(">>>") else ""
            found += (value and _example(shown, value, entry_point)) or _prose(shown, entry_point)
        elif line.startswith("Input:") and names is not None:
            found += _input_output(line.removeprefix("Input:"), lines[at + 1 : at + 4], names)
        elif (sentence := OUTPUT_SHOULD_BE.match(line)) and names is not None:
            arguments = _arguments(sentence.group(1), names)
            found += [(arguments, value) for value in _value(sentence.group(2))] if arguments else []
        else:
            found += _prose(line, entry_point)
    unique: dict[str, Doctest] = {}
    for example in found:  # lists are unhashable: their text tells repeats apart
        unique.setdefault(repr(example), example)
    return list(unique.values())


def _prose(line: str, entry_point: str) -> list[Doctest]:
    at = line.find(f"{entry_point}(")
    if at < 0 or (at > 0 and (line[at - 1].isalnum() or line[at - 1] in "_.")) or "def " in line:
        return []
    end = _call_end(line, at + len(entry_point))
    if end is None:
        return []
    rest = line[end:].strip()
    for separator in SEPARATORS:
        if rest.startswith(separator):
            return _example(line[at:end], rest.removeprefix(separator).strip(), entry_point)
    return []


def _input_output(given: str, below: list[str], names: list[str]) -> list[Doctest]:
    """`Input: ARGS` with an `Output: VALUE` line among the few below (before another input)."""
    for line in below:
        if line.startswith("Input:"):
            return []
        if line.startswith("Output:"):
            arguments = _arguments(given.strip(), names)
            return [(arguments, value) for value in _value(line.removeprefix("Output:"))] if arguments else []
    return []


def _parameters(prompt: str, entry_point: str) -> list[str] | None:
    """The entry function's parameter names, from its one-line `def`."""
    for line in prompt.splitlines():
        if line.lstrip().startswith(f"def {entry_point}("):
            try:
                tree = ast.parse(f"{line.strip()} pass")
            except SyntaxError:
                return None
            function = tree.body[0]
            return [a.arg for a in function.args.args] if isinstance(function, ast.FunctionDef) else None
    return None


def _arguments(text: str, names: list[str]) -> tuple[Any, ...] | None:
    """Literal arguments `1, [2]` or `a = 1, b = [2]` for parameters `names`, or None. Prose after the
    arguments (`N = 1000, the sum of digits will be 1`) is dropped a comma-separated part at a time."""
    parts = text.split(",")
    for keep in range(len(parts), 0, -1):
        try:
            call = ast.parse(f"f({','.join(parts[:keep])})", mode="eval").body
        except (SyntaxError, ValueError):
            continue
        if not isinstance(call, ast.Call):
            return None
        try:
            given = [ast.literal_eval(a) for a in call.args]
            named = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        except NOT_LITERAL:
            return None
        if len(given) + len(named) != len(names) or set(named) != set(names[len(given) :]):
            return None  # too few or too many, or a name that is no parameter
        return (*given, *(named[name] for name in names[len(given) :]))
    return None


def _example(call_text: str, value_text: str, entry_point: str) -> list[Doctest]:
    """The call's literal arguments and the value, or nothing where either is not a literal."""
    try:
        call = ast.parse(call_text, mode="eval").body
    except (SyntaxError, ValueError):
        return []
    if not isinstance(call, ast.Call) or call.keywords:
        return []
    if not isinstance(call.func, ast.Name) or call.func.id != entry_point:
        return []
    try:
        arguments = tuple(ast.literal_eval(a) for a in call.args)
    except NOT_LITERAL:
        return []
    return [(arguments, value) for value in _value(value_text)]


def _value(text: str) -> list[Any]:
    """The literal `text` gives, as a one-item list (a value may be None), or []. Tried in turn: the
    text without trailing punctuation (`16.` is the integer 16 ending a sentence), as it is, before a
    comment or an explanation (`24 # sum of ...`, `'No' (the name ...)`), after the last `=` of a
    worked sum (`19 - 5 - 6 = 8`)."""
    text = text.strip()
    trimmed = text.rstrip(".,;:")
    tries = [
        trimmed,
        text,
        trimmed.split(" #")[0],
        re.split(r"\s\(", trimmed)[0],
        trimmed.rsplit("= ", 1)[-1],
    ]
    for attempt in dict.fromkeys(t.strip() for t in tries):
        try:
            return [LOWER[attempt] if attempt in LOWER else ast.literal_eval(attempt)]
        except NOT_LITERAL:
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


def rust_examples(doctests: list[Doctest], signature: str, entry_point: str) -> list[Example]:
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
            rust_literal(value, kind) if kind is not None else None
            for value, kind in zip(arguments, types.parameters, strict=True)
        ]
        value = rust_literal(expected, returns)
        if value is None or any(w is None for w in written):
            continue
        approximate = returns.kind is Kind.PRIMITIVE and returns.name in FLOATS
        out.append(Example(f"{entry_point}({', '.join(w for w in written if w)})", value, approximate))
    return list(dict.fromkeys(out))


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
