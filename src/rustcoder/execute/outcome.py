"""What processing one batch yields: final results, or smaller batches to try next (or both)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rustcoder.types import ExecResult

T = TypeVar("T")


@dataclass(slots=True)
class BatchOutcome(Generic[T]):
    results: dict[str, ExecResult] = field(default_factory=dict)
    retry: list[list[T]] = field(default_factory=list)
