"""How the model's written tests are cut into tests changes what `self-tests` and `agreement` choose: one
run's N samples and the same written answers (RUN/written-tests.jsonl), ranked three ways, the only
factor changed being `split_tests`:

- `functions`: whole `#[test]` functions of an answer that parses (the first splitter);
- `closed`: the same, after an answer cut off by the token limit is closed at its last complete statement;
- `assertions`: closed, and each assertion its own test with the `let`s before it (CodeT's unit; now
  the default);
- `union`: the assertions of the answer as written and of it closed, each once (closing cuts an answer
  back to before a syntax error, which can drop complete tests after it).

pass@1 of the chosen answers is read from the run's own results (the hidden tests are not run again),
with each split paired against the method's first (problems gained / lost, the exact sign test).

    .venv/bin/python benchmarks/self_tests_split.py runs/hep-qwen0.5b-n10
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from rustcoder.benchmarks import load_benchmark
from rustcoder.evaluation.samples import load_samples
from rustcoder.execute.testcases import MAX_TESTS, split_tests
from rustcoder.jsonl import read_jsonl
from rustcoder.metrics.paired import paired
from rustcoder.selection import Method
from rustcoder.selection.run import NO_INPUTS, NO_TESTS, select
from rustcoder.selection.written import Written


def _union(text: str, entry: str) -> list[str]:
    """The assertions of the answer as written (tree-sitter keeps the complete functions of one that
    does not parse) and of it closed, each once, as many as one split keeps."""
    bodies: dict[str, None] = {}
    for salvage in (False, True):
        for test in split_tests(text, entry, salvage=salvage):
            bodies.setdefault(test.split("() ", 1)[1], None)
    return [f"#[test]\nfn rc_t{i}() {body}" for i, body in enumerate(list(bodies)[:MAX_TESTS])]


MODES: dict[str, Callable[[str, str], list[str]]] = {
    "functions": lambda text, entry: split_tests(text, entry, salvage=False, per_assertion=False),
    "closed": lambda text, entry: split_tests(text, entry, salvage=True, per_assertion=False),
    "assertions": lambda text, entry: split_tests(text, entry),
    "union": _union,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--methods", default="self-tests,agreement")
    args = parser.parse_args()
    info = json.loads((args.run / "run.json").read_text(encoding="utf-8"))
    problems = load_benchmark(info["benchmark"]["name"]).problems
    entry = {p.task_id: p.entry_point for p in problems}
    samples = load_samples(args.run / "samples.jsonl", set(entry)).samples
    passed = {
        (row["task_id"], row["sample_index"]): bool(row["passed"])
        for _, row in read_jsonl(args.run / "results.jsonl")
    }
    answers = [row for _, row in read_jsonl(args.run / "written-tests.jsonl") if row["task_id"] in entry]
    print(f"{args.run.name}: {len(samples)} samples of {len({s.task_id for s in samples})} problems")
    print("| method | split | problems with tests | tests | ranked by them | pass@1 | against the first |")
    print("|---|---|---|---|---|---|---|")
    for method in (Method(m) for m in args.methods.split(",")):
        first: set[str] | None = None
        for mode, split in MODES.items():
            written = {
                row["task_id"]: Written(
                    row["task_id"],
                    row["text"],
                    tuple(split(row["text"], entry[row["task_id"]])),
                    row["seconds"],
                    row["tokens"],
                )
                for row in answers
            }
            choices, chosen = select(problems, samples, method, written=written)
            ranked = sum(1 for c in choices if NO_TESTS not in c.why and NO_INPUTS not in c.why)
            right = {s.task_id for s in chosen if passed.get((s.task_id, s.meta["candidate"]), False)}
            if first is None:  # the method's first split: the one the others are paired with
                first, pair = right, None
            else:
                pair = paired(first, right, [s.task_id for s in chosen])
            against = f"{len(pair.gained)} / {len(pair.lost)}, p = {pair.p_value:.2f}" if pair else ""
            solved = f"{len(right)}/{len(chosen)} ({100 * len(right) / max(1, len(chosen)):.1f} %)"
            print(
                f"| {method.value} | {mode} | {sum(1 for w in written.values() if w.tests)} "
                f"| {sum(len(w.tests) for w in written.values())} | {ranked} | {solved} | {against} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
