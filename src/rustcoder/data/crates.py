"""Where mined Rust code comes from: crates found under source directories, each with its licence.

A crate is a directory whose Cargo.toml has a `[package]` (workspace roots without one are walked
into, not taken). By default the source is Debian's crate registry, `/usr/share/cargo/registry`, one
directory per crate version (`./setup.sh --with-crates` installs the pinned set in
`debian_crates.txt`). Nothing is refused silently: a Cargo.toml that cannot be read, or a licence
expression that is not SPDX, is a counted skip with its reason.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rustcoder.data.licences import Licence, LicenceSyntaxError, Verdict, read_licence

DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
SKIPPED_DIRS = frozenset({"target", ".git", "node_modules", "vendor", "third_party", "third-party"})
"""Build output, version control and vendored copies of other code: never crates of their own."""


@dataclass(frozen=True, slots=True)
class Crate:
    name: str
    version: str
    root: Path
    licence: Licence

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


@dataclass(slots=True)
class Discovery:
    """The crates found, and what was skipped and why (reason -> paths)."""

    crates: list[Crate] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, path: Path) -> None:
        self.skipped.setdefault(reason, []).append(str(path))

    def by_verdict(self) -> dict[Verdict, int]:
        counts = dict.fromkeys(Verdict, 0)
        for crate in self.crates:
            counts[crate.licence.verdict] += 1
        return counts


def pinned_debian_packages() -> list[str]:
    """The `librust-*-dev` packages `./setup.sh --with-crates` installs."""
    text = resources.files("rustcoder.data").joinpath("debian_crates.txt").read_text(encoding="utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [f"librust-{name}-dev" for name in names]


def _manifests(source: Path) -> Iterator[Path]:
    """Cargo.toml files below `source`, outer crates before the ones nested in them."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        if "Cargo.toml" in files:
            yield Path(folder) / "Cargo.toml"


def _crate(manifest: Path, found: Discovery) -> Crate | None:
    try:
        document = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        found.skip(f"unreadable Cargo.toml ({type(exc).__name__})", manifest)
        return None
    package = document.get("package")
    if not isinstance(package, dict):
        return None  # a workspace root: its members are found on their own
    name, version = package.get("name"), package.get("version", "0.0.0")
    if not isinstance(name, str) or not isinstance(version, str):
        found.skip("Cargo.toml without a package name and version", manifest)
        return None
    license_field, license_file = package.get("license"), package.get("license-file")
    try:
        licence = read_licence(
            license_field if isinstance(license_field, str) else None,
            license_file if isinstance(license_file, str) else None,
        )
    except LicenceSyntaxError as exc:
        found.skip(f"licence expression that is not SPDX ({exc})", manifest)
        return None
    return Crate(name, version, manifest.parent, licence)


def discover(sources: Iterable[Path]) -> Discovery:
    """Every crate under `sources`, in a stable order (by path); a crate is never counted twice."""
    found = Discovery()
    seen: set[Path] = set()
    for source in sources:
        if not source.is_dir():
            found.skip("not a directory", source)
            continue
        for manifest in _manifests(source):
            root = manifest.parent.resolve()
            if root in seen:
                continue
            seen.add(root)
            crate = _crate(manifest, found)
            if crate is not None:
                found.crates.append(crate)
    return found
