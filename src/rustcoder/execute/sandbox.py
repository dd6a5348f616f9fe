"""The sandbox every untrusted program (and every compile of one) runs in.

bubblewrap gives each run fresh pid, network, IPC and UTS namespaces, a root filesystem holding only
read-only system directories plus the toolchain, a private size-limited /tmp and one work directory.
Inside, the driver (`_inside.py`) drops to an unprivileged uid, forbids privilege gain, sets resource
limits and then runs the program. Without bubblewrap, `unshare` gives the namespaces but not the
filesystem view (see docs/sandbox.md for what each protects against).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from rustcoder.errors import SandboxUnavailableError
from rustcoder.execute._inside import run_capped

DRIVER_DIR = Path(__file__).resolve().parent
INSIDE_DIR = "/opt/rustcoder"
WORKDIR = "/sandbox"
SYSTEM_PATHS = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
)
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "RUST_BACKTRACE": "0",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "RUSTCODER_SANDBOXED": "1",
}
DEFAULT_UID_BASE = 1_900_000_000


class SandboxKind(StrEnum):
    BWRAP = "bwrap"
    UNSHARE = "unshare"


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits for one sandboxed process (per sample when running tests)."""

    wall_seconds: float = 10.0
    memory_bytes: int = 1 << 30
    processes: int = 64
    file_bytes: int = 16 << 20
    output_bytes: int = 1 << 20
    open_files: int = 256
    tmp_bytes: int = 64 << 20

    def rlimits(self) -> dict[str, int]:
        return {
            "cpu_seconds": int(self.wall_seconds) + 1,
            "memory_bytes": self.memory_bytes,
            "processes": self.processes,
            "file_bytes": self.file_bytes,
            "open_files": self.open_files,
        }


COMPILE_LIMITS = Limits(
    wall_seconds=120.0,
    memory_bytes=6 << 30,
    processes=512,
    file_bytes=1 << 30,
    output_bytes=32 << 20,
    tmp_bytes=256 << 20,
)
"""rustc needs more of everything than a test; its wall time is set per batch size."""


def _base_python() -> tuple[str, str]:
    """The real interpreter (outside any venv) and its installation prefix."""
    executable = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    return executable, os.path.realpath(sys.base_prefix)


def _accessible_to_others(path: Path) -> bool:
    """Whether an unprivileged uid can reach and read `path` (every parent searchable)."""
    current = path.resolve()
    for part in [current, *current.parents]:
        if part.is_dir() and not part.stat().st_mode & 0o001:
            return False
    return bool(current.stat().st_mode & 0o004)


