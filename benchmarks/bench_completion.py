"""Replay typing against `rustcoder serve` over HTTP: latency and quality of completions at real positions.

Positions come from the mined FIM benchmark (`fim/test-bench.jsonl` of `rustcoder data mine`: crates no
training example comes from): each task's file is read from the crate sources when it is there (else
the function alone), the cursor is put where the task's middle begins, and a typist writes the middle
key by key, with pauses drawn from a seeded typing model (log-normal, median 180 ms between keys,
600 ms more after a line end). As llama.vim does, each keystroke's request replaces the previous one,
whose connection is closed (the server then cancels it). After the last key the typist waits for the
answer.

Measured per configuration, each its own server process, in one run:
- latency of every answered request, end to end over HTTP, by kind (single-line: the cursor in a line;
  multi-line: after an opening brace or on an empty line) and cold (the position's first request) or
  warm; the share of requests cancelled and the share answered from the suggestion cache (/metrics);
- quality of the suggestion at each position before anything is typed: exact match and edit
  similarity against the file's real middle, and the share that parses (tree-sitter).

Configurations: `engine` (the default: KV reuse, cancellation, cache, tree-sitter cuts), `no-post`
(the same without the cuts and checks, for their effect on quality), `no-reuse` (every prompt evaluated
from its first token), `no-cancel` (a newer keystroke does not cancel the older request: every request
runs, in turn), `no-cache` (no suggestion cache), `middle-1` (only the cursor's line after the FIM
middle marker, as llama.cpp's /infill; the default puts up to 8 lines there), `lookup` (greedy
decoding with prompt-lookup drafts of up to 8 tokens; not in the default list), `llama-server`
(llama.cpp's own server on the same GGUF as llama.vim's README sets it up, one slot, the same requests;
needs `--llama-server PATH` from benchmarks/build_llama_server.sh; not in the default list), and
`naive` (llama-cpp-python called in process with the whole file as a PSM prompt, no cuts, no reuse:
what a plain integration does; quality and cold latency only).

    .venv/bin/python benchmarks/bench_completion.py --tasks runs/mined/fim/test-bench.jsonl [--positions 40]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rustcoder.completion.post import mode_at
from rustcoder.evaluation.fim_scores import syntax_errors
from rustcoder.serve.probe import free_port, wait_for_http

REGISTRY = Path("/usr/share/cargo/registry")


@dataclass(frozen=True)
class Position:
    task_id: str
    kind: str
    prefix: str
    middle: str
    suffix: str


def positions(tasks: Path, count: int, seed: int, max_chars: int = 0) -> list[Position]:
    """`count` tasks, evenly over kinds, placed in their whole files where the crate sources are here;
    with `max_chars`, only positions whose whole file is at most that long."""
    rows = [json.loads(line) for line in tasks.read_text().splitlines()]
    random.Random(seed).shuffle(rows)
    by_kind: dict[str, list[dict]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    out: list[Position] = []
    while len(out) < count and any(by_kind.values()):
        for items in by_kind.values():
            if items and len(out) < count:
                position = _placed(items.pop())
                if (
                    not max_chars
                    or len(position.prefix) + len(position.middle) + len(position.suffix) <= max_chars
                ):
                    out.append(position)
    return out


def _placed(row: dict) -> Position:
    prefix, suffix = row["prefix"], row["suffix"]
    source = REGISTRY / f"{row['crate']}-{row['version']}" / row["path"]
    function = prefix + row["middle"] + suffix
    if source.is_file():
        text = source.read_text(encoding="utf-8", errors="replace")
        at = text.find(function)
        if at >= 0:
            prefix, suffix = text[:at] + prefix, suffix + text[at + len(function) :]
    return Position(row["task_id"], row["kind"], prefix, row["middle"], suffix)


def keystrokes(middle: str, rng: random.Random) -> list[tuple[float, str]]:
    """(pause before the key in seconds, the text typed so far) for each key of `middle`."""
    out, typed = [], ""
    for char in middle:
        pause = min(1.5, max(0.04, rng.lognormvariate(-1.715, 0.5)))  # median e^-1.715 = 0.18 s
        if typed.endswith("\n"):
            pause += min(3.0, rng.lognormvariate(-0.51, 0.5))  # median 0.6 s after a line end
        typed += char
        out.append((pause, typed))
    return out


@dataclass
class Tally:
    latencies: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    """(kind, cold|warm|"warm, model") → seconds; "warm, model": the warm answers the model wrote (not
    the suggestion cache)."""
    sent: int = 0
    cancelled: int = 0
    quality: list[tuple[bool, float, bool]] = field(default_factory=list)
    """(exact match, edit similarity, parses) of the suggestion at each position."""

    def add(self, kind: str, cold: bool, seconds: float, answer: dict | None = None) -> None:
        self.latencies.setdefault((kind, "cold" if cold else "warm"), []).append(seconds)
        if not cold and answer is not None and answer.get("tokens_evaluated", 0) > 0:  # not the cache
            self.latencies.setdefault((kind, "warm, model"), []).append(seconds)


class Request:
    """One /infill request on its own connection, which `cancel` closes (as llama.vim stops a job)."""

    def __init__(self, port: int, body: dict, client: str = "", timeout: float = 120.0) -> None:
        self.client = client
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.body = json.dumps(body)
        self.headers = {"Content-Type": "application/json", **({"X-Client-Id": client} if client else {})}
        self.answer: dict | None = None
        self.seconds = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            self.connection.request("POST", "/infill", self.body, self.headers)
            reply = self.connection.getresponse()
            self.answer = json.loads(reply.read())
            self.seconds = time.perf_counter() - started
        except (OSError, http.client.HTTPException, ValueError, AttributeError):  # closed by cancel()
            self.answer = None

    def cancel(self) -> None:
        """Close the connection as killing curl does: shut the socket down first, since a bare close
        from this thread leaves it open (and sends no FIN) while the request's thread is in recv."""
        if self.thread.is_alive():
            sock = self.connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self.connection.close()


