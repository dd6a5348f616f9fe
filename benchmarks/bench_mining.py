"""Mining throughput on the Debian crate set: crates discovered, files read, functions extracted.

Covers what `rustcoder data mine` does first: discovering crates with their licences, extracting
functions with tree-sitter, and removing exact and near duplicates (MinHash LSH). Needs
`./setup.sh --with-crates`. Prints files/s, functions/s and peak memory of this process.

    .venv/bin/python benchmarks/bench_mining.py [--source /usr/share/cargo/registry]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from collections import Counter
from pathlib import Path

from rustcoder.data.crates import DEBIAN_REGISTRY, discover
from rustcoder.data.dedup import deduplicate
from rustcoder.data.functions import extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, action="append")
    args = parser.parse_args()
    sources = args.source or [DEBIAN_REGISTRY]
    started = time.perf_counter()
    found = discover(sources)
    discovered = time.perf_counter() - started
    roots = {c.root for c in found.crates}
    files = functions = documented = 0
    skipped: Counter[str] = Counter()
    mined = []
    for crate in found.crates:
        nested = {r for r in roots if r != crate.root and crate.root in r.parents}
        extraction = extract(crate, nested=nested)
        files += extraction.files
        functions += len(extraction.functions)
        documented += sum(1 for f in extraction.functions if f.doc)
        mined += extraction.functions
        skipped += extraction.skipped
    extracted = time.perf_counter() - started
    deduplicated = deduplicate(mined)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"crates: {len(found.crates)} ({dict((v.value, n) for v, n in found.by_verdict().items())}), "
          f"discovered in {discovered:.2f} s")  # fmt: skip
    print(f"files parsed: {files}; functions kept: {functions} ({documented} documented)")
    print(f"left out: {dict(skipped.most_common())}")
    rates = f"{files / extracted:.0f} files/s, {functions / extracted:.0f} functions/s"
    print(f"extraction: {extracted:.1f} s ({rates})")
    exact, near = deduplicated.count("exact"), deduplicated.count("near")
    print(
        f"deduplication: {seconds - extracted:.1f} s; exact duplicates {exact}, near duplicates {near}; "
        f"kept {len(deduplicated.kept)} of {functions}"
    )
    print(f"time {seconds:.1f} s in all")
    print(f"peak RSS {peak:.0f} MiB; target (the whole set in under 10 minutes): "
          f"{'met' if seconds < 600 else 'missed'}")  # fmt: skip


if __name__ == "__main__":
    main()
