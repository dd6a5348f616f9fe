"""Turn a problem and a sample into a program: benchmark header + the model's code + hidden tests."""

from __future__ import annotations

from rustcoder.types import Problem, Program, Sample

MAX_CODE_BYTES = 1 << 20
"""Larger samples are rejected without compiling (no function needs a megabyte of source)."""


def sample_code(problem: Problem, sample: Sample) -> str:
    """The model's code: the prompt plus its completion (then a FIM task's suffix), or the prompt's
    helpers and its solution."""
    if sample.completion is not None:
        closer = "\n" + problem.completion_closer if problem.completion_closer else ""
        return problem.prompt + sample.completion + problem.suffix + closer
    return problem.helpers + sample.solution if sample.solution else ""


def assemble(problem: Problem, sample: Sample, key: str) -> Program:
    """The program to compile and test; `reject_reason` is set when it must not be compiled."""
    code = sample_code(problem, sample)
    reject = ""
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError:
        size, reject = len(code), reject or "the code is not valid UTF-8 (it contains a lone surrogate)"
    if not reject and size > MAX_CODE_BYTES:
        reject = f"the code is {size} bytes, over the {MAX_CODE_BYTES}-byte limit; not compiled"
    if not reject and "\x00" in code:
        reject = "the code contains a NUL byte; not compiled"
    return Program(
        key=key,
        language=problem.language,
        test_style=problem.test_style,
        header=problem.header,
        code="" if reject else code,
        tests=problem.tests,
        entry_point=problem.entry_point,
        problem_tests_id=problem.task_id,
        reject_reason=reject,
    )
