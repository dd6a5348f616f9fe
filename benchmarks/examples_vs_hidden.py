"""How far a benchmark's public examples predict its hidden tests: every sample of a finished run is run
on the problem's public examples (only those that compile against the signature), and set beside the
run's own hidden-test result (read from its results, not run again).

A sample that passes its examples yet fails the hidden tests is what `examples` selection cannot see;
one that fails them yet passes the hidden tests would be rejected wrongly.

    .venv/bin/python benchmarks/examples_vs_hidden.py docs/results/runs/mhe-qwen0.5b-delimited
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rustcoder.benchmarks import load_benchmark
from rustcoder.evaluation.checks import with_usable_examples
from rustcoder.evaluation.samples import load_samples
from rustcoder.jsonl import read_jsonl
from rustcoder.selection import Method
from rustcoder.selection.public import check_candidates, compiles
from rustcoder.types import Status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--benchmark", help="the benchmark's file, where the run names another machine's")
    args = parser.parse_args()
    info = json.loads((args.run / "run.json").read_text(encoding="utf-8"))
    benchmark = load_benchmark(args.benchmark or info["benchmark"]["name"])
    given = [p for p in benchmark.problems if p.example_tests]
    problems = [p for p in with_usable_examples(given) if p.example_tests]
    ids = {p.task_id for p in problems}
    everything = load_samples(args.run / "samples.jsonl", {p.task_id for p in benchmark.problems})
    samples = [s for s in everything.samples if s.task_id in ids]
    hidden = {
        (row["task_id"], row["sample_index"]): bool(row["passed"])
        for _, row in read_jsonl(args.run / "results.jsonl")
    }
    checks = check_candidates(problems, samples, Method.EXAMPLES)
    table: Counter[tuple[str, bool]] = Counter()
    for sample in samples:
        result = checks.get((sample.task_id, sample.index))
        if result is None or not compiles(result):
            examples = "does not compile"
        else:
            examples = "passes all" if result.status is Status.PASSED else "fails one or more"
        passed = hidden[(sample.task_id, sample.index)]
        table[(examples, passed)] += 1
        if examples == "fails one or more" and passed and result is not None:
            print(f"{sample.task_id} (sample {sample.index}) fails an example, passes the hidden tests: "
                  f"{result.reason.splitlines()[-1][:200]}")  # fmt: skip
    tests = sum(p.example_tests.count("#[test]") for p in problems if p.example_tests)
    print(
        f"{args.run.name}: {len(benchmark.problems)} problems, {len(given)} with public examples, "
        f"{len(problems)} with some that compile against the signature ({tests} examples); "
        f"{len(samples)} samples of those"
    )
    print("| public examples | hidden tests pass | hidden tests fail |\n|---|---|---|")
    for examples in ("passes all", "fails one or more", "does not compile"):
        print(f"| {examples} | {table[(examples, True)]} | {table[(examples, False)]} |")


if __name__ == "__main__":
    main()
