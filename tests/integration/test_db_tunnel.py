"""Role db_tunnel (entry points open and close) and playbooks/tunnel.yml, through the emulator and the stand-in
plugin to the local PostgreSQL (see tunnels.py and test_ssm_port_forward.py)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import subprocess
import termios
import time

import psycopg
import pytest

from helpers import BIN, REPO_ROOT, ansible_env, run_playbook
from tunnels import CLUSTER, PARAMETERS, SERVICE, create_service, put_database_parameters, query_through, search_path, \
    wait_until_gone

BLOCK_PLAYBOOK = "tests/integration/playbooks/db_tunnel_block.yml"


@pytest.fixture
def environment(aws, boto, app_database, tunnel_dir):
    """An environment whose database parameters lead to the local PostgreSQL, its password in Secrets Manager as RDS
    keeps it; returns the role variables that point the tunnel at it."""
    put_database_parameters(boto, app_database["host"], app_database["port"])
    credentials = {"username": app_database["user"], "password": app_database["password"]}
    secret = boto("secretsmanager").create_secret(Name="rds!db-shop", SecretString=json.dumps(credentials))["ARN"]
    ssm = boto("ssm")
    for name, value in (("DB_NAME", app_database["dbname"]), ("DB_USER", app_database["user"]), ("DB_SECRET_ARN", secret)):
        ssm.put_parameter(Name=f"{PARAMETERS}{name}", Value=value, Type="String")
    create_service(boto)
    # The local inventory reaches its own PostgreSQL directly; these tests go through a tunnel, to the endpoint the
    # parameters name (an empty host and port 0 mean: read DB_HOST and DB_PORT).
    return {"db_tunnel_mode": "tunnel", "db_tunnel_remote_host": "", "db_tunnel_remote_port": 0,
            "db_tunnel_ecs_cluster": CLUSTER, "db_tunnel_ecs_service": SERVICE, "db_tunnel_parameter_path": PARAMETERS,
            "db_tunnel_state_dir": str(tunnel_dir), "db_tunnel_name": "shop-db", "secret_arn": secret}


def role_vars(environment: dict, **extra) -> dict:
    return {**{k: v for k, v in environment.items() if k.startswith("db_tunnel_")}, **extra}


def block_run(aws, environment, app_database, **extra):
    return run_playbook(BLOCK_PLAYBOOK, aws_port=aws.port, env={"PATH": search_path()},
                        extra_vars=role_vars(environment, database_password=app_database["password"], **extra))


def test_open_publishes_the_connection_and_close_ends_the_tunnel(aws, environment, app_database, tunnel_dir):
    run = block_run(aws, environment, app_database)

    assert run.rc == 0, run.output[-3000:]
    connection = run.fact("db_tunnel_connection")
    assert connection["host"] == "127.0.0.1"
    assert (connection["database"], connection["user"], connection["secret_arn"]) == \
        (app_database["dbname"], app_database["user"], environment["secret_arn"])
    assert run.result_of("Query through the tunnel")["query_result"] == \
        [{"who": app_database["user"], "port": app_database["port"]}]
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]
    assert list(tunnel_dir.glob("*.json")) == []
    assert app_database["password"] not in run.output


def test_the_tunnel_is_closed_when_the_work_inside_the_block_fails(aws, environment, app_database, tunnel_dir):
    run = block_run(aws, environment, app_database, fail_inside=True)

    assert "the work failed" in run.failure_message()
    assert run.result_of("Query through the tunnel")["query_result"][0]["who"] == app_database["user"]
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]
    assert list(tunnel_dir.glob("*.json")) == []


def test_a_parameter_path_without_slashes_fails_before_any_aws_call(aws, environment, app_database):
    aws.clear_requests()

    run = block_run(aws, environment, app_database, db_tunnel_parameter_path="shop/test")

    assert "must be an SSM parameter path that starts and ends with '/'" in run.failure_message()
    assert aws.requests() == []


def test_the_role_refuses_an_unknown_mode(aws, environment, app_database):
    run = block_run(aws, environment, app_database, db_tunnel_mode="ssh")

    assert "db_tunnel_mode" in run.failure_message() and "tunnel, direct" in run.failure_message()


def own_the_terminal() -> None:
    """Make the pseudo-terminal the child's controlling terminal, as a login shell's is (pause asks it who is in front)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def held_tunnel(extra_vars: dict, aws_port: int, while_held) -> tuple[int, str]:
    """Run playbooks/tunnel.yml on a terminal, as a person does: wait for its prompt, call ``while_held`` with the
    output so far, press Enter, and return (exit code, whole output)."""
    command = [str(BIN / "ansible-playbook"), "-i", "inventories/local", "playbooks/tunnel.yml", "-e", json.dumps(extra_vars)]
    controller, terminal = pty.openpty()
    env = ansible_env(aws_port, {"PATH": search_path()})
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=terminal, stdout=terminal, stderr=terminal,  # noqa: S603
                               preexec_fn=own_the_terminal)  # noqa: PLW1509 (no threads run in the test process)
    os.close(terminal)
    output, pressed = b"", False
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if select.select([controller], [], [], 1)[0]:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closed: the playbook ended
                    break
                if not chunk:
                    break
                output += chunk
            if not pressed and b"Press Enter to close it" in output:
                while_held(output.decode(errors="replace"))
                os.write(controller, b"\r")
                pressed = True
        return process.wait(timeout=60), output.decode(errors="replace")
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()


