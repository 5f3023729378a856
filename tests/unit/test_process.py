"""tools/localenv/process.py: pid records, the pid-reuse guard, and stopping exactly the process started."""

from __future__ import annotations

import os
import sys
import time

import pytest

from localenv.process import cmdline, is_running, read_record, spawn, terminate, write_record

# --- pid records --------------------------------------------------------------------------------------------


def test_record_round_trips(tmp_path):
    path = tmp_path / "emulator.json"
    record = {"pid": 1234, "port": 4566, "marker": "localenv.emulator", "nested": {"a": [1, 2]}}
    write_record(path, record)
    assert read_record(path) == record


def test_write_record_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "emulator.json"
    write_record(path, {"pid": 1})
    write_record(path, {"pid": 2})
    assert read_record(path) == {"pid": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emulator.json"]


def test_missing_record_reads_as_none(tmp_path):
    assert read_record(tmp_path / "nothing.json") is None


def test_corrupt_record_reads_as_none(tmp_path):
    path = tmp_path / "emulator.json"
    path.write_text('{"pid": 12')
    assert read_record(path) is None


# --- is_running ---------------------------------------------------------------------------------------------


def _own_marker():
    return cmdline(os.getpid()).split()[0]


def test_current_process_is_running_with_a_marker_from_its_command_line():
    assert _own_marker()
    assert is_running(os.getpid(), _own_marker())


def test_a_live_pid_with_another_command_line_is_not_running():
    assert not is_running(os.getpid(), "no-such-marker-7f3c2a")


@pytest.mark.parametrize("pid", [0, -1])
def test_pid_zero_or_negative_is_never_running(pid):
    assert not is_running(pid, "")


# --- spawn and terminate ------------------------------------------------------------------------------------


def _wait_until_running(pid, marker, timeout=5.0):
    """Right after spawn, /proc/<pid>/cmdline can still read empty while the exec completes."""
    deadline = time.monotonic() + timeout
    while not is_running(pid, marker) and time.monotonic() < deadline:
        time.sleep(0.01)
    return is_running(pid, marker)


@pytest.fixture
def children():
    started = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)


def test_spawned_child_runs_in_its_own_session_and_logs_to_the_file(tmp_path, children):
    log = tmp_path / "child.log"
    proc = spawn([sys.executable, "-c", "print('hello from child', flush=True)"], log)
    children.append(proc)
    proc.wait(timeout=10)
    assert "hello from child" in log.read_text()


def test_terminate_stops_a_running_child_and_a_second_terminate_reports_it_was_not_running(tmp_path, children):
    proc = spawn(["sleep", "30"], tmp_path / "sleep.log")
    children.append(proc)
    assert os.getsid(proc.pid) == proc.pid
    assert _wait_until_running(proc.pid, "sleep")

    start = time.monotonic()
    assert terminate(proc.pid, "sleep", timeout=5) is True
    assert time.monotonic() - start < 5
    assert not is_running(proc.pid, "sleep")
    assert terminate(proc.pid, "sleep", timeout=5) is False


def test_terminate_leaves_a_process_alone_when_the_marker_does_not_match(tmp_path, children):
    proc = spawn(["sleep", "30"], tmp_path / "sleep.log")
    children.append(proc)
    assert _wait_until_running(proc.pid, "sleep")
    assert terminate(proc.pid, "localenv.emulator", timeout=1) is False
    assert proc.poll() is None


def test_terminate_kills_a_process_that_ignores_sigterm(tmp_path, children):
    log = tmp_path / "stubborn.log"
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(30)"
    )
    proc = spawn([sys.executable, "-c", script], log)
    children.append(proc)
    deadline = time.monotonic() + 10
    while "ready" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "ready" in log.read_text()

    start = time.monotonic()
    assert terminate(proc.pid, "SIG_IGN", timeout=0.5) is True
    assert time.monotonic() - start >= 0.5  # SIGTERM was ignored: it waited out the timeout, then killed
    proc.wait(timeout=5)  # returns only because SIGKILL ended it
    assert not is_running(proc.pid, "SIG_IGN")
