"""Many editors typing at one `rustcoder serve` at once: errors, latency, cancellations, memory.

Each client types at its own position (from the mined FIM benchmark, as in bench_completion.py) with the
same typing model, llama.vim's way: every keystroke's request replaces the client's previous one, whose
connection is closed. Each sends its own `X-Client-Id`, as editors on different machines differ by
address (from one address without it, every client's keystroke would cancel the others' requests).
Clients run for `--seconds`, then stop; the script waits for the server to drain
and reports: requests sent, answered, cancelled, failed (anything but an answer or a cancellation);
latency of answered requests; the server's peak resident memory (sampled every 0.5 s); and how long
the server took to answer everything still in flight once the clients stopped (bounded: stale
requests are cancelled, not queued), and how many clients got at least one answer. `--server-arg`
passes an option to `rustcoder serve` (e.g. `--server-arg=--session-cache-mb=0`, to measure what
keeping each client's KV cache gives).

    .venv/bin/python benchmarks/bench_load.py --tasks DIR/fim/test-bench.jsonl [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from pathlib import Path

import psutil

from bench_completion import Request, body, keystrokes, positions, start_server, stop_server
from rustcoder.serve.probe import free_port

DRAIN_WAIT = 600.0
"""Seconds a client waits for its last answer once it stopped typing."""


def client(port: int, position, seed: int, until: float, out: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    pending: Request | None = None
    typed_keys = keystrokes(position.middle * 4, rng)
    for pause, typed in typed_keys:
        if time.monotonic() + pause > until:
            break
        time.sleep(pause)
        with lock:
            out["sent"] += 1
        if pending is not None:
            if pending.thread.is_alive():
                pending.cancel()
                with lock:
                    out["cancelled"] += 1
            else:
                collect(pending, out, lock)
        pending = Request(
            port, body(position.prefix + typed, position.suffix, n_predict=64), f"editor-{seed}", DRAIN_WAIT
        )
    if pending is not None:
        pending.thread.join(DRAIN_WAIT)
        collect(pending, out, lock)
        with lock:
            out["last_answer"] = max(out["last_answer"], time.monotonic())


def collect(request: Request, out: dict, lock: threading.Lock) -> None:
    with lock:
        if request.answer is not None and "content" in request.answer:
            out["latencies"].append(request.seconds)
            out["served"].add(request.client)
            out["from_cache"] += request.answer.get("tokens_evaluated", 0) == 0
        else:
            out["failed"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--server-arg", action="append", default=[], help="an option for rustcoder serve")
    args = parser.parse_args()
    todo = positions(args.tasks, args.clients, 1)
    port = free_port()
    server = start_server(port, args.model, args.server_arg)
    process = psutil.Process(server.pid)
    peak, sampling = [process.memory_info().rss], True

    def sample() -> None:
        while sampling:
            peak.append(process.memory_info().rss)
            time.sleep(0.5)

    out: dict = {
        "sent": 0, "cancelled": 0, "failed": 0, "latencies": [], "last_answer": 0.0, "from_cache": 0,
        "served": set(),
    }  # fmt: skip
    lock = threading.Lock()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    until = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=client, args=(port, todo[i % len(todo)], i, until, out, lock))
        for i in range(args.clients)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sampling = False
        stop_server(server)
    latencies = sorted(out["latencies"])
    drain = max(0.0, out["last_answer"] - until)
    print(f"{args.clients} clients for {args.seconds:.0f} s, model {args.model} {' '.join(args.server_arg)}")
    print(
        f"sent {out['sent']}, answered {len(latencies)} ({out['from_cache']} from the suggestion cache), "
        f"cancelled {out['cancelled']}, failed {out['failed']}; "
        f"{len(out['served'])} of {args.clients} clients got an answer"
    )
    if latencies:
        p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
        print(f"answered latency p50 {1000 * statistics.median(latencies):.0f} ms, p95 {1000 * p95:.0f} ms")
    print(f"server peak RSS {max(peak) / 2**20:.0f} MiB (at start {peak[0] / 2**20:.0f} MiB)")
    unanswered = f", {out['failed']} still unanswered after {DRAIN_WAIT:.0f} s" if out["failed"] else ""
    print(f"drained {drain:.1f} s after the clients stopped{unanswered}")


if __name__ == "__main__":
    main()