def test_tunnel_playbook_holds_the_tunnel_until_enter_then_closes_it(aws, environment, app_database):
    seen = {}

    def while_held(output: str) -> None:
        seen["port"] = int(re.search(r"port:\s+(\d+)", output).group(1))
        seen["query"] = query_through(seen["port"], app_database)
        seen["psql"] = re.search(r"psql:\s+(psql .*)", output).group(1).strip().strip("'\",")

    rc, output = held_tunnel(role_vars(environment), aws.port, while_held)

    assert rc == 0, output[-3000:]
    assert seen["query"] == (app_database["user"], app_database["port"])
    assert f"host=127.0.0.1 port={seen['port']} dbname={app_database['dbname']} user={app_database['user']}" in seen["psql"]
    assert app_database["password"] not in output
    assert environment["secret_arn"] in output, "says where the password is"
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"], "closed after Enter"


def test_tunnel_playbook_prints_the_password_only_when_asked(aws, environment, app_database, tunnel_dir):
    extra = role_vars(environment, tunnel_action="open", show_password=True)
    run = run_playbook("playbooks/tunnel.yml", aws_port=aws.port, env={"PATH": search_path()}, extra_vars=extra,
                       json_report=False)

    assert run.rc == 0, run.output[-3000:]
    assert f"password: {app_database['password']}" in run.output
    record = json.loads((tunnel_dir / "shop-db.json").read_text())
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Connected"], "tunnel_action=open leaves it open"

    closed = run_playbook("playbooks/tunnel.yml", aws_port=aws.port, extra_vars=role_vars(environment, tunnel_action="close"))
    assert closed.rc == 0, closed.output[-3000:]
    assert wait_until_gone(record["pid"])
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]


def test_tunnel_playbook_on_the_local_environment_connects_directly(aws, boto, app_database, postgres, state_root):
    # The local inventory reaches its PostgreSQL directly (db_tunnel_mode direct), found through tools/localenv's record.
    put_database_parameters(boto, "unreachable.emulated-rds.example", 5432)
    run = run_playbook("playbooks/tunnel.yml", aws_port=aws.port, json_report=False,
                       env={"SHIPYARD_STATE_DIR": str(state_root), "PATH": os.pathsep.join([str(BIN), "/usr/bin", "/bin"])},
                       extra_vars={"db_tunnel_parameter_path": PARAMETERS})

    assert run.rc == 0, run.output[-3000:]
    assert f"port:     {postgres.record()['port']}" in run.output
    assert f"host:     {postgres.record()['host']}" in run.output
    assert "Press Enter" not in run.output, "nothing to hold in direct mode"
    assert aws.ssm_sessions() == []


def test_on_the_local_environment_infra_creates_the_database_tunnel_yml_describes(
        aws, boto, postgres, state_root, tmp_path):
    # What the database component leaves on the emulator: connection parameters and RDS's managed secret.
    password = "local-master-pw-77c1"
    secret = boto("secretsmanager").create_secret(
        Name="rds!db-local", SecretString=json.dumps({"username": "bookmark_admin", "password": password}))["ARN"]
    for name, value in (("DB_HOST", "bookmark-manager-local.emulated.rds.amazonaws.com"), ("DB_PORT", "5432"),
                        ("DB_NAME", "bookmarks_local"), ("DB_USER", "bookmark_admin"), ("DB_SECRET_ARN", secret)):
        boto("ssm").put_parameter(Name=f"/bookmark-manager/local/{name}", Value=value, Type="String")
    local = {"SHIPYARD_STATE_DIR": str(state_root)}
    infra = {"terraform_stack_components": [], "terraform_stack_work_dir": str(tmp_path)}
    try:
        first = run_playbook("playbooks/infra.yml", "-vvv", aws_port=aws.port, env=local, extra_vars=infra,
                             json_report=False)
        assert first.rc == 0, first.output[-3000:]
        assert password not in first.output

        run = run_playbook("playbooks/tunnel.yml", aws_port=aws.port, env=local, json_report=False)
        assert run.rc == 0, run.output[-3000:]
        port = int(re.search(r"port:\s+(\d+)", run.output).group(1))
        database = {"user": "bookmark_admin", "password": password, "dbname": "bookmarks_local"}
        assert query_through(port, database) == ("bookmark_admin", postgres.record()["port"])

        again = run_playbook("playbooks/infra.yml", aws_port=aws.port, env=local, extra_vars=infra)
        assert again.rc == 0 and again.stats["changed"] == 0, again.output[-3000:]
    finally:
        with psycopg.connect(postgres.admin_conninfo(), autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS bookmarks_local")
            admin.execute("DROP ROLE IF EXISTS bookmark_admin")


def test_a_stale_postgres_record_is_no_reason_for_infra_to_fail(aws, boto, tmp_path):
    # make local-up's record left behind by a PostgreSQL that is no longer running (a crash, a reboot), while the
    # database component's parameters say there is a database to create.
    for name, value in (("DB_NAME", "bookmarks_local"), ("DB_USER", "bookmark_admin"), ("DB_SECRET_ARN", "arn:x")):
        boto("ssm").put_parameter(Name=f"/bookmark-manager/local/{name}", Value=value, Type="String")
    (tmp_path / "postgres").mkdir()
    (tmp_path / "postgres" / "server.json").write_text(json.dumps(
        {"host": "127.0.0.1", "port": 1, "socket_dir": str(tmp_path / "gone"), "superuser": "postgres"}))

    run = run_playbook("playbooks/infra.yml", aws_port=aws.port, env={"SHIPYARD_STATE_DIR": str(tmp_path)},
                       extra_vars={"terraform_stack_components": [], "terraform_stack_work_dir": str(tmp_path / "tf")})

    assert run.rc == 0, run.output[-3000:]
    assert run.result_of("Create the master user with the password RDS keeps in Secrets Manager").get("skipped") is True
