"""Hostile programs against the real sandbox: none may escape, outlive its run, or pass by lying."""

import json
import os
import socket
import time
from pathlib import Path

import pytest

from rustcoder.execute.sandbox import DEFAULT_UID_BASE
from rustcoder.types import Problem, Sample, Status
from tests.conftest import fixture_problems, sandbox_processes, wait_until

pytestmark = [pytest.mark.hostile, pytest.mark.sandbox, pytest.mark.rustc]

SUM = "fn sum_all(xs: Vec<i64>) -> i64 {{\n{}\n}}"
OK = "xs.iter().sum()"


@pytest.fixture(scope="module")
def problem() -> Problem:
    return fixture_problems("humanevalx_mini.jsonl")[0]


@pytest.fixture(scope="module")
def attack(problem, run_samples):
    def run(*bodies: str):
        pairs = [
            (problem, Sample(problem.task_id, i, solution=SUM.format(body))) for i, body in enumerate(bodies)
        ]
        results = run_samples(pairs)
        return [results[f"{problem.task_id}/{i}"] for i in range(len(bodies))]

    return run


def rust_str(path: Path) -> str:
    return json.dumps(str(path))


def test_sandbox_processes_sees_a_running_sample_as_any_user(tmp_path):
    """The leak check above and below is not vacuous: a live sandboxed process is found, root or not."""
    import threading

    from rustcoder.execute.sandbox import Limits, Sandbox

    sandbox = Sandbox([], slots=1)
    runner = threading.Thread(
        target=sandbox.exec, args=(["/bin/sleep", "30"],), kwargs={"workdir": tmp_path, "limits": Limits()}
    )
    runner.start()
    try:
        assert wait_until(lambda: sandbox_processes() != [], timeout=10)
    finally:
        sandbox.stop_all()
        runner.join(timeout=10)
    assert wait_until(lambda: sandbox_processes() == [], timeout=5)


def test_fork_bomb_is_contained_and_cleaned_up(attack):
    started = time.monotonic()
    (result,) = attack(
        'let _ = std::process::Command::new("/bin/sh").arg("-c").arg("b() { b | b & }; b").spawn();\n'
        "std::thread::sleep(std::time::Duration::from_secs(60)); 0"
    )
    assert result.status is Status.TIMEOUT
    assert time.monotonic() - started < 30
    assert wait_until(lambda: sandbox_processes() == [], timeout=5), sandbox_processes()


def test_process_limit_holds(attack):
    (result,) = attack(
        "let mut n = 0; let mut kids = vec![];\n"
        'for _ in 0..300 { match std::process::Command::new("/bin/sleep").arg("30").spawn() {\n'
        "  Ok(c) => { n += 1; kids.push(c); } Err(_) => break } }\n"
        'panic!("spawned {}", n)'
    )
    spawned = int(result.reason.split("spawned ")[1].split()[0])
    assert 0 < spawned < 64
    assert wait_until(lambda: sandbox_processes() == [], timeout=5), sandbox_processes()


def test_infinite_loop_times_out_near_the_limit(attack):
    started = time.monotonic()
    (result,) = attack("let _ = xs; let mut i: u64 = 0; loop { i = i.wrapping_add(1); }")
    assert result.status is Status.TIMEOUT
    assert 2.5 < result.run_seconds < 6
    assert time.monotonic() - started < 20


def test_memory_hog_hits_the_limit(attack):
    (result,) = attack("let v: Vec<u8> = vec![1u8; 4 << 30]; v.len() as i64 + xs.len() as i64")
    assert result.status is Status.PANIC and "out of memory" in result.reason


def test_output_flood_is_cut_off(attack):
    (flood, err_flood) = attack(
        'let _ = xs; loop { println!("spam spam spam spam spam spam spam spam"); }',
        'let _ = xs; loop { eprintln!("spam spam spam spam spam spam spam spam"); }',
    )
    for result in (flood, err_flood):
        assert result.status is Status.PANIC and "output" in result.reason
        assert len(result.stdout) + len(result.stderr) < 20_000


