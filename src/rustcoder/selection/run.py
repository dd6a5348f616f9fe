"""Choosing among candidates with any method, and `rustcoder select` on a run folder."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustcoder.errors import RustcoderError
from rustcoder.evaluation.checks import compiling, with_usable_examples
from rustcoder.execute.engine import ExecConfig
from rustcoder.execute.testcases import call_arguments
from rustcoder.selection import Choice, Method
from rustcoder.selection.inputs import generated_arguments
from rustcoder.selection.probes import probes, run_candidates
from rustcoder.selection.public import check_candidates, choose
from rustcoder.selection.rank import by_agreement, by_tests
from rustcoder.selection.written import Written
from rustcoder.types import Language, Problem, Sample

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend
    from rustcoder.metrics.summary import Summary

MAX_INPUTS = 10
NO_TESTS = "no test of the model's compiles"
NO_INPUTS = "no input compiles"
"""What a `self-tests` or `agreement` choice's reason adds where nothing ranked its candidates (the
problem's answer was then chosen as `compile` chooses)."""


def _grouped(candidates: Sequence[Sample]) -> dict[str, list[Sample]]:
    by_task: dict[str, list[Sample]] = {}
    for sample in sorted(candidates, key=lambda s: (s.task_id, s.index)):
        by_task.setdefault(sample.task_id, []).append(sample)
    return by_task


def agreement_inputs(problem: Problem, written: Written | None) -> list[str]:
    """The argument lists the model's tests use, then generated ones, each once (at most MAX_INPUTS)."""
    found = call_arguments(written.tests, problem.entry_point) if written else []
    found += generated_arguments(problem.signature)
    return list(dict.fromkeys(found))[:MAX_INPUTS]


def _ranked(
    problems: Sequence[Problem],
    by_task: Mapping[str, list[Sample]],
    method: Method,
    written: Mapping[str, Written],
    config: ExecConfig | None,
) -> dict[str, Choice]:
    """Choices by the model's tests or by agreement, for the problems where some candidate ran on a
    test or probe that compiles."""
    if method is Method.SELF_TESTS:
        functions = {p.task_id: list(written[p.task_id].tests) for p in problems if p.task_id in written}
    else:
        functions = {
            p.task_id: probes(p.entry_point, agreement_inputs(p, written.get(p.task_id))) for p in problems
        }
    kept = compiling(problems, functions, config)
    candidates = [s for p in problems for s in by_task[p.task_id]]
    results = run_candidates(problems, candidates, kept, config)
    choices: dict[str, Choice] = {}
    for problem in problems:
        tests = kept.get(problem.task_id)
        if not tests:
            continue
        indices = [s.index for s in by_task[problem.task_id]]
        mine = {i: results[(problem.task_id, i)] for i in indices if (problem.task_id, i) in results}
        rank = by_tests if method is Method.SELF_TESTS else by_agreement
        choice = rank(problem.task_id, indices, mine, tests)
        if choice is not None:
            choices[problem.task_id] = choice
    return choices


def select(
    problems: Sequence[Problem],
    candidates: Sequence[Sample],
    method: Method,
    config: ExecConfig | None = None,
    written: Mapping[str, Written] | None = None,
) -> tuple[list[Choice], list[Sample]]:
    """A choice per problem that has candidates, and the chosen samples (each as sample 0, its candidate
    index kept in `meta["candidate"]`). `self-tests` and `agreement` need the model's `written` tests
    (agreement also generates inputs); a problem they cannot rank is chosen as `compile` chooses."""
    by_task = _grouped(candidates)
    present = [p for p in problems if p.task_id in by_task]
    others = sorted({p.language.value for p in present} - {Language.RUST.value})
    if others:
        raise RustcoderError(f"selection checks Rust candidates; these problems are {', '.join(others)}")
    ranked: dict[str, Choice] = {}
    if method.writes_tests:
        ranked = _ranked(present, by_task, method, written or {}, config)
    rest = [p for p in present if p.task_id not in ranked]
    public = Method.EXAMPLES if method is Method.EXAMPLES else Method.COMPILE
    if public is Method.EXAMPLES:
        rest = with_usable_examples(rest, config)
    checks = check_candidates(rest, [s for p in rest for s in by_task[p.task_id]], public, config)
    choices, chosen = [], []
    checked = {p.task_id: p for p in rest}
    for problem in present:
        problem = checked.get(problem.task_id, problem)
        mine = by_task[problem.task_id]
        choice = ranked.get(problem.task_id)
        if choice is None:
            results = {s.index: checks[(s.task_id, s.index)] for s in mine if (s.task_id, s.index) in checks}
            choice = choose(problem, [s.index for s in mine], results, public)
            if method.writes_tests:
                what = NO_TESTS if method is Method.SELF_TESTS else NO_INPUTS
                choice = dataclasses.replace(choice, method=method, why=f"{choice.why} ({what})")
        choices.append(choice)
        pick = next(s for s in mine if s.index == choice.chosen)
        chosen.append(dataclasses.replace(pick, index=0, meta={**pick.meta, "candidate": pick.index}))
    return choices, chosen


