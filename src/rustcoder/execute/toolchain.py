"""The Rust toolchain and the rand/regex/md5 rlibs that benchmark tests link against.

The crates are built once, offline, from Debian's packaged crate sources (librust-*-dev) into
`<cache>/crates/<key>/`, where the key covers the rustc version and the crate versions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rustcoder.errors import ToolchainError
from rustcoder.paths import build_once, cache_dir

log = logging.getLogger(__name__)

CRATES = {"rand": "0.8", "regex": "1", "md5": "0.7"}
"""Crates HumanEval-X/HumanEvalPack tests `use`, with the version requirement."""
DEBIAN_PACKAGES = "librust-rand-dev librust-regex-dev librust-md5-dev"
DEFAULT_REGISTRY = Path("/usr/share/cargo/registry")


@dataclass(frozen=True, slots=True)
class Toolchain:
    """rustc plus the prebuilt crates, ready to compile benchmark programs."""

    rustc: Path
    sysroot: Path
    version: str
    crates_dir: Path
    externs: dict[str, Path]

    def compile_args(self) -> list[str]:
        """Flags shared by every compile: edition 2021, debug assertions on (as `cargo test`), crates."""
        args = ["--edition", "2021", "-C", "debuginfo=0", "-L", f"dependency={self.crates_dir}"]
        for name, path in sorted(self.externs.items()):
            args += ["--extern", f"{name}={path}"]
        return args

    def describe(self) -> dict[str, object]:
        return {
            "rustc": self.version,
            "crates": {name: path.name for name, path in sorted(self.externs.items())},
        }


def _run(
    cmd: list[str], *, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=cwd, timeout=timeout)
    except FileNotFoundError as exc:
        raise ToolchainError(
            f"{cmd[0]} not found: install Rust (rustup, or apt-get install rustc cargo)"
        ) from exc


@cache
def find_rustc() -> tuple[Path, Path, str]:
    """(real rustc binary, sysroot, `rustc -vV` first line); honours $RUSTC."""
    rustc = os.environ.get("RUSTC") or shutil.which("rustc") or str(Path.home() / ".cargo/bin/rustc")
    sysroot_proc = _run([rustc, "--print", "sysroot"])
    if sysroot_proc.returncode != 0:
        raise ToolchainError(f"{rustc} --print sysroot failed: {sysroot_proc.stderr.strip()}")
    sysroot = Path(sysroot_proc.stdout.strip())
    version = _run([rustc, "-V"]).stdout.strip()
    # The rustup proxy needs $HOME files the sandbox cannot see; the sysroot's own binary does not.
    real = sysroot / "bin" / "rustc"
    return (real if real.exists() else Path(rustc)), sysroot, version


def _registry() -> Path:
    return Path(os.environ.get("RUSTCODER_CRATE_REGISTRY", str(DEFAULT_REGISTRY)))


def _crate_versions(registry: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, requirement in CRATES.items():
        major = requirement.split(".")
        candidates = sorted(
            (entry.name for entry in registry.glob(f"{name}-*") if entry.is_dir()),
            reverse=True,
        )
        match = [c for c in candidates if c[len(name) + 1 :].split(".")[: len(major)] == major]
        if not match:
            raise ToolchainError(
                f"crate {name} {requirement} not found in {registry}: apt-get install {DEBIAN_PACKAGES}"
            )
        found[name] = match[0][len(name) + 1 :]
    return found


def _cache_key(version: str, crates: dict[str, str]) -> str:
    text = version + json.dumps(crates, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _build(target: Path, registry: Path, crates: dict[str, str]) -> dict[str, str]:
    cargo = os.environ.get("CARGO") or shutil.which("cargo") or str(Path.home() / ".cargo/bin/cargo")
    with tempfile.TemporaryDirectory(prefix="rustcoder-crates-") as tmp:
        project = Path(tmp)
        deps = "\n".join(f'{name} = "={version}"' for name, version in crates.items())
        (project / "Cargo.toml").write_text(
            f'[package]\nname = "rustcoder-crates"\nversion = "0.0.0"\nedition = "2021"\n\n'
            f"[dependencies]\n{deps}\n\n[profile.dev]\ndebug = 0\n"
        )
        (project / "src").mkdir()
        (project / "src" / "lib.rs").write_text("")
        cmd = [
            cargo,
            "build",
            "--offline",
            "--message-format=json",
            "--config",
            'source.crates-io.replace-with="rustcoder-registry"',
            "--config",
            f'source.rustcoder-registry.directory="{registry}"',
            "--config",
            "net.offline=true",
        ]
        proc = _run(cmd, cwd=project, timeout=1800)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            raise ToolchainError(f"building {', '.join(crates)} from {registry} failed:\n{tail}")
        externs: dict[str, str] = {}
        for line in proc.stdout.splitlines():
            message = json.loads(line)
            if message.get("reason") != "compiler-artifact":
                continue
            for filename in message.get("filenames", []):
                if filename.endswith(".rlib"):
                    shutil.copy2(filename, target / Path(filename).name)
                    if message["target"]["name"] in crates:
                        externs[message["target"]["name"]] = Path(filename).name
    return externs


def ensure_crates(version: str) -> tuple[Path, dict[str, Path]]:
    """The crate cache for this rustc, building it (once, under a lock) if needed."""
    registry = _registry()
    crates = _crate_versions(registry)
    final = cache_dir() / "crates" / _cache_key(version, crates)

    def build(staging: Path) -> None:
        log.info("building crates %s once into %s", crates, final)
        externs = _build(staging, registry, crates)
        (staging / "manifest.json").write_text(
            json.dumps({"rustc": version, "crates": crates, "externs": externs}, indent=2)
        )
        staging.chmod(0o755)

    build_once(final, "manifest.json", build)
    info = json.loads((final / "manifest.json").read_text())
    return final, {name: final / filename for name, filename in info["externs"].items()}


@cache
def load_toolchain() -> Toolchain:
    """rustc and the crate cache (built on first use)."""
    rustc, sysroot, version = find_rustc()
    crates_dir, externs = ensure_crates(version)
    return Toolchain(rustc, sysroot, version, crates_dir, externs)
