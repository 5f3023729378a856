"""The emulator's ECS tasks, ECS Exec and SSM Session Manager, and the stand-in session-manager-plugin, as boto3 and
the plugin meet them.

moto has none of this (tools/localenv/extensions/__init__.py says why, part by part): ECS services now run their tasks once
a rollout settles (1 s after it started), tasks keep their status, carry ECS Exec's fields, and StartSession,
TerminateSession and DescribeSessions are served by the extensions. tools/localenv/bin/session-manager-plugin stands
in for AWS's plugin, which cannot be installed here; it keeps the real plugin's arguments and forwards the port itself.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from helpers import BIN, REPO_ROOT

REGION = "ap-northeast-1"
CLUSTER = "shipyard-ci"
PLUGIN = REPO_ROOT / "tools" / "localenv" / "bin" / "session-manager-plugin"
REMOTE_HOST = "AWS-StartPortForwardingSessionToRemoteHost"
AGENT = "ExecuteCommandAgent"
WAIT = 10.0


# --- ECS: a cluster, a Fargate task definition, services and tasks ------------------------------------------


@pytest.fixture
def ecs(boto):
    client = boto("ecs")
    client.create_cluster(clusterName=CLUSTER)
    return client


@pytest.fixture
def ssm(boto):
    return boto("ssm")


@pytest.fixture
def network(boto):
    subnet = boto("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}}


@pytest.fixture
def task_definition(ecs):
    return ecs.register_task_definition(
        family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx:1", "memory": 128, "essential": True}],
    )["taskDefinition"]["taskDefinitionArn"]


def create_service(ecs, task_definition, network, desired_count=2, enable_exec=True, name="web"):
    ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=task_definition, desiredCount=desired_count,
                       launchType="FARGATE", networkConfiguration=network, enableExecuteCommand=enable_exec)


def run_task(ecs, task_definition, network, enable_exec=True) -> dict:
    (task,) = ecs.run_task(cluster=CLUSTER, taskDefinition=task_definition, launchType="FARGATE",
                           networkConfiguration=network, enableExecuteCommand=enable_exec)["tasks"]
    return task


def service_tasks(ecs, name="web", status="RUNNING") -> list[dict]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=name, desiredStatus=status)["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def wait_for_tasks(ecs, count, name="web", started_by=None) -> list[dict]:
    """The service's RUNNING tasks once there are ``count`` (of deployment ``started_by``, if given)."""
    deadline = time.monotonic() + WAIT
    while True:
        tasks = [t for t in service_tasks(ecs, name) if started_by in (None, t["startedBy"])]
        if len(tasks) == count or time.monotonic() > deadline:
            return tasks
        time.sleep(0.1)


def primary_deployment(ecs, name="web") -> dict:
    service = ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]
    return next(d for d in service["deployments"] if d["status"] == "PRIMARY")


def task_id(task: dict) -> str:
    return task["taskArn"].rsplit("/", 1)[-1]


def exec_target(task: dict) -> str:
    return f"ecs:{CLUSTER}_{task_id(task)}_{task['containers'][0]['runtimeId']}"


def agent_of(container: dict) -> dict:
    (agent,) = container["managedAgents"]
    return agent


# --- ECS services run their tasks ---------------------------------------------------------------------------


def test_a_service_with_ecs_exec_runs_desired_count_tasks_with_a_running_agent_once_its_rollout_settles(
        ecs, task_definition, network):
    create_service(ecs, task_definition, network, desired_count=2)
    assert service_tasks(ecs) == [], "no task runs before the first rollout settles"

    tasks = wait_for_tasks(ecs, 2)
    deployment = primary_deployment(ecs)
    assert deployment["rolloutState"] == "COMPLETED"
    for task in tasks:
        assert (task["lastStatus"], task["enableExecuteCommand"]) == ("RUNNING", True)
        assert (task["group"], task["startedBy"]) == ("service:web", deployment["id"])
        assert (task["taskDefinitionArn"], task["launchType"]) == (task_definition, "FARGATE")
        (container,) = task["containers"]
        assert re.fullmatch(re.escape(task_id(task)) + r"-\d{10}", container["runtimeId"])
        agent = agent_of(container)
        assert (agent["name"], agent["lastStatus"]) == (AGENT, "RUNNING")
        assert agent["lastStartedAt"]


