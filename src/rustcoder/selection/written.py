"""Tests the model writes for a problem from its description alone (never shown the hidden tests), for the
`self-tests` and `agreement` methods: the request, and a resumable file of the answers
(RUN/written-tests.jsonl, which both methods share), each split into tests by
`rustcoder.execute.testcases`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.backends.base import Backend, GenRequest, Message, Resumption
from rustcoder.execute.testcases import split_tests
from rustcoder.jsonl import JsonlAppender, read_jsonl
from rustcoder.types import RUST_BEGIN, RUST_END, Problem

TESTS_WANTED = 5
MAX_TOKENS = 640
WRITE_TESTS = (
    "You are an expert Rust programmer. Write {count} unit tests for the Rust function "
    "`fn {signature}`, described below. Each test is a `#[test]` function that calls `{entry}` with "
    "concrete arguments and checks its result with `assert_eq!` or `assert!`. Do not write the function "
    "itself.\n\n{docstring}\n\nIn your response, use {begin} and {end} to delimit the tests."
)


def tests_request(problem: Problem, count: int = TESTS_WANTED) -> GenRequest:
    """The greedy request for `count` tests of `problem` (the description and signature only)."""
    user = WRITE_TESTS.format(
        count=count,
        signature=problem.signature,
        entry=problem.entry_point,
        docstring=problem.docstring,
        begin=RUST_BEGIN,
        end=RUST_END,
    )
    return GenRequest(
        messages=(Message("user", user),),
        prefill=RUST_BEGIN + "\n",
        stop=(RUST_END,),
        max_tokens=MAX_TOKENS,
        temperature=0.0,
    )


@dataclass(frozen=True, slots=True)
class Written:
    """One problem's answer to `tests_request` and the tests found in it."""

    task_id: str
    text: str
    tests: tuple[str, ...]
    seconds: float
    tokens: int
    model: str = ""
    """The model that wrote them (its name and file hash), so that another model's are not reused."""

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "model": self.model,
            "text": self.text,
            "tests": list(self.tests),
            "seconds": self.seconds,
            "tokens": self.tokens,
        }


def model_id(backend: Backend) -> str:
    """The model as selection records name it: its name and sha256."""
    model = backend.describe().model
    return f"{model.get('name')}@{model.get('sha256') or 'unhashed'}"


def write_tests(backend: Backend, problems: Sequence[Problem], path: Path) -> dict[str, Written]:
    """Each problem's written tests: read from `path` where this model wrote them before (a resumed
    selection, or the other method that needs them), else asked of `backend` and appended to it. A kept
    answer's tests are found again in its text, so that a better `split_tests` reaches old answers. A
    backend that `Replays` is first brought to where writing the kept tests left it, so that a resumed
    selection asks as an uninterrupted one did."""
    model = model_id(backend)
    entry = {p.task_id: p.entry_point for p in problems}
    have: dict[str, Written] = {}
    if path.exists():
        for _, row in read_jsonl(path, allow_torn_tail=True):
            task = row["task_id"]
            if row.get("model") == model and task in entry:
                tests = tuple(split_tests(row["text"], entry[task]))
                have[task] = Written(task, row["text"], tests, row["seconds"], row["tokens"], model)
    resumption = Resumption(backend)  # as if the tests kept had been written in this process
    with JsonlAppender(path) as lines:
        for problem in problems:
            if problem.task_id in have:
                resumption.kept(tests_request(problem))
                continue
            resumption.before_asking()
            started = time.monotonic()
            [generation] = backend.generate([tests_request(problem)])
            text = generation.text
            written = Written(
                problem.task_id,
                text,
                tuple(split_tests(text, problem.entry_point)),
                round(time.monotonic() - started, 3),
                generation.tokens,
                model,
            )
            lines.write(written.to_json())
            have[problem.task_id] = written
    return have
