"""The command line as users run it: real processes, exit codes, one-line errors, resume after a kill."""

import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import CLI, rustcoder_cli, sandbox_processes, wait_until

pytestmark = [pytest.mark.rustc, pytest.mark.sandbox]


def rustcoder(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    proc = rustcoder_cli(*args)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def write_samples(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_check_passes_on_good_references(fixtures):
    proc = rustcoder("check", str(fixtures / "humanevalx_mini.jsonl"), "--json", check=True)
    document = json.loads(proc.stdout)
    assert document["check"]["ok"] is True
    assert document["status_counts"]["passed"] == 3
    assert document["run"]["environment"]["rustc"].startswith("rustc ")


def test_check_fails_on_a_broken_reference(fixtures, tmp_path):
    rows = [json.loads(line) for line in (fixtures / "humanevalx_mini.jsonl").read_text().splitlines()]
    rows[1]["canonical_solution"] = "\n    s.to_string()\n}\n"
    bench = write_samples(tmp_path / "bench.jsonl", rows)
    proc = rustcoder("check", str(bench))
    assert proc.returncode == 1
    assert "FAIL Mini/1" in proc.stdout and "check failed" in proc.stdout


def test_evaluate_json_output(fixtures, tmp_path):
    samples = write_samples(
        tmp_path / "samples.jsonl",
        [
            {"task_id": "Mini/0", "completion": "\n    xs.iter().sum()\n}\n"},
            {"task_id": "Mini/0", "completion": "\n    0\n}\n"},
            {
                "task_id": "Mini/1",
                "solution": "fn reverse_string(s: &str) -> String { s.chars().rev().collect() }",
            },
            {"task_id": "Mini/1", "solution": "fn reverse_string(s: &str) -> String { 5 }"},
        ],
    )
    out = tmp_path / "run" / "results.jsonl"
    proc = rustcoder(
        "evaluate",
        str(fixtures / "humanevalx_mini.jsonl"),
        str(samples),
        "--out",
        str(out),
        "--json",
        "--k",
        "1,2,5",
        check=True,
    )
    document = json.loads(proc.stdout)
    assert document["benchmark"].endswith("humanevalx_mini.jsonl")
    assert (document["problems"], document["samples"]) == (2, 4)
    assert document["pass_at_k"] == {"1": 0.5, "2": 1.0}
    assert document["status_counts"]["passed"] == 2
    assert document["status_counts"]["compile_error"] == 1 and document["status_counts"]["test_failure"] == 1
    assert document["error_codes"] == {"E0308": 1}
    assert len(out.read_text().splitlines()) == 4
    assert json.loads((tmp_path / "run" / "results.summary.json").read_text())["samples"] == 4


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"task_id": "Mini/0", "completion": "x"}\n{"task_id": \n', "samples.jsonl:2: invalid JSON"),
        (
            b'{"task_id": "Nope/1", "completion": "x"}\n',
            "unknown task id(s) for this benchmark: 'Nope/1' (line 1)",
        ),
        (b'{"task_id": "Mini/0", "completion": "\xff"}\n', "samples.jsonl:1: not valid UTF-8"),
        (b"", "no samples"),
    ],
)
def test_bad_samples_give_one_clear_line(fixtures, tmp_path, content, expected):
    samples = tmp_path / "samples.jsonl"
    samples.write_bytes(content)
    proc = rustcoder("evaluate", str(fixtures / "humanevalx_mini.jsonl"), str(samples))
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2


def test_unknown_benchmark_and_missing_file(tmp_path):
    proc = rustcoder("evaluate", "no-such-bench", str(tmp_path / "s.jsonl"))
    assert proc.returncode == 2 and "unknown benchmark 'no-such-bench'" in proc.stderr
    assert "humanevalpack-rust" in proc.stderr and "Traceback" not in proc.stderr


