"""Scratch directories for batches: one root per run, named by pid, so roots of killed runs can be swept."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "rustcoder-run-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(parent: Path) -> int:
    """Remove run roots whose process is gone (a SIGKILLed run cannot clean up); returns how many."""
    removed = 0
    for root in parent.glob(f"{PREFIX}*"):
        pid = root.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(root, ignore_errors=True)
            removed += 1
    return removed


def new_run_root(parent: Path | None) -> Path:
    """A fresh root for this run's batch directories, after sweeping stale ones from the same parent."""
    base = parent or Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    sweep_stale(base)
    root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    # Searchable, not listable: the unshare fallback's sandbox uid must reach its batch directory in it.
    root.chmod(0o711)
    return root