def repair_chosen(
    problems: Sequence[Problem],
    choices: list[Choice],
    chosen: list[Sample],
    backend: Backend,
    rounds: int,
    config: ExecConfig | None = None,
    journal: Path | None = None,
) -> tuple[list[Choice], list[Sample]]:
    """Each chosen answer after up to `rounds` rounds of the repair strategy's feedback (none where it
    compiles and passes the public examples); the rounds are recorded on the choice and the sample.
    `journal`: each repair is appended there as it ends, and one made before for the same answer, rounds
    and model is read back instead of asked again (an interrupted selection resumes; a backend that
    `Replays` is first brought to where the kept repairs left it)."""
    from rustcoder.backends.base import Resumption
    from rustcoder.evaluation.checks import sandbox_check
    from rustcoder.execute.assemble import sample_code
    from rustcoder.execute.engine import Executor
    from rustcoder.generation.generate import first_repair_request, repair_answer
    from rustcoder.jsonl import JsonlAppender
    from rustcoder.prompting.repair import Repair
    from rustcoder.selection.written import model_id
    from rustcoder.settings import Sampling

    check = sandbox_check(Executor(dataclasses.replace(config or ExecConfig(), jobs=1)))
    strategy, sampling = Repair(rounds=rounds), Sampling()
    asked = {s.task_id for s in chosen}
    by_id = {p.task_id: p for p in with_usable_examples([p for p in problems if p.task_id in asked], config)}
    model = model_id(backend)
    done = _repairs(journal, model, rounds) if journal is not None else {}
    out_choices, out_samples = [], []
    resumption = Resumption(backend)  # the repairs kept, replayed before the next is asked
    with JsonlAppender(journal) if journal is not None else contextlib.nullcontext() as lines:
        for choice, sample in zip(choices, chosen, strict=True):
            problem = by_id[sample.task_id]
            code = sample_code(problem, sample)
            row = done.get((sample.task_id, code))
            if row is not None and row["log"]:
                feedback = row["log"][0]["feedback"]
                resumption.kept(first_repair_request(strategy, problem, code, feedback, sampling))
            if row is None:
                resumption.before_asking()
                fixed = repair_answer(backend, strategy, problem, code, check, sampling)
                row = {"task_id": sample.task_id, "model": model, "rounds": rounds, "answer": code,
                       "text": fixed.text, "log": list(fixed.log), "seconds": fixed.seconds}  # fmt: skip
                if lines is not None:
                    lines.write(row)
            log = tuple(row["log"])
            meta = {**sample.meta, "repair_rounds": len(log), "repair_seconds": row["seconds"]}
            if log:
                sample = dataclasses.replace(sample, solution=row["text"], completion=None, meta=meta)
            else:
                sample = dataclasses.replace(sample, meta=meta)
            out_choices.append(dataclasses.replace(choice, repair=log))
            out_samples.append(sample)
    return out_choices, out_samples


def _repairs(journal: Path, model: str, rounds: int) -> dict[tuple[str, str], dict[str, Any]]:
    """The repairs `journal` holds for this model and number of rounds, by (task, answer repaired)."""
    from rustcoder.jsonl import read_jsonl

    if not journal.exists():
        return {}
    return {
        (row["task_id"], row["answer"]): row
        for _, row in read_jsonl(journal, allow_torn_tail=True)
        if row.get("model") == model and row.get("rounds") == rounds
    }


