"""benchmarks/rescore.py scores a run's samples again and lists only the samples whose status moves."""

import json
import sys
from pathlib import Path

from tests.conftest import benchmark_modules, fake_runs


def _rescore(monkeypatch, capsys, *runs: Path) -> str:
    [rescore] = benchmark_modules("rescore")
    monkeypatch.setattr(sys, "argv", ["rescore.py", *map(str, runs)])
    rescore.main()
    return str(capsys.readouterr().out)


def _rewrite(path: Path, change) -> None:
    records = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(change(r)) + "\n" for r in records))


def test_rescore_reports_a_changed_status_and_skips_another_benchmark(tmp_path, monkeypatch, capsys):
    run = fake_runs(tmp_path) / "mini-delimited"
    [record] = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    out = _rescore(monkeypatch, capsys, run)
    assert "| mini-delimited | 1 | 0 |" in out and out.rstrip().endswith("0 of 1 samples changed status")

    # a recorded status that this checkout's execution does not give is listed, with both statuses
    recorded = "timeout" if record["status"] != "timeout" else "passed"
    _rewrite(run / "results.jsonl", lambda r: {**r, "status": recorded})
    out = _rescore(monkeypatch, capsys, run)
    task = record["task_id"]
    assert f"|   {task}/0: {recorded} -> {record['status']} |" in out
    assert out.rstrip().endswith("1 of 1 samples changed status")

    # a run made on another copy of the benchmark is not scored against this one
    meta = json.loads((run / "run.json").read_text())
    meta["benchmark"]["sha256"] = "0" * 64
    (run / "run.json").write_text(json.dumps(meta))
    out = _rescore(monkeypatch, capsys, run)
    assert "skipped: its benchmark's sha256 differs" in out and out.rstrip().endswith(
        "0 of 0 samples changed status"
    )
