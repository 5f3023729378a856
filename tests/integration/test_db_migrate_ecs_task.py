"""Module shipyard.aws.db_migrate, runner `ecs_task`: the API service's task definition run once with the migration
command, in the service's network configuration, against the emulator.

Emulator difference, documented here: moto cannot run a container. The test plans each task's outcome beforehand
(Emulator.plan_task_run: exit code, log lines, how long it runs); the emulator then stops the task with that exit
code and writes the lines to the container's awslogs stream, as ECS and its log driver do on AWS.
"""

from __future__ import annotations

import pytest

from helpers import run_playbook

PLAYBOOK = "tests/integration/playbooks/db_migrate.yml"
TASK = "Migrate"
CLUSTER = "shop-cluster"
SERVICE = "shop-api"
LOG_GROUP = "/ecs/shop-api"
COMMAND = ["npx", "prisma", "migrate", "deploy"]
PRISMA_APPLIED = ["3 migrations found in prisma/migrations", "Applying migration `20260101000000_create_users`",
                  "All migrations have been successfully applied."]


@pytest.fixture
def service(boto):
    """An API service whose container logs to CloudWatch with awslogs, beside a non-essential sidecar."""
    ecs, ec2, logs = boto("ecs"), boto("ec2"), boto("logs")
    ecs.create_cluster(clusterName=CLUSTER)
    logs.create_log_group(logGroupName=LOG_GROUP)
    awslogs = {"logDriver": "awslogs", "options": {"awslogs-group": LOG_GROUP, "awslogs-region": "ap-northeast-1",
                                                   "awslogs-stream-prefix": "ecs"}}
    definition = ecs.register_task_definition(
        family=SERVICE, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "metrics", "image": "example/metrics:1", "essential": False, "memory": 128},
                              {"name": "api", "image": "example/api:1", "essential": True, "memory": 384, "logConfiguration": awslogs}],
    )["taskDefinition"]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.create_security_group(GroupName="shop-api-tasks", Description="API tasks")["GroupId"]
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}}
    ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=definition["taskDefinitionArn"], desiredCount=0,
                       launchType="FARGATE", networkConfiguration=network)
    return {"task_definition": definition["taskDefinitionArn"], "network": network}


def migrate(aws, *args: str, **options):
    options = {"runner": "ecs_task", "ecs_cluster": CLUSTER, "ecs_service": SERVICE, "command": COMMAND, **options}
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"migrate": options})


def succeeded(run) -> dict:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)


def test_the_command_runs_in_a_task_of_the_service_and_its_log_lines_come_back(aws, boto, service):
    aws.plan_task_run(exit_code=0, logs=PRISMA_APPLIED, family=SERVICE)

    result = succeeded(migrate(aws))

    assert result["changed"] is True
    assert result["exit_code"] == 0
    assert result["log_lines"] == PRISMA_APPLIED
    assert result["container"] == "api"  # the essential one, not the sidecar listed first
    assert result["task_definition"] == service["task_definition"]
    task_id = result["task_arn"].rsplit("/", 1)[-1]
    assert (result["log_group"], result["log_stream"]) == (LOG_GROUP, f"ecs/api/{task_id}")
    task = boto("ecs").describe_tasks(cluster=CLUSTER, tasks=[result["task_arn"]])["tasks"][0]
    assert task["lastStatus"] == "STOPPED"
    assert task["overrides"]["containerOverrides"] == [{"name": "api", "command": COMMAND}]
    assert task["startedBy"] == "shipyard-db-migrate"
    runs = aws.task_runs()["runs"]
    assert [run["networkConfiguration"] for run in runs] == [service["network"]]
    assert [run["launchType"] for run in runs] == ["FARGATE"]


def test_changed_follows_changed_when_regex_on_the_log_lines(aws, service):
    aws.plan_task_run(exit_code=0, logs=["3 migrations found in prisma/migrations", "No pending migrations to apply."])

    result = succeeded(migrate(aws, changed_when_regex="have been successfully applied"))

    assert result["changed"] is False
    assert result["exit_code"] == 0


def test_a_non_zero_exit_fails_with_the_last_fifty_log_lines(aws, service):
    lines = [f"log line {number:03d}" for number in range(1, 61)] + ["Error: P3009 migrate found failed migrations"]
    aws.plan_task_run(exit_code=1, logs=lines)

    run = migrate(aws)

    message = run.failure_message()
    assert "exited with code 1" in message
    assert "P3009 migrate found failed migrations" in message
    assert "log line 012" in message and "log line 011" not in message
    assert run.failure()["exit_code"] == 1


def test_a_task_that_never_ran_the_command_fails_with_ecs_reason(aws, service):
    aws.plan_task_run(exit_code=None, reason="CannotPullContainerError: pull image manifest has been retried 5 time(s)")

    message = migrate(aws).failure_message()

    assert "stopped before its container api ran the command" in message
    assert "CannotPullContainerError" in message


def test_a_task_still_running_at_the_timeout_is_left_running_and_named(aws, boto, service):
    aws.plan_task_run(exit_code=0, seconds=60)

    run = migrate(aws, timeout=2)

    message = run.failure_message()
    assert "has not stopped within 2 s (timeout); it is left running" in message
    task_arn = run.failure()["task_arn"]
    assert task_arn in message and "aws ecs stop-task" in message
    assert boto("ecs").describe_tasks(cluster=CLUSTER, tasks=[task_arn])["tasks"][0]["lastStatus"] != "STOPPED"


def test_check_mode_checks_the_service_and_runs_nothing(aws, service):
    result = succeeded(migrate(aws, "--check"))

    assert result["changed"] is False
    assert "not run in check mode" in result["msg"]
    assert result["container"] == "api"
    assert aws.task_runs()["runs"] == []
    assert "RunTask" not in {request["operation"] for request in aws.requests()}


def test_a_missing_service_points_to_infra(aws, service):
    message = migrate(aws, ecs_service="nope").failure_message()

    assert "ECS service nope (ecs_service) does not exist in cluster shop-cluster" in message
    assert "playbooks/infra.yml" in message


def test_an_unknown_container_is_named_with_the_ones_there_are(aws, service):
    message = migrate(aws, container="worker").failure_message()

    assert "has no container worker (container); it has metrics, api" in message


def test_connection_options_are_refused_with_ecs_task_before_any_aws_call(aws, service):
    aws.clear_requests()

    message = migrate(aws, dsn="host=/tmp dbname=app").failure_message()

    assert "dsn cannot be used with runner: ecs_task" in message
    assert aws.requests() == []
