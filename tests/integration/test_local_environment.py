"""The local environment `make local-up` starts: the AWS emulator and PostgreSQL (tools/localenv)."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading

import boto3
import psycopg
import pytest

from helpers import REPO_ROOT
from localenv import net, process
from localenv.emulator import MARKER, Emulator, EmulatorError


def localenv_cli(*args, env=None):
    run_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "localenv", *args], cwd=REPO_ROOT, env=run_env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def http_squatter():
    """Something that is not an AWS emulator, holding a port."""
    server = http.server.HTTPServer((net.LOOPBACK, 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_emulator_serves_aws_apis_with_iam_managed_policies(emulator):
    iam = boto3.client("iam", endpoint_url=emulator.endpoint, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
    assert policy["Policy"]["PolicyName"] == "AmazonECSTaskExecutionRolePolicy"


def test_start_is_idempotent_and_stop_ends_exactly_that_process(state_root):
    first, second = Emulator(net.free_port(), state_root), Emulator(net.free_port(), state_root)
    try:
        assert first.start().startswith(f"AWS emulator started at {first.endpoint} (pid ")
        second.start()
        pid = first.running_pid()
        assert first.start() == f"AWS emulator already running at {first.endpoint} (pid {pid})"

        assert first.stop() == f"AWS emulator stopped (pid {pid}, port {first.port})"
        assert not process.is_running(pid, MARKER)
        assert not first.record_file.exists()
        assert second.running_pid() and net.port_in_use(second.port)
        assert first.stop() == f"no AWS emulator of ours recorded for port {first.port}; nothing to stop"
    finally:
        first.stop()
        second.stop()


def test_port_taken_by_something_else_is_reported_in_one_line(state_root, http_squatter):
    with pytest.raises(EmulatorError) as error:
        Emulator(http_squatter, state_root).start()
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"port {http_squatter} is already taken by something that is not an AWS emulator")
    assert "SHIPYARD_LOCAL_AWS_PORT" in message


def test_port_taken_by_an_aws_emulator_is_used(state_root, emulator):
    message = Emulator(emulator.port, state_root / "elsewhere").start()
    assert message == (f"port {emulator.port} is already taken by moto (an AWS emulator); "
                       f"using it as the AWS endpoint ({emulator.endpoint})")


def test_cli_up_status_down(state_root):
    port = net.free_port()
    env = {"SHIPYARD_LOCAL_AWS_PORT": str(port), "SHIPYARD_STATE_DIR": str(state_root / "cli")}
    up = localenv_cli("up", "--aws", env=env)
    assert up.returncode == 0, up.stderr
    assert up.stdout.startswith(f"AWS emulator started at http://127.0.0.1:{port}")
    assert localenv_cli("status", "--aws", env=env).stdout.startswith(f"AWS emulator running at http://127.0.0.1:{port}")
    down = localenv_cli("down", "--aws", env=env)
    assert down.returncode == 0 and down.stdout.startswith("AWS emulator stopped")
    assert not net.port_in_use(port)


def test_cli_rejects_a_port_that_is_not_a_number():
    result = localenv_cli("up", "--aws", env={"SHIPYARD_LOCAL_AWS_PORT": "local"})
    assert result.returncode == 1
    assert result.stderr.strip() == "error: SHIPYARD_LOCAL_AWS_PORT='local' is not a TCP port number (1-65535)"


def test_postgres_accepts_the_superuser_on_its_socket_and_passwords_over_tcp(postgres):
    record = postgres.record()
    assert record["host"] == "127.0.0.1" and net.port_in_use(record["port"])
    with psycopg.connect(postgres.admin_conninfo(), autocommit=True) as admin:
        assert admin.execute("select current_user").fetchone() == ("postgres",)
        admin.execute("drop role if exists app")
        admin.execute("create role app login password 'app-pw-1'")
    with psycopg.connect(host="127.0.0.1", port=record["port"], user="app", password="app-pw-1", dbname="postgres") as app:
        assert app.execute("select 1 + 1").fetchone() == (2,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(host="127.0.0.1", port=record["port"], user="app", password="wrong", dbname="postgres")


def test_postgres_start_is_idempotent_and_stop_ends_it(state_root):
    from localenv.postgres import LocalPostgres

    server = LocalPostgres(state=state_root / "pg-lifecycle")
    try:
        assert server.start().startswith("PostgreSQL started on 127.0.0.1:")
        pid = server.running_pid()
        assert server.start().startswith("PostgreSQL already running")
        assert server.stop() == f"PostgreSQL stopped (pid {pid})"
        assert server.running_pid() is None and not process.is_running(pid, "postgres")
        assert server.stop() == "PostgreSQL not running; nothing to stop"
    finally:
        server.stop()
