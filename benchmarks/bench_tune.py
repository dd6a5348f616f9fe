"""Training throughput of `rustcoder tune` on this machine: seconds per optimizer step, tokens/s and peak
memory for prompt tuning and LoRA (on mined instructions and on FIM examples), each in its own process.

Each method trains a few steps on examples of `rustcoder data mine` output (the same recipe settings as
configs/*-cpu.yaml, fewer steps); the first step (warm-up, allocation) is left out of the medians.
Self-training's training step is LoRA's; its sampling is llama.cpp decoding (docs/benchmarks.md).

`--orders CONFIG`: the order of a recipe's examples instead. The share of the tokens its batches compute
that are padding, in a random order and grouped by length (`train.group_by_length`, transformers'
`LengthGroupedSampler`), from the recipe's own examples; then LoRA on the first `--examples` FIM
examples in each order, one epoch with the recipe's batch and accumulation, timed whole (both orders
see the same examples, so their wall times compare directly).

    .venv/bin/python benchmarks/bench_tune.py --mined runs/mined [--steps 6] [--model NAME]
    .venv/bin/python benchmarks/bench_tune.py --orders configs/lora-fim-cpu.yaml [--examples 96]
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
from typing import Any

METHODS = {
    "prompt tuning (20 virtual tokens), instructions": ("prompt", "instructions", ""),
    "LoRA r=16 (all linear layers), instructions": ("lora", "instructions", ""),
    "LoRA r=16 (all linear layers), FIM PSM+SPM": ("lora", "fim", ", layouts: [psm, spm]"),
}


def tune(arguments: list[str], out: Path, label: str) -> tuple[list[dict[str, str]], Any]:
    """`rustcoder tune ARGUMENTS` in a process of its own, training into `out`: its log's rows of
    optimizer steps and the process's resource usage (peak memory); SystemExit naming `label` if it
    fails."""
    errors = out.with_name(out.name + ".stderr")
    with errors.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rustcoder", "tune", *arguments], stdout=subprocess.DEVNULL, stderr=sink
        )
        _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{label} failed:\n{errors.read_text()[-2000:]}")
    return [r for r in csv.DictReader((out / "log.csv").open()) if r["loss"]], usage


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
    rows, usage = tune([method, str(config)], out, f"{method} {kind}")
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


def padding_shares(config_path: Path, seed: int = 0) -> dict[str, float]:
    """The share of computed tokens (each micro-batch padded to its longest example) that are padding,
    for a recipe's examples in a random order and grouped by length."""
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from rustcoder.tuning.config import load_config
    from rustcoder.tuning.train import base_model_dir, load_tokenizer, prepare

    config = load_config(config_path, method="lora")
    tokenizer, fmt = load_tokenizer(base_model_dir(config.model))
    lengths = [len(row["input_ids"]) for row in prepare(config, tokenizer, fmt).train.rows]
    batch, step = config.train.batch_size, config.train.batch_size * config.train.grad_accum
    orders = {
        "random": torch.randperm(len(lengths), generator=torch.Generator().manual_seed(seed)).tolist(),
        "grouped by length": list(
            LengthGroupedSampler(step, lengths=lengths, generator=torch.Generator().manual_seed(seed))
        ),
    }
    shares = {}
    for name, order in orders.items():
        chunks = [order[i : i + batch] for i in range(0, len(order), batch)]
        computed = sum(len(chunk) * max(lengths[i] for i in chunk) for chunk in chunks)
        shares[name] = 1 - sum(lengths) / computed
    return shares


def time_order(config_path: Path, grouped: bool, args: argparse.Namespace, root: Path) -> tuple[float, int]:
    """Seconds and tokens of one epoch of LoRA on the first `args.examples` FIM examples of a recipe."""
    out = root / ("grouped" if grouped else "random")
    sets = [
        f"output={out}",
        f"data.0.limit={args.examples // 2}",  # two layouts a row
        f"train.group_by_length={str(grouped).lower()}",
        "train.validation=0",
        "train.save_steps=1000",
        f"train.threads={args.threads}",
    ]
    arguments = ["lora", str(config_path)]
    for item in sets:
        arguments += ["--set", item]
    rows, _ = tune(arguments, out, f"order {out.name}")
    return float(rows[-1]["seconds"]), int(rows[-1]["tokens"])


def orders(args: argparse.Namespace) -> None:
    shares = padding_shares(args.orders)
    for name, share in shares.items():
        print(f"{args.orders.name}, {name}: {100 * share:.1f} % of the computed tokens are padding")
    print(f"LoRA, the first {args.examples} FIM examples of {args.orders.name}, one epoch")
    print(f"{'order':20} {'seconds':>8} {'tokens':>8} {'tokens/s':>9}")
    timed = {}
    with tempfile.TemporaryDirectory(prefix="bench-tune-") as tmp:
        for grouped in (False, True):
            seconds, tokens = time_order(args.orders, grouped, args, Path(tmp))
            timed[grouped] = seconds
            name = "grouped by length" if grouped else "random"
            print(f"{name:20} {seconds:8.1f} {tokens:8d} {tokens / seconds:9.1f}", flush=True)
    print(f"grouped by length takes {timed[True] / timed[False]:.2f}x the time of a random order")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mined", type=Path, help="`rustcoder data mine` output (not with --orders)")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--orders", type=Path, help="a FIM LoRA recipe: compare the order of its examples")
    parser.add_argument("--examples", type=int, default=96, help="with --orders: FIM examples to train on")
    args = parser.parse_args()
    if args.orders is not None:
        orders(args)
        return
    if args.mined is None:
        parser.error("--mined is needed to compare the methods")
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
