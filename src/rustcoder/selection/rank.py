"""The two rankings that need no reference: by the model's own tests (with dual agreement as tie-break),
and by clusters of identical behaviour on probes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rustcoder.selection import Choice, Method
from rustcoder.selection.probes import test_name
from rustcoder.types import ExecResult, Status

UNRUN = frozenset({Status.COMPILE_ERROR, Status.SANDBOX_ERROR, Status.BACKEND_ERROR})


def _running(
    indices: Sequence[int], results: Mapping[int, ExecResult]
) -> tuple[dict[int, ExecResult], dict[int, str]]:
    """The candidates that compiled and ran, and the status of those that did not."""
    ran: dict[int, ExecResult] = {}
    checks: dict[int, str] = {}
    for i in indices:
        result = results.get(i)
        if result is None or result.status in UNRUN:
            checks[i] = result.status.value if result is not None else "not run"
        else:
            ran[i] = result
    return ran, checks


def by_tests(
    task_id: str, indices: Sequence[int], results: Mapping[int, ExecResult], tests: Sequence[str]
) -> Choice | None:
    """The candidate passing the most of `tests`; among equals, the one whose exact set of passed tests
    the most candidates share (CodeT), then the lowest index. None if no candidate ran."""
    names = [test_name(t) for t in tests]
    ran, checks = _running(indices, results)
    passed = {i: frozenset(n for n in result.passed_tests if n in names) for i, result in ran.items()}
    for i, tests_passed in passed.items():
        checks[i] = f"{len(tests_passed)}/{len(names)} own tests"
    if not passed:
        return None
    share = {i: sum(other == mine for other in passed.values()) for i, mine in passed.items()}
    best = max(passed, key=lambda i: (len(passed[i]), share[i], -i))
    why = (
        f"passes {len(passed[best])} of the model's {len(names)} tests, with {share[best]} of "
        f"{len(passed)} running candidates passing the same ones"
    )
    return Choice(task_id, best, Method.SELF_TESTS, why, checks)


def behaviour(result: ExecResult, probes: Sequence[str]) -> tuple[str, ...]:
    """What a candidate did on each probe: the value it returned, `panic`, or `no result` (it crashed or
    ran out of time first)."""
    out = []
    for name in (test_name(p) for p in probes):
        failure = result.failed_tests.get(name)
        if failure is not None and failure.startswith("error: "):
            out.append(failure.removeprefix("error: "))
        elif failure is not None:
            out.append("panic")
        elif name in result.passed_tests:
            out.append("returned Ok")  # cannot happen for a probe, kept distinct
        else:
            out.append("no result")
    return tuple(out)


def by_agreement(
    task_id: str, indices: Sequence[int], results: Mapping[int, ExecResult], probes: Sequence[str]
) -> Choice | None:
    """The first candidate of the largest cluster of candidates that behave identically on `probes`
    (ties: the cluster whose first member comes first). None if no candidate ran."""
    ran, checks = _running(indices, results)
    clusters: dict[tuple[str, ...], list[int]] = {}
    for i, result in ran.items():
        clusters.setdefault(behaviour(result, probes), []).append(i)
    if not clusters:
        return None
    ranked = sorted(clusters.values(), key=lambda members: (-len(members), members[0]))
    cluster_of = {i: n for n, members in enumerate(ranked) for i in members}
    for i, n in cluster_of.items():
        checks[i] = f"cluster {n + 1} of {len(ranked)} ({len(ranked[n])} candidates)"
    best = ranked[0]
    why = (
        f"the largest of {len(ranked)} behaviour clusters on {len(probes)} inputs: {len(best)} of "
        f"{len(cluster_of)} running candidates agree"
    )
    return Choice(task_id, best[0], Method.AGREEMENT, why, checks)
