"""Training throughput of `rustcoder tune` on this machine: seconds per optimizer step, tokens/s and peak
memory for prompt tuning and LoRA (on mined instructions and on FIM examples), each in its own process.

Each method trains a few steps on examples of `rustcoder data mine` output (the same recipe settings as
configs/*-cpu.yaml, fewer steps); the first step (warm-up, allocation) is left out of the medians.
Self-training's training step is LoRA's; its sampling is llama.cpp decoding (docs/benchmarks.md).

    .venv/bin/python benchmarks/bench_tune.py --mined runs/mined [--steps 6] [--model NAME]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

METHODS = {
    "prompt tuning (20 virtual tokens), instructions": ("prompt", "instructions", ""),
    "LoRA r=16 (all linear layers), instructions": ("lora", "instructions", ""),
    "LoRA r=16 (all linear layers), FIM PSM+SPM": ("lora", "fim", ", layouts: [psm, spm]"),
}


def run_one(method: str, kind: str, extra: str, args: argparse.Namespace, root: Path) -> dict[str, float]:
    out = root / f"{method}-{kind}"
    config = root / f"{method}-{kind}.yaml"
    config.write_text(
        f"""model: {args.model}
output: {out}
data: [{{path: {args.mined}, kind: {kind}, limit: {args.steps * args.batch * 2}{extra}}}]
train: {{max_steps: {args.steps}, batch_size: {args.batch}, grad_accum: 1, max_length: 512, validation: 0,
        save_steps: 1000, threads: {args.threads}}}
"""
    )
    command = [sys.executable, "-m", "rustcoder", "tune", method, str(config)]
    errors = root / f"{method}-{kind}.stderr"
    with errors.open("w") as sink:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
        _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{method} {kind} failed:\n{errors.read_text()[-2000:]}")
    rows = [r for r in csv.DictReader((out / "log.csv").open()) if r["loss"]]
    seconds = [float(r["seconds"]) for r in rows]
    steps = [b - a for a, b in itertools.pairwise(seconds)]
    tokens = [int(r["tokens"]) for r in rows]
    rate = (tokens[-1] - tokens[0]) / (seconds[-1] - seconds[0])
    return {
        "seconds_per_step": statistics.median(steps),
        "tokens_per_step": (tokens[-1] - tokens[0]) / max(1, len(rows) - 1),
        "tokens_per_second": rate,
        "peak_rss_gib": usage.ru_maxrss / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mined", type=Path, required=True)
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    print(f"model {args.model}, batch {args.batch} examples a step, {args.steps} steps (the first left out)")
    print(f"{'method':50} {'s/step':>8} {'tokens/step':>12} {'tokens/s':>9} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory(prefix="bench-tune-") as tmp:
        for name, (method, kind, extra) in METHODS.items():
            figures = run_one(method, kind, extra, args, Path(tmp))
            print(
                f"{name:50} {figures['seconds_per_step']:8.1f} {figures['tokens_per_step']:12.0f} "
                f"{figures['tokens_per_second']:9.0f} {figures['peak_rss_gib']:8.2f}G",
                flush=True,
            )


if __name__ == "__main__":
    main()
