"""Module shipyard.aws.ssm_port_forward: every way opening a tunnel can fail says what happened and what to do, and
leaves no session and no process behind. (See test_ssm_port_forward.py for the emulator and the stand-in plugin.)"""

from __future__ import annotations

import socket

import pytest

from tunnels import CLUSTER, PARAMETERS, SERVICE, create_service, put_database_parameters, through_service, tunnel


@pytest.fixture
def parameters(aws, boto, app_database):
    put_database_parameters(boto, app_database["host"], app_database["port"])


def no_session_left(aws) -> bool:
    return all(s["Status"] == "Terminated" for s in aws.ssm_sessions())


def test_a_missing_plugin_fails_before_any_aws_call(aws, boto, parameters, tunnel_dir):
    create_service(boto)
    aws.clear_requests()

    run = tunnel(aws, tunnel_dir, plugin=False, **through_service())

    message = run.failure_message()
    assert "session-manager-plugin was not found" in message
    assert "install" in message and "session-manager-working-with-install-plugin" in message
    assert aws.requests() == [], "no AWS call, so no session was opened"


def test_a_service_without_running_tasks(aws, boto, parameters, tunnel_dir):
    create_service(boto, count=0)

    message = tunnel(aws, tunnel_dir, **through_service()).failure_message()

    assert f"ECS service {SERVICE} in cluster {CLUSTER} has no running task" in message
    assert "desired count 0" in message
    assert aws.ssm_sessions() == []


def test_a_missing_service(aws, boto, parameters, tunnel_dir):
    boto("ecs").create_cluster(clusterName=CLUSTER)

    message = tunnel(aws, tunnel_dir, **through_service()).failure_message()

    assert f"ECS service {SERVICE} does not exist" in message


def test_exec_turned_off_on_the_service_says_so_and_that_a_new_deployment_is_needed(aws, boto, parameters, tunnel_dir):
    create_service(boto, execute_command=False)

    message = tunnel(aws, tunnel_dir, **through_service()).failure_message()

    assert "ECS Exec is off" in message and "enableExecuteCommand false" in message
    assert "new deployment" in message
    assert aws.ssm_sessions() == []


def test_exec_turned_on_after_the_tasks_started_says_they_need_a_new_deployment(aws, boto, parameters, tunnel_dir):
    create_service(boto, execute_command=False)
    boto("ecs").update_service(cluster=CLUSTER, service=SERVICE, enableExecuteCommand=True)

    message = tunnel(aws, tunnel_dir, **through_service()).failure_message()

    assert "enableExecuteCommand on, but its running tasks started before it was" in message
    assert "new deployment" in message


def test_no_task_with_a_running_exec_agent_names_each_agent_state(aws, boto, parameters, tunnel_dir):
    tasks = create_service(boto, count=2)
    for task, status in zip(tasks, ("STOPPED", "PENDING")):
        aws.set_exec_agent(task["taskArn"], status)

    message = tunnel(aws, tunnel_dir, **through_service()).failure_message()

    assert "has a RUNNING ExecuteCommandAgent" in message
    assert "api: STOPPED" in message and "api: PENDING" in message
    assert "new deployment" in message
    assert aws.ssm_sessions() == []


def test_access_denied_on_start_session_names_the_permission(aws, boto, parameters, tunnel_dir):
    create_service(boto)
    aws.deny_start_session()

    message = tunnel(aws, tunnel_dir, **through_service()).failure_message()

    assert "access denied to ssm:StartSession" in message
    assert "AWS-StartPortForwardingSessionToRemoteHost" in message
    assert aws.ssm_sessions() == []
    assert list(tunnel_dir.glob("*.json")) == []


def test_a_local_port_already_taken_fails_before_a_session_starts(aws, boto, parameters, tunnel_dir):
    create_service(boto)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        message = tunnel(aws, tunnel_dir, **through_service(local_port=port)).failure_message()

    assert f"local port {port} on 127.0.0.1 is already in use by another program" in message
    assert "choose another local_port, or 0" in message
    assert aws.ssm_sessions() == []


def test_a_port_held_by_another_tunnel_names_that_tunnel(aws, boto, parameters, tunnel_dir):
    create_service(boto)
    first = tunnel(aws, tunnel_dir, **through_service(name="first"))
    assert first.rc == 0, first.output[-3000:]
    port = first.result_of("Tunnel")["local_port"]

    message = tunnel(aws, tunnel_dir, **through_service(name="second", local_port=port)).failure_message()

    assert "in use by the tunnel first" in message


def test_a_plugin_exiting_early_shows_its_stderr_and_terminates_the_session(aws, boto, parameters, tunnel_dir):
    create_service(boto)
    aws.refuse_next_data_channel("the session token has expired")

    message = tunnel(aws, tunnel_dir, **through_service(name="shop-db")).failure_message()

    assert "session-manager-plugin exited (code 1)" in message
    assert "the session token has expired" in message
    assert no_session_left(aws) and len(aws.ssm_sessions()) == 1
    assert list(tunnel_dir.iterdir()) == [], "nothing left on disk"


def test_a_missing_parameter_names_it(aws, boto, tunnel_dir):
    create_service(boto)

    message = tunnel(aws, tunnel_dir, **through_service()).failure_message()

    assert f"SSM parameter {PARAMETERS}DB_HOST (remote_host_parameter) does not exist" in message


@pytest.mark.parametrize(("options", "expected"), [
    ({"remote_host": "db"}, "say what the session goes through"),
    ({"ecs_cluster": CLUSTER, "ecs_service": SERVICE}, "say where the tunnel leads"),
    ({"target": "i-0123456789abcdef0", "remote_host": "db", "local_port": 70000}, "local_port must be a port number"),
    ({"target": "i-0123456789abcdef0", "remote_host": "db", "name": "../escape"}, "is not usable as a tunnel name"),
    ({"target": "i-0123456789abcdef0", "ecs_cluster": CLUSTER, "ecs_service": SERVICE, "remote_host": "db"},
     "mutually exclusive"),
])
def test_bad_options_fail_before_any_aws_call(aws, tunnel_dir, options, expected):
    message = tunnel(aws, tunnel_dir, **options).failure_message()

    assert expected in message
    assert aws.requests() == []


def test_a_stopped_ec2_bastion_says_to_start_it(aws, boto, parameters, tunnel_dir):
    ec2 = boto("ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[instance])

    message = tunnel(aws, tunnel_dir, ec2_instance_id=instance,
                     remote_host_parameter=f"{PARAMETERS}DB_HOST").failure_message()

    assert f"EC2 instance {instance} is stopped" in message and "start it" in message
