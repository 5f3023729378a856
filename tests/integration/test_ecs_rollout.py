"""Module shipyard.aws.ecs_rollout through ansible-playbook against the emulator's ECS, read back with boto3.

Emulator difference (moto): moto does not model deployments; the harness does
(tools/localenv/extensions/ecs_deployments.py, patch_ecs_deployments): a rollout completes 1 s after it started, and
``aws.fail_next_rollout`` makes the next one fail as the deployment circuit breaker with rollback does on AWS.
Services use the EC2 launch type with bridge networking, so no VPC is needed.
"""

from __future__ import annotations

import pytest

from helpers import run_playbook

PLAYBOOK = "tests/integration/playbooks/ecs_rollout.yml"
TASK = "Wait for the rollouts"
CLUSTER = "shipyard-ci"
CIRCUIT_BREAKER = "ECS deployment circuit breaker: tasks failed to start."


@pytest.fixture
def ecs(boto):
    client = boto("ecs")
    client.create_cluster(clusterName=CLUSTER)
    return client


def register(ecs, image: str, family: str = "web") -> str:
    return ecs.register_task_definition(
        family=family,
        containerDefinitions=[{
            "name": family, "image": image, "memory": 128, "essential": True,
            "logConfiguration": {"logDriver": "awslogs",
                                 "options": {"awslogs-group": f"/ecs/shipyard-{family}", "awslogs-region": "ap-northeast-1"}},
        }],
    )["taskDefinition"]["taskDefinitionArn"]


def create_service(ecs, name: str = "web") -> str:
    task_definition = register(ecs, "nginx:1", family=name)
    ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=task_definition, desiredCount=2,
                       launchType="EC2",
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    return task_definition


def describe(ecs, name: str = "web") -> dict:
    return ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]


def rollout(aws, *args, **options):
    options.setdefault("cluster", CLUSTER)
    options.setdefault("services", ["web"])
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"rollout": options})


def succeeded(run) -> dict:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)


def failure_message(run) -> str:
    assert run.rc != 0, run.output[-3000:]
    return run.failure()["msg"]


def ecs_writes(aws) -> list[str]:
    return [r["operation"] for r in aws.requests() if r["service"] == "ecs" and r["operation"] not in
            ("DescribeServices", "ListTasks", "DescribeTasks", "DescribeTaskDefinition")]


def test_new_task_definition_is_waited_for_until_completed(aws, ecs):
    create_service(ecs)
    second = register(ecs, "nginx:2")
    aws.settle_next_rollout("web", seconds=6)  # longer than ansible-playbook takes to start, even on a busy machine
    ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=second)
    deployment_id = describe(ecs)["deployments"][0]["id"]
    aws.clear_requests()

    result = succeeded(rollout(aws, task_definitions={"web": second}))

    assert result["changed"] is False
    (service,) = result["services"]
    assert service["name"] == "web"
    assert service["arn"] == describe(ecs)["serviceArn"]
    assert (service["deployment_id"], service["task_definition"]) == (deployment_id, second)
    assert (service["rollout_state"], service["running_count"], service["desired_count"]) == ("COMPLETED", 2, 2)
    assert service["seconds"] > 0
    assert ecs_writes(aws) == []
    (deployment,) = describe(ecs)["deployments"]
    assert (deployment["id"], deployment["rolloutState"]) == (deployment_id, "COMPLETED")


def test_several_services_by_arn_are_all_waited_for(aws, ecs):
    create_service(ecs, "web")
    create_service(ecs, "api")
    arns = [describe(ecs, name)["serviceArn"] for name in ("web", "api")]

    result = succeeded(rollout(aws, services=arns))

    assert [(s["name"], s["rollout_state"]) for s in result["services"]] == [("web", "COMPLETED"), ("api", "COMPLETED")]


def test_force_new_deployment_starts_a_new_deployment_and_waits(aws, ecs):
    first = create_service(ecs)
    before = describe(ecs)["deployments"][0]["id"]

    run = rollout(aws, "--diff", force_new_deployment=True)
    result = succeeded(run)

    assert result["changed"] is True
    (service,) = result["services"]
    assert service["deployment_id"] != before
    assert (service["rollout_state"], service["task_definition"]) == ("COMPLETED", first)
    assert result["diff"] == {"before": {"web": before}, "after": {"web": service["deployment_id"]}}
    assert [d["id"] for d in describe(ecs)["deployments"]] == [service["deployment_id"]]


