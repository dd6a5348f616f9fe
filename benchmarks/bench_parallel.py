"""Many samples of one prompt: decoded together as parallel sequences (`LlamaCppSettings.parallel`)
against the same samples generated one after another, same prompts, same machine, one run.

For N in 1, 4, 8, 16: N samples (temperature 0.8, seeds 0..N-1) of each of the first `--problems`
HumanEvalPack-Rust problems with the `delimited` prompt; generated tokens per second of wall time:
one by one; each problem's N samples in a call of their own (N sequences, the batch thinning as its
samples end: what `rustcoder run` did before continuous batching); and every problem's samples in one
call with N slots, a slot freed by a sample that ends taking the next sample, of the same problem or
the next (continuous batching). Target (issue 15): at N = 8 at least 3x the sequential throughput.

`--slots 8,16`: fixed settings of `parallel` instead of N, the N samples sent as a run of N samples
sends them per problem (in calls of at most `parallel`, one after another), so that the default can
be chosen for a given N (`-n 10` with 8: a call of 8, then one of 2).

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
    """The requests in calls of at most `parallel`, as a run's generation driver sends a problem's
    samples (one request: the parallel decoder with one sequence, not the sequential path)."""
    if len(requests) == 1:
        return backend._decoder().generate(backend._tokens(requests[0]), requests)
    slots = backend.parallel_sequences
    return [g for at in range(0, len(requests), slots) for g in backend.generate(requests[at : at + slots])]


def send(how: str, backend: LlamaCppBackend, asked: list[list[GenRequest]]) -> list[Generation]:
    """Each problem's samples `alone` (one by one), `per problem` (a problem's samples together, in
    calls of at most `parallel`), or in `one call` (every problem's)."""
    if how == "alone":
        return [backend.generate([r])[0] for rs in asked for r in rs]
    if how == "per problem":
        return [g for rs in asked for g in together(backend, rs)]
    return backend.generate([r for rs in asked for r in rs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--problems", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--sizes", default="1,4,8,16")
    parser.add_argument("--slots", default="", help="settings of `parallel` to compare (default: N)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    fixed = [int(s) for s in args.slots.split(",")] if args.slots else []
    backends: dict[int, LlamaCppBackend] = {}
    for s in fixed or sizes:
        made = create_backend("llamacpp", args.model, LlamaCppSettings(parallel=s))
        assert isinstance(made, LlamaCppBackend)
        backends[s] = made
    sequential = backends[(fixed or sizes)[0]]
    strategy = strategy_named("delimited")
    problems = load_benchmark("humanevalpack-rust").problems[: args.problems]
    print(f"{args.model}, {args.problems} problems, {args.max_tokens} tokens at most, temperature 0.8")
    columns = [f"parallel {s}" for s in fixed] if fixed else ["per problem", "all in one call"]
    print(
        "| "
        + " | ".join(["N", "one by one", *columns, "tokens generated"])
        + " |\n"
        + "|---" * (len(columns) + 3)
        + "|"
    )
    for n in sizes:
        asked = []
        for problem in problems:
            base = strategy.request(problem, temperature=0.8, seed=0, max_tokens=args.max_tokens)
            asked.append([dataclasses.replace(base, seed=s) for s in range(n)])
        ways: dict[str, tuple[str, LlamaCppBackend]] = {"one by one": ("alone", sequential)}
        for s in fixed:
            ways[f"parallel {s}"] = ("per problem", backends[s])
        if not fixed:
            ways["per problem"] = ("per problem", backends[n])
            ways["all in one call"] = ("one call", backends[n])
        rates: dict[str, float] = {}
        tokens: dict[str, int] = {}
        for name, (how, backend) in ways.items():
            started = time.perf_counter()
            tokens[name] = sum(g.tokens for g in send(how, backend, asked))
            rates[name] = tokens[name] / (time.perf_counter() - started)
        base_rate = rates["one by one"]
        cells = [
            f"{rates[name]:.1f} tok/s ({rates[name] / base_rate:.2f}x)"
            for name in ways
            if name != "one by one"
        ]
        print(
            f"| {n} | {base_rate:.1f} tok/s | {' | '.join(cells)} | "
            + " / ".join(map(str, tokens.values()))
            + " |"
        )


if __name__ == "__main__":
    main()
