"""Many samples of one prompt: decoded together as parallel sequences (`LlamaCppSettings.parallel`)
against the same samples generated one after another, same prompts, same machine, one run.

For N in 1, 4, 8, 16: N samples (temperature 0.8, seeds 0..N-1) of each of the first `--problems`
HumanEvalPack-Rust problems with the `delimited` prompt; generated tokens per second of wall time,
both ways, and the ratio. Target (issue 15): parallel at N = 8 at least 3x the sequential throughput.

`--slots 8,16`: the parallel side once per setting of `parallel`, the N samples sent as `rustcoder run`
sends a problem's samples (in calls of at most `parallel`, one after another), so that the default
can be chosen for a given N (`-n 10` with 8: a call of 8, then one of 2).

    .venv/bin/python benchmarks/bench_parallel.py [--model qwen2.5-coder-0.5b-instruct] [--problems 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence

from rustcoder.backends.base import Generation, GenRequest
from rustcoder.backends.factory import create_backend
from rustcoder.backends.llamacpp import LlamaCppBackend
from rustcoder.benchmarks import load_benchmark
from rustcoder.prompting.registry import strategy_named
from rustcoder.settings import LlamaCppSettings


def together(backend: LlamaCppBackend, requests: Sequence[GenRequest]) -> list[Generation]:
    """The requests in calls of at most `parallel`, as the run's generation driver sends them (one
    request: the parallel decoder with one sequence, not the sequential path)."""
    if len(requests) == 1:
        return backend._decoder().generate(backend._tokens(requests[0]), requests)
    slots = backend.parallel_sequences
    return [g for at in range(0, len(requests), slots) for g in backend.generate(requests[at : at + slots])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--problems", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--sizes", default="1,4,8,16")
    parser.add_argument("--slots", default="", help="`parallel` settings to compare (default: the largest N)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    slots = [int(s) for s in args.slots.split(",")] if args.slots else [max(sizes)]
    backends = {s: create_backend("llamacpp", args.model, LlamaCppSettings(parallel=s)) for s in slots}
    sequential = backends[slots[0]]
    strategy = strategy_named("delimited")
    problems = load_benchmark("humanevalpack-rust").problems[: args.problems]
    print(f"{args.model}, {args.problems} problems, {args.max_tokens} tokens at most, temperature 0.8")
    print(
        "N | sequential tok/s | "
        + " | ".join(f"parallel {s} tok/s | ratio" for s in slots)
        + " | tokens generated (sequential vs each parallel)"
    )
    for n in sizes:
        seconds = dict.fromkeys(["one by one", *slots], 0.0)
        tokens = dict.fromkeys(["one by one", *slots], 0)
        for problem in problems:
            base = strategy.request(problem, temperature=0.8, seed=0, max_tokens=args.max_tokens)
            requests = [dataclasses.replace(base, seed=s) for s in range(n)]
            started = time.perf_counter()
            tokens["one by one"] += sum(sequential.generate([r])[0].tokens for r in requests)
            seconds["one by one"] += time.perf_counter() - started
            for s, backend in backends.items():
                assert isinstance(backend, LlamaCppBackend)
                started = time.perf_counter()
                tokens[s] += sum(g.tokens for g in together(backend, requests))
                seconds[s] += time.perf_counter() - started
        rates = {k: tokens[k] / seconds[k] for k in seconds}
        cells = [f"{rates[s]:.1f} | {rates[s] / rates['one by one']:.2f}x" for s in slots]
        print(
            f"{n} | {rates['one by one']:.1f} | {' | '.join(cells)} | "
            + " vs ".join(str(tokens[k]) for k in tokens)
            + " tokens"
        )


if __name__ == "__main__":
    main()
