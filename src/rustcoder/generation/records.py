"""The samples file rustcoder's generator writes: one `GeneratedSample` per line.

Any file with `task_id` and `completion` or `solution` per line can be evaluated (evaluation.samples
reads those); this is the richer record the generator itself writes and reads back to resume. The line
layout is the one rustcoder 0.1 wrote, key for key, so the default job's samples stay byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class GeneratedSample:
    """One sample: the code, how it was made and what that took; or, failed, the backend's error."""

    task_id: str
    sample_index: int
    field: str
    """"solution" (whole code for the function) or "completion" (continues the benchmark prompt)."""
    text: str
    attempts: int
    well_formed: bool = False
    finish: str = ""
    gen_seconds: float = 0.0
    ttft_seconds: float = 0.0
    tokens: int = 0
    tokens_per_second: float = 0.0
    prompt_tokens: int = 0
    raw: str = ""
    """The last generation's text as the model wrote it, before extraction."""
    rounds: int | None = None
    """Feedback rounds used, for multi-turn strategies."""
    repair_log: tuple[dict[str, str], ...] | None = None
    """Each feedback round's message and answer (runs before rustcoder 0.1's repair log have none)."""
    error: str | None = None
    """Why the backend made no sample; such a sample is generated again on resume."""
    call: int | None = None
    """For samples decoded together: the first sample index of their call. Their `gen_seconds` run from
    the call's start and overlap, so the call costs its slowest sample, not their sum (exactly when each
    made one attempt: retries come after the call, one by one, and the slowest counts only its own)."""

    @classmethod
    def failed(cls, task_id: str, sample_index: int, error: str, attempts: int) -> GeneratedSample:
        return cls(task_id, sample_index, "solution", "", attempts, error=error[:500])

    def to_json(self) -> dict[str, Any]:
        head: dict[str, Any] = {"task_id": self.task_id, "sample_index": self.sample_index}
        if self.error is not None:
            return {**head, "solution": "", "error": self.error, "attempts": self.attempts}
        if self.rounds is not None:
            head["rounds"] = self.rounds
        if self.repair_log is not None:
            head["repair_log"] = list(self.repair_log)
        return {
            **head,
            self.field: self.text,
            "attempts": self.attempts,
            "well_formed": self.well_formed,
            "finish": self.finish,
            "gen_seconds": round(self.gen_seconds, 4),
            "ttft_seconds": round(self.ttft_seconds, 4),
            "tokens": self.tokens,
            "tokens_per_second": round(self.tokens_per_second, 2),
            "prompt_tokens": self.prompt_tokens,
            "raw": self.raw,
            **({"call": self.call} if self.call is not None else {}),
        }

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> GeneratedSample:
        """KeyError, ValueError or TypeError when the row is not one of the generator's samples."""
        task_id, index = str(row["task_id"]), int(row["sample_index"])
        if row.get("error"):
            return cls.failed(task_id, index, str(row["error"]), int(row.get("attempts", 0)))
        field = "completion" if "completion" in row else "solution"
        log = row.get("repair_log")
        rounds = row.get("rounds")
        return cls(
            task_id,
            index,
            field,
            str(row[field]),
            int(row.get("attempts", 1)),
            bool(row.get("well_formed", False)),
            str(row.get("finish", "")),
            float(row.get("gen_seconds", 0.0)),
            float(row.get("ttft_seconds", 0.0)),
            int(row.get("tokens", 0)),
            float(row.get("tokens_per_second", 0.0)),
            int(row.get("prompt_tokens", 0)),
            str(row.get("raw", "")),
            int(rounds) if rounds is not None else None,
            tuple(log) if isinstance(log, list) else None,
            call=int(row["call"]) if row.get("call") is not None else None,
        )

    @property
    def key(self) -> tuple[str, int]:
        return (self.task_id, self.sample_index)
