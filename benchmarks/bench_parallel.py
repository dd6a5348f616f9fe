"""Many samples of one prompt: decoded together as parallel sequences (`LlamaCppSettings.parallel`)
against the same samples generated one after another, same prompts, same machine, one run.

For N in 1, 4, 8, 16: N samples (temperature 0.8, seeds 0..N-1) of each of the first `--problems`
HumanEvalPack-Rust problems with the `delimited` prompt; generated tokens per second of wall time,
both ways, and the ratio. Target (issue 15): parallel at N = 8 at least 3x the sequential throughput.

    .venv/bin/python benchmarks/bench_parallel.py [--model qwen2.5-coder-0.5b-instruct] [--problems 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from rustcoder.backends.factory import create_backend
from rustcoder.benchmarks import load_benchmark
from rustcoder.prompting.registry import strategy_named
from rustcoder.settings import LlamaCppSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--problems", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--sizes", default="1,4,8,16")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    backend = create_backend("llamacpp", args.model, LlamaCppSettings(parallel=max(sizes)))
    strategy = strategy_named("delimited")
    problems = load_benchmark("humanevalpack-rust").problems[: args.problems]
    print(f"{args.model}, {args.problems} problems, {args.max_tokens} tokens at most, temperature 0.8")
    print("N | sequential tok/s | parallel tok/s | ratio | tokens generated (sequential vs parallel)")
    for n in sizes:
        seq_tokens = par_tokens = 0
        seq_seconds = par_seconds = 0.0
        for problem in problems:
            base = strategy.request(problem, temperature=0.8, seed=0, max_tokens=args.max_tokens)
            requests = [dataclasses.replace(base, seed=s) for s in range(n)]
            started = time.perf_counter()
            one_by_one = [backend.generate([r])[0] for r in requests]
            seq_seconds += time.perf_counter() - started
            seq_tokens += sum(g.tokens for g in one_by_one)
            started = time.perf_counter()
            together = (
                backend.generate(requests)
                if n > 1
                else backend._decoder().generate(backend._tokens(base), requests)
            )
            par_seconds += time.perf_counter() - started
            par_tokens += sum(g.tokens for g in together)
        seq_rate, par_rate = seq_tokens / seq_seconds, par_tokens / par_seconds
        ratio = par_rate / seq_rate
        print(f"{n} | {seq_rate:.1f} | {par_rate:.1f} | {ratio:.2f}x | {seq_tokens} vs {par_tokens} tokens")


if __name__ == "__main__":
    main()
