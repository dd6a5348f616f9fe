"""Project-level promises: light imports, the README's commands, CI running exactly the test command."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "datasets", "huggingface_hub", "tree_sitter", "torch", "numpy", "rich", "typer")


def imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_rustcoder_is_light():
    assert not imported_after("import rustcoder") & set(HEAVY)


def test_library_modules_defer_heavy_imports():
    loaded = imported_after("import rustcoder.benchmarks, rustcoder.evaluation.run, rustcoder.metrics.report")
    assert not loaded & {"matplotlib", "datasets", "huggingface_hub", "tree_sitter", "torch"}


def test_evaluation_and_serving_install_without_the_tuning_stack():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[=<>\[ ]", spec)[0].lower() for spec in project["dependencies"]}
    assert not names & {"torch", "transformers", "peft"}
    tune = {re.split(r"[=<>\[ ]", spec)[0].lower() for spec in project["optional-dependencies"]["tune"]}
    assert {"torch", "transformers", "peft"} <= tune
    assert '".[dev,tune]"' in (ROOT / "setup.sh").read_text()  # the README's set-up installs it
    loaded = imported_after(
        "import rustcoder.cli, rustcoder.generation.run, rustcoder.backends.llamacpp, "
        "rustcoder.evaluation.run"
    )
    assert not loaded & {"torch", "transformers", "peft"}


def test_the_transformers_backend_without_torch_says_what_to_install():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from rustcoder.backends.transformers_backend import TransformersBackend\n"
        "from rustcoder.errors import ModelError\n"
        "try:\n    TransformersBackend(None)\nexcept ModelError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'rustcoder[tune]'" in out and "torch is missing" in out


def test_setup_refuses_an_unknown_option_before_doing_anything():
    proc = subprocess.run(["bash", str(ROOT / "setup.sh"), "--with-crate"], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown option --with-crate" in proc.stderr and not proc.stdout


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:bash|sh)\n(.*?)```", text, re.S)
    assert block, "README must start with a code block holding the two commands"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_has_the_two_commands_and_ci_runs_the_second():
    main_job, tests = readme_commands()
    assert main_job.startswith("./setup.sh && ") and "rustcoder run humanevalpack-rust" in main_job
    assert tests.startswith("./setup.sh && ") and "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.model
@pytest.mark.rustc
@pytest.mark.sandbox
def test_readme_main_command_runs(tmp_path):
    """The README's main job, on its first 2 problems (the whole benchmark takes about 20 minutes)."""
    main_job, _ = readme_commands()
    assert main_job.endswith(" --out runs/default")
    command = main_job.replace(" --out runs/default", f" --out {tmp_path / 'run'} --limit 2")
    proc = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "pass@1" in proc.stdout and "report:" in proc.stdout
    assert (tmp_path / "run" / "report" / "report.html").exists()


def _tracked_files() -> set[str] | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None  # not a checkout (an unpacked release): existence is all that can be checked
    return set(out.splitlines())


def test_documentation_links_point_at_files_in_the_repository():
    """Relative links in the README and docs/ (the results tables link every run's report) must not
    point at ignored or missing files."""
    tracked = _tracked_files()
    pages = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *(ROOT / "docs" / "results").glob("*.md"),
    ]
    dead = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path = (page.parent / target).resolve()
            relative = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else None
            missing = not path.exists() or (
                tracked is not None and path.is_file() and relative not in tracked
            )
            if missing:
                dead.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not dead
