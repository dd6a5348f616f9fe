"""The web UI's sources: they type-check (TypeScript, strict), and the bundle served is built from them."""

from __future__ import annotations

import hashlib
import json
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


def test_rustc_diagnostics_become_markers_on_the_solutions_lines_only(tmp_path):
    """The Solve page's reading of rustc's output, run under Node (bundled by the project's esbuild)."""
    bundle = tmp_path / "diagnostics.mjs"
    esbuild = WEB / "node_modules" / ".bin" / "esbuild"
    built = subprocess.run(
        [str(esbuild), "src/diagnostics.ts", "--bundle", "--format=esm", f"--outfile={bundle}"],
        cwd=WEB, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    output = (
        "error[E0308]: mismatched types\n --> solution.rs:3:5\n  |\n3 |     a + 1.0\n"
        "  |     ^^^ expected `i32`\n\n"
        "warning: unused variable: `x`\n --> solution.rs:2:9\n\n"
        "error[E0425]: cannot find function `larger` in this scope\n --> tests.rs:8:20\n"
    )
    script = f"import {{ parseDiagnostics }} from {json.dumps(str(bundle))};\n"
    script += f"console.log(JSON.stringify(parseDiagnostics({json.dumps(output)})));\n"
    run = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [
        {"line": 3, "column": 5, "severity": "error", "message": "E0308: mismatched types"},
        {"line": 2, "column": 9, "severity": "warning", "message": "unused variable: `x`"},
    ]  # the tests' own error is not marked on the code
