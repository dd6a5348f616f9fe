"""`rustcoder data mine` end to end on small crates written here: licences, duplicates, contamination,
bad files, determinism, and an output directory that is whole or absent."""

import json
from pathlib import Path

import pytest

from rustcoder.data.mine import mine
from rustcoder.errors import DataError
from tests.conftest import fixture_problems, rustcoder_cli

BODY = """pub fn {name}(values: &[i64], cap: i64) -> Vec<i64> {{
    let mut out = Vec::with_capacity(values.len());
    for value in values {{
        if *value > cap {{
            out.push(cap);
        }} else if *value < -cap {{
            out.push(-cap);
        }} else {{
            out.push(*value * 2);
        }}
    }}
    out.sort_unstable();
    out.dedup();
    out.retain(|v| *v != 0);
    out
}}
"""


def crate(
    root: Path, name: str, licence: str | None, files: dict[str, str | bytes], version: str = "1.0.0"
) -> None:
    root.mkdir(parents=True)
    manifest = f'[package]\nname = "{name}"\nversion = "{version}"\n' + (
        f'license = "{licence}"\n' if licence else ""
    )
    (root / "Cargo.toml").write_text(manifest)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(text.encode() if isinstance(text, str) else text)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    source = tmp_path / "crates"
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    lib = "/// Clamps and doubles.\n" + BODY.format(name="clamp_double")
    crate(source / "alpha-1.0.0", "alpha", "MIT OR Apache-2.0", {"src/lib.rs": lib})
    crate(
        source / "alpha-1.1.0", "alpha", "MIT OR Apache-2.0", {"src/lib.rs": lib}, version="1.1.0"
    )  # a copy
    crate(source / "beta-0.1.0", "beta", "GPL-3.0", {"src/lib.rs": BODY.format(name="gpl_only")})
    crate(source / "gamma-0.1.0", "gamma", None, {"src/lib.rs": BODY.format(name="unlicensed")})
    crate(
        source / "delta-0.2.0",
        "delta",
        "Zlib",
        {
            "src/lib.rs": BODY.format(name="clamp_double").replace("* 2", "* 3"),  # a near copy of alpha's
            "src/copied.rs": problem.prompt + (problem.canonical_solution or ""),  # a benchmark solution
            "src/gen.rs": "// @generated\n" + BODY.format(name="generated"),
            "src/latin1.rs": b"// \xe9\npub fn latin(x: u8) -> u8 { x + 1 }\n",
            "src/words.rs": (
                "/// Counts words.\npub fn words(s: &str) -> usize {\n"
                "    s.split(' ').filter(|w| !w.is_empty()).count()\n}\n"
            ),
        },
    )
    return source


def run(tree: Path, out: Path):
    return mine([tree], out, benchmarks=[("mini", fixture_problems("humanevalx_mini.jsonl"))])


def test_what_each_stage_keeps_and_why(tree, tmp_path):
    out = tmp_path / "mined"
    report = run(tree, out)
    assert report.crates == 5 and report.licences == {"permissive": 3, "copyleft": 1, "unknown": 1}
    assert report.licence_excluded == {
        "copyleft": ["beta-1.0.0 (GPL-3.0)"],
        "unknown": ["gamma-1.0.0 (no licence)"],
    }
    assert report.exact_duplicates == 1 and report.near_duplicates == 1
    assert [c["task_id"] for c in report.contaminated] == ["Mini/0"]
    assert (
        report.extraction_skipped["generated file"] == 1 and report.extraction_skipped["file not UTF-8"] == 1
    )
    rows = [
        json.loads(line)
        for split in ("train", "validation", "test")
        for line in (out / "fim" / f"{split}.jsonl").read_text().splitlines()
    ]
    assert {row["crate"] for row in rows} == {"alpha", "delta"} and all(row["licence"] for row in rows)
    assert {row["task_id"].split("/")[0] for row in rows if row["crate"] == "alpha"} == {
        "alpha-1.1.0"
    }  # newest kept
    instructions = [
        json.loads(line)
        for s in ("train", "validation", "test")
        for line in (out / "instructions" / f"{s}.jsonl").read_text().splitlines()
    ]
    assert sorted(i["instruction"].splitlines()[-1] for i in instructions) == [
        "Clamps and doubles.",
        "Counts words.",
    ]
    removed = [json.loads(line) for line in (out / "removed.jsonl").read_text().splitlines()]
    assert sorted(r["reason"] for r in removed) == ["contaminated", "exact duplicate", "near duplicate"]
    sheet = (out / "datasheet.md").read_text()
    assert (
        "copyleft: beta-1.0.0 (GPL-3.0)" in sheet
        and "| Mini/0 |" in sheet
        and "near duplicates removed" in sheet
    )


