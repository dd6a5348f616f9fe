"""Wall time of each start of a run, from run.json's history; a run resumed after a kill has several.

Generation time comes from the samples' own figures (metrics.summary); a start's wall time is what the
clock on the wall said, which includes loading the model and evaluating. A start that was killed
records no end: its wall time is unknown, bounded by the next start when there is one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Start:
    started_at: str
    ended: str
    """"finished", "interrupted" (Ctrl-C or an error, end recorded) or "killed" (no end recorded)."""
    wall_seconds: float | None
    """Start to end; None when no end was recorded."""
    at_most_seconds: float | None
    """For a killed start: the time until the next start, an upper bound on its wall time."""
    generated: int | None
    """Samples generated in this start, where recorded."""


def _time(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None


def starts(history: Sequence[dict[str, Any]]) -> list[Start]:
    """One record per start, in order."""
    out = []
    for index, entry in enumerate(history):
        begun = _time(entry.get("started_at"))
        end_text = entry.get("finished_at") or entry.get("ended_at")
        end = _time(end_text) if end_text else None
        later = _time(history[index + 1].get("started_at")) if index + 1 < len(history) else None
        wall = (end - begun).total_seconds() if begun and end else None
        bound = (later - begun).total_seconds() if begun and later and end is None else None
        ended = "finished" if entry.get("finished_at") else ("interrupted" if end else "killed")
        generated = entry.get("generated")
        out.append(
            Start(
                str(entry.get("started_at", "?")),
                ended,
                wall,
                bound,
                generated if isinstance(generated, int) else None,
            )
        )
    return out


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def describe_start(start: Start) -> str:
    """`21.3 min` / `killed; at most 20.8 min` / `interrupted after 3 s`, for tables."""
    if start.wall_seconds is not None:
        prefix = "" if start.ended == "finished" else f"{start.ended} after "
        return prefix + minutes(start.wall_seconds)
    if start.at_most_seconds is not None:
        return f"killed; at most {minutes(start.at_most_seconds)}"
    return "killed; no end recorded"
