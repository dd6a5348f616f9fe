"""The Runs page's API over real run folders (made by `rustcoder run` with the fake backend), and over
damaged ones: a clear message, never a 500."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import fake_runs, make_client

pytestmark = [pytest.mark.rustc, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    fake_runs(root)
    return root


def client_for(root: Path) -> TestClient:
    return make_client([], runs=root)[0]


def test_the_runs_table_shows_each_run_with_its_score(runs):
    answer = client_for(runs).get("/api/runs")
    assert answer.status_code == 200, answer.text
    rows = {row["name"]: row for row in answer.json()["runs"]}
    assert set(rows) == {"mini-delimited", "mini-completion"}
    row = rows["mini-delimited"]
    summary = json.loads((runs / "mini-delimited" / "results.summary.json").read_text())
    assert row["pass_at_1"] == summary["pass_at_k"]["1"] and row["problem"] is None
    assert row["strategy"] == "delimited" and row["model"] == "fake" and row["status"] == "complete"
    assert row["samples"] == summary["samples"] > 0
    assert row["report"] == "mini-delimited/report/report.html"


def test_a_run_lists_every_problem_and_a_sample_opens_in_full(runs):
    client = client_for(runs)
    detail = client.get("/api/runs/mini-delimited").json()
    problems = detail["problems"]
    info = json.loads((runs / "mini-delimited" / "run.json").read_text())
    assert [p["task_id"] for p in problems] == info["problems"]
    first = problems[0]
    assert first["samples"][0]["status"] in ("passed", "compile_error", "test_failure", "panic", "timeout")
    sample = client.get("/api/runs/mini-delimited/sample", params={"task_id": first["task_id"]}).json()
    assert sample["status"] == first["samples"][0]["status"]
    assert sample["generation"]["raw"] and sample["result"]["sample_sha"]
    [message] = sample["prompt"]  # the delimited strategy's one user message
    assert message["role"] == "user" and "RUST_BEGIN" in message["content"]


def test_a_runs_html_report_is_served_beside_it(runs):
    client = client_for(runs)
    report = client.get("/runs-files/mini-delimited/report/report.html")
    assert report.status_code == 200 and "<html" in report.text.lower()
    assert client.get("/runs-files/../run.json").status_code == 404


def test_unknown_runs_and_samples_are_404_with_a_message(runs):
    client = client_for(runs)
    for path, params in (
        ("/api/runs/nothing-here", {}),
        ("/api/runs/..", {}),
        ("/api/runs/mini-delimited/sample", {"task_id": "Rust/999"}),
    ):
        answer = client.get(path, params=params)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.json()["error"]["message"]
    unset = make_client([])[0].get("/api/runs")
    assert unset.status_code == 404 and "--runs DIR" in unset.json()["error"]["message"]


def test_damaged_runs_are_listed_with_what_is_wrong(runs, tmp_path):
    root = tmp_path / "damaged"
    root.mkdir()
    for name in ("torn", "garbled", "no-results", "bad-json"):
        shutil.copytree(runs / "mini-delimited", root / name)
    torn = root / "torn" / "results.jsonl"
    torn.write_text(torn.read_text() + '{"task_id": "Rust/0", "sampl')  # killed mid-line
    (root / "garbled" / "results.jsonl").write_text("not json at all\n" + "{}\n")
    (root / "no-results" / "results.jsonl").unlink()
    (root / "bad-json" / "run.json").write_text("{ half")
    client = client_for(root)
    rows = {row["name"]: row for row in client.get("/api/runs").json()["runs"]}
    assert rows["torn"]["problem"] is None and rows["torn"]["samples"] > 0  # read to its last whole line
    assert "results.jsonl:1" in rows["garbled"]["problem"]
    assert rows["no-results"]["problem"] == "results.jsonl is missing"
    assert "run.json is not valid JSON" in rows["bad-json"]["problem"]
    for name in rows:  # each still opens, with what can be read
        assert client.get(f"/api/runs/{name}").status_code == 200
