"""The emulator's one-off ECS tasks that run to completion, as boto3 meets them: what shipyard.aws.db_migrate's
``ecs_task`` runner does (RunTask with a command override, DescribeTasks until STOPPED, the container's exit code,
then its log with GetLogEvents).

moto runs no container (tools/localenv/extensions/__init__.py says why and what the extension adds), so each test
queues the outcome first: ``Emulator.plan_task_run`` (``PUT /_shipyard/ecs/task-runs``) makes the next RunTask of a
family stop after ``seconds`` with the exit code, and puts the log lines in the container's awslogs stream.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

CLUSTER = "shipyard-ci"
FAMILY = "shipyard-api"
LOG_GROUP = "/ecs/shipyard-api"
PREFIX = "api"
COMMAND = ["python", "-m", "app.migrate", "up"]
RUN_SECONDS = 0.2
WAIT = 10.0


# --- a cluster, a log group, a Fargate task definition with an awslogs container ------------------------------


@pytest.fixture
def ecs(boto):
    client = boto("ecs")
    client.create_cluster(clusterName=CLUSTER)
    return client


@pytest.fixture
def logs(boto):
    client = boto("logs")
    client.create_log_group(logGroupName=LOG_GROUP)
    return client


@pytest.fixture
def network(boto):
    subnet = boto("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [], "assignPublicIp": "DISABLED"}}


def container_definition(name: str, log_group: str = LOG_GROUP, essential: bool = True) -> dict:
    """A container as the platform's task definitions have it: memory left to the task, logs through awslogs."""
    return {
        "name": name, "image": f"example/{name}:1", "essential": essential,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": log_group, "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": PREFIX}},
    }


def register(ecs, *containers: dict, family: str = FAMILY) -> str:
    return ecs.register_task_definition(
        family=family, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=list(containers) or [container_definition("api")],
    )["taskDefinition"]["taskDefinitionArn"]


@pytest.fixture
def task_definition(ecs, logs):
    return register(ecs)


def run_migration(ecs, task_definition: str, network: dict, container: str = "api") -> dict:
    """RunTask as the runner calls it: the migration command in place of the container's own."""
    (task,) = ecs.run_task(
        cluster=CLUSTER, taskDefinition=task_definition, launchType="FARGATE", networkConfiguration=network,
        overrides={"containerOverrides": [{"name": container, "command": COMMAND}]},
    )["tasks"]
    return task


def describe(ecs, task: dict) -> dict:
    (described,) = ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"]
    return described


def wait_until_stopped(ecs, task: dict) -> dict:
    """DescribeTasks until lastStatus STOPPED, as the runner polls."""
    deadline = time.monotonic() + WAIT
    while True:
        described = describe(ecs, task)
        if described["lastStatus"] == "STOPPED" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def container_named(task: dict, name: str) -> dict:
    return next(container for container in task["containers"] if container["name"] == name)


def task_id(task: dict) -> str:
    return task["taskArn"].rsplit("/", 1)[-1]


def log_lines(logs, stream: str, group: str = LOG_GROUP) -> list[dict]:
    return logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]


def put_task_run(aws, body, method: str = "PUT") -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{aws.endpoint}/_shipyard/ecs/task-runs", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


# --- a task that runs to completion ----------------------------------------------------------------------------


def test_a_task_with_a_planned_outcome_runs_first_then_stops_with_the_exit_code(aws, ecs, task_definition, network):
    aws.plan_task_run(3, logs=["applying 0002"], seconds=RUN_SECONDS)

    task = run_migration(ecs, task_definition, network)
    assert (task["lastStatus"], task["desiredStatus"]) == ("RUNNING", "RUNNING")
    assert "exitCode" not in task["containers"][0], "a running container has no exit code yet"
    assert describe(ecs, task)["lastStatus"] == "RUNNING"

    stopped = wait_until_stopped(ecs, task)
    assert (stopped["lastStatus"], stopped["desiredStatus"]) == ("STOPPED", "STOPPED")
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("EssentialContainerExited", "Essential container in task exited")
    assert stopped["stoppedAt"] and stopped["executionStoppedAt"]
    assert stopped["attachments"][0]["status"] == "DELETED", "the task's network interface is released"
    container = container_named(stopped, "api")
    assert (container["lastStatus"], container["exitCode"]) == ("STOPPED", 3)


def test_list_tasks_also_finds_the_task_stopped_once_its_time_is_up(aws, ecs, task_definition, network):
    aws.plan_task_run(0, seconds=RUN_SECONDS)
    task = run_migration(ecs, task_definition, network)
    time.sleep(RUN_SECONDS)

    assert ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"] == [task["taskArn"]]
    assert ecs.list_tasks(cluster=CLUSTER, desiredStatus="RUNNING")["taskArns"] == []


