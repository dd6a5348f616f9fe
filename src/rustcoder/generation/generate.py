"""Generate samples for a benchmark with a backend and a strategy; append them as they come (resumable).

Each sample records its attempts, time to first token, total generation time, tokens and tokens per
second. A backend failure is retried; if it persists the sample is written with empty code and the
error, so the run goes on and the sample counts as a failure, and the next resume generates it again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.backends.base import Backend, Generation, GenRequest
from rustcoder.errors import BackendError, DataError
from rustcoder.jsonl import JsonlAppender, read_jsonl
from rustcoder.prompting.repair import Check, Repair, feedback
from rustcoder.prompting.strategies import RETRY_TEMPERATURE, Outcome, Strategy
from rustcoder.types import Problem

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Sampling:
    """How to sample: how many per problem, temperature, attempts until well-formed, token budget."""

    n: int = 1
    temperature: float = 0.0
    attempts: int = 0
    """Attempts until the output is well-formed (0: the strategy's default); the last is kept regardless."""
    max_tokens: int = 768
    seed: int = 0
    backend_retries: int = 3
    loop_span: int = 256
    """End an output once its last `loop_span` characters repeat one short piece (0: never); a runaway
    would otherwise run to max_tokens and fail all the same."""

    def __post_init__(self) -> None:
        bad = self.n < 1 or self.attempts < 0 or self.max_tokens < 1 or self.loop_span < 0
        if bad or self.temperature < 0:
            raise ValueError(f"invalid sampling settings: {self}")


def _existing(path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """Samples already in the file; failed ones are dropped from it so they are generated again."""
    if not path.exists():
        return {}
    rows = {}
    failed = False
    for _, row in read_jsonl(path, allow_torn_tail=True):
        if "task_id" not in row or "sample_index" not in row:
            raise DataError(f"{path}: not a rustcoder samples file (a line lacks task_id/sample_index)")
        if row.get("error"):
            failed = True
            continue
        rows[(row["task_id"], int(row["sample_index"]))] = row
    if failed:
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)  # a rewrite cut short earlier must not be appended to
        with JsonlAppender(tmp) as out:
            for row in rows.values():
                out.write(row)
        tmp.replace(path)
    return rows


def _attempt(
    backend: Backend, strategy: Strategy, problem: Problem, sampling: Sampling, index: int, attempt: int
) -> tuple[GenRequest, Generation, Outcome]:
    temperature = sampling.temperature if attempt == 1 else max(sampling.temperature, RETRY_TEMPERATURE)
    seed = sampling.seed + 1000 * index + attempt - 1
    request = strategy.request(problem, temperature=temperature, seed=seed, max_tokens=sampling.max_tokens)
    request = dataclasses.replace(request, loop_span=sampling.loop_span)
    return request, *_call(backend, strategy, problem, sampling, request, index)


def _call(
    backend: Backend,
    strategy: Strategy,
    problem: Problem,
    sampling: Sampling,
    request: GenRequest,
    index: int,
) -> tuple[Generation, Outcome]:
    last: Exception | None = None
    for retry in range(sampling.backend_retries):
        try:
            generation = backend.generate([request])[0]
            return generation, strategy.outcome(problem, generation)
        except BackendError as exc:
            if "exceeds the context" in str(exc):
                raise  # retrying cannot help
            last = exc
        except Exception as exc:  # a backend failure is recorded and retried, never fatal to the run
            last = exc
        log.warning("%s sample %d: backend failed (%s); retry %d", problem.task_id, index, last, retry + 1)
        time.sleep(min(8.0, 0.5 * 2**retry))
    raise RuntimeError(f"{type(last).__name__}: {last}")


def _repair(
    backend: Backend,
    strategy: Repair,
    problem: Problem,
    sampling: Sampling,
    index: int,
    check: Check,
    request: GenRequest,
    outcome: Outcome,
) -> tuple[Outcome, list[dict[str, str]], float, int]:
    """Feedback rounds after the first answer: (final outcome, the rounds' feedback and answers, seconds,
    tokens)."""
    seconds, tokens = 0.0, 0
    log: list[dict[str, str]] = []
    for _ in range(strategy.rounds):
        message = feedback(check(problem, outcome.text))
        if message is None:
            break
        request = strategy.follow_up(request, outcome.text, message)
        try:
            generation, outcome = _call(backend, strategy, problem, sampling, request, index)
        except BackendError:
            break  # the conversation outgrew the context
        log.append({"feedback": message, "answer": outcome.text})
        seconds += generation.total_seconds
        tokens += generation.tokens
    return outcome, log, seconds, tokens


def generate_one(
    backend: Backend,
    strategy: Strategy,
    problem: Problem,
    sampling: Sampling,
    index: int,
    check: Check | None = None,
) -> dict[str, Any]:
    """One sample: attempts until well-formed (or the limit), then repair rounds if the strategy has them."""
    limit = sampling.attempts or strategy.default_attempts
    total = first_token = 0.0
    tokens = 0
    record: dict[str, Any] = {"task_id": problem.task_id, "sample_index": index}
    for attempt in range(1, limit + 1):
        try:
            request, generation, outcome = _attempt(backend, strategy, problem, sampling, index, attempt)
        except (RuntimeError, BackendError) as exc:
            return {**record, "solution": "", "error": str(exc)[:500], "attempts": attempt}
        total += generation.total_seconds
        tokens += generation.tokens
        if attempt == 1:
            first_token = generation.ttft_seconds
        if outcome.well_formed or attempt == limit:
            break
    if isinstance(strategy, Repair) and check is not None:
        outcome, log, seconds, more = _repair(
            backend, strategy, problem, sampling, index, check, request, outcome
        )
        record["rounds"] = len(log)
        record["repair_log"] = log
        total += seconds
        tokens += more
    return {
        **record,
        outcome.field: outcome.text,
        "attempts": attempt,
        "well_formed": outcome.well_formed,
        "finish": generation.finish,
        "gen_seconds": round(total, 4),
        "ttft_seconds": round(first_token, 4),
        "tokens": tokens,
        "tokens_per_second": round(generation.tokens_per_second, 2),
        "prompt_tokens": generation.prompt_tokens,
        "raw": generation.text,
    }


def generate(
    backend: Backend,
    strategy: Strategy,
    problems: Sequence[Problem],
    sampling: Sampling,
    out: Path,
    progress: Progress | None = None,
    check: Check | None = None,
) -> int:
    """Generate every (problem, index) not in `out` yet; returns how many were generated now.

    `check` (public checks in the sandbox) is what the repair strategy feeds back.
    """
    if isinstance(strategy, Repair) and check is None:
        raise ValueError("the repair strategy needs a check (see rustcoder.prompting.repair.sandbox_check)")
    for problem in problems:
        if problem.language not in strategy.languages:
            raise DataError(
                f"strategy {strategy.name} does not support {problem.language} ({problem.task_id})"
            )
    done = _existing(out)
    todo = [(p, i) for p in problems for i in range(sampling.n) if (p.task_id, i) not in done]
    total = len(problems) * sampling.n
    if progress:
        progress(total - len(todo), total)
    parallel = max(1, int(getattr(backend, "max_concurrency", 1)))
    with JsonlAppender(out) as samples, ThreadPoolExecutor(parallel) as pool:
        futures = [pool.submit(generate_one, backend, strategy, p, sampling, i, check) for p, i in todo]
        try:
            for count, future in enumerate(as_completed(futures), start=1):
                samples.write(future.result())
                if progress:
                    progress(total - len(todo) + count, total)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return len(todo)
