"""Module shipyard.aws.ecs_service_power through ansible-playbook against the emulator, read back with boto3.

moto serves everything this module calls natively: ECS TagResource/UntagResource/ListTagsForResource and
DescribeServices' tags on services, and Application Auto Scaling's RegisterScalableTarget (an update of an existing
target keeps the maximum when only the minimum is sent, as on AWS) and DescribeScalableTargets.
Emulator difference: ECS reaches a service's desired count at once unless its first rollout is still in progress
(tools/localenv/extensions/ecs_deployments.py), so the wait test slows down that first rollout.
Services use the EC2 launch type with bridge networking, so no VPC is needed.
"""

from __future__ import annotations

import pytest

from helpers import run_playbook
from scheduling import create_ec2_service

PLAYBOOK = "tests/integration/playbooks/ecs_service_power.yml"
TASK = "Set the services' power"
CLUSTER = "shipyard-ci"
DIMENSION = "ecs:service:DesiredCount"
WRITES = {"TagResource", "UntagResource", "UpdateService", "RegisterScalableTarget", "DeregisterScalableTarget"}
SHIPYARD_TAGS = ("shipyard:desired-count", "shipyard:min-capacity", "shipyard:max-capacity")


@pytest.fixture
def ecs(boto):
    client = boto("ecs")
    client.create_cluster(clusterName=CLUSTER)
    return client


@pytest.fixture
def autoscaling(boto):
    return boto("application-autoscaling")


def register_target(autoscaling, name: str, minimum: int, maximum: int) -> None:
    autoscaling.register_scalable_target(ServiceNamespace="ecs", ResourceId=f"service/{CLUSTER}/{name}",
                                         ScalableDimension=DIMENSION, MinCapacity=minimum, MaxCapacity=maximum)


def desired_count(ecs, name: str) -> int:
    return ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]["desiredCount"]


def min_max(autoscaling, name: str) -> tuple[int, int]:
    (target,) = autoscaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[f"service/{CLUSTER}/{name}"],
                                                      ScalableDimension=DIMENSION)["ScalableTargets"]
    return target["MinCapacity"], target["MaxCapacity"]


def shipyard_tags(ecs, arn: str) -> dict:
    tags = ecs.list_tags_for_resource(resourceArn=arn)["tags"]
    return {t["key"]: t["value"] for t in tags if t["key"] in SHIPYARD_TAGS}


def power(aws, *runs: dict, args: tuple = ()):
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"power_runs": list(runs)})


def results(run) -> list[dict]:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)["results"]


def writes(aws) -> list[str]:
    return [r["operation"] for r in aws.requests() if r["operation"] in WRITES]


def test_stop_sets_the_desired_count_and_the_autoscaling_minimum_to_0_and_remembers_them(aws, ecs, autoscaling):
    api = create_ec2_service(ecs, CLUSTER, "api", desired=3)
    web = create_ec2_service(ecs, CLUSTER, "web", desired=2)
    register_target(autoscaling, "api", 2, 6)

    (result,) = results(power(aws, {"services": ["api", "web"], "state": "stopped"}))

    assert result["changed"] is True
    assert [(s["name"], s["action"]) for s in result["services"]] == [("api", "stopped"), ("web", "stopped")]
    assert result["services"][0]["before"] == {"desired_count": 3, "min_capacity": 2, "max_capacity": 6}
    assert result["services"][0]["after"] == {"desired_count": 0, "min_capacity": 0, "max_capacity": 6}
    assert (desired_count(ecs, "api"), desired_count(ecs, "web")) == (0, 0)
    assert min_max(autoscaling, "api") == (0, 6)
    assert shipyard_tags(ecs, api) == {"shipyard:desired-count": "3", "shipyard:min-capacity": "2",
                                       "shipyard:max-capacity": "6"}
    assert shipyard_tags(ecs, web) == {"shipyard:desired-count": "2"}


def test_start_restores_the_desired_count_and_autoscaling_min_max_and_forgets_them(aws, ecs, autoscaling):
    api = create_ec2_service(ecs, CLUSTER, "api", desired=3)
    register_target(autoscaling, "api", 2, 6)

    stop, start = results(power(aws, {"services": ["api"], "state": "stopped"},
                                {"services": ["api"], "state": "started"}))

    assert start["services"][0]["action"] == "started"
    assert start["services"][0]["after"] == {"desired_count": 3, "min_capacity": 2, "max_capacity": 6}
    assert desired_count(ecs, "api") == 3
    assert min_max(autoscaling, "api") == (2, 6)
    assert shipyard_tags(ecs, api) == {}


