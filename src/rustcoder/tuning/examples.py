"""Training examples: mined rows and benchmark problems rendered exactly as the model will be prompted.

A `Pair` is the prompt text the model is given and the completion it should write. Instruction
prompts come from the prompting strategy the adapter will be evaluated with (`delimited` by default),
rendered by `PromptFormat`, the same code the backends use, so training and evaluation see the same
text; FIM prompts use the model's own FIM markers in PSM and/or SPM layout. Prompt and completion are
tokenised separately, as at inference (the prompt is tokenised alone, then tokens are generated), and
the loss covers the completion only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.backends.chat import PromptFormat
from rustcoder.errors import DataError
from rustcoder.jsonl import read_jsonl
from rustcoder.prompting.registry import strategy_named
from rustcoder.tuning.config import DataSource
from rustcoder.types import RUST_END, FimLayout, Language, Problem, TestStyle


@dataclass(frozen=True, slots=True)
class Pair:
    prompt: str
    completion: str
    source: str
    """Where it came from (a mined example's id, a benchmark task id), for the data report."""


INSTRUCTION_STRATEGIES = ("delimited", "instruct", "alpaca")


def answer(strategy: str, code: str, eos: str) -> str:
    """What a model prompted by `strategy` should write for `code`, up to where generation stops."""
    code = code.strip("\n")
    if strategy == "delimited":  # the reply is pre-filled with RUST_BEGIN; RUST_END ends it
        return f"{code}\n{RUST_END}"
    if strategy == "instruct":
        return f"```rust\n{code}\n```{eos}"
    if strategy == "alpaca":
        return f"{code}\n{eos}"
    raise DataError(
        f"strategy {strategy!r} has no answer format for training; use one of {INSTRUCTION_STRATEGIES}"
    )


_ASKED = re.compile(r"`(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)")


def instruction_problem(task_id: str, instruction: str, code: str = "") -> Problem:
    """A problem carrying an instruction (what a strategy needs to write its prompt), the function it
    asks for and, when known, a reference `code`."""
    asked = _ASKED.search(instruction) or re.search(r"\bfn\s+(\w+)", code)
    return Problem(
        task_id=task_id, language=Language.RUST, prompt="", header="", signature="", docstring="",
        instruction=instruction, entry_point=asked.group(1) if asked else "", tests="",
        test_style=TestStyle.LIBTEST, canonical_solution=code or None,
    )  # fmt: skip


def instruction_pair(fmt: PromptFormat, strategy: str, source: str, instruction: str, code: str) -> Pair:
    request = strategy_named(strategy).request(
        instruction_problem(source, instruction), temperature=0.0, seed=0, max_tokens=1
    )
    return Pair(fmt.render(request), answer(strategy, code, fmt.eos_token), source)


def fim_pairs(fmt: PromptFormat, row: dict[str, Any], layouts: Sequence[FimLayout]) -> list[Pair]:
    if fmt.fim is None:
        raise DataError(f"{fmt.model} has no fill-in-the-middle tokens, so it cannot train on FIM examples")
    source = str(row.get("task_id") or row.get("id") or "")
    return [
        Pair(fmt.fim.prompt(row["prefix"], row["suffix"], layout), row["middle"] + fmt.eos_token, source)
        for layout in layouts
    ]


def problem_code(problem: Problem) -> str:
    """A benchmark problem's reference function: its signature line(s) and the canonical body."""
    if problem.canonical_solution is None:
        raise DataError(f"{problem.task_id} has no reference solution to train on")
    lines = [line for line in problem.prompt.splitlines() if not line.lstrip().startswith("//")]
    return "\n".join(lines) + "\n" + problem.canonical_solution


def benchmark_pairs(fmt: PromptFormat, strategy: str, problems: Iterable[Problem]) -> list[Pair]:
    return [instruction_pair(fmt, strategy, p.task_id, p.instruction, problem_code(p)) for p in problems]


def split_problems(
    problems: Sequence[Problem], fraction: float, seed: int
) -> tuple[list[Problem], list[Problem]]:
    """(trained on, held out): a seeded share of the problems, at least one, never all."""
    order = sorted(problems, key=lambda p: p.task_id)
    random.Random(seed).shuffle(order)
    count = min(len(order) - 1, max(1, round(fraction * len(order))))
    chosen = {p.task_id for p in order[:count]}
    return [p for p in problems if p.task_id in chosen], [p for p in problems if p.task_id not in chosen]


def _rows_file(source: DataSource) -> Path | None:
    path = Path(source.path)
    if path.is_dir():
        return path / source.kind / f"{source.split}.jsonl"
    if path.suffix == ".jsonl" or path.exists():
        return path
    return None


REQUIRED = {"instructions": ("instruction", "output"), "fim": ("prefix", "middle", "suffix")}


def read_rows(source: DataSource, seed: int) -> list[dict[str, Any]]:
    """The rows of a source, checked for the fields its kind needs, filtered and sampled."""
    file = _rows_file(source)
    if file is not None:
        if not file.is_file():
            raise DataError(f"{file}: no such file (source {source.path}, {source.kind}/{source.split})")
        rows = [row for _, row in read_jsonl(file)]
    else:
        rows = _hub_rows(source)
    for number, row in enumerate(rows, 1):
        missing = [key for key in REQUIRED[source.kind] if not isinstance(row.get(key), str)]
        if missing:
            raise DataError(
                f"{source.path}: row {number} lacks {', '.join(missing)} ({source.kind} rows need them)"
            )
    if source.kind == "fim" and source.fim_kinds:
        rows = [row for row in rows if row.get("kind") in source.fim_kinds]
    if source.kind == "instructions" and source.standalone:
        from rustcoder.tuning.standalone import standalone

        rows = [row for row in rows if standalone(row["output"])]
    if source.limit is not None and len(rows) > source.limit:
        rows = random.Random(seed).sample(rows, source.limit)
    return rows


def _hub_rows(source: DataSource) -> list[dict[str, Any]]:
    try:
        from datasets import load_dataset

        return [dict(row) for row in load_dataset(source.path, split=source.split)]
    except Exception as exc:  # the hub unreachable, no such dataset or split
        raise DataError(
            f"{source.path}: neither a file nor a folder, and not a loadable dataset: {exc}"
        ) from exc


def source_pairs(fmt: PromptFormat, strategy: str, source: DataSource, seed: int) -> list[Pair]:
    rows = read_rows(source, seed)
    if source.kind == "fim":
        return [pair for row in rows for pair in fim_pairs(fmt, row, source.layouts)]
    return [
        instruction_pair(
            fmt,
            strategy,
            str(row.get("id", number)),
            row["instruction"] + (f"\n{row['input']}" if row.get("input") else ""),
            row["output"],
        )
        for number, row in enumerate(rows)
    ]


@dataclass(frozen=True, slots=True)
class Encoded:
    rows: list[dict[str, list[int]]]
    """`input_ids` and `completion_mask` (1 where the loss applies) per example."""
    too_long: int
    """Examples left out because prompt and completion exceed `max_length` (never cut)."""
    tokens: int


def encode(tokenizer: Any, pairs: Sequence[Pair], max_length: int) -> Encoded:
    rows, too_long, tokens = [], 0, 0
    for pair in pairs:
        prompt = tokenizer(pair.prompt, add_special_tokens=False)["input_ids"]
        completion = tokenizer(pair.completion, add_special_tokens=False)["input_ids"]
        if len(prompt) + len(completion) > max_length:
            too_long += 1
            continue
        rows.append(
            {"input_ids": prompt + completion, "completion_mask": [0] * len(prompt) + [1] * len(completion)}
        )
        tokens += len(prompt) + len(completion)
    return Encoded(rows, too_long, tokens)
