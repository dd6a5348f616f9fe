"""The web UI end to end: a real `rustcoder serve` process on the default model, driven in Debian's
headless Chromium by Playwright. Screenshots go to `.artifacts/ui/` (or $RUSTCODER_ARTIFACTS)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rustcoder.serve.routers.ui import STATIC
from tests.conftest import fake_runs, serve_process

pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    pytest.mark.slow,
    pytest.mark.rustc,
    pytest.mark.sandbox,
]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("RUSTCODER_ARTIFACTS", Path(__file__).parent.parent / ".artifacts" / "ui"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ui-runs")
    fake_runs(root)
    shutil.copytree(root / "mini-delimited", root / "damaged")
    (root / "damaged" / "run.json").write_text("{ half")
    return root


@pytest.fixture(scope="module")
def server(runs) -> Iterator[str]:
    if not (STATIC / "index.html").is_file():
        pytest.fail("the web UI is not built: run ./setup.sh")
    with serve_process("--runs", str(runs), "--context-tokens", "512") as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context
        finally:
            context.close()


def test_the_page_loads_from_a_cold_cache_and_its_time_is_recorded(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/#/runs", wait_until="load")
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {load: n.loadEventEnd, transfer: performance.getEntriesByType('resource')"
        ".reduce((s, r) => s + r.transferSize, n.transferSize)}; })()"
    )
    page.wait_for_selector("[data-testid=runs-table]")
    (ARTIFACTS / "page-load.json").write_text(
        json.dumps({"load_ms": timing["load"], "bytes": timing["transfer"]})
    )
    assert timing["load"] > 0 and timing["transfer"] > 100_000  # the bundle came over the network
    page.close()


def test_typing_in_the_editor_shows_a_ghost_suggestion_that_tab_accepts(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/#/editor")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector(".cm-content")
    line = page.locator(".cm-line", has_text="fn word_counts")
    line.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("    let mut counts = HashMap::new();")
    page.keyboard.press("Enter")
    ghost = page.locator(".cm-ghost")
    ghost.wait_for(timeout=300_000)  # the first request evaluates the whole window
    suggested = ghost.inner_text()
    page.screenshot(path=str(ARTIFACTS / "editor-suggestion.png"))
    assert suggested.strip()
    status = page.locator("[data-testid=completion-status]").inner_text()
    assert "suggestion in" in status and "ms" in status
    page.keyboard.press("Tab")
    assert page.locator(".cm-ghost").count() == 0
    text = page.evaluate("JSON.parse(localStorage.getItem('rustcoder.files'))[0].text")
    assert suggested.split("\n")[0] in text  # accepted into the file, which the browser kept
    page.screenshot(path=str(ARTIFACTS / "editor-accepted.png"))
    page.close()


def test_solving_a_small_task_shows_its_status_and_code(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/#/solve")
    page.fill("#solve-description", "Return the sum of a and b.")
    page.fill("#solve-signature", "fn add(a: i32, b: i32) -> i32")
    page.fill("#solve-tests", "#[test]\nfn adds() { assert_eq!(add(2, 3), 5); }")
    page.fill("#solve-rounds", "1")
    page.click("button[type=submit]")
    status = page.locator("[data-testid=solve-status]")
    status.wait_for(timeout=300_000)
    page.screenshot(path=str(ARTIFACTS / "solve.png"))
    assert status.inner_text() in ("passed", "compile error", "test failure", "panic", "timeout")
    assert "fn add" in page.locator(".code-host .cm-content").inner_text()
    page.close()


def test_runs_open_into_a_grid_and_a_sample_and_a_damaged_run_says_why(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/#/runs")
    table = page.locator("[data-testid=runs-table]")
    table.wait_for()
    assert table.locator("tbody tr").count() == 3
    assert "run.json is not valid JSON" in table.locator("tr", has_text="damaged").inner_text()
    page.check("input[aria-label='select mini-delimited']")
    page.check("input[aria-label='select mini-completion']")
    grid = page.locator("[data-testid=grid]")
    grid.locator("th", has_text="mini-completion").wait_for()  # the grid of both runs
    assert grid.locator("tbody tr").count() == 1  # the fixture has one problem
    assert page.url.endswith("#/runs?sel=mini-delimited,mini-completion")  # the selection is in the address
    codes = page.locator("input[aria-label='Filter by error code']")
    codes.fill("E0308")  # no sample failed with it
    assert grid.locator("tbody tr").count() == 0 and page.locator(".count").inner_text() == "0 of 1 problems"
    codes.fill("")
    page.screenshot(path=str(ARTIFACTS / "runs-grid.png"), full_page=True)
    grid.locator("a.cell").first.click()
    samples = page.locator("[data-testid=sample]")
    samples.first.wait_for()
    assert samples.count() == 2  # the run and the other selected one, side by side
    assert "Extracted code" in samples.first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "sample.png"), full_page=True)
    page.goto(f"{server}/#/sample?run=no-such-run&task=Rust%2F0&i=0")
    banner = page.locator(".error-banner")
    banner.wait_for()
    assert "no run named 'no-such-run'" in banner.inner_text()  # a message, not a blank page
    page.close()
