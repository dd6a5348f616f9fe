"""How a model behaves when asked to fill in the middle: read from finished `fim` runs' samples and
results, so the claims in docs/results/analysis.md come with the command that makes them.

For each run: how generations ended (`end`: an end rule stopped a model that had not ended the middle
itself; `eos`: the model's own end token; `length`: the token budget), how many middles are empty, how
many repeat the prefix's last line of code (starting over, the failure FIELD.md saw with SPM), and the
FIM scores by kind from the summary.

    .venv/bin/python benchmarks/fim_behaviour.py RUN_DIR [RUN_DIR ...]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rustcoder.benchmarks import load_benchmark


def _last_code_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in ("{", "}")]
    return lines[-1] if lines else ""


def behaviour(run: Path) -> dict[str, object]:
    info = json.loads((run / "run.json").read_text())
    summary = json.loads((run / "results.summary.json").read_text())
    benchmark = load_benchmark(info["benchmark"]["name"])
    problems = {p.task_id: p for p in benchmark.problems}
    samples = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    finishes: Counter[str] = Counter()
    empty = restarts = 0
    for sample in samples:
        finishes[sample.get("finish") or "failed"] += 1
        middle = sample.get("completion") or ""
        raw = sample.get("raw") or ""
        empty += not middle.strip()
        problem = problems.get(sample["task_id"])
        if problem is not None:
            again = _last_code_line(problem.prompt)
            restarts += bool(again) and len(again) >= 8 and again in raw
    return {
        "run": run.name,
        "model": info["model"]["name"],
        "layout": info["strategy"]["template"].get("fim_layout"),
        "samples": len(samples),
        "finish": dict(finishes.most_common()),
        "empty middles": empty,
        "repeats the prefix's last line": restarts,
        "pass@1": summary["pass_at_k"].get("1"),
        "fim": summary.get("fim"),
        "fim_by_kind": summary.get("fim_by_kind"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=Path, nargs="+")
    args = parser.parse_args()
    for run in args.runs:
        print(json.dumps(behaviour(run), indent=1))


if __name__ == "__main__":
    main()
