"""Generate samples for a benchmark with a backend and a strategy; append them as they come (resumable).

Each sample records its attempts, time to first token, total generation time, tokens and tokens per
second. A backend failure is retried; if it persists the sample is written with empty code and the
error, so the run goes on and the sample counts as a failure, and the next resume generates it again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Container, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.backends.base import Backend, Generation, GenRequest, Resumption
from rustcoder.errors import BackendError, ContextOverflowError, DataError
from rustcoder.generation.records import GeneratedSample
from rustcoder.jsonl import JsonlAppender, read_jsonl
from rustcoder.prompting.base import RETRY_TEMPERATURE, Check, MultiTurn, Outcome, Strategy
from rustcoder.settings import Sampling
from rustcoder.types import Problem

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def _existing(path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """Samples already in the file, as written; failed ones are dropped from the file so that they are
    generated again."""
    if not path.exists():
        return {}
    rows = {}
    failed = False
    for line, row in read_jsonl(path, allow_torn_tail=True):
        try:
            sample = GeneratedSample.from_json(row)
        except (KeyError, ValueError, TypeError) as exc:
            raise DataError(f"{path}:{line}: not a rustcoder samples line ({exc})") from exc
        if sample.error is not None:
            failed = True
            continue
        rows[sample.key] = row
    if failed:
        tmp = path.with_name(path.name + ".tmp")
        tmp.unlink(missing_ok=True)  # a rewrite cut short earlier must not be appended to
        with JsonlAppender(tmp) as out:
            for row in rows.values():
                out.write(row)
        tmp.replace(path)
    return rows


def _request(
    strategy: Strategy, problem: Problem, sampling: Sampling, index: int, attempt: int
) -> GenRequest:
    temperature = sampling.temperature if attempt == 1 else max(sampling.temperature, RETRY_TEMPERATURE)
    seed = sampling.seed + 1000 * index + attempt - 1
    request = strategy.request(problem, temperature=temperature, seed=seed, max_tokens=sampling.max_tokens)
    return dataclasses.replace(request, loop_span=sampling.loop_span)


def _generate(backend: Backend, request: GenRequest, sampling: Sampling, where: str) -> Generation:
    """One generation, retried as `_generate_all` retries."""
    return _generate_all(backend, [request], sampling, where)[0]


def _generate_all(
    backend: Backend, requests: Sequence[GenRequest], sampling: Sampling, where: str
) -> list[Generation]:
    """The generations of `requests`, in one backend call; a retryable backend failure is retried with
    backoff, up to backend_retries calls. Anything else (a request the backend cannot serve, a bug) is
    raised at once."""
    for retry in range(1, sampling.backend_retries + 1):
        try:
            return backend.generate(requests)
        except BackendError as exc:
            if not exc.retryable or retry == sampling.backend_retries:
                raise
            log.warning("%s: backend failed (%s); retry %d", where, exc, retry)
            time.sleep(min(8.0, 0.5 * 2 ** (retry - 1)))
    raise AssertionError("backend_retries is at least 1")


@dataclass(slots=True)
class _Spent:
    """What one sample's generations took, together."""

    seconds: float = 0.0
    tokens: int = 0

    def add(self, generation: Generation) -> None:
        self.seconds += generation.total_seconds
        self.tokens += generation.tokens


def _rounds(
    backend: Backend,
    strategy: MultiTurn,
    problem: Problem,
    sampling: Sampling,
    check: Check,
    request: GenRequest,
    outcome: Outcome,
    spent: _Spent,
    where: str,
) -> tuple[Outcome, list[dict[str, str]]]:
    """Feedback rounds after the first answer: the final outcome and each round's feedback and answer."""
    log: list[dict[str, str]] = []
    for _ in range(strategy.rounds):
        message = strategy.feedback(check(problem, outcome.text))
        if message is None:
            break
        request = strategy.follow_up(request, outcome.text, message)
        try:
            generation = _generate(backend, request, sampling, where)
        except ContextOverflowError:
            break  # the conversation outgrew the context: the last answer stands
        outcome = strategy.outcome(problem, generation)
        log.append({"feedback": message, "answer": outcome.text})
        spent.add(generation)
    return outcome, log


