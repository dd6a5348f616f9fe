"""Which rustcoder produced a result: the release, plus the commit when it runs from a git checkout."""

import functools
import subprocess
from pathlib import Path

from rustcoder import __version__

_PACKAGE = Path(__file__).resolve().parent


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.cache
def source_version(package: Path = _PACKAGE) -> str:
    """`0.1.0` for an installed release; `0.1.0+g<commit>` from a checkout, `.dirty` when the package's
    sources differ from that commit, so two runs' records tell whether the same code made them."""
    root = package.parent.parent
    if not (root / ".git").exists():
        return __version__
    commit = _git(root, "rev-parse", "--short=12", "HEAD")
    if commit is None:
        return __version__
    changes = _git(root, "status", "--porcelain", "--untracked-files=no", "--", str(package))
    return f"{__version__}+g{commit}" + (".dirty" if changes else "")