def body(prefix: str, suffix: str, n_predict: int = 96) -> dict:
    """What llama.vim sends: the lines before the cursor, the cursor's line so far, the rest."""
    head, _, line = prefix.rpartition("\n")
    return {
        "input_prefix": head + ("\n" if head else ""),
        "prompt": line,
        "input_suffix": suffix,
        "input_extra": [],
        "n_predict": n_predict,
        "top_k": 40,
        "top_p": 0.90,
        "samplers": ["top_k", "top_p", "infill"],
        "cache_prompt": True,
        "t_max_prompt_ms": 500,
        "t_max_predict_ms": 1000,
    }


def first_line(port: int, prefix: str, suffix: str) -> float | None:
    """Seconds until a streamed /v1/completions answer (prompt and suffix, as an OpenAI client sends
    them) has shown its first complete line, or ended; None without an answer. Its sampling settings
    differ from the /infill requests' (top_p), so the suggestion cache does not answer it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = {"prompt": prefix, "suffix": suffix, "max_tokens": 96, "temperature": 0.0, "top_p": 1.0}
    body["stream"] = True
    started, text = time.perf_counter(), ""
    try:
        connection.request("POST", "/v1/completions", json.dumps(body), {"Content-Type": "application/json"})
        reply = connection.getresponse()
        while line := reply.readline():
            data = line.decode().strip().removeprefix("data:").strip()
            if not data.startswith("{"):
                continue
            choice = json.loads(data)["choices"][0]
            text += choice["text"]
            if "\n" in text.lstrip("\n") or choice["finish_reason"]:
                return time.perf_counter() - started
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()
    return None


def score(tally: Tally, position: Position, suggestion: str) -> None:
    from rapidfuzz.distance import Levenshtein

    allowed = syntax_errors(position.prefix + position.middle + position.suffix)
    tally.quality.append(
        (
            suggestion.strip() == position.middle.strip(),
            Levenshtein.normalized_similarity(suggestion, position.middle),
            syntax_errors(position.prefix + suggestion + position.suffix) <= allowed,
        )
    )


def replay(port: int, todo: list[Position], seed: int, keys: int, streams: bool = True) -> Tally:
    """Type at each position; with `streams`, also time the first line of a streamed multi-line
    answer right after the position's cold request (warm: the same context)."""
    tally, rng = Tally(), random.Random(seed)
    for position in todo:
        first = Request(port, body(position.prefix, position.suffix))
        first.thread.join()
        tally.sent += 1
        kind = mode_at(position.prefix, position.suffix).value
        if first.answer is not None:
            tally.add(kind, True, first.seconds)
            score(tally, position, first.answer.get("content", ""))
        if streams and kind == "multi-line":
            seconds = first_line(port, position.prefix, position.suffix)
            if seconds is not None:
                tally.latencies.setdefault((kind, "warm, first line"), []).append(seconds)
        pending: Request | None = None
        pending_kind = ""
        for pause, typed in keystrokes(position.middle, rng)[:keys]:
            time.sleep(pause)
            if pending is not None:
                if pending.thread.is_alive():
                    pending.cancel()
                    tally.cancelled += 1
                elif pending.answer is not None:
                    tally.add(pending_kind, False, pending.seconds, pending.answer)
            prefix = position.prefix + typed
            pending_kind = mode_at(prefix, position.suffix).value
            pending = Request(port, body(prefix, position.suffix))
            tally.sent += 1
        if pending is not None:
            pending.thread.join()
            if pending.answer is not None:
                tally.add(pending_kind, False, pending.seconds, pending.answer)
    return tally


def start_server(port: int, model: str, extra: list[str]) -> subprocess.Popen[bytes]:
    return _started(
        [sys.executable, "-m", "rustcoder", "serve", "--model", model, "--port", str(port), *extra], port
    )


