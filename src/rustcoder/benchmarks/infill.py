"""Infilling benchmarks derived from a benchmark's canonical solutions, judged by its hidden tests.

`humanevalpack-rust-infill-line` masks every line of every canonical solution in turn, as in Bavarian
et al. (2022)'s single-line infilling; lines that are only a brace are left out (nothing to infer).
`humanevalpack-rust-infill-block` masks multi-line spans tree-sitter finds: the whole body of the
function, and the contents of each block it opens (if, else, for, while, loop). The model writes the
middle; the program is the prefix, the middle and the suffix, and the original tests judge it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from rustcoder.types import Problem

BRACES = frozenset({"{", "}", "};", "})", "});", "},"})


def _task(problem: Problem, code_prefix: str, middle: str, suffix: str, name: str, kind: str) -> Problem:
    return dataclasses.replace(
        problem,
        task_id=f"{problem.task_id}/{name}",
        prompt=code_prefix,
        suffix=suffix,
        canonical_solution=middle,
        completion_closer="",
        fill_in_the_middle=True,
        labels={"kind": kind},
        instruction="Write the Rust code that belongs between the prefix and the suffix.",
    )


def _line_tasks(problem: Problem) -> Iterator[Problem]:
    solution = problem.canonical_solution or ""
    lines = solution.splitlines(keepends=True)
    for number, line in enumerate(lines):
        content = line.strip()
        if not content or content in BRACES or content.startswith("//"):
            continue
        indent = line[: len(line) - len(line.lstrip())]
        prefix = problem.prompt + "".join(lines[:number]) + indent
        ending = line[len(line.rstrip("\n")) :]
        suffix = (
            ending
            + "".join(lines[number + 1 :])
            + (problem.completion_closer and "\n" + problem.completion_closer)
        )
        yield _task(problem, prefix, line.strip("\n")[len(indent) :], suffix, f"L{number + 1}", "line")


def infill_lines(problems: list[Problem]) -> list[Problem]:
    """One task per non-trivial line of each canonical solution."""
    return [task for problem in problems if problem.canonical_solution for task in _line_tasks(problem)]


def infill_blocks(problems: list[Problem]) -> list[Problem]:
    """One task per multi-line span: the function's body and each block it opens."""
    from rustcoder.rust_syntax import SpanKind, syntax_spans

    tasks = []
    for problem in problems:
        if not problem.canonical_solution:
            continue
        code = problem.prompt + problem.canonical_solution
        spans = syntax_spans(code)
        chosen = [(SpanKind.BODY, span) for span in spans.get(SpanKind.BODY, [])]
        chosen += [
            (SpanKind.BLOCK, span)
            for span in spans.get(SpanKind.BLOCK, [])
            if "\n" in code[span[0] : span[1]].strip()
        ]
        for number, (kind, (start, end)) in enumerate(sorted(set(chosen), key=lambda c: c[1]), start=1):
            if start < len(problem.prompt):
                if code[start : len(problem.prompt)].strip():
                    continue  # a span that begins in the prompt is not the solution's to infill
                start = len(problem.prompt)  # only the newline after the prompt's `{`
            suffix = code[end:] + (problem.completion_closer and "\n" + problem.completion_closer)
            tasks.append(
                _task(problem, code[:start], code[start:end], suffix, f"{kind.value}{number}", kind.value)
            )
    return tasks
