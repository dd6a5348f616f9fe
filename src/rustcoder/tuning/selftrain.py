"""Compiler-verified self-training (rejection sampling / expert iteration): the model answers mined
instructions, rustc judges the answers in the sandbox, and LoRA trains on the ones it accepts.

Each round, in `OUTPUT/round-N/`:
1. a seeded sample of mined instructions whose reference function compiles on its own (a function that
   needs its crate's types cannot be judged without the crate, so it is left out and counted), each
   with its doc examples as tests where the reference passes them (`tuning/doctests.py`);
2. `samples` answers per instruction from the current model (the base, then base + the previous round's
   adapter), written in the prompting strategy's format, decoded by llama.cpp (the adapter exported to
   GGUF) for a GGUF base, else by transformers;
3. every answer compiled in the sandbox and run against those examples; accepted: compiles, passes
   the examples if there are any, defines the asked function, not a copy of another accepted answer;
4. LoRA trained on the accepted answers (continuing the previous round's adapter).
The last round's adapter is copied to `OUTPUT/adapter`, as the other methods leave theirs.
`round.json` records the counts and the seconds each stage took, and the round's files make a killed
run resume where it stopped: sampled answers are kept in `samples.jsonl`, training resumes from its
checkpoint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import random
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustcoder.backends.chat import PromptFormat
from rustcoder.execute.assemble import assemble
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.jsonl import JsonlAppender, read_jsonl, write_json
from rustcoder.prompting.registry import strategy_named
from rustcoder.tuning.config import TuneConfig
from rustcoder.tuning.doctests import doc_tests
from rustcoder.tuning.evaluate import adapter_backend
from rustcoder.tuning.examples import instruction_pair, instruction_problem, read_rows
from rustcoder.tuning.record import RECORD_FILE
from rustcoder.tuning.train import (
    TrainingError,
    base_model_dir,
    load_tokenizer,
    train,
    write_record,
)
from rustcoder.types import ExecResult, Problem, Sample, Status

log = logging.getLogger(__name__)

ACCEPTED = frozenset({Status.PASSED, Status.NO_TESTS})
"""Compiled (and, where there were tests, passed)."""


@dataclass(frozen=True, slots=True)
class Answer:
    task_id: str
    instruction: str
    code: str


def compiles(problems: list[Problem], codes: list[str]) -> list[ExecResult]:
    """Each code compiled (as the solution of its problem) in the sandbox, batched."""
    executor = Executor(ExecConfig())
    programs = [
        assemble(problem, Sample(problem.task_id, n, solution=code), str(n))
        for n, (problem, code) in enumerate(zip(problems, codes, strict=True))
    ]
    results: dict[str, ExecResult] = {}
    executor.execute(programs, lambda key, result: results.__setitem__(key, result))
    return [results[str(n)] for n in range(len(programs))]


def _normalised(code: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", " ", code).strip().encode()).hexdigest()


def sample_answers(
    config: TuneConfig, problems: list[Problem], adapter: Path | None, out: Path
) -> list[dict[str, Any]]:
    """`samples` answers per problem, appended to `out` as they come (a rerun keeps what is there)."""
    options = config.self_training
    strategy = strategy_named(config.strategy)
    done: dict[tuple[str, int], dict[str, Any]] = {}
    if out.exists():  # a killed round's last line may be cut off: it is sampled again
        for _, row in read_jsonl(out, allow_torn_tail=True):
            done[(row["task_id"], row["sample"])] = row
    todo = {p.task_id: [k for k in range(options.samples) if (p.task_id, k) not in done] for p in problems}
    if any(todo.values()):
        backend = adapter_backend(config, adapter)
        with JsonlAppender(out) as handle:
            for problem in problems:
                ks = todo[problem.task_id]
                requests = [
                    dataclasses.replace(
                        strategy.request(
                            problem, temperature=options.temperature,
                            seed=config.train.seed * 1000 + k, max_tokens=options.max_tokens,
                        ),
                        top_p=options.top_p,
                    )
                    for k in ks
                ]  # fmt: skip
                # one problem's samples in one call: llama.cpp decodes them as parallel sequences
                for k, generation in zip(ks, backend.generate(requests), strict=True):
                    outcome = strategy.outcome(problem, generation)
                    row = {
                        "task_id": problem.task_id,
                        "sample": k,
                        "code": outcome.text,
                        "well_formed": outcome.well_formed,
                    }
                    handle.write(row)
                    done[(problem.task_id, k)] = row
    return [done[(p.task_id, k)] for p in problems for k in range(options.samples)]


def accept(
    problems: list[Problem], rows: list[dict[str, Any]], keep: int
) -> tuple[list[Answer], dict[str, int]]:
    """The answers rustc accepts that define the asked function, distinct, at most `keep` per problem."""
    by_id = {p.task_id: p for p in problems}
    candidates = [r for r in rows if r["well_formed"] and r["code"].strip()]
    defines = [
        r
        for r in candidates
        if re.search(rf"\bfn\s+{re.escape(by_id[r['task_id']].entry_point)}\b", r["code"])
    ]
    results = compiles([by_id[r["task_id"]] for r in defines], [r["code"] for r in defines])
    accepted: list[Answer] = []
    seen: set[str] = set()
    per_problem: dict[str, int] = {}
    compiled = passed_examples = accepted_all = 0
    for row, result in zip(defines, results, strict=True):
        compiled += result.status not in (Status.COMPILE_ERROR, Status.SANDBOX_ERROR)
        if result.status not in ACCEPTED:
            continue
        accepted_all += 1
        passed_examples += result.status == Status.PASSED
        digest = _normalised(row["code"])
        if digest in seen or per_problem.get(row["task_id"], 0) >= keep:
            continue
        seen.add(digest)
        per_problem[row["task_id"]] = per_problem.get(row["task_id"], 0) + 1
        problem = by_id[row["task_id"]]
        accepted.append(Answer(problem.task_id, problem.instruction, row["code"]))
    counts = {
        "samples": len(rows),
        "well_formed": len(candidates),
        "define_the_function": len(defines),
        "compile": compiled,
        "pass_doc_examples": passed_examples,
        "accepted": accepted_all,
        "accepted_distinct": len(accepted),
        "problems_with_an_accepted_answer": len(per_problem),
    }
    return accepted, counts


def judgeable(config: TuneConfig, round_number: int) -> tuple[list[Problem], dict[str, int]]:
    """A seeded sample of mined instructions whose reference compiles on its own, each with its doc
    examples as tests where the reference passes them: the shuffled rows are judged a batch at a time
    until there are enough (few mined functions compile without their crate; a source's
    `standalone: true` keeps mostly those that do)."""
    sources = [s for s in config.data if s.kind == "instructions"]
    rows = [row for source in sources for row in read_rows(source, config.train.seed + round_number)]
    problems = [
        dataclasses.replace(
            instruction_problem(str(row.get("id", n)), row["instruction"], row["output"]),
            tests=doc_tests(row["instruction"]),
        )
        for n, row in enumerate(rows)
    ]
    problems = [p for p in problems if p.entry_point]
    random.Random(config.train.seed + round_number).shuffle(problems)
    wanted = config.self_training.instructions
    usable: list[Problem] = []
    tried = 0
    while len(usable) < wanted and tried < len(problems):
        batch = problems[tried : tried + max(64, 2 * (wanted - len(usable)))]
        tried += len(batch)
        usable += _references_pass(batch)
        log.info("round %d: %d of %d references compile on their own", round_number, len(usable), tried)
    if len(usable) < wanted:
        log.warning(
            "round %d: only %d of the %d mined instructions can be judged without their crate (wanted %d)",
            round_number, len(usable), len(problems), wanted,
        )  # fmt: skip
    usable = usable[:wanted]
    return usable, {
        "instructions_tried": tried,
        "references_compile": len(usable),
        "with_doc_tests": sum(bool(p.tests) for p in usable),
    }


def _references_pass(problems: list[Problem]) -> list[Problem]:
    """The problems whose reference compiles on its own and passes its doc examples; those whose
    reference compiles but fails (or cannot build) its examples are kept without them."""
    results = compiles(problems, [p.canonical_solution or "" for p in problems])
    kept = {p.task_id: p for p, r in zip(problems, results, strict=True) if r.status in ACCEPTED}
    retry = [dataclasses.replace(p, tests="") for p in problems if p.tests and p.task_id not in kept]
    if retry:
        again = compiles(retry, [p.canonical_solution or "" for p in retry])
        kept.update((p.task_id, p) for p, r in zip(retry, again, strict=True) if r.status in ACCEPTED)
    return [kept[p.task_id] for p in problems if p.task_id in kept]


def _publish(config: TuneConfig, adapter: Path) -> Path:
    """The last round's adapter copied to OUTPUT/adapter, where every method leaves its adapter, its
    record and card saying what made it: the self-training recipe and each round's counts."""
    final = config.output / "adapter"
    staging = config.output / "adapter.partial"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(adapter, staging)
    record = json.loads((staging / RECORD_FILE).read_text(encoding="utf-8"))
    rounds = [config.output / f"round-{n}" / "round.json" for n in range(config.self_training.rounds)]
    write_record(
        staging,
        {
            **record,
            "config": json.loads(config.model_dump_json()),
            "method": "self",
            "self_training": [json.loads(f.read_text(encoding="utf-8")) for f in rounds],
        },
    )
    shutil.rmtree(final, ignore_errors=True)
    staging.replace(final)
    return final