def start_llama_server(binary: Path, port: int, model: str) -> subprocess.Popen[bytes]:
    """llama.cpp's own server on the same GGUF, set up as its `--fim-qwen-*-default` presets that
    llama.vim's README suggests (batches of 1,024, which bound /infill's window to 768 prefix and 256
    suffix tokens; KV reuse by shifting chunks of 256), one slot, rustcoder's context size and threads."""
    from rustcoder.models.fetch import resolve_model

    gguf = str(resolve_model(model).path)
    threads = str(os.cpu_count() or 1)
    argv = [str(binary), "-m", gguf, "--host", "127.0.0.1", "--port", str(port), "-c", "4096", "-t", threads,
            "-np", "1", "-b", "1024", "-ub", "1024", "--cache-reuse", "256"]  # fmt: skip
    return _started(argv, port)


def _started(argv: list[str], port: int) -> subprocess.Popen[bytes]:
    """The server process, its output appended to $SERVER_LOG when that is set (else dropped)."""
    path = os.environ.get("SERVER_LOG")
    log = Path(path).open("ab") if path else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    wait_for_http(f"http://127.0.0.1:{port}/health", timeout=180)
    return proc


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Interrupt the server; kill it if it has not stopped within 30 s."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cache_hits(port: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("rustcoder_suggestion_cache_hits_total")
    )


def naive(model: str, todo: list[Position]) -> Tally:
    """llama-cpp-python directly: the whole file as a PSM prompt, no cuts, a fresh prompt each time."""
    from llama_cpp import Llama

    from rustcoder.models.fetch import resolve_model

    llm = Llama(model_path=str(resolve_model(model).path), n_ctx=32768, n_threads=2, verbose=False)
    tally = Tally()
    for position in todo:
        prompt = f"<|fim_prefix|>{position.prefix}<|fim_suffix|>{position.suffix}<|fim_middle|>"
        if len(llm.tokenize(prompt.encode(), special=True)) + 96 > 32768:
            continue
        llm.reset()
        started = time.perf_counter()
        out = llm.create_completion(prompt, max_tokens=96, temperature=0.0)
        seconds = time.perf_counter() - started
        tally.sent += 1
        tally.add(mode_at(position.prefix, position.suffix).value, True, seconds)
        score(tally, position, out["choices"][0]["text"])  # type: ignore[index]
    return tally


def report(name: str, tally: Tally, hits: float | None) -> None:
    print(f"== {name}: {tally.sent} requests, {tally.cancelled} cancelled", end="")
    print(f", {hits:.0f} from the suggestion cache" if hits is not None else "")
    for (kind, when), values in sorted(tally.latencies.items()):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(
            f"   {kind:11} {when:11}: n={len(values):4}  p50 {1000 * statistics.median(values):7.0f} ms"
            f"  p95 {1000 * p95:7.0f} ms"
        )
    if tally.quality:
        exact, similarity, parses = zip(*tally.quality, strict=True)
        print(
            f"   quality at {len(exact)} positions: exact {100 * sum(exact) / len(exact):.1f} %, edit "
            f"similarity {statistics.fmean(similarity):.3f}, parses {100 * sum(parses) / len(parses):.1f} %"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=Path, required=True, help="A mined fim/test-bench.jsonl.")
    parser.add_argument("--positions", type=int, default=40)
    parser.add_argument("--keys", type=int, default=40, help="Keys typed at each position (at most).")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--configs", default="engine,middle-1,no-post,no-reuse,no-cancel,naive")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-file-chars", type=int, default=0,
        help="Only positions in files at most this long (the naive baseline evaluates the whole file).",
    )  # fmt: skip
    parser.add_argument(
        "--llama-server", type=Path, default=None,
        help="llama.cpp's server binary (benchmarks/build_llama_server.sh), for the llama-server "
        "configuration.",
    )  # fmt: skip
    args = parser.parse_args()
    todo = positions(args.tasks, args.positions, args.seed, args.max_file_chars)
    print(f"{len(todo)} positions from {args.tasks}; model {args.model}")
    extra = {
        "engine": [],
        "no-post": ["--no-post-process"],
        "no-reuse": ["--no-kv-reuse"],
        "no-cancel": ["--no-cancel-stale"],
        "no-cache": ["--cache-size", "0"],
        "middle-1": ["--middle-lines", "1"],
        "lookup": ["--lookup-draft", "8"],
    }
    for name in args.configs.split(","):
        if name == "naive":
            report(name, naive(args.model, todo), None)
            continue
        port = free_port()
        if name == "llama-server":
            if args.llama_server is None:
                parser.error("the llama-server configuration needs --llama-server PATH")
            proc = start_llama_server(args.llama_server, port, args.model)
        else:
            proc = start_server(port, args.model, extra[name])
        try:
            tally = replay(port, todo, args.seed, args.keys, streams=name != "llama-server")
            report(name, tally, None if name == "llama-server" else cache_hits(port))
        finally:
            stop_server(proc)


if __name__ == "__main__":
    main()
