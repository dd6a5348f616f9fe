"""Benchmarks by name or path: `load_benchmark("humanevalpack-rust")` or `load_benchmark("my.jsonl")`.

Built-in benchmarks are listed in `registry.py`; other packages add theirs through the
`rustcoder.benchmarks` entry-point group (each entry point names a `BenchmarkSpec`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from rustcoder.benchmarks.defects import DefectNote, apply_defects
from rustcoder.benchmarks.formats import Format, load_problems
from rustcoder.benchmarks.registry import BenchmarkSpec, SourceEntry, all_specs
from rustcoder.benchmarks.sources import Fetched, LocalFile
from rustcoder.errors import DataUnavailableError, UnknownBenchmarkError
from rustcoder.types import Problem

__all__ = ["Benchmark", "BenchmarkSpec", "all_specs", "load_benchmark", "resolve"]


@dataclass(slots=True)
class Benchmark:
    """Loaded problems plus everything a run must record about where they came from."""

    name: str
    problems: list[Problem]
    origin: str
    sha256: str
    fmt: Format
    defects: list[DefectNote] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)
    """Sources tried before the one used, each with why it failed."""

    def problem(self, task_id: str) -> Problem:
        for problem in self.problems:
            if problem.task_id == task_id:
                return problem
        raise KeyError(task_id)

    @property
    def excused(self) -> set[str]:
        """Tasks with a known, not-fixed-in-this-copy defect."""
        return {note.task_id for note in self.defects if note.action != "absent"}

    def provenance(self) -> dict[str, object]:
        return {
            "name": self.name,
            "origin": self.origin,
            "sha256": self.sha256,
            "format": self.fmt.value,
            "problems": len(self.problems),
            "defects": [note.to_dict() for note in self.defects],
            "notes": self.notes,
        }


def resolve(name_or_path: str) -> BenchmarkSpec:
    """The registered spec for a name, or an ad-hoc spec for an existing file."""
    specs = all_specs()
    if name_or_path in specs:
        return specs[name_or_path]
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return BenchmarkSpec(str(path), f"local file {path}", (SourceEntry(LocalFile(path)),))
    known = ", ".join(sorted(specs))
    raise UnknownBenchmarkError(f"unknown benchmark {name_or_path!r}: not a file, and not one of {known}")


def _convert(entry: SourceEntry, fetched: Fetched, *, patches: bool) -> Benchmark:
    fmt, problems = load_problems(fetched.path)
    notes: list[str] = []
    if entry.header:
        problems = [dataclasses.replace(p, header=entry.header + p.header) for p in problems]
        notes.append(f"added the benchmark's import header, which {fetched.origin} leaves out")
    problems, defect_notes = apply_defects(fmt, problems, patches=patches)
    if entry.rename is not None:
        rename = entry.rename
        problems = [dataclasses.replace(p, task_id=rename(p.task_id)) for p in problems]
        defect_notes = [dataclasses.replace(n, task_id=rename(n.task_id)) for n in defect_notes]
        notes.append(f"renamed task ids to {problems[0].task_id.split('/')[0]}/N")
    if entry.derive is not None:
        sources = {p.task_id for p in problems}
        problems = entry.derive(problems)
        notes.append(f"{len(problems)} infilling tasks made from the {len(sources)} canonical solutions")
    return Benchmark("", problems, fetched.origin, fetched.sha256, fmt, defect_notes, notes)


def load_benchmark(name_or_path: str, *, patches: bool = True) -> Benchmark:
    """Load by registered name or file path, trying the spec's sources in order."""
    spec = resolve(name_or_path)
    tried: list[str] = []
    for entry in spec.sources:
        try:
            fetched = entry.source.fetch()
        except DataUnavailableError as exc:
            tried.append(str(exc))
            continue
        benchmark = _convert(entry, fetched, patches=patches)
        benchmark.name, benchmark.tried = spec.name, tried
        return benchmark
    raise DataUnavailableError(f"benchmark {spec.name}: no source could be read: " + " | ".join(tried))