def test_the_log_lines_are_in_the_containers_awslogs_stream_one_millisecond_apart(aws, ecs, logs, task_definition,
                                                                                  network):
    aws.plan_task_run(0, logs=["applying 0001_init", "applying 0002_users", "done"], seconds=RUN_SECONDS)
    task = wait_until_stopped(ecs, run_migration(ecs, task_definition, network))

    events = log_lines(logs, f"{PREFIX}/api/{task_id(task)}")

    assert [event["message"] for event in events] == ["applying 0001_init", "applying 0002_users", "done"]
    started = round(task["startedAt"].timestamp() * 1000)
    assert [event["timestamp"] for event in events] == [started, started + 1, started + 2]


def test_describe_tasks_returns_the_command_override(aws, ecs, task_definition, network):
    aws.plan_task_run(0, seconds=RUN_SECONDS)
    task = run_migration(ecs, task_definition, network)

    expected = {"containerOverrides": [{"name": "api", "command": COMMAND}]}
    assert task["overrides"] == expected
    assert wait_until_stopped(ecs, task)["overrides"] == expected


def test_each_run_is_recorded_with_its_overrides_and_network_configuration(aws, ecs, task_definition, network):
    aws.plan_task_run(0, seconds=RUN_SECONDS, family=FAMILY)
    task = run_migration(ecs, task_definition, network)

    state = aws.task_runs()

    assert state["queued"] == []
    (run,) = state["runs"]
    assert (run["taskArn"], run["cluster"], run["family"]) == (task["taskArn"], CLUSTER, FAMILY)
    assert (run["taskDefinitionArn"], run["launchType"]) == (task_definition, "FARGATE")
    assert run["overrides"] == {"containerOverrides": [{"name": "api", "command": COMMAND}]}
    assert run["networkConfiguration"] == network
    assert (run["outcome"]["exitCode"], run["outcome"]["family"]) == (0, FAMILY)


def test_a_reason_given_becomes_the_stopped_reason(aws, ecs, task_definition, network):
    aws.plan_task_run(137, seconds=RUN_SECONDS, reason="OutOfMemoryError: Container killed due to memory usage")

    stopped = wait_until_stopped(ecs, run_migration(ecs, task_definition, network))

    assert stopped["stoppedReason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert container_named(stopped, "api")["exitCode"] == 137


def test_the_chosen_container_exits_with_the_code_and_the_others_with_zero(aws, ecs, logs, network):
    definition = register(ecs, container_definition("proxy", essential=False), container_definition("api"),
                          container_definition("worker"))
    aws.plan_task_run(2, logs=["migration failed"], seconds=RUN_SECONDS, container="worker")

    stopped = wait_until_stopped(ecs, run_migration(ecs, definition, network, container="worker"))

    assert [c["name"] for c in stopped["containers"]] == ["proxy", "api", "worker"], "one container per definition"
    assert {c["name"]: (c["lastStatus"], c["exitCode"]) for c in stopped["containers"]} == {
        "proxy": ("STOPPED", 0), "api": ("STOPPED", 0), "worker": ("STOPPED", 2)}
    assert [e["message"] for e in log_lines(logs, f"{PREFIX}/worker/{task_id(stopped)}")] == ["migration failed"]
    assert log_lines(logs, f"{PREFIX}/api/{task_id(stopped)}") == [], "every awslogs container has its stream"


def test_without_a_container_named_the_first_essential_container_exits_with_the_code(aws, ecs, logs, network):
    definition = register(ecs, container_definition("proxy", essential=False), container_definition("api"))
    aws.plan_task_run(1, logs=["boom"], seconds=RUN_SECONDS)

    stopped = wait_until_stopped(ecs, run_migration(ecs, definition, network))

    assert (container_named(stopped, "api")["exitCode"], container_named(stopped, "proxy")["exitCode"]) == (1, 0)
    assert [e["message"] for e in log_lines(logs, f"{PREFIX}/api/{task_id(stopped)}")] == ["boom"]


def test_a_container_without_awslogs_writes_no_log(aws, ecs, boto, network):
    plain = {"name": "api", "image": "example/api:1", "essential": True}
    definition = register(ecs, plain, family="no-logs")
    aws.plan_task_run(0, logs=["nowhere to go"], seconds=RUN_SECONDS)

    stopped = wait_until_stopped(ecs, run_migration(ecs, definition, network))

    assert container_named(stopped, "api")["exitCode"] == 0
    assert boto("logs").describe_log_groups()["logGroups"] == []


# --- tasks that fail to start ----------------------------------------------------------------------------------


def test_a_missing_log_group_makes_the_task_fail_to_start_as_on_aws(aws, ecs, network):
    definition = register(ecs, container_definition("api", log_group="/ecs/never-created"))
    aws.plan_task_run(0, logs=["never written"], seconds=RUN_SECONDS)

    stopped = wait_until_stopped(ecs, run_migration(ecs, definition, network))

    assert stopped["stopCode"] == "TaskFailedToStart"
    assert stopped["stoppedReason"].startswith("ResourceInitializationError: failed to validate logger args")
    assert "/ecs/never-created" in stopped["stoppedReason"]
    container = container_named(stopped, "api")
    assert "exitCode" not in container
    assert container["reason"] == stopped["stoppedReason"]


def test_a_null_exit_code_fails_the_task_to_start_with_the_reason(aws, ecs, task_definition, network):
    reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found"
    aws.plan_task_run(None, seconds=RUN_SECONDS, reason=reason)

    stopped = wait_until_stopped(ecs, run_migration(ecs, task_definition, network))

    assert (stopped["lastStatus"], stopped["stopCode"], stopped["stoppedReason"]) == ("STOPPED", "TaskFailedToStart", reason)
    assert "exitCode" not in container_named(stopped, "api")


# --- which RunTask takes an outcome ------------------------------------------------------------------------------


def test_without_a_queued_outcome_a_task_keeps_running(aws, ecs, task_definition, network):
    task = run_migration(ecs, task_definition, network)
    time.sleep(RUN_SECONDS)

    assert describe(ecs, task)["lastStatus"] == "RUNNING"
    assert aws.task_runs() == {"queued": [], "runs": []}


def test_an_outcome_waits_for_a_run_task_of_its_family_and_applies_once(aws, ecs, task_definition, network):
    other = register(ecs, family="shipyard-worker")
    aws.plan_task_run(0, seconds=RUN_SECONDS, family=FAMILY)

    worker = run_migration(ecs, other, network)
    first = run_migration(ecs, task_definition, network)
    second = run_migration(ecs, task_definition, network)

    assert wait_until_stopped(ecs, first)["lastStatus"] == "STOPPED"
    assert describe(ecs, worker)["lastStatus"] == "RUNNING", "another family's task is not the one planned"
    assert describe(ecs, second)["lastStatus"] == "RUNNING", "the outcome was used up"
    assert [run["taskArn"] for run in aws.task_runs()["runs"]] == [first["taskArn"]]


def test_outcomes_queue_in_order(aws, ecs, task_definition, network):
    aws.plan_task_run(0, seconds=RUN_SECONDS)
    aws.plan_task_run(5, seconds=RUN_SECONDS)

    first = wait_until_stopped(ecs, run_migration(ecs, task_definition, network))
    second = wait_until_stopped(ecs, run_migration(ecs, task_definition, network))

    assert [container_named(task, "api")["exitCode"] for task in (first, second)] == [0, 5]


def test_stop_task_before_the_run_ends_wins(aws, ecs, logs, task_definition, network):
    aws.plan_task_run(0, logs=["too late"], seconds=RUN_SECONDS)
    task = run_migration(ecs, task_definition, network)

    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="cancelled")
    time.sleep(RUN_SECONDS)

    stopped = describe(ecs, task)
    assert (stopped["stopCode"], stopped["stoppedReason"]) == ("UserInitiated", "cancelled")
    assert logs.describe_log_streams(logGroupName=LOG_GROUP)["logStreams"] == []