class Sandbox:
    """Runs argv vectors under isolation; one instance serves concurrent callers (one uid per slot)."""

    def __init__(
        self,
        read_only: Sequence[Path] = (),
        *,
        kind: SandboxKind | None = None,
        slots: int = 8,
        uid_base: int | None = None,
    ) -> None:
        self.root = os.geteuid() == 0
        env_base = os.environ.get("RUSTCODER_SANDBOX_UID")
        self.uid_base = uid_base if uid_base is not None else int(env_base or DEFAULT_UID_BASE)
        self._requested = list(read_only)
        self._cancel = threading.Event()
        self._slots: queue.Queue[int] = queue.Queue()
        for slot in range(slots):
            self._slots.put(slot)
        failures: list[str] = []
        for candidate in [kind] if kind else self._candidates():
            try:
                self._use(candidate)
                return
            except SandboxUnavailableError as exc:
                failures.append(str(exc))
        raise SandboxUnavailableError(" | ".join(failures))

    # -- set-up ---------------------------------------------------------------------------------------
    def _candidates(self) -> list[SandboxKind]:
        """Kinds to try, best first: $RUSTCODER_SANDBOX alone if set, else those installed."""
        requested = os.environ.get("RUSTCODER_SANDBOX")
        if requested:
            try:
                return [SandboxKind(requested)]
            except ValueError:
                raise SandboxUnavailableError(
                    f"RUSTCODER_SANDBOX={requested!r}: choose bwrap or unshare (there is no unsandboxed mode)"
                ) from None
        found = [kind for kind in SandboxKind if shutil.which(kind.value)]
        if not found:
            raise SandboxUnavailableError(
                "no sandbox available: install bubblewrap (apt-get install bubblewrap); rustcoder never "
                "runs generated code unsandboxed"
            )
        return found

    def _use(self, kind: SandboxKind) -> None:
        """Set this sandbox up as `kind` and prove it starts; SandboxUnavailableError if it does not."""
        self.kind = kind
        self.python, python_prefix = self._interpreter()
        resolved = (str(Path(p).resolve()) for p in self._requested)
        self.read_only = [*dict.fromkeys([*resolved, python_prefix])]
        self._check()

    def _interpreter(self) -> tuple[str, str]:
        """Python for the driver: this one, unless the fallback's unprivileged uid cannot run it."""
        executable, prefix = _base_python()
        if self.kind is SandboxKind.UNSHARE and self.root and not _accessible_to_others(Path(prefix)):
            system = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
            if system and _accessible_to_others(Path(system)):
                return os.path.realpath(system), str(Path(os.path.realpath(system)).parent.parent)
        return executable, prefix

    def _check(self) -> None:
        if self.kind is SandboxKind.UNSHARE and self.root:
            needed = [*self.read_only, str(DRIVER_DIR)]
            hidden = [p for p in needed if not _accessible_to_others(Path(p))]
            if hidden:
                raise SandboxUnavailableError(
                    "the unshare fallback runs programs as an unprivileged uid that cannot read "
                    f"{hidden[0]}; install bubblewrap (apt-get install bubblewrap)"
                )
        probe = self.exec(["/bin/sh", "-c", "exit 0"], workdir=None, limits=Limits(wall_seconds=30))
        if probe.get("exit") != 0:
            detail = (probe.get("stderr") or probe.get("spawn_error") or "").strip()[-400:]
            raise SandboxUnavailableError(f"the {self.kind} sandbox does not start here: {detail}")

    @contextmanager
    def _slot(self) -> Iterator[int | None]:
        slot = self._slots.get()
        try:
            yield self.uid_base + slot if self.root else None
        finally:
            self._slots.put(slot)

    # -- command lines --------------------------------------------------------------------------------
    def _bwrap(self, workdir: Path | None, writable: bool, limits: Limits) -> list[str]:
        args = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        args += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
        if not self.root:
            args.append("--unshare-user")
        # The private /tmp first: a read-only path under the host's /tmp is then bound on top of it.
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
        system = [p for p in SYSTEM_PATHS if os.path.lexists(p)]
        bound = [*system, *self.read_only, INSIDE_DIR]
        # bwrap creates missing parent directories as 0700, which the sandbox uid could not traverse.
        parents = {str(p) for path in bound for p in Path(path).parents} - {"/", "/tmp", *bound}
        for parent in sorted(parents, key=lambda p: p.count("/")):
            args += ["--perms", "0755", "--dir", parent]
        for path in system:
            if Path(path).is_symlink():
                args += ["--symlink", str(Path(path).readlink()), path]
            else:
                args += ["--ro-bind", path, path]
        for path in self.read_only:
            args += ["--ro-bind", path, path]
        args += ["--ro-bind", str(DRIVER_DIR), INSIDE_DIR]
        if workdir is not None:
            args += ["--bind" if writable else "--ro-bind", str(workdir), WORKDIR, "--chdir", WORKDIR]
        else:
            args += ["--chdir", "/tmp"]
        return args

    def _unshare(self) -> list[str]:
        args = ["unshare", "--fork", "--pid", "--mount-proc", "--net", "--ipc", "--uts", "--kill-child"]
        if not self.root:
            args += ["--user", "--map-current-user"]
        return args

    def inside_path(self, workdir: Path, name: str) -> str:
        """How a file in the work directory is named inside the sandbox."""
        return f"{WORKDIR}/{name}" if self.kind is SandboxKind.BWRAP else str(workdir / name)

    def tool_path(self, name: str) -> str:
        """How one of rustcoder's in-sandbox scripts (`_inside.py`, `_pyrunner.py`) is named inside."""
        return f"{INSIDE_DIR}/{name}" if self.kind is SandboxKind.BWRAP else str(DRIVER_DIR / name)

    def _launch(self, workdir: Path | None, writable: bool, limits: Limits, tail: list[str]) -> list[str]:
        if self.kind is SandboxKind.BWRAP:
            return [
                *self._bwrap(workdir, writable, limits),
                self.python,
                "-I",
                "-S",
                self.tool_path("_inside.py"),
                *tail,
            ]
        return [*self._unshare(), self.python, "-I", "-S", self.tool_path("_inside.py"), *tail]

    def _prepare(self, workdir: Path | None, uid: int | None) -> None:
        if workdir is not None and uid is not None:
            os.chown(workdir, uid, uid)
            for entry in workdir.rglob("*"):
                os.chown(entry, uid, uid)

    def stop_all(self) -> None:
        """Kill every sandbox this instance runs, now and from now on (callable from any thread)."""
        self._cancel.set()

    @property
    def stopped(self) -> bool:
        return self._cancel.is_set()

    # -- running --------------------------------------------------------------------------------------
    def exec(
        self,
        argv: list[str],
        *,
        workdir: Path | None,
        limits: Limits,
        writable: bool = True,
        keep: int = 16384,
    ) -> dict[str, Any]:
        """Run one command under `limits`; returns run_capped's record."""
        with self._slot() as uid:
            self._prepare(workdir, uid)
            config = {"uid": uid, "limits": limits.rlimits(), "argv": argv, "env": CHILD_ENV}
            command = self._launch(workdir, writable, limits, ["exec", json.dumps(config)])
            cwd = str(workdir) if workdir is not None and self.kind is SandboxKind.UNSHARE else None
            return run_capped(
                command,
                timeout=limits.wall_seconds + 5.0,
                output_cap=limits.output_bytes,
                keep=keep,
                cwd=cwd,
                cancel=self._cancel,
            )

    def suite(
        self, samples: list[dict[str, Any]], *, workdir: Path, limits: Limits, keep: int = 4096
    ) -> dict[str, dict[str, Any]]:
        """Run each sample (id, argv, timeout) in its own process; returns records by id.

        If the driver dies (a sample can kill it: same uid), the samples it left without a result are
        run again, each in a sandbox of its own, so only the culprit ends up with a `driver_error`.
        """
        results = self._suite_once(samples, workdir=workdir, limits=limits, keep=keep)
        orphans = [s for s in samples if "driver_error" in results[s["id"]]]
        if len(samples) > 1 and not self._cancel.is_set():
            for sample in orphans:
                results.update(self._suite_once([sample], workdir=workdir, limits=limits, keep=keep))
        return results

    def _suite_once(
        self, samples: list[dict[str, Any]], *, workdir: Path, limits: Limits, keep: int
    ) -> dict[str, dict[str, Any]]:
        with self._slot() as uid:
            spec = {
                "uid": uid,
                "limits": limits.rlimits(),
                "env": CHILD_ENV,
                "output_cap": limits.output_bytes,
                "keep": keep,
                "sweep": True,
                "cwd": "/tmp" if self.kind is SandboxKind.BWRAP else str(workdir),
                "samples": samples,
            }
            (workdir / "suite.json").write_text(json.dumps(spec), encoding="utf-8")
            self._prepare(workdir, uid)
            command = self._launch(workdir, False, limits, ["suite", self.inside_path(workdir, "suite.json")])
            budget = sum(float(s["timeout"]) + 1.0 for s in samples) + 15.0
            record = run_capped(
                command,
                timeout=budget,
                output_cap=len(samples) * (8 * keep + 65536) + 65536,
                keep=1 << 30,
                cwd=str(workdir) if self.kind is SandboxKind.UNSHARE else None,
                cancel=self._cancel,
            )
        results: dict[str, dict[str, Any]] = {}
        for line in record["stdout"].splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            results[item["id"]] = item
        if len(results) < len(samples):
            detail = (record.get("stderr") or record.get("spawn_error") or "").strip()[-400:]
            for sample in samples:
                results.setdefault(
                    sample["id"], {"id": sample["id"], "driver_error": detail or "driver died"}
                )
        return results