def self_train(config: TuneConfig) -> Path:
    """Run every round of `config` (resuming a killed one); returns the last round's adapter."""
    adapter: Path | None = None
    fmt: PromptFormat | None = None
    for number in range(config.self_training.rounds):
        folder = config.output / f"round-{number}"
        if (folder / "adapter" / RECORD_FILE).exists():
            adapter = folder / "adapter"
            continue
        folder.mkdir(parents=True, exist_ok=True)
        clock = time.perf_counter()
        problems, counts = judgeable(config, number)
        seconds = {"references": time.perf_counter() - clock}
        clock = time.perf_counter()
        rows = sample_answers(config, problems, adapter, folder / "samples.jsonl")
        seconds["sampling"] = time.perf_counter() - clock  # a resumed round: what this process sampled
        clock = time.perf_counter()
        answers, judged = accept(problems, rows, config.self_training.keep_per_instruction)
        seconds["judging"] = time.perf_counter() - clock
        counts.update(judged)
        log.info("round %d: %s", number, counts)
        write_json(
            folder / "round.json",
            {"round": number, **counts, "seconds": {k: round(v, 1) for k, v in seconds.items()}},
        )
        if not answers:
            raise TrainingError(
                f"round {number}: no answer compiled, so there is nothing to train on ({counts})"
            )
        if fmt is None:
            _, fmt = load_tokenizer(base_model_dir(config.model))
        pairs = [instruction_pair(fmt, config.strategy, a.task_id, a.instruction, a.code) for a in answers]
        step = config.model_copy(update={"method": "lora", "data": (), "output": folder})
        adapter = train(step, extra=pairs, base_adapter=adapter)
    assert adapter is not None  # rounds >= 1
    return _publish(config, adapter)
