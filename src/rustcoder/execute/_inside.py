"""The sandbox driver: runs inside the sandbox with only the standard library (started as `python -I -S`).

Modes:
  exec CONFIG_JSON     drop privileges, set resource limits, then exec CONFIG["argv"] (used for rustc).
  suite SPEC_PATH      run each sample of SPEC in its own process, one at a time, and print one JSON line
                       per sample: exit status, signal, wall time, capped output and the nonce-checked
                       report lines the sample's runner wrote on fd 3.

The host imports `run_capped` from this file too, so both sides capture processes the same way.
Untrusted code never runs in this process: only in the children it starts.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import resource
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

_PR_SET_DUMPABLE = 4
_PR_SET_NO_NEW_PRIVS = 38
_REPORT_FD = 3


def _clip(data: bytes, keep: int) -> str:
    """Head and tail of an output, decoded leniently."""
    if len(data) > 2 * keep:
        omitted = len(data) - 2 * keep
        data = data[:keep] + f"\n[... {omitted} bytes omitted ...]\n".encode() + data[-keep:]
    return data.decode("utf-8", errors="replace")


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_capped(
    argv: list[str],
    *,
    stdin: bytes = b"",
    timeout: float,
    output_cap: int,
    keep: int = 4096,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    preexec_fn: Callable[[], None] | None = None,
    report_pipe: bool = False,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """Run argv in a new session; kill its process group on timeout or when its output passes output_cap.

    Setting `cancel` (from another thread) kills it too, within half a second; a cancelled run is
    reported with `cancelled: true`.
    """
    if cancel is not None and cancel.is_set():
        return _not_started(argv, "cancelled", cancelled=True)
    report_r = report_w = -1
    pass_fds: tuple[int, ...] = ()
    child_setup = preexec_fn
    if report_pipe:
        report_r, report_w = os.pipe()
        pass_fds = (_REPORT_FD,)

        def child_setup() -> None:
            os.dup2(report_w, _REPORT_FD)
            if report_w != _REPORT_FD:
                os.close(report_w)
            if preexec_fn is not None:
                preexec_fn()

    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,
            pass_fds=pass_fds,
            preexec_fn=child_setup,
        )
    except OSError as exc:
        for fd in (report_r, report_w):
            if fd >= 0:
                os.close(fd)
        return _not_started(argv, exc.strerror or str(exc))
    if report_w >= 0:
        os.close(report_w)
    return _capture(proc, stdin, started, timeout, output_cap, keep, report_r, cancel)


def _not_started(argv: list[str], why: str, *, cancelled: bool = False) -> dict[str, Any]:
    return {
        "exit": None,
        "signal": None,
        "wall": 0.0,
        "timed_out": False,
        "output_exceeded": False,
        "cancelled": cancelled,
        "stdout": "",
        "stderr": "",
        "report": [],
        "spawn_error": f"{argv[0]}: {why}",
    }


def _capture(
    proc: subprocess.Popen[bytes],
    stdin: bytes,
    started: float,
    timeout: float,
    output_cap: int,
    keep: int,
    report_r: int,
    cancel: threading.Event | None,
) -> dict[str, Any]:
    """Feed stdin, read the pipes within the limits, then reap the process."""
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.write(stdin)
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.close()

    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    buffers: dict[int, bytearray] = {out_fd: bytearray(), err_fd: bytearray()}
    if report_r >= 0:
        buffers[report_r] = bytearray()
    selector = selectors.DefaultSelector()
    for fd in buffers:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    deadline = started + timeout
    timed_out = exceeded = cancelled = False
    total = 0
    exited_at: float | None = None
    while selector.get_map():
        now = time.monotonic()
        if proc.poll() is not None and exited_at is None:
            exited_at = now
        if exited_at is not None and now - exited_at > 0.2:
            break  # a background process still holds the pipes open; the sample itself is done
        if now >= deadline:
            timed_out = True
            _kill_group(proc.pid)
            break
        if cancel is not None and cancel.is_set():
            cancelled = True
            _kill_group(proc.pid)
            break
        wait = min(deadline - now, 0.05 if exited_at is not None else 0.5)
        for key, _ in selector.select(wait):
            fd = int(key.fd)
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                selector.unregister(fd)
                continue
            total += len(chunk)
            if total > output_cap:
                exceeded = True
                break
            buffers[fd] += chunk
        if exceeded:
            _kill_group(proc.pid)
            break
    selector.close()
    try:
        returncode = proc.wait(timeout=max(0.0, deadline - time.monotonic()) + 1.0)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid)
        returncode = proc.wait()
    wall = time.monotonic() - started
    _kill_group(proc.pid)  # stray members of the group
    proc.stdout.close()
    proc.stderr.close()
    report: list[str] = []
    if report_r >= 0:
        report = buffers[report_r].decode("utf-8", errors="replace").splitlines()
        os.close(report_r)
    return {
        "exit": returncode if returncode >= 0 else None,
        "signal": -returncode if returncode < 0 else None,
        "wall": round(wall, 6),
        "timed_out": timed_out,
        "output_exceeded": exceeded,
        "cancelled": cancelled,
        "stdout": _clip(bytes(buffers[out_fd]), keep),
        "stderr": _clip(bytes(buffers[err_fd]), keep),
        "report": report,
    }


def _prctl(option: int, value: int) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option})")


def lock_down(uid: int | None) -> None:
    """Become the sandbox user (when started as root) and forbid regaining privileges."""
    if os.getuid() == 0 and uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    if os.getuid() == 0:
        raise SystemExit("rustcoder sandbox: refusing to run as root")
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    # Children of the same uid can then neither ptrace this process nor open its /proc fds.
    _prctl(_PR_SET_DUMPABLE, 0)


_RLIMITS = {
    "cpu_seconds": resource.RLIMIT_CPU,
    "memory_bytes": resource.RLIMIT_AS,
    "file_bytes": resource.RLIMIT_FSIZE,
    "processes": resource.RLIMIT_NPROC,
    "open_files": resource.RLIMIT_NOFILE,
}


def set_limits(limits: dict[str, int]) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, which in _RLIMITS.items():
        if name in limits:
            value = int(limits[name])
            hard = value + 1 if which == resource.RLIMIT_CPU else value
            resource.setrlimit(which, (value, hard))


def _in_fresh_pid_namespace() -> bool:
    return os.getpid() <= 3


def _sweep() -> None:
    """Kill every other process of this uid in the sandbox's pid namespace (left-over background work)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(-1, signal.SIGKILL)
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _validated(lines: list[str], nonce: str) -> tuple[list[str], int]:
    good, forged = [], 0
    for line in lines:
        head, _, rest = line.partition(" ")
        if head == nonce and rest:
            good.append(rest)
        elif line.strip():
            forged += 1
    return good, forged