def test_an_outcome_naming_a_container_the_task_definition_lacks_fails_run_task_and_stays_queued(
        aws, ecs, task_definition, network):
    aws.plan_task_run(0, container="migrator")

    with pytest.raises(ClientError) as raised:
        run_migration(ecs, task_definition, network)

    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "'migrator'" in raised.value.response["Error"]["Message"]
    assert len(aws.task_runs()["queued"]) == 1
    assert ecs.list_tasks(cluster=CLUSTER)["taskArns"] == [], "no task started"


# --- the control endpoint ----------------------------------------------------------------------------------------


def test_the_endpoint_answers_with_the_queued_outcome_and_its_defaults(aws):
    status, answer = put_task_run(aws, {"exitCode": 0})

    assert status == 200
    assert answer == {"queued": [{"family": None, "exitCode": 0, "logs": [], "seconds": 0.5, "reason": None,
                                  "container": None}], "runs": []}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, '"exitCode" is required'),
        ({"exitCode": "0"}, "exitCode"),
        ({"exitCode": True}, "exitCode"),
        ({"exitCode": 256}, "exitCode"),
        ({"exitCode": None}, '"reason" is required'),
        ({"exitCode": 0, "logs": "one line"}, "logs"),
        ({"exitCode": 0, "logs": [1]}, "logs"),
        ({"exitCode": 0, "seconds": -1}, "seconds"),
        ({"exitCode": 0, "seconds": "1"}, "seconds"),
        ({"exitCode": 0, "family": "api:3"}, "family"),
        ({"exitCode": 0, "family": ""}, "family"),
        ({"exitCode": 0, "reason": 7}, "reason"),
        ({"exitCode": 0, "container": ""}, "container"),
        ({"exit_code": 0}, "unknown field"),
        ([0], "JSON object"),
    ],
)
def test_the_endpoint_refuses_bad_outcomes(aws, body, error):
    status, answer = put_task_run(aws, body)

    assert status == 400
    assert error in answer["error"]
    assert aws.task_runs()["queued"] == []


def test_delete_and_reset_forget_outcomes_and_runs(aws, ecs, task_definition, network):
    aws.plan_task_run(0, seconds=RUN_SECONDS)
    run_migration(ecs, task_definition, network)
    aws.plan_task_run(1)

    assert put_task_run(aws, None, method="DELETE") == (200, {"cleared": True})
    assert aws.task_runs() == {"queued": [], "runs": []}

    aws.plan_task_run(1)
    aws.reset()
    assert aws.task_runs() == {"queued": [], "runs": []}
