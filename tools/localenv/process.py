"""Start a background server, record it in a pid file, and stop exactly that process later."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path


def read_record(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_record(path: Path, record: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(path)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def is_running(pid: int, marker: str) -> bool:
    """True when ``pid`` is alive *and* its command line carries ``marker`` (guards against pid reuse)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return marker in cmdline(pid)


def spawn(argv: list[str], log_file: Path, env: dict | None = None) -> subprocess.Popen:
    """Start ``argv`` detached in its own session so it outlives the command that started it."""
    log = open(log_file, "ab")  # noqa: SIM115 - handed to the child, closed below
    try:
        return subprocess.Popen(  # noqa: S603 - argv is built by this package, never from user input
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
            close_fds=True,
        )
    finally:
        log.close()


def terminate(pid: int, marker: str, timeout: float = 10.0) -> bool:
    """SIGTERM the process (SIGKILL after ``timeout``); False when it was not running."""
    if not is_running(pid, marker):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid, marker):
            break
        _reap(pid)
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    _reap(pid)
    return True


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
