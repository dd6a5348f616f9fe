"""A run's answers extracted the plain way, as FIELD.md's baseline did: each sample's solution is the
first fenced code block of its raw output (to its closing fence, or to the end where the strategy's
stop string cut the fence off), else the whole output. Score them in the same harness to tell the
extraction's share of a difference from the rest:

    .venv/bin/python benchmarks/first_fence.py runs/RUN /tmp/x/samples.jsonl
    .venv/bin/rustcoder evaluate humanevalpack-rust /tmp/x/samples.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from rustcoder.jsonl import read_jsonl

FENCE = re.compile(r"```[^\n]*\n(.*?)(?:```|\Z)", re.S)


def first_block(raw: str) -> str:
    """The first fenced block of `raw`, else all of it."""
    found = FENCE.search(raw)
    return found.group(1) if found else raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a run directory (its samples.jsonl keeps each raw output)")
    parser.add_argument("out", type=Path, help="the samples file to write")
    args = parser.parse_args()
    rows = [row for _, row in read_jsonl(args.run / "samples.jsonl")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            solution = first_block(str(row.get("raw") or ""))
            out.write(json.dumps({"task_id": row["task_id"], "solution": solution}) + "\n")
    print(f"{len(rows)} samples written to {args.out}")


if __name__ == "__main__":
    main()