@dataclass(frozen=True, slots=True)
class Repaired:
    """An answer after feedback rounds: the final code, each round's feedback and answer, the cost."""

    text: str
    log: tuple[dict[str, str], ...]
    seconds: float
    tokens: int


def _repair_start(strategy: MultiTurn, problem: Problem, sampling: Sampling) -> GenRequest:
    """The request `strategy` would have answered with a repaired answer (greedily)."""
    return _request(strategy, problem, sampling.model_copy(update={"temperature": 0.0}), 0, 1)


def first_repair_request(
    strategy: MultiTurn, problem: Problem, answer: str, feedback: str, sampling: Sampling
) -> GenRequest:
    """The first request `repair_answer` made for `answer`, whose check gave `feedback`: what a
    resumed selection replays for a repair it has (`base.Replays`)."""
    return strategy.follow_up(_repair_start(strategy, problem, sampling), answer, feedback)


def repair_answer(
    backend: Backend,
    strategy: MultiTurn,
    problem: Problem,
    answer: str,
    check: Check,
    sampling: Sampling,
) -> Repaired:
    """Feedback rounds on an answer made elsewhere (a chosen candidate), as if `strategy` had written
    it greedily: none if it passes the check."""
    request = _repair_start(strategy, problem, sampling)
    spent = _Spent()
    outcome = Outcome(answer, "solution", True)
    final, log = _rounds(
        backend, strategy, problem, sampling, check, request, outcome, spent, problem.task_id
    )
    return Repaired(final.text, tuple(log), round(spent.seconds, 3), spent.tokens)


def generate_one(
    backend: Backend,
    strategy: Strategy,
    problem: Problem,
    sampling: Sampling,
    index: int,
    check: Check | None = None,
    first: Generation | None = None,
) -> GeneratedSample:
    """One sample: attempts until well-formed (or the limit), then rounds if the strategy has them.
    `first`: the first attempt's generation when it was already made (decoded with its siblings).

    A backend failure that persists makes a failed sample with the error (generated again on resume);
    an exception from the strategy's own code is a bug and is raised.
    """
    limit = sampling.attempts or strategy.default_attempts
    where = f"{problem.task_id} sample {index}"
    spent = _Spent()
    first_token = 0.0
    for attempt in range(1, limit + 1):
        request = _request(strategy, problem, sampling, index, attempt)
        try:
            if attempt == 1 and first is not None:
                generation = first
            else:
                generation = _generate(backend, request, sampling, where)
        except BackendError as exc:
            return GeneratedSample.failed(problem.task_id, index, str(exc), attempt)
        outcome = strategy.outcome(problem, generation)
        spent.add(generation)
        if attempt == 1:
            first_token = generation.ttft_seconds
        if outcome.well_formed or attempt == limit:
            break
    log: list[dict[str, str]] | None = None
    if isinstance(strategy, MultiTurn) and check is not None:
        try:
            outcome, log = _rounds(
                backend, strategy, problem, sampling, check, request, outcome, spent, where
            )
        except BackendError as exc:
            return GeneratedSample.failed(problem.task_id, index, str(exc), attempt)
    return GeneratedSample(
        problem.task_id,
        index,
        outcome.field,
        outcome.text,
        attempt,
        well_formed=outcome.well_formed,
        finish=generation.finish,
        gen_seconds=spent.seconds,
        ttft_seconds=first_token,
        tokens=spent.tokens,
        tokens_per_second=generation.tokens_per_second,
        prompt_tokens=generation.prompt_tokens,
        raw=generation.text,
        rounds=len(log) if log is not None else None,
        repair_log=tuple(log) if log is not None else None,
    )