def test_start_of_a_service_stopped_by_hand_starts_one_task(aws, ecs):
    create_ec2_service(ecs, CLUSTER, "api", desired=0)

    (result,) = results(power(aws, {"services": ["api"], "state": "started"}))

    assert result["services"][0]["after"]["desired_count"] == 1
    assert desired_count(ecs, "api") == 1


def test_all_means_every_service_of_the_cluster(aws, ecs):
    for name in ("web", "api", "worker"):
        create_ec2_service(ecs, CLUSTER, name)

    (result,) = results(power(aws, {"services": "all", "state": "stopped"}))

    assert [s["name"] for s in result["services"]] == ["api", "web", "worker"]
    assert [desired_count(ecs, name) for name in ("api", "web", "worker")] == [0, 0, 0]


def test_second_run_changes_nothing(aws, ecs, autoscaling):
    create_ec2_service(ecs, CLUSTER, "api")
    register_target(autoscaling, "api", 1, 4)
    runs = [{"services": ["api"], "state": state} for state in ("stopped", "stopped", "started", "started")]

    outcome = results(power(aws, *runs))

    assert [r["changed"] for r in outcome] == [True, False, True, False]
    assert [r["services"][0]["action"] for r in outcome] == ["stopped", "none", "started", "none"]
    assert (desired_count(ecs, "api"), min_max(autoscaling, "api")) == (2, (1, 4))


def test_check_mode_changes_nothing_and_says_what_would_be_done(aws, ecs, autoscaling):
    api = create_ec2_service(ecs, CLUSTER, "api")
    register_target(autoscaling, "api", 1, 4)
    aws.clear_requests()

    (result,) = results(power(aws, {"services": ["api"], "state": "stopped"}, args=("--check",)))

    assert result["changed"] is True
    assert result["services"][0]["action"] == "stopped"
    assert result["services"][0]["after"] == {"desired_count": 0, "min_capacity": 0, "max_capacity": 4}
    assert writes(aws) == []
    assert (desired_count(ecs, "api"), min_max(autoscaling, "api"), shipyard_tags(ecs, api)) == (2, (1, 4), {})


def test_diff_shows_each_services_counts_before_and_after(aws, ecs):
    create_ec2_service(ecs, CLUSTER, "api")

    (result,) = results(power(aws, {"services": ["api"], "state": "stopped"}, args=("--diff",)))

    assert result["diff"] == {
        "before": {"api": {"desired_count": 2, "min_capacity": None, "max_capacity": None}},
        "after": {"api": {"desired_count": 0, "min_capacity": None, "max_capacity": None}},
    }


def test_unknown_service_fails_before_any_service_is_stopped(aws, ecs):
    create_ec2_service(ecs, CLUSTER, "api")
    aws.clear_requests()

    run = power(aws, {"services": ["api", "nope"], "state": "stopped"})

    assert "ECS service(s) nope not found (or not ACTIVE) in cluster shipyard-ci: nothing was changed" in \
        run.failure_message()
    assert writes(aws) == []
    assert desired_count(ecs, "api") == 2


def test_unknown_cluster_says_so(aws, boto):
    run = power(aws, {"cluster": "nowhere", "services": "all", "state": "stopped"})
    assert "ECS cluster nowhere does not exist" in run.failure_message()


def test_wait_returns_once_the_services_run_their_desired_count(aws, ecs):
    aws.settle_next_rollout("api", seconds=6)  # longer than ansible-playbook takes to start
    arn = create_ec2_service(ecs, CLUSTER, "api")
    ecs.update_service(cluster=CLUSTER, service="api", desiredCount=0)
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "shipyard:desired-count", "value": "2"}])

    (result,) = results(power(aws, {"services": ["api"], "state": "started", "wait": True, "wait_timeout": 60}))

    assert result["services"][0]["running_count"] == 2
    assert ecs.describe_services(cluster=CLUSTER, services=["api"])["services"][0]["runningCount"] == 2


def test_wait_timeout_fails_naming_the_services_still_starting(aws, ecs):
    aws.settle_next_rollout("api", seconds=60)
    create_ec2_service(ecs, CLUSTER, "api", desired=0)

    run = power(aws, {"services": ["api"], "state": "started", "wait": True, "wait_timeout": 1})

    message = run.failure_message()
    assert "timed out after 1 seconds waiting for ECS services in cluster shipyard-ci: api (" in message
    assert "0 of 1 in its deployment" in message
    assert desired_count(ecs, "api") == 1