def test_killed_run_resumes_without_losing_or_double_counting(fixtures, tmp_path):
    rows = [{"task_id": f"Mini/{i % 3}", "completion": "\n    loop {}\n}\n"} for i in range(6)]
    rows += [{"task_id": "Mini/0", "completion": "\n    xs.iter().sum()\n}\n"} for _ in range(10)]
    samples = write_samples(tmp_path / "samples.jsonl", rows)
    out = tmp_path / "results.jsonl"
    args = [
        "evaluate",
        str(fixtures / "humanevalx_mini.jsonl"),
        str(samples),
        "--out",
        str(out),
        "--timeout",
        "2",
        "--batch-size",
        "2",
        "--jobs",
        "1",
    ]
    proc = subprocess.Popen(
        [*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    assert wait_until(lambda: out.exists() and len(out.read_bytes().splitlines()) >= 2, timeout=60)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = len(out.read_bytes().splitlines())
    assert 2 <= partial < len(rows)
    assert wait_until(lambda: sandbox_processes() == [], timeout=5), sandbox_processes()
    assert list(Path(tempfile.gettempdir()).glob(f"rustcoder-run-{proc.pid}-*"))  # left by the kill
    document = json.loads(rustcoder(*args, "--json", check=True).stdout)
    assert not list(Path(tempfile.gettempdir()).glob(f"rustcoder-run-{proc.pid}-*"))  # swept on the rerun
    assert document["samples"] == len(rows)
    assert document["run"]["resumed_from"] >= 2 and document["run"]["executed"] <= len(rows) - 2
    keys = [(r["task_id"], r["sample_index"]) for r in map(json.loads, out.read_text().splitlines())]
    assert len(keys) == len(set(keys)) == len(rows)
    assert document["status_counts"]["timeout"] == 6 and document["status_counts"]["passed"] == 10


def test_ctrl_c_stops_promptly_and_keeps_results(fixtures, tmp_path):
    rows = [{"task_id": "Mini/0", "completion": "\n    xs.iter().sum()\n}\n"} for _ in range(4)]
    rows += [{"task_id": "Mini/1", "completion": "\n    loop {}\n}\n"} for _ in range(6)]
    samples = write_samples(tmp_path / "samples.jsonl", rows)
    out = tmp_path / "results.jsonl"
    args = ["evaluate", str(fixtures / "humanevalx_mini.jsonl"), str(samples), "--out", str(out),
            "--timeout", "30", "--batch-size", "4", "--jobs", "1"]  # fmt: skip
    proc = subprocess.Popen(
        [*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal, even when
    )  # fmt: skip  # the suite itself runs in the background, where the shell makes children ignore SIGINT
    assert wait_until(lambda: out.exists() and len(out.read_bytes().splitlines()) >= 4, timeout=60)
    assert wait_until(lambda: sandbox_processes() != [], timeout=30)  # now inside the 30 s loops
    interrupted = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - interrupted < 5
    assert "results written so far are kept" in stderr and "Traceback" not in stderr
    assert len(out.read_bytes().splitlines()) == 4
    assert wait_until(lambda: sandbox_processes() == [], timeout=5), sandbox_processes()


def test_resume_refuses_a_results_file_of_other_samples(fixtures, tmp_path):
    out = tmp_path / "results.jsonl"
    first = write_samples(tmp_path / "a.jsonl", [{"task_id": "Mini/0", "completion": "\n    0\n}\n"}])
    second = write_samples(tmp_path / "b.jsonl", [{"task_id": "Mini/0", "completion": "\n    1\n}\n"}])
    bench = str(fixtures / "humanevalx_mini.jsonl")
    rustcoder("evaluate", bench, str(first), "--out", str(out), check=True)
    proc = rustcoder("evaluate", bench, str(second), "--out", str(out))
    assert proc.returncode == 2 and "different version of this sample" in proc.stderr
    rustcoder("evaluate", bench, str(second), "--out", str(out), "--overwrite", check=True)


def test_report_of_two_runs(fixtures, tmp_path):
    bench = str(fixtures / "humanevalx_mini.jsonl")
    for name, completion, attempts, seconds in (
        ("good", "\n    xs.iter().sum()\n}\n", 1, 2.0),
        ("bad", '\n    "x"\n}\n', 3, 0.5),
    ):
        samples = write_samples(
            tmp_path / f"{name}.jsonl",
            [
                {"task_id": "Mini/0", "completion": completion, "attempts": attempts, "gen_seconds": seconds},
            ],
        )
        rustcoder(
            "evaluate", bench, str(samples), "--out", str(tmp_path / name / "results.jsonl"), check=True
        )
    proc = rustcoder(
        "report", str(tmp_path / "good"), str(tmp_path / "bad"), "--out", str(tmp_path / "rep"), check=True
    )
    assert "report.html" in proc.stdout
    page = (tmp_path / "rep" / "report.html").read_text()
    markdown = (tmp_path / "rep" / "report.md").read_text()
    assert page.count("<svg") == 4  # status, error codes, attempts, latency
    assert "E0308" in page and "good" in markdown and "bad" in markdown
    assert "| good | " in markdown and "pass@1 against latency" in markdown
    own = rustcoder("report", str(tmp_path / "good"), check=True)
    assert str(tmp_path / "good" / "report" / "report.md") in own.stdout.replace("\n", "")
    rustcoder("report", str(tmp_path / "good"), str(tmp_path / "bad"), check=True)
    assert "| bad | " not in (tmp_path / "good" / "report" / "report.md").read_text()  # left alone
    assert "| bad | " in (tmp_path / "good" / "report-vs-bad" / "report.md").read_text()
    missing = rustcoder("report", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "no rustcoder run found" in missing.stderr
