"""The web UI: its page at `/`, its bundle under `/assets/` (built from web/ by the set-up), and the runs
folder's files (the HTML reports) under `/runs-files/`. The page uses only the public API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"
"""Where `web/build.mjs` writes the bundle."""

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>rustcoder</title>
<p>rustcoder's web UI is not built in this installation. Build it with <code>./setup.sh</code> (it needs
Node.js and npm), or <code>cd web && npm ci && npm run build</code>. The HTTP API works without it.</p>"""

router = APIRouter()


@router.get("/", include_in_schema=False)
def page() -> Response:
    index = STATIC / "index.html"
    if not index.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


def mount_ui(app: FastAPI, runs: Path | None) -> None:
    """Serve the bundle and, when the server shows runs, the runs folder's files."""
    app.include_router(router)
    if (STATIC / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC / "assets"), name="assets")
    if runs is not None and runs.is_dir():
        app.mount("/runs-files", StaticFiles(directory=runs, html=True), name="runs-files")