def test_the_same_input_gives_the_same_bytes_and_the_output_is_replaced_whole(tree, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    run(tree, first)
    (second / "stale").mkdir(parents=True)
    run(tree, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert not list(tmp_path.glob("*.partial"))


def test_nothing_to_mine_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no crates"):
        mine([tmp_path / "empty"], tmp_path / "out", benchmarks=[])
    assert not (tmp_path / "out").exists()


def test_the_command(tree, tmp_path, fixtures):
    out = tmp_path / "cli"
    proc = rustcoder_cli(
        "data",
        "mine",
        str(tree),
        "--out",
        str(out),
        "--decontaminate",
        str(fixtures / "humanevalx_mini.jsonl"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "5 crates" in proc.stdout and "1 contaminated" in proc.stdout and (out / "datasheet.md").exists()
    proc = rustcoder_cli("data", "mine", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "no crates" in proc.stderr and "Traceback" not in proc.stderr


def test_the_dataset_loads_with_hugging_face_datasets(tree, tmp_path):
    datasets = pytest.importorskip("datasets")
    out = tmp_path / "mined"
    run(tree, out)
    fim = datasets.load_dataset(str(out), "fim")
    nonempty = {s for s in ("train", "validation", "test") if (out / "fim" / f"{s}.jsonl").read_text()}
    assert set(fim) == nonempty and "train" in nonempty
    jsonl = [json.loads(line) for line in (out / "fim" / "train.jsonl").read_text().splitlines()]
    assert [row["task_id"] for row in fim["train"]] == [row["task_id"] for row in jsonl]
    assert fim["train"][0]["middle"] == jsonl[0]["middle"] and fim["train"][0]["execute"] is False
    instructions = datasets.load_dataset(str(out), "instructions")
    assert sum(len(split) for split in instructions.values()) == 2
    assert "configs:" in (out / "README.md").read_text()


def test_a_mined_split_is_a_text_scored_fim_benchmark(tree, tmp_path):
    """`rustcoder evaluate` on a mined split: scored by text and parsing, never compiled, no pass@k."""
    out = tmp_path / "mined"
    run(tree, out)
    split = next(
        out / "fim" / f"{s}.jsonl"
        for s in ("test", "validation", "train")
        if (out / "fim" / f"{s}.jsonl").read_text()
    )
    rows = [json.loads(line) for line in split.read_text().splitlines()]
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"task_id": row["task_id"], "completion": row["middle"] if i == 0 else "x"}) + "\n"
            for i, row in enumerate(rows)
        )
    )
    proc = rustcoder_cli("evaluate", str(split), str(samples), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["status_counts"]["not_executed"] == len(rows) and summary["pass_at_k"] == {}
    assert summary["fim"]["exact_match"] == round(1 / len(rows), 4) and "compiles" not in summary["fim"]
    assert set(summary["fim_by_kind"]) == {row["kind"] for row in rows}
    results = [json.loads(line) for line in samples.with_suffix(".results.jsonl").read_text().splitlines()]
    by_task = {row["task_id"]: row for row in rows}
    assert len(results) == len(rows)  # labels kept on every result
    assert all(
        (r["labels"]["crate"], r["labels"]["path"], r["labels"]["kind"])
        == (by_task[r["task_id"]]["crate"], by_task[r["task_id"]]["path"], by_task[r["task_id"]]["kind"])
        for r in results
    )
    bench = [json.loads(line) for line in (out / "fim" / "test-bench.jsonl").read_text().splitlines()]
    test_ids = {json.loads(line)["task_id"] for line in (out / "fim" / "test.jsonl").read_text().splitlines()}
    assert {row["task_id"] for row in bench} <= test_ids
    check = rustcoder_cli("check", str(split), "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["check"]["ok"], check.stderr