def test_tasks_stay_running_however_often_they_are_described(ecs, task_definition, network):
    create_service(ecs, task_definition, network, desired_count=1)
    (task,) = wait_for_tasks(ecs, 1)
    for unused_read in range(6):
        (described,) = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"]
        assert described["lastStatus"] == "RUNNING"
    assert described["containers"][0]["runtimeId"] == task["containers"][0]["runtimeId"], "runtime ids are stable"


def test_scaling_a_service_to_zero_stops_its_tasks(ecs, task_definition, network):
    create_service(ecs, task_definition, network, desired_count=2)
    deployment_id = wait_for_tasks(ecs, 2)[0]["startedBy"]

    ecs.update_service(cluster=CLUSTER, service="web", desiredCount=0)

    assert service_tasks(ecs) == []
    stopped = service_tasks(ecs, status="STOPPED")
    assert len(stopped) == 2
    for task in stopped:
        assert task["lastStatus"] == "STOPPED"
        assert task["stoppedReason"] == f"Scaling activity initiated by (deployment {deployment_id})"
        assert agent_of(task["containers"][0])["lastStatus"] == "STOPPED"


def test_a_service_without_ecs_exec_runs_tasks_without_managed_agents(ecs, task_definition, network):
    create_service(ecs, task_definition, network, desired_count=1, enable_exec=False)
    (task,) = wait_for_tasks(ecs, 1)
    assert task["enableExecuteCommand"] is False
    assert "managedAgents" not in task["containers"][0]
    assert task["containers"][0]["runtimeId"]


def test_turning_ecs_exec_on_reaches_only_the_tasks_of_a_new_deployment(ecs, task_definition, network):
    create_service(ecs, task_definition, network, desired_count=1, enable_exec=False)
    (old,) = wait_for_tasks(ecs, 1)

    ecs.update_service(cluster=CLUSTER, service="web", enableExecuteCommand=True)
    (unchanged,) = service_tasks(ecs)
    assert (unchanged["taskArn"], unchanged["enableExecuteCommand"]) == (old["taskArn"], False)

    ecs.update_service(cluster=CLUSTER, service="web", forceNewDeployment=True)
    new_deployment = primary_deployment(ecs)["id"]
    (new,) = wait_for_tasks(ecs, 1, started_by=new_deployment)
    assert new["enableExecuteCommand"] is True
    assert agent_of(new["containers"][0])["lastStatus"] == "RUNNING"
    (replaced,) = ecs.describe_tasks(cluster=CLUSTER, tasks=[old["taskArn"]])["tasks"]
    assert replaced["lastStatus"] == "STOPPED"
    assert [t["taskArn"] for t in service_tasks(ecs)] == [new["taskArn"]]


# --- RunTask, StopTask and the agent's status ----------------------------------------------------------------


def test_run_task_with_enable_execute_command_starts_the_agent(ecs, task_definition, network):
    task = run_task(ecs, task_definition, network, enable_exec=True)
    (described,) = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"]
    assert (described["lastStatus"], described["enableExecuteCommand"]) == ("RUNNING", True)
    assert agent_of(described["containers"][0])["lastStatus"] == "RUNNING"

    plain = run_task(ecs, task_definition, network, enable_exec=False)
    assert plain["enableExecuteCommand"] is False
    assert "managedAgents" not in plain["containers"][0]


def test_stop_task_stops_the_task_and_its_agent(ecs, task_definition, network):
    task = run_task(ecs, task_definition, network)
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="done")
    (stopped,) = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"]
    assert (stopped["lastStatus"], stopped["stoppedReason"]) == ("STOPPED", "done")
    assert stopped["stopCode"] == "UserInitiated"
    assert agent_of(stopped["containers"][0])["lastStatus"] == "STOPPED"


def test_set_exec_agent_sets_the_agents_last_status_and_reason(aws, ecs, task_definition, network):
    task = run_task(ecs, task_definition, network)
    aws.set_exec_agent(task["taskArn"], "STOPPED", reason="the SSM agent exited")
    (described,) = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"]
    agent = agent_of(described["containers"][0])
    assert (agent["lastStatus"], agent["reason"]) == ("STOPPED", "the SSM agent exited")
    assert described["lastStatus"] == "RUNNING", "the task itself goes on running"

    aws.set_exec_agent(task_id(task), "RUNNING")
    (described,) = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"]
    assert "reason" not in agent_of(described["containers"][0])


