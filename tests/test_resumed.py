"""benchmarks/resumed.py places where a greedy run was resumed and makes those answers again."""

import json
from pathlib import Path

from tests.conftest import Remembering, asked, benchmark_modules, fixture_problems, rustcoder_cli


def _run(root: Path) -> Path:
    bench = Path(__file__).parent / "fixtures" / "humanevalx_mini.jsonl"  # three problems
    out = root / "mini"
    args = ["run", str(bench), "--backend", "fake", "--model", "fake", "--strategy", "delimited"]
    proc = rustcoder_cli(*args, "--out", str(out), timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out


def _history(run: Path, history: list[dict]) -> None:
    record = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**record, "history": history}))


def test_resume_points_are_placed_from_the_counts_each_start_recorded(tmp_path):
    [resumed] = benchmark_modules("resumed")
    run = _run(tmp_path)
    third = [json.loads(line)["task_id"] for line in (run / "samples.jsonl").read_text().splitlines()][2]
    _history(run, [{"started_at": "a"}, {"started_at": "b", "generated": 1}])  # killed, then resumed
    assert resumed.resumes(run).points == [third] and resumed.resumes(run).unknown == 0
    _history(run, [{"generated": 1}, {"started_at": "b"}, {"generated": 1}, {"generated": 0}])
    found = resumed.resumes(run)  # the second start made the second line, or none: not known which
    assert found.points == [third] and found.unknown == 1 and found.starts == 4
    _history(run, [{"generated": 3}])
    assert resumed.resumes(run).points == []
    assert resumed.greedy_folders(tmp_path / "mini") == []  # the fake backend keeps no cache
    record = json.loads((run / "run.json").read_text())
    record["backend"]["backend"] = "llamacpp"
    (run / "run.json").write_text(json.dumps(record))
    assert resumed.greedy_folders(run) == [run]


def test_an_answer_made_again_after_the_problems_before_it_is_compared(tmp_path):
    [resumed] = benchmark_modules("resumed")
    run = _run(tmp_path)
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    third = rows[2]["task_id"]
    recorded = {r["task_id"]: r["raw"] for r in rows}
    task_of = {p.entry_point: p.task_id for p in fixture_problems("humanevalx_mini.jsonl")}

    def model(request, call):  # answers as the run recorded, from the prompt alone
        return recorded[task_of[asked(request)]]

    backends = {"fake:fake": Remembering(model)}
    work = tmp_path / "work"
    work.mkdir()
    assert resumed.check(run, third, work, backends) == "the same"
    first, *rest = backends["fake:fake"].log
    names = list(task_of)
    assert first == ("replay", "fresh", names[0], names[1])  # the two problems before it, in order
    assert rest and set(rest) == {("generate", names[2])}  # then only its own (attempts, as recorded)
    rows[2]["raw"] += "// another answer"
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (work / "samples.jsonl").unlink()
    assert resumed.check(run, third, work, backends) == "differs"
