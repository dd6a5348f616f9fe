"""Clients taking turns on one model: what keeping each client's KV cache (`--session-cache-mb`) gives.

Three clients, each at its own position of the mined FIM benchmark (a different real file), take turns:
round 0 is each client's first request (its whole window evaluated), rounds 1-3 each client's next
request after the other two had the model, with two more characters typed. With the session cache a
client resumes its own prompt; without it, every turn evaluates the client's window again. In process
(the engine and the llama.cpp backend, no HTTP), greedy, so both configurations write the same text.

    .venv/bin/python benchmarks/bench_sessions.py --tasks DIR/fim/test-bench.jsonl [--clients 3] [--rounds 4]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench_completion import positions
from rustcoder.backends.factory import create_backend
from rustcoder.completion.engine import CompletionEngine
from rustcoder.completion.request import CompletionRequest
from rustcoder.settings import LlamaCppSettings


def turns(args: argparse.Namespace, cache_mb: int) -> list[list[tuple[float, int, int, str]]]:
    """Per round, per client: (seconds, prompt tokens, tokens reused, text)."""
    backend = create_backend("llamacpp", args.model, LlamaCppSettings(session_cache_mb=cache_mb))
    engine = CompletionEngine(backend)
    todo = positions(args.tasks, args.clients, 1)
    rounds = []
    for step in range(args.rounds):
        row = []
        for i, position in enumerate(todo):
            request = CompletionRequest(
                position.prefix + position.middle[: 2 * step], position.suffix, client=f"c{i}", max_tokens=64
            )
            started = time.perf_counter()
            done = engine.complete(request)
            row.append((time.perf_counter() - started, done.prompt_tokens, done.cached_tokens, done.text))
        rounds.append(row)
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    args = parser.parse_args()
    results = {mb: turns(args, mb) for mb in (1024, 0)}
    for mb, rounds in results.items():
        first = [r[0] for r in rounds[0]]
        later = [r[0] for row in rounds[1:] for r in row]
        reused = sum(r[2] for row in rounds[1:] for r in row) / sum(r[1] for row in rounds[1:] for r in row)
        print(
            f"session cache {mb} MiB: first turn median {statistics.median(first):.2f} s; later turns "
            f"median {statistics.median(later):.2f} s, max {max(later):.2f} s; prompt tokens reused "
            f"in later turns {100 * reused:.1f} %"
        )
    same = all(
        a[3] == b[3]
        for ra, rb in zip(results[1024], results[0], strict=True)
        for a, b in zip(ra, rb, strict=True)
    )
    print(f"same suggestions with and without: {same}")


if __name__ == "__main__":
    main()
