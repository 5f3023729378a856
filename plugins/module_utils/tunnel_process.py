# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The tunnel's process and its local port: start detached, tell alive from dead, stop, probe 127.0.0.1."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import time

LOOPBACK = "127.0.0.1"


def spawn(argv: list[str], environment: dict, workdir: str, stdout_path: str, stderr_path: str) -> subprocess.Popen:
    """Start ``argv`` in a session and process group of its own, so it outlives the Ansible task that started it
    and can be ended as a group. Its output goes to files: a pipe to the module would hold the task open."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    out = os.open(stdout_path, flags, 0o600)
    err = os.open(stderr_path, flags, 0o600)
    try:
        return subprocess.Popen(  # pylint: disable=consider-using-with
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=workdir,
            env=dict(os.environ, **environment), start_new_session=True, close_fds=True)
    finally:
        os.close(out)
        os.close(err)


def start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux /proc), to tell a process from a later one with a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19] if len(fields) > 19 else None


def _state(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def is_alive(pid: int, started: str | None) -> bool:
    """True while ``pid`` is the process recorded (same start time where /proc tells it) and not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # someone else's process: ours is gone and its pid reused
    if os.path.isdir("/proc"):
        return _state(pid) not in (None, "Z", "X") and (started is None or start_time(pid) == started)
    return True


def stop_group(pid: int, started: str | None, grace: float = 5.0) -> bool:
    """End the process group ``pid`` leads (SIGTERM, then SIGKILL after ``grace`` seconds). False if it was gone."""
    if not is_alive(pid, started):
        return False
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not is_alive(pid, started):
                return True
            time.sleep(0.05)
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def port_taken(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:``port`` (checked by binding, which opens no connection)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def wait_until_accepting(port: int, process: subprocess.Popen, timeout: float) -> str:
    """'open' once 127.0.0.1:``port`` accepts a TCP connection, 'exited' if ``process`` ends first, else 'timeout'."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            return "exited"
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return "open"
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return "timeout"
        time.sleep(0.1)


def tail(path: str, lines: int = 20) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as output:
            return "\n".join(output.read().strip().splitlines()[-lines:])
    except OSError:
        return ""
