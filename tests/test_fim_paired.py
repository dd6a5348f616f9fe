"""benchmarks/fim_paired.py: two FIM runs paired gap by gap, from result files written here."""

import json

from tests.conftest import benchmark_modules


def _run(folder, scores):
    folder.mkdir()
    rows = [
        {"task_id": task, "sample_index": 0, "status": "not_executed", "exact_match": exact,
         "edit_similarity": similarity, "parses": parses}
        for task, (exact, similarity, parses) in scores.items()
    ]  # fmt: skip
    (folder / "results.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    return folder


def test_gaps_are_paired_on_the_tasks_both_runs_scored(tmp_path):
    (fim_paired,) = benchmark_modules("fim_paired")
    base = _run(tmp_path / "base", {"a": (False, 0.2, True), "b": (False, 0.5, False), "c": (True, 1.0, True),
                                    "only-base": (False, 0.0, False)})  # fmt: skip
    tuned = _run(tmp_path / "tuned", {"a": (False, 0.4, True), "b": (True, 1.0, True), "c": (True, 1.0, True),
                                      "only-tuned": (True, 1.0, True)})  # fmt: skip
    p = fim_paired.compare(base, tuned, resamples=2000)
    assert p.tasks == 3 and (p.closer, p.further) == (2, 0)
    assert round(p.base, 4) == round(1.7 / 3, 4) and round(p.tuned, 4) == round(2.4 / 3, 4)
    assert 0 <= p.low <= (0.2 + 0.5) / 3 <= p.high <= 0.5  # the mean difference inside its interval
    assert p.exact == (1, 2) and p.parses == (2, 3) and p.p_value == 0.5
    same = fim_paired.compare(base, base, resamples=100)
    assert (same.low, same.high, same.closer, same.further) == (0.0, 0.0, 0, 0)
