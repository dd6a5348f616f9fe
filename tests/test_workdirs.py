import os
import subprocess

from rustcoder.execute.workdirs import PREFIX, new_run_root, sweep_stale


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_roots_of_dead_runs_are_swept_and_live_ones_kept(tmp_path):
    stale = tmp_path / f"{PREFIX}{dead_pid()}-abc"
    (stale / "batch").mkdir(parents=True)
    live = tmp_path / f"{PREFIX}{os.getppid()}-def"
    live.mkdir()
    other = tmp_path / "unrelated-dir"
    other.mkdir()
    root = new_run_root(tmp_path)
    assert not stale.exists() and live.exists() and other.exists()
    assert root.name.startswith(f"{PREFIX}{os.getpid()}-")
    assert sweep_stale(tmp_path) == 0