def generate_together(
    backend: Backend,
    strategy: Strategy,
    problem: Problem,
    sampling: Sampling,
    indices: Sequence[int],
    check: Check | None = None,
) -> list[GeneratedSample]:
    """Samples `indices` of one problem, their first attempts asked of the backend in one call (a
    backend with `parallel_sequences` decodes them together); the rest as `generate_one`."""
    requests = [_request(strategy, problem, sampling, i, 1) for i in indices]
    where = f"{problem.task_id} samples {indices[0]}-{indices[-1]}"
    try:
        firsts = _generate_all(backend, requests, sampling, where)
    except BackendError as exc:
        return [GeneratedSample.failed(problem.task_id, i, str(exc), 1) for i in indices]
    made = [
        generate_one(backend, strategy, problem, sampling, i, check, first)
        for i, first in zip(indices, firsts, strict=True)
    ]
    if len(indices) == 1:
        return made
    return [s if s.error is not None else dataclasses.replace(s, call=indices[0]) for s in made]


def _alone(
    backend: Backend,
    strategy: Strategy,
    problem: Problem,
    sampling: Sampling,
    index: int,
    check: Check | None,
    prepare: Callable[[], None] | None = None,
) -> list[GeneratedSample]:
    """One sample, after `prepare` (a `Resumption`'s replay) where given."""
    if prepare is not None:
        prepare()
    return [generate_one(backend, strategy, problem, sampling, index, check)]


def _one_by_one(
    pool: ThreadPoolExecutor,
    backend: Backend,
    strategy: Strategy,
    problems: Sequence[Problem],
    sampling: Sampling,
    done: Container[tuple[str, int]],
    check: Check | None,
) -> list[Future[list[GeneratedSample]]]:
    """Each sample not done yet, in the run's order. A backend whose answers depend on its earlier
    requests (`Replays`, taking them one at a time) first replays, from an empty cache, the requests of
    the samples before it that are done: a run resumed after an interruption makes the answers the
    uninterrupted run makes, and each run the answers it makes in a process of its own."""
    in_order = backend.max_concurrency == 1  # one request at a time: the workers keep the run's order
    futures: list[Future[list[GeneratedSample]]] = []
    resumption = Resumption(backend)
    for p in problems:
        for i in range(sampling.n):
            if (p.task_id, i) in done:
                resumption.kept(_request(strategy, p, sampling, i, 1))
                continue
            prepare = resumption.next_ask() if in_order else None
            futures.append(pool.submit(_alone, backend, strategy, p, sampling, i, check, prepare))
    return futures


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
    if isinstance(strategy, MultiTurn) and check is None:
        raise ValueError(
            f"the {strategy.name} strategy needs a check (see rustcoder.evaluation.checks.sandbox_check)"
        )
    for problem in problems:
        if problem.language not in strategy.languages:
            raise DataError(
                f"strategy {strategy.name} does not support {problem.language} ({problem.task_id})"
            )
    done = _existing(out)
    todo = [(p, i) for p in problems for i in range(sampling.n) if (p.task_id, i) not in done]
    if todo:  # a request this backend cannot serve at all (no FIM tokens, no chat template) fails once
        backend.render(_request(strategy, todo[0][0], sampling, todo[0][1], 1))
    total = len(problems) * sampling.n
    if progress:
        progress(total - len(todo), total)
    parallel = max(1, backend.max_concurrency)
    together = getattr(backend, "parallel_sequences", 1)
    with JsonlAppender(out) as samples, ThreadPoolExecutor(parallel) as pool:
        if together > 1 and sampling.n > 1:  # a problem's samples decoded together, `together` at a time
            by_problem: dict[str, list[int]] = {}
            for p, i in todo:
                by_problem.setdefault(p.task_id, []).append(i)
            named = {p.task_id: p for p in problems}
            futures = [
                pool.submit(
                    generate_together,
                    backend,
                    strategy,
                    named[task],
                    sampling,
                    indices[at : at + together],
                    check,
                )
                for task, indices in by_problem.items()
                for at in range(0, len(indices), together)
            ]
        else:
            futures = _one_by_one(pool, backend, strategy, problems, sampling, done, check)
        try:
            count = 0
            for future in as_completed(futures):
                for sample in future.result():
                    samples.write(sample.to_json())
                    count += 1
                if progress:
                    progress(total - len(todo) + count, total)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return len(todo)
