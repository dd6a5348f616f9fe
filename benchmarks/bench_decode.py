"""Decode throughput through rustcoder's llamacpp backend versus llama-cpp-python called directly.

Same model file, same Llama instance, same rendered prompts, greedy, a fixed number of new tokens and no
stop sequences, so both paths do identical work; the KV cache is reset before every call and the two
paths alternate so neither benefits from the other's cache or from warm-up order. Target: rustcoder's
overhead within 10 %.

    .venv/bin/python benchmarks/bench_decode.py [--model NAME] [--prompts 8] [--tokens 128]
"""

from __future__ import annotations

import argparse
import statistics
import time

from rustcoder.backends.base import GenRequest, Message
from rustcoder.backends.llamacpp import LlamaCppBackend
from rustcoder.benchmarks import load_benchmark
from rustcoder.models.fetch import resolve_model
from rustcoder.models.registry import DEFAULT_MODEL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=128)
    args = parser.parse_args()

    backend = LlamaCppBackend(resolve_model(args.model))
    llm = backend.llm
    problems = load_benchmark("humanevalpack-rust").problems[: args.prompts]
    prompts = [backend.render(GenRequest(messages=(Message("user", p.instruction),))) for p in problems]
    print(
        f"model {args.model}, {backend.threads} threads, {len(prompts)} prompts, "
        f"{args.tokens} new tokens each"
    )

    direct_rates, ours_rates = [], []
    for number, prompt in enumerate(prompts):
        for path in ("direct", "rustcoder") if number % 2 == 0 else ("rustcoder", "direct"):
            llm.reset()
            started = time.perf_counter()
            if path == "direct":
                out = llm.create_completion(prompt, max_tokens=args.tokens, temperature=0.0)
                tokens = out["usage"]["completion_tokens"]
            else:
                [generation] = backend.generate([GenRequest(prompt=prompt, max_tokens=args.tokens)])
                tokens = generation.tokens
            rate = tokens / (time.perf_counter() - started)
            (direct_rates if path == "direct" else ours_rates).append(rate)
    direct, ours = statistics.median(direct_rates), statistics.median(ours_rates)
    print(f"llama-cpp-python directly: {direct:.2f} tokens/s (median over prompts, prompt eval included)")
    print(f"rustcoder llamacpp backend: {ours:.2f} tokens/s")
    overhead = (direct - ours) / direct * 100
    print(f"rustcoder overhead: {overhead:+.1f} % ({'within' if overhead <= 10 else 'over'} the 10 % target)")
    prefix_reuse(backend, problems)


def prefix_reuse(backend: LlamaCppBackend, problems: list) -> None:  # type: ignore[type-arg]
    """Time to first token: a fresh prompt, the same prompt again (a retry), and a prompt that shares the
    one-shot example with the previous one (the next problem)."""
    from rustcoder.prompting.strategies import OneShot

    strategy = OneShot()
    first, second = (strategy.request(p, temperature=0.0, seed=0, max_tokens=4) for p in problems[:2])
    backend.llm.reset()
    fresh = backend.generate([first])[0]
    retry = backend.generate([first])[0]
    shared = backend.generate([second])[0]
    print(
        f"TTFT, one-shot prompt of {fresh.prompt_tokens} tokens: fresh {fresh.ttft_seconds:.3f} s; "
        f"same prompt again {retry.ttft_seconds:.3f} s; next problem, shared example prefix "
        f"{shared.ttft_seconds:.3f} s"
    )


if __name__ == "__main__":
    main()
