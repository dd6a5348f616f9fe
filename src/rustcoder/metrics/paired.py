"""Paired comparison of two runs on the same problems: which problems one solves and the other does not,
and the exact two-sided sign test on those discordant problems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import comb


def sign_test(gained: int, lost: int) -> float:
    """Two-sided exact sign test p-value for `gained` problems won and `lost` lost (ties left out): the
    probability, under no difference, of a split at least this uneven."""
    n = gained + lost
    if n == 0:
        return 1.0
    low = min(gained, lost)
    tail = sum(comb(n, i) for i in range(low + 1)) / float(2**n)
    return min(1.0, 2 * tail)


@dataclass(frozen=True, slots=True)
class Paired:
    gained: tuple[str, ...]
    """Problems the second run solves and the first does not."""
    lost: tuple[str, ...]
    both: int
    neither: int

    @property
    def p_value(self) -> float:
        return sign_test(len(self.gained), len(self.lost))

    def to_json(self) -> dict[str, object]:
        return {
            "gained": len(self.gained),
            "lost": len(self.lost),
            "both": self.both,
            "neither": self.neither,
            "sign_test_p": round(self.p_value, 4),
            "gained_problems": list(self.gained),
            "lost_problems": list(self.lost),
        }


def paired(first: set[str], second: set[str], problems: Iterable[str]) -> Paired:
    """`first` and `second`: the problems each run solved, among `problems` (both runs' common set)."""
    gained, lost, both, neither = [], [], 0, 0
    for task in problems:
        a, b = task in first, task in second
        if a and b:
            both += 1
        elif b:
            gained.append(task)
        elif a:
            lost.append(task)
        else:
            neither += 1
    return Paired(tuple(gained), tuple(lost), both, neither)
