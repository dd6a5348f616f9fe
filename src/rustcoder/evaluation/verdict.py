"""Whether a benchmark's reference solutions pass: every problem must, except those with a known defect."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from rustcoder.metrics.summary import ProblemResult
from rustcoder.types import Status


@dataclass(frozen=True, slots=True)
class CheckVerdict:
    failures: list[str]
    """Problems whose reference fails and that have no known data defect: these make the check fail."""
    excused_failures: list[str]
    """Problems whose reference fails because of a known data defect."""
    known_defects: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **asdict(self)}


def check_verdict(per_problem: Mapping[str, ProblemResult], excused: Iterable[str]) -> CheckVerdict:
    """The verdict from a summary's per-problem results (n samples, c correct) and the excused tasks."""
    excused = set(excused)
    unexecuted = Status.NOT_EXECUTED.value
    failing = sorted(
        task
        for task, item in per_problem.items()
        if item.c + item.statuses.get(unexecuted, 0) < item.n  # text-scored tasks are not run
    )
    return CheckVerdict(
        failures=[t for t in failing if t not in excused],
        excused_failures=[t for t in failing if t in excused],
        known_defects=sorted(excused),
    )
