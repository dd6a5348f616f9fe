import math

import pytest

from rustcoder.metrics.passk import bootstrap_pass_at_1, mean_pass_at_k, pass_at_k, usable_ks
from rustcoder.metrics.summary import Summary, describe, summarize
from rustcoder.types import ResultRecord, Status


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (5, 2, 1, 0.4),  # c/n
        (5, 2, 2, 0.7),  # 1 - C(3,2)/C(5,2) = 1 - 3/10
        (10, 3, 5, 1 - math.comb(7, 5) / math.comb(10, 5)),
        (10, 0, 5, 0.0),
        (10, 10, 1, 1.0),
        (10, 6, 5, 1.0),  # n - c < k: every draw of 5 contains a correct one
        (200, 1, 100, 0.5),
    ],
)
def test_pass_at_k_against_hand_computed_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_is_stable_for_large_n():
    assert pass_at_k(10_000, 1, 1) == pytest.approx(1e-4)
    assert pass_at_k(10_000, 5_000, 100) == pytest.approx(1.0)


@pytest.mark.parametrize(("n", "c", "k"), [(5, 6, 1), (5, -1, 1), (5, 2, 0), (5, 2, 6)])
def test_pass_at_k_rejects_impossible_arguments(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


def test_mean_and_usable_ks():
    counts = [(10, 5), (10, 0), (20, 20)]
    assert mean_pass_at_k(counts, 1) == pytest.approx((0.5 + 0 + 1) / 3)
    assert usable_ks(counts) == [1, 10]
    assert usable_ks([(1, 1)]) == [1]


def test_bootstrap_interval_is_reproducible_and_brackets_the_mean():
    counts = [(1, 1)] * 30 + [(1, 0)] * 70
    low, high = bootstrap_pass_at_1(counts)
    assert (low, high) == bootstrap_pass_at_1(counts)
    assert low < 0.3 < high
    assert low > 0.18 and high < 0.42
    assert bootstrap_pass_at_1([(3, 3)] * 5) == (1.0, 1.0)


def record(task, status, codes=(), **meta):
    return ResultRecord(task, 0, "sha", Status(status), error_codes=tuple(codes), meta=meta)


def test_summary_counts_statuses_codes_and_problems():
    rows = [
        record("A", "passed"),
        record("A", "compile_error", ["E0308", "E0308", "E0599"]),
        record("B", "compile_error", ["E0308"]),
        record("B", "timeout"),
    ]
    typed = summarize(rows, total_problems=5)
    assert typed.per_problem["A"].c == 1 and typed.count(Status.COMPILE_ERROR) == 2
    summary = typed.to_json()  # the layout results.summary.json keeps
    assert Summary.from_json(summary) == typed
    assert summary["problems"] == 2 and summary["benchmark_problems"] == 5 and summary["samples"] == 4
    assert summary["pass_at_k"] == {"1": 0.25}
    assert summary["status_counts"]["compile_error"] == 2 and summary["status_counts"]["panic"] == 0
    assert summary["error_codes"] == {"E0308": 2, "E0599": 1}  # samples with the code
    assert summary["per_problem"]["A"] == {
        "n": 2,
        "c": 1,
        "pass@1": 0.5,
        "statuses": {"passed": 1, "compile_error": 1},
    }


def test_summary_attempts_and_generation_figures():
    rows = [
        record("A", "passed", attempts=1, gen_seconds=1.0),
        record("B", "passed", attempts=3, gen_seconds=3.0),
        record("C", "test_failure", attempts=3, gen_seconds=2.0),
        record("D", "passed", attempts=10, gen_seconds=4.0),
    ]
    summary = summarize(rows).to_json()
    assert summary["attempts"]["distribution"] == {"1": 1, "3": 2, "10": 1}
    cumulative = dict(summary["attempts"]["cumulative_correct"])
    assert cumulative[1] == 1 and cumulative[2] == 1 and cumulative[3] == 2 and cumulative[10] == 3
    assert summary["generation"]["gen_seconds"]["mean"] == 2.5
    assert "attempts" not in summarize([record("A", "passed")]).to_json()


def test_describe_quantiles():
    stats = describe([1.0, 2.0, 3.0, 4.0, 5.0])
    assert stats == {"mean": 3.0, "p50": 3.0, "p95": 4.8, "max": 5.0}


def test_generation_time_is_summed_from_the_samples_and_per_problem():
    rows = [
        record("A", "passed", gen_seconds=1.0, tokens=10),
        record("A", "passed", gen_seconds=3.0, tokens=30),
        record("B", "passed", gen_seconds=2.0, tokens=20),
        record("C", "passed"),  # evaluated without generation figures
    ]
    generation = summarize(rows).to_json()["generation"]
    assert generation["gen_seconds"]["total"] == 6.0 and generation["tokens"]["total"] == 60
    assert generation["gen_seconds_per_problem"] == {
        "mean": 3.0,
        "p50": 3.0,
        "p95": 3.9,
        "max": 4.0,
        "total": 6.0,
    }
    assert "total" not in generation.get("ttft_seconds", {})
    together = [  # samples decoded in one call: their times overlap, the call costs its slowest
        record("A", "passed", gen_seconds=5.0, call=0),
        record("A", "passed", gen_seconds=9.0, call=0),
        record("A", "passed", gen_seconds=4.0, call=2),
        record("A", "passed", gen_seconds=1.0),  # on its own
    ]
    per_problem = summarize(together).to_json()["generation"]["gen_seconds_per_problem"]
    assert per_problem["total"] == 9.0 + 4.0 + 1.0


def test_each_start_has_its_wall_time_or_a_bound():
    from rustcoder.metrics.starts import describe_start, starts

    history = [
        {"started_at": "2026-11-23T21:13:36+00:00"},  # killed: no end
        {"started_at": "2026-11-23T21:34:22+00:00", "ended_at": "2026-11-23T21:34:25+00:00"},
        {
            "started_at": "2026-11-23T22:00:00+00:00",
            "generated": 6,
            "finished_at": "2026-11-23T22:03:00+00:00",
        },
        {"started_at": "2026-11-24T08:00:00+00:00"},
    ]
    found = starts(history)
    assert [s.ended for s in found] == ["killed", "interrupted", "finished", "killed"]
    assert found[0].wall_seconds is None and found[0].at_most_seconds == 20 * 60 + 46
    assert found[2].wall_seconds == 180 and found[2].generated == 6
    assert [describe_start(s) for s in found] == [
        "killed; at most 20.8 min",
        "interrupted after 3 s",
        "3.0 min",
        "killed; no end recorded",
    ]


def test_the_check_verdict_excuses_only_known_defects():
    from rustcoder.evaluation.verdict import check_verdict
    from rustcoder.metrics.summary import ProblemResult

    per_problem = {t: ProblemResult(n, c, c / n, {}) for t, n, c in (("A", 1, 1), ("B", 1, 0), ("C", 2, 1))}
    verdict = check_verdict(per_problem, excused={"B", "D"})
    assert (verdict.failures, verdict.excused_failures, verdict.known_defects) == (["C"], ["B"], ["B", "D"])
    assert not verdict.ok and verdict.as_dict()["ok"] is False
    assert check_verdict(per_problem, excused={"B", "C"}).ok


def test_every_status_has_a_colour_in_the_plots():
    from rustcoder.metrics.plots import STATUS_COLOURS
    from rustcoder.types import Status

    assert set(STATUS_COLOURS) == {status.value for status in Status}
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)
