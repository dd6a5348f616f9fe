"""The web UI in Debian's headless Chromium: cold page load, bundle size, and a Runs page of 1,000-sample
runs (how long the table, the grid of two runs and a filter take to draw).

Runs are written in rustcoder's own formats (run.json, results.jsonl) with `--problems` problems each, the
statuses drawn at random; the server is `rustcoder serve --runs` on the small SmolLM2 model (the model
plays no part in these pages).

    .venv/bin/python benchmarks/bench_ui.py [--problems 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
from pathlib import Path

from bench_completion import start_server, stop_server
from rustcoder.serve.probe import free_port
from rustcoder.types import ResultRecord, Status

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
CODES = ["E0308", "E0277", "E0425", "E0599", "E0382"]
LOAD = """(() => {
  const n = performance.getEntriesByType('navigation')[0];
  const r = performance.getEntriesByType('resource');
  return {load: n.loadEventEnd, bytes: r.reduce((s, x) => s + x.transferSize, n.transferSize)};
})()"""


def write_run(path: Path, problems: int, rng: random.Random) -> None:
    path.mkdir(parents=True)
    tasks = [f"Bench/{i}" for i in range(problems)]
    info = {
        "benchmark": {"name": "synthetic"}, "model": {"name": "synthetic"}, "strategy": {"name": "delimited"},
        "problems": tasks, "status": "complete",
        "history": [{"generation_seconds": 100.0, "finished_at": "2026-12-03T00:00:00+00:00"}],
    }  # fmt: skip
    (path / "run.json").write_text(json.dumps(info))
    with (path / "results.jsonl").open("w") as out:
        for task in tasks:
            status = rng.choice([Status.PASSED, Status.COMPILE_ERROR, Status.TEST_FAILURE, Status.PANIC])
            codes = (rng.choice(CODES),) if status is Status.COMPILE_ERROR else ()
            record = ResultRecord(task, 0, "0" * 16, status, reason="synthetic", error_codes=codes)
            out.write(json.dumps(record.to_json()) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        rng = random.Random(0)
        for name in ("a", "b"):
            write_run(root / name, args.problems, rng)
        port = free_port()
        server = start_server(port, "smollm2-135m-instruct", ["--runs", str(root)])
        url = f"http://127.0.0.1:{port}"
        loads, grids, filters, size = [], [], [], 0
        try:
            with sync_playwright() as playwright:
                for _ in range(args.repeats):
                    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                    page = browser.new_context().new_page()  # a fresh context: a cold cache
                    page.goto(f"{url}/#/runs", wait_until="load")
                    figures = page.evaluate(LOAD)
                    loads.append(figures["load"])
                    size = figures["bytes"]
                    page.wait_for_selector("[data-testid=runs-table]")
                    started = page.evaluate("performance.now()")
                    page.check("input[aria-label='select a']")
                    page.check("input[aria-label='select b']")
                    page.locator("[data-testid=grid] th", has_text="b").first.wait_for()
                    page.locator(f"[data-testid=grid] tbody tr >> nth={args.problems - 1}").wait_for()
                    grids.append(page.evaluate("performance.now()") - started)
                    started = page.evaluate("performance.now()")
                    page.fill("input[aria-label='Filter by error code']", "E0308")
                    page.wait_for_function(
                        f"!document.querySelector('.count').textContent.startsWith('{args.problems} of')"
                    )
                    filters.append(page.evaluate("performance.now()") - started)
                    browser.close()
        finally:
            stop_server(server)
    mid = statistics.median
    print(f"cold page load (#/runs, fresh browser): median {mid(loads):.0f} ms, max {max(loads):.0f} ms")
    print(f"transferred on a cold load: {size / 1024:.0f} KiB")
    print(
        f"two runs of {args.problems} samples, selected until the grid is drawn: median {mid(grids):.0f} ms"
    )
    print(f"a filter typed until the grid is drawn again: median {mid(filters):.0f} ms")


if __name__ == "__main__":
    main()
