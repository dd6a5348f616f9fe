"""Where rustcoder keeps downloaded data and built artefacts."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def cache_dir() -> Path:
    """`$RUSTCODER_CACHE`, else `$XDG_CACHE_HOME/rustcoder`, else `~/.cache/rustcoder`."""
    explicit = os.environ.get("RUSTCODER_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rustcoder"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_once(target: Path, marker: str, build: Callable[[Path], object]) -> Path:
    """The directory `target`, made by `build(staging)` unless `target/marker` exists already: under a
    lock beside it (one process builds, the others wait, then use it), in a staging directory on the
    same filesystem that is renamed into place only once complete (a failed build leaves nothing)."""
    if (target / marker).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / marker).exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix="staging-", dir=target.parent))
        try:
            build(staging)
            staging.replace(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target