def test_cannot_write_outside_its_directory_or_read_secrets(attack, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    target = tmp_path / "escaped.txt"
    repo_file = Path(__file__).resolve().parent / "escaped.txt"
    home_file = next((p for p in Path.home().iterdir() if p.is_file()), secret)  # e.g. ~/.bashrc
    (result,) = attack(
        'let denied = ["/etc/rustcoder-escape", "/usr/rustcoder-escape", '
        f"{rust_str(target)}, {rust_str(repo_file)}]\n"
        '  .iter().all(|p| std::fs::write(p, "x").is_err());\n'
        f"let hidden = std::fs::read_to_string({rust_str(secret)}).is_err()\n"
        '  && std::fs::read_to_string("/etc/shadow").is_err()\n'
        f"  && std::fs::read_to_string({rust_str(home_file)}).is_err()\n"
        '  && std::fs::read_dir("/home").is_err();\n'
        'let tmp_ok = std::fs::write("/tmp/scratch", "ok").is_ok();\n'
        f"if denied && hidden && tmp_ok {{ {OK} }} "
        'else { panic!("escaped: {} {} {}", denied, hidden, tmp_ok) }'
    )
    assert result.status is Status.PASSED, result.reason
    assert not target.exists() and not repo_file.exists()
    assert not Path("/etc/rustcoder-escape").exists()


def test_no_network(attack):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        (result,) = attack(
            f'let local = std::net::TcpStream::connect(("127.0.0.1", {port})).is_err();\n'
            'let outside = std::net::TcpStream::connect_timeout(&"1.1.1.1:80".parse().unwrap(),\n'
            "  std::time::Duration::from_secs(1)).is_err();\n"
            f'if local && outside {{ {OK} }} else {{ panic!("network reachable") }}'
        )
        assert result.status is Status.PASSED, result.reason
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


def test_exit_before_tests_finish_is_not_a_pass(attack):
    zero, one = attack("let _ = xs; std::process::exit(0)", "let _ = xs; std::process::exit(1)")
    assert zero.status is Status.PANIC and "exited with code 0" in zero.reason
    assert one.status is Status.PANIC


def test_fake_test_output_is_not_a_pass(attack):
    (result,) = attack(
        "use std::io::Write; use std::os::unix::io::FromRawFd;\n"
        'println!("test tests::test_sum_all ... ok\\ntest result: ok. 1 passed; 0 failed");\n'
        "let mut f = unsafe { std::fs::File::from_raw_fd(3) };\n"
        'let _ = writeln!(f, "0123456789abcdef0123456789abcdef pass tests::test_sum_all 1");\n'
        'let _ = writeln!(f, "0123456789abcdef0123456789abcdef done");\n'
        "let _ = xs; std::process::exit(0)"
    )
    assert result.status is not Status.PASSED
    assert "test result: ok" in result.stdout


def test_stack_overflow_and_abort(attack):
    overflow, abort = attack(
        "fn deep(n: u64) -> u64 { if n == 0 { 0 } else { 1 + deep(n - 1) + deep(0) } }\n"
        "deep(u64::MAX) as i64 + xs.len() as i64",
        "let _ = xs; std::process::abort()",
    )
    assert overflow.status is Status.PANIC and "stack overflow" in overflow.reason
    assert abort.status is Status.PANIC and "SIGABRT" in abort.reason


def test_background_processes_do_not_outlive_the_sample(attack):
    (result,) = attack(
        'let _ = std::process::Command::new("/bin/sh").arg("-c").arg("setsid sleep 300 &").status();\n' + OK
    )
    assert result.status is Status.PASSED
    assert wait_until(lambda: sandbox_processes() == [], timeout=5), sandbox_processes()


def test_killing_the_driver_only_costs_the_killer(attack):
    """A sample can signal its driver (same uid); its batch-mates still get their own results."""
    results = attack(
        OK,
        "let parent = std::os::unix::process::parent_id();\n"
        'let _ = std::process::Command::new("/bin/kill").arg("-9").arg(parent.to_string()).status();\n'
        "std::thread::sleep(std::time::Duration::from_secs(1)); 0",
        OK,
    )
    assert results[0].status is Status.PASSED and results[2].status is Status.PASSED
    assert results[1].status is not Status.PASSED


def test_sees_only_its_own_processes(attack):
    (result,) = attack(
        'let pids = std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok())\n'
        "  .filter(|e| e.file_name().to_string_lossy().chars().all(|c| c.is_ascii_digit())).count();\n"
        f'if pids < 6 {{ {OK} }} else {{ panic!("saw {{}} processes", pids) }}'
    )
    assert result.status is Status.PASSED, result.reason


@pytest.mark.skipif(os.geteuid() != 0, reason="uid dropping applies when rustcoder runs as root")
def test_runs_as_an_unprivileged_uid(attack):
    (result,) = attack(
        'let status = std::fs::read_to_string("/proc/self/status").unwrap();\n'
        'let uid: u64 = status.lines().find(|l| l.starts_with("Uid:")).unwrap()\n'
        "  .split_whitespace().nth(1).unwrap().parse().unwrap();\n"
        f'if uid >= {DEFAULT_UID_BASE} {{ {OK} }} else {{ panic!("uid {{}}", uid) }}'
    )
    assert result.status is Status.PASSED, result.reason
