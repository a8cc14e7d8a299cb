"""Child processes of the stack test: each writes to its own log file, is waited for on a port, and is
always stopped (TERM, then KILL) by the fixture that started it; a failed one prints its log."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, chars: int = 6000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else f"(no log at {path})"


@dataclass
class Proc:
    """One started program with its log."""

    name: str
    argv: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    ports: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def describe(self) -> str:
        code = None if self.popen is None else self.popen.poll()
        return f"--- {self.name} (exit {code}) {' '.join(self.argv)}\n{tail(self.log)}"

    def wait_port(self, port: int, timeout: float = 60.0) -> None:
        """Until something accepts on 127.0.0.1:port; fails early (with the log) if the process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited before listening on {port}\n{self.describe()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not listen on {port} within {timeout:.0f} s\n{self.describe()}")

    def wait_http(self, port: int, path: str = "/healthz", timeout: float = 120.0) -> None:
        """Until GET path on 127.0.0.1:port answers 200 (a port that accepts may still be booting)."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited before answering {path}\n{self.describe()}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", path, headers={"Host": "127.0.0.1"})
                status = conn.getresponse().status
                if status == 200:
                    return
                last = f"status {status}"
            except OSError as exc:
                last = repr(exc)
            finally:
                conn.close()
            time.sleep(0.3)
        raise RuntimeError(f"{self.name}: {path} not 200 within {timeout:.0f} s ({last})\n{self.describe()}")

    def stop(self, timeout: float = 15.0) -> None:
        """TERM the process group, then KILL whatever is left (gunicorn and celery have children)."""
        if self.popen is None or self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)


def stop_all(procs: Sequence[Proc], timeout: float = 20.0) -> None:
    """TERM every process group at once, then wait (and KILL the ones that linger)."""
    for proc in procs:
        if proc.alive():
            assert proc.popen is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        proc.stop(timeout=max(deadline - time.monotonic(), 0.5))


def start(
    name: str, argv: Sequence[str], *, log_dir: Path, env: dict[str, str], cwd: Path | None = None
) -> Proc:
    """Start ``argv`` in its own process group (so stop() reaches its children), logging to a file."""
    log = log_dir / f"{name}.log"
    proc = Proc(name=name, argv=list(argv), log=log)
    with log.open("ab") as out:
        proc.popen = subprocess.Popen(  # noqa: S603 (our own programs, fixed arguments)
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=str(cwd) if cwd else None,
            start_new_session=True,
        )
    return proc


def run(
    name: str,
    argv: Sequence[str],
    *,
    log_dir: Path,
    env: dict[str, str],
    cwd: Path | None = None,
    timeout: float = 600,
) -> str:
    """Run to completion; raise with the log's tail when it fails. Returns what it printed."""
    log = log_dir / f"{name}.log"
    with log.open("ab") as out:
        result = subprocess.run(  # noqa: S603 (our own programs, fixed arguments)
            list(argv),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=str(cwd) if cwd else None,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"{name} failed with exit {result.returncode}\n{tail(log)}")
    return log.read_text(errors="replace")