def test_set_exec_agent_of_an_unknown_task_is_404(aws):
    with pytest.raises(urllib.error.HTTPError) as error:
        aws.set_exec_agent("0123456789abcdef0123456789abcdef", "STOPPED")
    assert error.value.code == 404


@pytest.mark.parametrize("body", [{"lastStatus": "STOPPED"}, {"task": "t", "lastStatus": "DEAD"}, ["t"]])
def test_the_agents_endpoint_refuses_a_bad_body_with_400(aws, body):
    request = urllib.request.Request(f"{aws.endpoint}/_shipyard/ecs/agents", data=json.dumps(body).encode(),
                                     method="PUT", headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 (the emulator on loopback)
    assert error.value.code == 400
    assert json.load(error.value)["error"]


# --- StartSession, DescribeSessions, TerminateSession --------------------------------------------------------


@pytest.fixture
def target(ecs, task_definition, network) -> str:
    """The SSM target of a running task with ECS Exec."""
    return exec_target(run_task(ecs, task_definition, network))


def test_start_session_to_a_task_answers_a_session_id_a_token_and_a_stream_url(aws, ssm, target):
    parameters = {"host": ["db.internal"], "portNumber": ["5432"], "localPortNumber": ["15432"]}
    response = ssm.start_session(Target=target, DocumentName=REMOTE_HOST, Parameters=parameters)

    session_id = response["SessionId"]
    assert re.fullmatch(r"moto-[0-9a-f]{17}", session_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{64,}", response["TokenValue"])
    assert response["StreamUrl"] == (f"ws://127.0.0.1:{aws.port}/_shipyard/ssm/data-channel/{session_id}"
                                     "?role=publish_subscribe")
    (session,) = aws.ssm_sessions()
    assert (session["SessionId"], session["Target"], session["Status"]) == (session_id, target, "Connected")
    assert (session["DocumentName"], session["Parameters"]) == (REMOTE_HOST, parameters)
    assert response["TokenValue"] not in json.dumps(aws.ssm_sessions()), "the listing never shows the token"
    ((service, operation),) = [(r["service"], r["operation"]) for r in aws.requests() if r["service"] == "ssm"]
    assert (service, operation) == ("ssm", "StartSession")


def test_describe_sessions_lists_connected_sessions_as_active(ssm, target):
    session_id = ssm.start_session(Target=target)["SessionId"]
    (active,) = ssm.describe_sessions(State="Active")["Sessions"]
    assert (active["SessionId"], active["Target"], active["Status"]) == (session_id, target, "Connected")
    assert active["DocumentName"] == "SSM-SessionManagerRunShell"
    assert active["Owner"] == "arn:aws:iam::123456789012:user/moto"
    assert ssm.describe_sessions(State="History")["Sessions"] == []


def test_terminate_session_moves_it_to_history_and_may_be_repeated(aws, ssm, target):
    session_id = ssm.start_session(Target=target)["SessionId"]
    assert ssm.terminate_session(SessionId=session_id)["SessionId"] == session_id
    assert ssm.terminate_session(SessionId=session_id)["SessionId"] == session_id
    assert ssm.terminate_session(SessionId="moto-00000000000000000")["SessionId"] == "moto-00000000000000000"

    assert ssm.describe_sessions(State="Active")["Sessions"] == []
    (ended,) = ssm.describe_sessions(State="History")["Sessions"]
    assert (ended["SessionId"], ended["Status"]) == (session_id, "Terminated")
    assert ended["EndDate"] >= ended["StartDate"]
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]


def start_session_error(ssm, target: str) -> ClientError:
    with pytest.raises(ClientError) as error:
        ssm.start_session(Target=target)
    return error.value


def test_start_session_to_a_task_whose_agent_stopped_is_target_not_connected(aws, ssm, target):
    aws.set_exec_agent(target.split("_")[-2], "STOPPED")
    error = start_session_error(ssm, target)
    assert error.response["Error"] == {"Code": "TargetNotConnected", "Message": f"{target} is not connected."}


@pytest.mark.parametrize(
    "wrong_target",
    [
        lambda target: target[:-1] + ("1" if target[-1] != "1" else "2"),  # another runtime id
        lambda target: f"ecs:{CLUSTER}_0123456789abcdef0123456789abcdef_0123456789abcdef0123456789abcdef-1234567890",
        lambda target: target.replace(f"ecs:{CLUSTER}_", "ecs:other-cluster_"),
        lambda target: "i-0123456789abcdef0",
        lambda target: "db.internal",
    ],
    ids=["wrong-runtime-id", "unknown-task", "other-cluster", "unknown-instance", "no-target-form"],
)
def test_start_session_to_a_target_that_does_not_exist_is_target_not_connected(ssm, target, wrong_target):
    assert start_session_error(ssm, wrong_target(target)).response["Error"]["Code"] == "TargetNotConnected"


def test_start_session_to_a_stopped_task_or_one_without_ecs_exec_is_target_not_connected(
        ecs, ssm, task_definition, network, target):
    plain = run_task(ecs, task_definition, network, enable_exec=False)
    assert start_session_error(ssm, exec_target(plain)).response["Error"]["Code"] == "TargetNotConnected"
    ecs.stop_task(cluster=CLUSTER, task=target.split("_")[-2])
    assert start_session_error(ssm, target).response["Error"]["Code"] == "TargetNotConnected"


def test_start_session_to_a_running_instance_or_a_managed_instance_connects(boto, ssm):
    ec2 = boto("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    (instance,) = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro")["Instances"]
    assert ssm.start_session(Target=instance["InstanceId"])["SessionId"]
    assert ssm.start_session(Target="mi-0123456789abcdef0")["SessionId"]

    ec2.stop_instances(InstanceIds=[instance["InstanceId"]])
    assert start_session_error(ssm, instance["InstanceId"]).response["Error"]["Code"] == "TargetNotConnected"


def test_a_denial_fails_start_session_with_access_denied_until_cleared(aws, ssm, target):
    aws.deny_start_session()
    error = start_session_error(ssm, target).response["Error"]
    task_arn = f"arn:aws:ecs:{REGION}:123456789012:task/{CLUSTER}/{target.split('_')[-2]}"
    assert error == {"Code": "AccessDeniedException", "Message": (
        f"User: arn:aws:iam::123456789012:user/moto is not authorized to perform: ssm:StartSession on resource: "
        f"{task_arn} because no identity-based policy allows the ssm:StartSession action")}

    aws.clear_denials()
    assert ssm.start_session(Target=target)["SessionId"]


def test_a_denial_for_one_target_leaves_the_others_and_may_say_why(aws, ssm, target):
    aws.deny_start_session("mi-0123456789abcdef0", message="explicit deny in a service control policy")
    assert start_session_error(ssm, "mi-0123456789abcdef0").response["Error"] == {
        "Code": "AccessDeniedException", "Message": "explicit deny in a service control policy"}
    assert ssm.start_session(Target=target)["SessionId"]


def test_reset_forgets_sessions_denials_and_a_planned_refusal(aws, ssm):
    ssm.start_session(Target="mi-0123456789abcdef0")
    aws.deny_start_session()
    aws.refuse_next_data_channel("refused")
    aws.reset()

    assert aws.ssm_sessions() == []
    response = ssm.start_session(Target="mi-0123456789abcdef0")
    assert open_data_channel(response["StreamUrl"], response["TokenValue"])[0] == 200


# --- the data channel the stand-in plugin opens ---------------------------------------------------------------


def open_data_channel(stream_url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(stream_url.replace("ws://", "http://", 1), headers={"Authorization": token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the emulator on loopback)
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_the_data_channel_answers_the_session_only_to_its_token(ssm, target):
    response = ssm.start_session(Target=target, DocumentName=REMOTE_HOST,
                                 Parameters={"host": ["db.internal"], "portNumber": ["5432"]})
    status, session = open_data_channel(response["StreamUrl"], response["TokenValue"])
    assert status == 200
    assert session == {"SessionId": response["SessionId"], "Target": target, "DocumentName": REMOTE_HOST,
                       "Parameters": {"host": ["db.internal"], "portNumber": ["5432"]}, "Status": "Connected"}
    assert open_data_channel(response["StreamUrl"], "not-the-token")[0] == 403
    unknown = response["StreamUrl"].replace(response["SessionId"], "moto-00000000000000000")
    assert open_data_channel(unknown, response["TokenValue"])[0] == 404


# --- the stand-in session-manager-plugin ----------------------------------------------------------------------


@pytest.fixture
def echo_port():
    """A TCP echo server on 127.0.0.1: what the session forwards to."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def echo(connection):
        with connection:
            while data := connection.recv(65536):
                connection.sendall(data)

    def serve():
        while not stop.is_set():
            try:
                connection, unused_address = server.accept()
            except OSError:
                return
            threading.Thread(target=echo, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    stop.set()
    server.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def plugin_environment() -> dict:
    """The plugin's interpreter (#!/usr/bin/env python) is the virtualenv's, as under `make test`."""
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.fixture
def start_plugin(aws, tmp_path):
    """Start the stand-in plugin as the AWS CLI does (argv[1] the env-var form unless ``in_argv``); returns
    (process, stdout path, stderr path). Whatever is still running at the end is killed."""
    started = []

    def start(response: dict, request: dict, in_argv: bool = False):
        session = json.dumps({k: response[k] for k in ("SessionId", "TokenValue", "StreamUrl")})
        env = plugin_environment()
        if not in_argv:
            env["AWS_SSM_START_SESSION_RESPONSE"] = session
            session = "AWS_SSM_START_SESSION_RESPONSE"
        stdout, stderr = tmp_path / f"plugin-{len(started)}.out", tmp_path / f"plugin-{len(started)}.err"
        with stdout.open("w") as out, stderr.open("w") as err:
            process = subprocess.Popen(  # noqa: S603 (the repository's own script)
                [str(PLUGIN), session, REGION, "StartSession", "", json.dumps(request), aws.endpoint],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        started.append(process)
        return process, stdout, stderr

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_until_accepting(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"the plugin never listened on port {port} (exit code {process.poll()})")


def through(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as connection:
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while data := connection.recv(65536):
            received += data
    return received


def port_forwarding(target: str, remote_port: int, local_port: int) -> dict:
    return {"Target": target, "DocumentName": REMOTE_HOST, "Parameters": {
        "host": ["127.0.0.1"], "portNumber": [str(remote_port)], "localPortNumber": [str(local_port)]}}


def test_plugin_forwards_the_local_port_to_the_remote_host_until_the_session_is_terminated(
        ssm, target, echo_port, start_plugin):
    local_port = free_port()
    request = port_forwarding(target, echo_port, local_port)
    response = ssm.start_session(**request)
    process, stdout, stderr = start_plugin(response, request)

    wait_until_accepting(local_port, process)
    assert through(local_port, b"SELECT 1;\n" * 1000) == b"SELECT 1;\n" * 1000
    assert through(local_port, b"again") == b"again"

    ssm.terminate_session(SessionId=response["SessionId"])
    assert process.wait(timeout=5) == 0
    output = stdout.read_text()
    session_id = response["SessionId"]
    assert f"Starting session with SessionId: {session_id}" in output
    assert f"Port {local_port} opened for sessionId {session_id}." in output
    assert "Waiting for connections..." in output
    assert f"Connection accepted for session [{session_id}]" in output
    assert f"Exiting session with sessionId: {session_id}." in output
    assert response["TokenValue"] not in output + stderr.read_text()


def test_plugin_exits_1_when_the_data_channel_is_refused(aws, ssm, target, echo_port, start_plugin):
    request = port_forwarding(target, echo_port, free_port())
    aws.refuse_next_data_channel("the data channel refused the session")
    process, unused_stdout, stderr = start_plugin(ssm.start_session(**request), request)

    assert process.wait(timeout=WAIT) == 1
    assert "Error in Opening data channel: the data channel refused the session" in stderr.read_text()


def test_plugin_exits_0_on_sigterm(ssm, target, echo_port, start_plugin):
    local_port = free_port()
    request = port_forwarding(target, echo_port, local_port)
    process, stdout, unused_stderr = start_plugin(ssm.start_session(**request), request, in_argv=True)
    wait_until_accepting(local_port, process)

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    assert "Terminate signal received, exiting." in stdout.read_text()


def test_plugin_prints_its_version():
    answer = subprocess.run([str(PLUGIN), "--version"], capture_output=True, text=True, check=False,  # noqa: S603
                            timeout=30, env=plugin_environment())
    assert (answer.returncode, answer.stdout) == (0, "1.2.650.0\n")