def run_suite(spec: dict[str, Any]) -> None:
    lock_down(spec.get("uid"))
    limits = spec["limits"]
    sweep = bool(spec.get("sweep")) and _in_fresh_pid_namespace()
    out = sys.stdout
    for sample in spec["samples"]:
        nonce = secrets.token_hex(16)
        child_limits = dict(limits, cpu_seconds=int(sample["timeout"]) + 1)
        result = run_capped(
            sample["argv"],
            stdin=(nonce + "\n").encode(),
            timeout=float(sample["timeout"]),
            output_cap=int(spec["output_cap"]),
            keep=int(spec.get("keep", 4096)),
            env=spec["env"],
            cwd=spec.get("cwd"),
            preexec_fn=functools.partial(set_limits, child_limits),
            report_pipe=True,
        )
        result["report"], result["forged"] = _validated(result["report"], nonce)
        result["id"] = sample["id"]
        if sweep:
            _sweep()
        out.write(json.dumps(result) + "\n")
        out.flush()


def run_exec(config: dict[str, Any]) -> None:
    lock_down(config.get("uid"))
    set_limits(config["limits"])
    argv = config["argv"]
    os.execve(argv[0], argv, config["env"])


def main() -> None:
    mode, arg = sys.argv[1], sys.argv[2]
    if mode == "exec":
        run_exec(json.loads(arg))
    elif mode == "suite":
        with open(arg, encoding="utf-8") as handle:
            run_suite(json.load(handle))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
