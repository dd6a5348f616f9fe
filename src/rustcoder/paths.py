"""Where rustcoder keeps downloaded data and built artefacts."""

from __future__ import annotations

import hashlib
import os
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
