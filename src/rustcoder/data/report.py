"""What a mining run was asked to do and what each of its stages kept: read by the datasheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rustcoder.data.licences import Verdict
from rustcoder.types import FimLayout


@dataclass(frozen=True, slots=True)
class MineSettings:
    include_tests: bool = False
    seed: int = 0
    licences: frozenset[Verdict] = frozenset({Verdict.PERMISSIVE})
    """Which licence verdicts are mined (permissive only by default)."""
    fim_layouts: tuple[FimLayout, ...] = (FimLayout.PSM, FimLayout.SPM)
    bench_per_kind: int = 100
    """Tasks of each FIM kind in `fim/test-bench.jsonl`, the benchmark sampled from the test split."""


@dataclass(slots=True)
class MineReport:
    """What each stage kept and left out: the datasheet is written from it."""

    sources: list[str]
    crates: int = 0
    licences: dict[str, int] = field(default_factory=dict)
    licence_excluded: dict[str, list[str]] = field(default_factory=dict)
    discovery_skipped: dict[str, int] = field(default_factory=dict)
    files: int = 0
    functions: int = 0
    extraction_skipped: dict[str, int] = field(default_factory=dict)
    exact_duplicates: int = 0
    near_duplicates: int = 0
    benchmark_problems: int = 0
    contaminated: list[dict[str, Any]] = field(default_factory=list)
    kept: int = 0
    fim_examples: dict[str, dict[str, int]] = field(default_factory=dict)
    instructions: dict[str, int] = field(default_factory=dict)
    split_crates: dict[str, list[str]] = field(default_factory=dict)
    middle_lengths: dict[str, dict[str, int]] = field(default_factory=dict)
    bench_tasks: dict[str, int] = field(default_factory=dict)
    """Tasks of each kind in the benchmark sampled from the test split."""