def test_force_new_deployment_in_check_mode_starts_none(aws, ecs):
    create_service(ecs)
    before = describe(ecs)["deployments"][0]["id"]
    aws.clear_requests()

    result = succeeded(rollout(aws, "--check", "--diff", force_new_deployment=True))

    assert result["changed"] is True
    assert result["services"][0]["deployment_id"] == before
    assert result["diff"]["before"] == {"web": before}
    assert ecs_writes(aws) == []
    assert [d["id"] for d in describe(ecs)["deployments"]] == [before]


def test_failed_rollout_fails_with_the_reason_events_and_stopped_tasks(aws, ecs):
    first = create_service(ecs)
    first_deployment = describe(ecs)["deployments"][0]["id"]
    second = register(ecs, "nginx:2")
    aws.fail_next_rollout("web", reason="CannotPullContainerError: pull image manifest has been retried 5 times",
                          seconds=1.0)
    ecs.update_service(cluster=CLUSTER, service="web", taskDefinition=second)
    failed_deployment = describe(ecs)["deployments"][0]["id"]

    message = failure_message(rollout(aws, task_definitions={"web": second}))

    assert f"ECS service web in cluster {CLUSTER}: the rollout failed" in message
    assert f"deployment {failed_deployment} of web:2 failed: {CIRCUIT_BREAKER}" in message
    assert f"(service web) rolling back to deployment {first_deployment}." in message
    assert f"(service web) (deployment {failed_deployment}) deployment failed: tasks failed to start." in message
    assert ("stopped: CannotPullContainerError: pull image manifest has been retried 5 times (container web: exit code 1"
            in message)
    assert "CloudWatch Logs group /ecs/shipyard-web" in message
    assert "ECS rolled the service back to web:1, which runs nginx:1" in message
    assert "playbooks/deploy.yml -e '{\"deploy_digests\": {" in message
    assert describe(ecs)["taskDefinition"] == first


def test_rolled_back_service_fails_even_when_the_failed_deployment_is_gone(aws, ecs):
    create_service(ecs)
    second = register(ecs, "nginx:2")  # never deployed: the service still runs web:1

    message = failure_message(rollout(aws, task_definitions={"web": second}))

    assert "the service was rolled back: its PRIMARY deployment" in message
    assert "runs web:1, not task definition web:2" in message


def test_timeout_reports_the_rollouts_still_in_progress(aws, ecs):
    create_service(ecs)
    aws.settle_next_rollout("web", seconds=60)
    ecs.update_service(cluster=CLUSTER, service="web", forceNewDeployment=True)
    deployment_id = describe(ecs)["deployments"][0]["id"]

    message = failure_message(rollout(aws, timeout=1))

    assert "timed out after 1 seconds" in message
    assert f"web: deployment {deployment_id} of web:1 IN_PROGRESS, 0 of 2 tasks running" in message


def test_missing_service_fails_before_any_deployment_is_started(aws, ecs):
    create_service(ecs)
    aws.clear_requests()

    message = failure_message(rollout(aws, services=["web", "ghost"], force_new_deployment=True))

    assert f"ECS service ghost does not exist (or is inactive) in cluster {CLUSTER}" in message
    assert "playbooks/infra.yml (Terraform component compute)" in message
    assert "UpdateService" not in [r["operation"] for r in aws.requests()]


def test_missing_cluster_says_how_to_create_it(aws, boto):
    message = failure_message(rollout(aws, cluster="nowhere"))
    assert "ECS cluster nowhere does not exist" in message
    assert "playbooks/infra.yml" in message


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"timeout": -5}, "timeout must be 0 or more seconds, not -5"),
        ({"poll_interval": 0}, "poll_interval must be more than 0 seconds"),
        ({"services": []}, "services is empty"),
        ({"services": ["web", "web"]}, "services names web more than once"),
        ({"task_definitions": {"api": "api:1"}}, "task_definitions names service 'api', which is not in services"),
    ],
)
def test_bad_input_fails_before_any_aws_call(aws, options, error):
    message = failure_message(rollout(aws, **options))
    assert error in message
    assert [r for r in aws.requests() if r["service"] == "ecs"] == []
