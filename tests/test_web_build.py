"""The web UI's sources: they type-check (TypeScript, strict), and the bundle served is built from them."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from rustcoder.serve.routers.ui import STATIC

WEB = Path(__file__).parent.parent / "web"


def test_the_ui_sources_type_check():
    proc = subprocess.run(
        ["npm", "run", "--silent", "check"], cwd=WEB, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_the_served_bundle_is_built_from_these_sources():
    files = sorted(
        str(p.relative_to(Path(__file__).parent.parent))
        for p in [
            *(WEB / "src").rglob("*"),
            *(WEB / n for n in ("index.html", "build.mjs", "package.json", "package-lock.json")),
        ]
        if p.is_file()
    )
    root = Path(__file__).parent.parent
    digest = hashlib.sha256(b"".join((root / f).read_bytes() for f in files)).hexdigest()
    stamp = STATIC / ".source-stamp"
    assert stamp.is_file(), "the web UI is not built: run ./setup.sh"
    assert stamp.read_text().strip() == digest, "the web UI bundle is older than web/: run ./setup.sh"
    assert (STATIC / "assets" / "main.js").stat().st_size > 100_000
