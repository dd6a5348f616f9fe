"""What a prompt-lookup verification step costs on this CPU: llama.cpp's decode time for a batch of 1, 3, 5
and 9 tokens after a 700-token prompt, with logits for every token of the batch (what verifying a draft
needs) and, for 9, without (a prompt chunk). A draft of N-1 tokens pays off only if a step keeps, on
average, more tokens than the batch costs in one-token decodes.

    .venv/bin/python benchmarks/bench_lookup.py [--model qwen2.5-coder-0.5b-instruct] [--repeats 12]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from rustcoder.backends.factory import create_backend

TEXT = Path(__file__).resolve().parents[1] / "src" / "rustcoder" / "execute" / "runner.rs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b-instruct")
    parser.add_argument("--repeats", type=int, default=12)
    args = parser.parse_args()
    llm = create_backend("llamacpp", args.model).llm  # type: ignore[attr-defined]
    prompt = llm.tokenize(TEXT.read_text(encoding="utf-8")[:3000].encode(), add_bos=False)
    llm.reset()
    llm.eval(prompt)
    base = llm.n_tokens
    single = 0.0
    print(f"{args.model}, prompt of {base} tokens, median of {args.repeats} decodes")
    for size, logits in ((1, True), (3, True), (5, True), (9, True), (9, False)):
        times = []
        for _ in range(args.repeats):
            llm._ctx.kv_cache_seq_rm(-1, base, -1)
            llm._batch.set_batch(batch=prompt[100 : 100 + size], n_past=base, logits_all=logits)
            started = time.perf_counter()
            llm._ctx.decode(llm._batch)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        single = single or median
        what = "logits for every token" if logits else "logits for the last only"
        print(f"batch of {size} ({what}): {1000 * median:6.1f} ms = {median / single:4.2f} one-token decodes")


if __name__ == "__main__":
    main()