def sample_row(sample: Sample) -> dict[str, Any]:
    """A chosen sample as a samples-file line (what `rustcoder evaluate` reads)."""
    code = {"solution": sample.solution} if sample.solution is not None else {"completion": sample.completion}
    return {"task_id": sample.task_id, "sample_index": sample.index, **code, **sample.meta}


def recorded_name(run: Path, part: str) -> str:
    """The name RUN/run.json records for `part` (its benchmark or model); DataError saying what is missing."""
    import json

    from rustcoder.errors import DataError

    try:
        record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{run}: not a run folder with a readable run.json ({exc})") from None
    section = record.get(part) if isinstance(record, dict) else None
    if not isinstance(section, dict) or not isinstance(section.get("name"), str):
        raise DataError(f"{run}/run.json names no {part} ({part}.name): not a `rustcoder run` folder")
    return str(section["name"])


def select_run(
    run: Path,
    method: Method,
    config: ExecConfig | None = None,
    out: Path | None = None,
    backend: Backend | None = None,
    repair_rounds: int = 0,
) -> Summary:
    """Choose among a run folder's samples with `method` and score the chosen. Writes OUT (default
    RUN/select-METHOD, or RUN/select-METHOD-repair): selection.jsonl (every choice and its candidates'
    checks), samples.jsonl (the chosen) and results.jsonl. The methods that ask the model for tests keep
    them in RUN/written-tests.jsonl (resumable, shared by both; their generation time is the methods'
    cost). `repair_rounds` repairs each chosen answer that fails its public checks (`repair_chosen`),
    keeping each repair in OUT/repairs.jsonl until the choices are written, so that an interrupted
    selection resumes. Returns the chosen answers' summary."""

    from rustcoder.benchmarks import load_benchmark
    from rustcoder.evaluation.run import evaluate
    from rustcoder.evaluation.samples import SampleSet, load_samples
    from rustcoder.jsonl import JsonlAppender

    benchmark = load_benchmark(recorded_name(run, "benchmark"))
    candidates = load_samples(run / "samples.jsonl", {p.task_id for p in benchmark.problems})
    out = out or run / (f"select-{method.value}" + ("-repair" if repair_rounds else ""))
    if repair_rounds and backend is None:
        raise RustcoderError("--repair-rounds asks the model for fixes: it needs a model")
    asked = {s.task_id for s in candidates.samples}
    present = [p for p in benchmark.problems if p.task_id in asked]
    written: dict[str, Written] = {}
    if method.writes_tests:
        if backend is None:
            raise RustcoderError(f"--method {method.value} asks the model for tests: it needs a model")
        from rustcoder.selection.written import write_tests

        # beside the samples: both methods and a selection with repair use the same tests
        written = write_tests(backend, present, run / "written-tests.jsonl")
    problems = present
    if method is Method.EXAMPLES:  # HumanEvalPack's offline copy has none: HumanEval's doctests
        from rustcoder.benchmarks.python_doctests import with_humaneval_doctests

        problems = with_humaneval_doctests(problems)
    if method is Method.EXAMPLES or repair_rounds:  # their examples checked once, for both steps
        problems = with_usable_examples(problems, config)
    choices, chosen = select(problems, candidates.samples, method, config, written)
    if repair_rounds and backend is not None:  # (checked above: a repair needs a model)
        choices, chosen = repair_chosen(
            problems, choices, chosen, backend, repair_rounds, config, out / "repairs.jsonl"
        )
    for path, rows in ((out / "selection.jsonl", [c.to_json() for c in choices]),
                       (out / "samples.jsonl", [sample_row(s) for s in chosen])):  # fmt: skip
        path.unlink(missing_ok=True)  # a new choice replaces an old one whole
        with JsonlAppender(path) as lines:
            for row in rows:
                lines.write(row)
    summary = evaluate(benchmark, SampleSet(chosen, []), out / "results.jsonl", config=config, overwrite=True)
    (out / "repairs.jsonl").unlink(missing_ok=True)  # a resume aid: selection.jsonl holds the repairs
    return summary
