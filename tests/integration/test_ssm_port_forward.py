"""Module shipyard.aws.ssm_port_forward through ansible-playbook: a tunnel to the local PostgreSQL through an ECS task.

The session goes through the emulator (StartSession/TerminateSession and ECS Exec's agent fields are the harness's,
tools/localenv/extensions/ssm_sessions.py and ecs_exec.py) and the stand-in plugin
(tools/localenv/bin/session-manager-plugin, see tunnels.py), which forwards 127.0.0.1:<local port> to the session's
host:portNumber, here the real PostgreSQL; psycopg reads through it. Emulator difference: on AWS the target's SSM
agent opens the connection to the remote host; here the stand-in does, on this machine.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from pathlib import Path

import pytest

from tunnels import (CLUSTER, PARAMETERS, SERVICE, TASK, create_service, ecs_target, is_running, put_database_parameters,
                     query_through, through_service, tunnel, wait_until_gone)

DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"


@pytest.fixture
def service(aws, boto, app_database):
    put_database_parameters(boto, app_database["host"], app_database["port"])
    return create_service(boto)


def opened(run) -> dict:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)


def test_a_started_tunnel_reaches_the_database_through_a_running_task(aws, service, app_database, tunnel_dir):
    result = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))

    assert result["changed"] is True
    assert result["host"] == "127.0.0.1"
    assert query_through(result["local_port"], app_database) == (app_database["user"], app_database["port"])
    assert result["target"] == ecs_target(service[0])
    sessions = aws.ssm_sessions()
    assert [s["SessionId"] for s in sessions] == [result["session_id"]]
    assert sessions[0]["Target"] == result["target"]
    assert sessions[0]["DocumentName"] == DOCUMENT
    assert sessions[0]["Parameters"] == {"host": [app_database["host"]], "portNumber": [str(app_database["port"])],
                                         "localPortNumber": [str(result["local_port"])]}


def test_the_tunnel_is_recorded_in_a_private_directory_without_secrets(aws, service, tunnel_dir):
    result = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))

    assert stat.S_IMODE(tunnel_dir.stat().st_mode) == 0o700
    record_file = tunnel_dir / "shop-db.json"
    assert result["state_file"] == str(record_file)
    assert stat.S_IMODE(record_file.stat().st_mode) == 0o600
    record = json.loads(record_file.read_text())
    assert {key: record[key] for key in ("pid", "session_id", "local_port", "target")} == \
        {key: result[key] for key in ("pid", "session_id", "local_port", "target")}
    assert record["started_at"] > 0
    everything_on_disk = "".join(path.read_text(errors="replace") for path in tunnel_dir.iterdir())
    assert "TokenValue" not in everything_on_disk


def test_the_session_token_never_reaches_the_output_or_the_command_line(aws, service, tunnel_dir):
    run = tunnel(aws, tunnel_dir, "-vvv", **through_service(name="shop-db"))
    result = opened(run)

    assert "TokenValue" not in run.output
    argv = Path(f"/proc/{result['pid']}/cmdline").read_bytes().split(b"\0")
    # As the AWS CLI does with plugins newer than 1.2.497.0: the response travels in an environment variable.
    assert b"AWS_SSM_START_SESSION_RESPONSE" in argv
    assert b"TokenValue" not in b" ".join(argv)


def test_a_second_run_leaves_a_running_tunnel_alone(aws, service, app_database, tunnel_dir):
    first = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))
    aws.clear_requests()

    again = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))

    assert again["changed"] is False
    assert (again["pid"], again["session_id"], again["local_port"]) == \
        (first["pid"], first["session_id"], first["local_port"])
    assert aws.requests() == [], "a running tunnel is recognised without asking AWS"
    assert query_through(again["local_port"], app_database)[0] == app_database["user"]


def test_check_mode_says_a_tunnel_would_open_and_opens_none(aws, service, tunnel_dir):
    run = tunnel(aws, tunnel_dir, "--check", "--diff", **through_service(name="shop-db"))
    result = opened(run)

    assert result["changed"] is True
    assert result["diff"]["before"] == {"state": "stopped"}
    assert result["diff"]["after"]["state"] == "started"
    assert result["diff"]["after"]["target"] == ecs_target(service[0])
    assert aws.ssm_sessions() == []
    assert not (tunnel_dir / "shop-db.json").exists()


def test_stop_ends_the_plugin_terminates_the_session_and_forgets_the_tunnel(aws, service, tunnel_dir):
    started = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))

    stopped = opened(tunnel(aws, tunnel_dir, name="shop-db", state="stopped"))

    assert stopped["changed"] is True
    assert wait_until_gone(started["pid"])
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]
    assert "TerminateSession" in [r["operation"] for r in aws.requests()]
    assert list(tunnel_dir.iterdir()) == [], "record and plugin output removed"

    again = opened(tunnel(aws, tunnel_dir, name="shop-db", state="stopped"))
    assert again["changed"] is False


def test_check_mode_stop_leaves_the_tunnel_running(aws, service, tunnel_dir):
    started = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))

    checked = opened(tunnel(aws, tunnel_dir, "--check", name="shop-db", state="stopped"))

    assert checked["changed"] is True
    assert is_running(started["pid"])
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Connected"]


def test_a_killed_plugin_is_detected_and_started_again(aws, service, app_database, tunnel_dir):
    first = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))
    os.killpg(first["pid"], signal.SIGKILL)
    assert wait_until_gone(first["pid"])

    again = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))

    assert again["changed"] is True and again["restarted"] is True
    assert again["pid"] != first["pid"] and again["session_id"] != first["session_id"]
    assert again["local_port"] == first["local_port"], "the port a client was configured with is kept while free"
    assert query_through(again["local_port"], app_database)[0] == app_database["user"]
    statuses = {s["SessionId"]: s["Status"] for s in aws.ssm_sessions()}
    assert statuses == {first["session_id"]: "Terminated", again["session_id"]: "Connected"}


def test_a_task_without_a_running_exec_agent_is_skipped_for_one_that_has_it(aws, boto, app_database, tunnel_dir):
    put_database_parameters(boto, app_database["host"], app_database["port"])
    broken, healthy = create_service(boto, count=2)
    aws.set_exec_agent(broken["taskArn"], "STOPPED")

    result = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))

    assert result["target"] == ecs_target(healthy)
    assert query_through(result["local_port"], app_database)[0] == app_database["user"]


def test_two_named_tunnels_run_side_by_side(aws, service, app_database, tunnel_dir):
    one = opened(tunnel(aws, tunnel_dir, **through_service(name="one")))
    two = opened(tunnel(aws, tunnel_dir, **through_service(name="two")))

    assert one["local_port"] != two["local_port"] and one["pid"] != two["pid"]
    for result in (one, two):
        assert query_through(result["local_port"], app_database)[0] == app_database["user"]

    opened(tunnel(aws, tunnel_dir, name="one", state="stopped"))
    assert wait_until_gone(one["pid"])
    assert query_through(two["local_port"], app_database)[0] == app_database["user"]


def test_a_fixed_local_port_and_an_explicit_remote_host(aws, service, app_database, tunnel_dir):
    from localenv import net

    port = net.free_port()
    result = opened(tunnel(aws, tunnel_dir, ecs_cluster=CLUSTER, ecs_service=SERVICE, remote_host=app_database["host"],
                           remote_port=app_database["port"], local_port=port))

    assert result["local_port"] == port
    assert result["name"] == f"{CLUSTER}-{SERVICE}-{app_database['host']}-{app_database['port']}-{port}"
    assert query_through(port, app_database)[0] == app_database["user"]


def test_changed_settings_restart_the_tunnel_with_them(aws, service, boto, app_database, tunnel_dir):
    from localenv import net

    first = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db")))
    port = net.free_port()

    moved = opened(tunnel(aws, tunnel_dir, **through_service(name="shop-db", local_port=port)))

    assert moved["changed"] is True and moved["local_port"] == port
    assert wait_until_gone(first["pid"])
    assert query_through(port, app_database)[0] == app_database["user"]


def test_through_an_ec2_bastion_found_by_tag(aws, boto, app_database, tunnel_dir):
    put_database_parameters(boto, app_database["host"], app_database["port"])
    ec2 = boto("ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "Role", "Value": "bastion"}]}])["Instances"][0]["InstanceId"]

    result = opened(tunnel(aws, tunnel_dir, ec2_filters={"tag:Role": "bastion"},
                           remote_host_parameter=f"{PARAMETERS}DB_HOST", remote_port_parameter=f"{PARAMETERS}DB_PORT"))

    assert result["target"] == instance
    assert query_through(result["local_port"], app_database)[0] == app_database["user"]


def test_direct_mode_returns_the_endpoint_and_opens_nothing(aws, boto, app_database, tunnel_dir):
    put_database_parameters(boto, app_database["host"], app_database["port"])

    result = opened(tunnel(aws, tunnel_dir, plugin=False, mode="direct", remote_host_parameter=f"{PARAMETERS}DB_HOST",
                           remote_port_parameter=f"{PARAMETERS}DB_PORT"))

    assert result["changed"] is False
    assert (result["host"], result["local_port"]) == (app_database["host"], app_database["port"])
    assert query_through(result["local_port"], app_database)[0] == app_database["user"]
    assert aws.ssm_sessions() == []
