"""The benchmark queue's bookkeeping (benchmarks/queue.sh, keep_partial.sh): which runs count as done on a
fresh checkout, and a run still computing kept in git and continued from there."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import BENCHMARKS


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "benchmarks").mkdir()
    for script in ("queue.sh", "keep_partial.sh"):
        shutil.copy2(BENCHMARKS / script, tmp_path / "benchmarks" / script)
    return tmp_path


def _bash(root: Path, script: str) -> str:
    done = subprocess.run(
        ["bash", "-c", f". benchmarks/queue.sh; {script}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _write(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def test_published_runs_and_wordings_count_as_finished_on_a_fresh_checkout(tmp_path):
    root = _tree(tmp_path)
    published = root / "docs/results/runs"
    _write(published / "greedy/run.json", {"status": "complete"})
    _write(published / "wordings/variants.json", {})  # a --prompt-variants run: no run.json of its own
    _write(root / "runs/started/run.json", {"status": "running"})
    _write(published / "started/run.json", {"status": "complete"})  # published, but begun again here
    _write(root / "runs/here/run.json", {"status": "complete"})
    check = "; ".join(f"finished {n} && echo {n}" for n in ("greedy", "wordings", "started", "here", "none"))
    assert _bash(root, f"{check}; true").split() == ["greedy", "wordings", "here"]


def test_a_partial_run_kept_in_git_is_copied_back_on_a_fresh_machine(tmp_path):
    root = _tree(tmp_path)
    run = root / "runs/long"
    _write(run / "run.json", {"status": "running"})
    (run / "samples.jsonl").write_text('{"task_id": "a"}\n{"task_id": "b", "sol')  # b: being written
    (run / "report").mkdir()
    (run / "exact/report").mkdir(parents=True)  # a --prompt-variants run: a report per wording
    (run / "exact/samples.jsonl").write_text('{"task_id": "a"}\n')
    kept = subprocess.run(
        ["bash", "benchmarks/keep_partial.sh", "long"], cwd=root, capture_output=True, text=True
    )
    assert kept.returncode == 0 and "2 sample lines" in kept.stdout  # the wording's too
    partial = root / "docs/results/partial/long"
    assert sorted(p.name for p in partial.iterdir()) == ["exact", "run.json", "samples.jsonl"]  # no report
    assert sorted(p.name for p in (partial / "exact").iterdir()) == ["samples.jsonl"]
    shutil.rmtree(root / "runs")  # a fresh machine
    assert _bash(root, "finished long || echo unfinished") == "unfinished"
    _bash(root, "resume long")
    assert (root / "runs/long/samples.jsonl").read_text() == '{"task_id": "a"}\n'
    (root / "runs/long/samples.jsonl").write_text("more\n")
    _bash(root, "resume long")  # a run already here is never overwritten
    assert (root / "runs/long/samples.jsonl").read_text() == "more\n"
    _write(root / "docs/results/runs/done/run.json", {"status": "complete"})
    _bash(root, "resume done docs/results/runs")  # a published run, for its selections to go on
    assert json.loads((root / "runs/done/run.json").read_text()) == {"status": "complete"}
    missing = subprocess.run(
        ["bash", "benchmarks/keep_partial.sh", "absent"], cwd=root, capture_output=True, text=True
    )
    assert missing.returncode == 1 and "no runs/absent" in missing.stderr
