"""Decontamination: mined code that overlaps a benchmark's prompts, solutions or tests is removed.

The text of every problem (prompt with its doc comment, canonical solution, hidden and example tests)
is cut into word-level n-grams, n = 10 (words and punctuation, comments included, case kept). A mined
function, doc comment included, is contaminated when at least half of its own 10-grams occur in one
problem's, so that a copied solution or description is caught while a shared idiom
(`assert_eq!(...)`, `let mut v = Vec::new()`) is not. The n and the threshold follow the practice of
n-gram decontamination in BigCode's and others' data pipelines (10-13 tokens); both are parameters, and
every removal records the problem and the overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rustcoder.data.functions import MinedFunction
from rustcoder.types import Problem

N = 10
THRESHOLD = 0.5
_WORD = re.compile(r"\w+|[^\w\s]")


def ngrams(text: str, n: int = N) -> set[tuple[str, ...]]:
    words = _WORD.findall(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True, slots=True)
class Contamination:
    function: MinedFunction
    benchmark: str
    task_id: str
    overlap: float
    """The share of the function's n-grams found in the problem's."""


@dataclass(slots=True)
class Index:
    """Every benchmark problem's n-grams, by n-gram."""

    n: int = N
    owners: dict[tuple[str, ...], set[tuple[str, str]]] = field(default_factory=dict)
    problems: int = 0

    def add(self, benchmark: str, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.problems += 1
            texts = (
                problem.prompt,
                problem.canonical_solution or "",
                problem.tests,
                problem.example_tests or "",
            )
            for gram in ngrams("\n".join(texts), self.n):
                self.owners.setdefault(gram, set()).add((benchmark, problem.task_id))

    def worst(self, function: MinedFunction) -> tuple[str, str, float] | None:
        """The problem the function overlaps most, with the overlap, if it shares any n-gram."""
        grams = ngrams(function.code, self.n)
        if not grams:
            return None
        shared: dict[tuple[str, str], int] = {}
        for gram in grams:
            for owner in self.owners.get(gram, ()):
                shared[owner] = shared.get(owner, 0) + 1
        if not shared:
            return None
        (benchmark, task_id), count = max(shared.items(), key=lambda item: (item[1], item[0]))
        return benchmark, task_id, count / len(grams)


@dataclass(slots=True)
class Decontamination:
    kept: list[MinedFunction] = field(default_factory=list)
    removed: list[Contamination] = field(default_factory=list)


def decontaminate(
    functions: Sequence[MinedFunction], index: Index, *, threshold: float = THRESHOLD
) -> Decontamination:
    """The functions whose overlap with every benchmark problem stays below `threshold`."""
    out = Decontamination()
    for function in functions:
        worst = index.worst(function)
        if worst is not None and worst[2] >= threshold:
            out.removed.append(Contamination(function, *worst))
        else:
            out.kept.append(function)
    return out
