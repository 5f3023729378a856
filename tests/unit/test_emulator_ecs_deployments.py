"""tools/localenv/extensions/ecs_deployments.py, patch_ecs_deployments: ECS rolling deployments in the emulator, read
back with boto3 from a real emulator process (moto in server mode with the harness's extensions), as the module under
test sees them."""

from __future__ import annotations

import itertools
import json
import time
import urllib.request

import boto3
import pytest
from werkzeug.test import Client

from localenv import net
from localenv.emulator import Emulator
from localenv.extensions import ECS_CIRCUIT_BREAKER_REASON, ECS_ROLLOUTS, ShipyardExtensions

REGION = "ap-northeast-1"
CLUSTERS = itertools.count()
SETTLE = 1.0  # the emulator's default settle time


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    instance = Emulator(port=net.free_port(), state=tmp_path_factory.mktemp("emulator"))
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def aws(emulator):
    # A cluster of its own for each test instead of a reset, which takes seconds (IAM's managed policies reload).
    emulator.clear_rollouts()
    return emulator


class Ecs:
    """boto3's ECS client bound to one cluster."""

    def __init__(self, client, cluster):
        self.client, self.cluster = client, cluster

    def __getattr__(self, operation):
        method = getattr(self.client, operation)
        return lambda **kwargs: method(**({"cluster": self.cluster} if operation != "register_task_definition" else {}),
                                       **kwargs)


@pytest.fixture
def ecs(aws):
    client = boto3.client("ecs", endpoint_url=aws.endpoint, region_name=REGION,
                          aws_access_key_id="test", aws_secret_access_key="test")
    cluster = f"shipyard-{next(CLUSTERS)}"
    client.create_cluster(clusterName=cluster)
    return Ecs(client, cluster)


def register(ecs, image: str) -> str:
    return ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": image, "memory": 128, "essential": True}]
    )["taskDefinition"]["taskDefinitionArn"]


def describe(ecs, name: str = "web") -> dict:
    return ecs.describe_services(services=[name])["services"][0]


def settled(ecs, name: str = "web", seconds: float = SETTLE) -> dict:
    time.sleep(seconds + 0.1)
    return describe(ecs, name)


@pytest.fixture
def service(ecs):
    """A service whose first deployment (task definition web:1) has completed; returns (web:1 ARN, deployment id)."""
    first = register(ecs, "nginx:1")
    ecs.create_service(serviceName="web", taskDefinition=first, desiredCount=2, launchType="EC2")
    (deployment,) = settled(ecs)["deployments"]
    return first, deployment["id"]


def test_initial_deployment_starts_in_progress_and_settles_to_completed(ecs):
    first = register(ecs, "nginx:1")
    ecs.create_service(serviceName="web", taskDefinition=first, desiredCount=2)
    (deployment,) = describe(ecs)["deployments"]
    assert (deployment["status"], deployment["rolloutState"], deployment["runningCount"]) == ("PRIMARY", "IN_PROGRESS", 0)
    current = settled(ecs)
    (done,) = current["deployments"]
    assert done["id"] == deployment["id"]
    assert (done["rolloutState"], done["runningCount"], done["desiredCount"]) == ("COMPLETED", 2, 2)
    assert done["rolloutStateReason"] == f"ECS deployment {done['id']} completed."
    assert current["runningCount"] == 2
    assert current["events"][0]["message"] == "(service web) has reached a steady state."


def test_new_task_definition_makes_a_new_primary_deployment_that_completes_and_drops_the_old_one(ecs, service):
    first, first_id = service
    second = register(ecs, "nginx:2")
    ecs.update_service(service="web", taskDefinition=second.split("/")[-1])  # family:revision
    current = describe(ecs)
    assert current["taskDefinition"] == second
    new, old = current["deployments"]
    assert new["id"] != first_id and new["id"].startswith("ecs-svc/") and new["id"][8:].isdigit()
    assert (new["status"], new["rolloutState"], new["taskDefinition"]) == ("PRIMARY", "IN_PROGRESS", second)
    assert (old["id"], old["status"], old["taskDefinition"]) == (first_id, "ACTIVE", first)
    (done,) = settled(ecs)["deployments"]
    assert (done["id"], done["rolloutState"], done["runningCount"]) == (new["id"], "COMPLETED", 2)


def test_force_new_deployment_makes_a_new_deployment_id_with_the_same_task_definition(ecs, service):
    first, first_id = service
    ecs.update_service(service="web", forceNewDeployment=True)
    new, old = describe(ecs)["deployments"]
    assert new["id"] != first_id
    assert (new["taskDefinition"], new["rolloutState"], old["status"]) == (first, "IN_PROGRESS", "ACTIVE")
    assert [d["id"] for d in settled(ecs)["deployments"]] == [new["id"]]


def test_desired_count_update_makes_no_deployment(ecs, service):
    unused_first, first_id = service
    ecs.update_service(service="web", desiredCount=4)
    (deployment,) = describe(ecs)["deployments"]
    assert (deployment["id"], deployment["rolloutState"], deployment["desiredCount"]) == (first_id, "COMPLETED", 4)


def test_failed_rollout_keeps_the_failed_deployment_rolls_back_and_leaves_a_stopped_task(aws, ecs, service):
    first, first_id = service
    second = register(ecs, "nginx:2")
    aws.fail_next_rollout("web", reason="CannotPullContainerError: pull image manifest has been retried", seconds=0.3)
    ecs.update_service(service="web", taskDefinition=second)
    failing_id = describe(ecs)["deployments"][0]["id"]
    current = settled(ecs, seconds=0.3)

    assert current["taskDefinition"] == first
    primary, failed = current["deployments"]
    assert (primary["status"], primary["rolloutState"], primary["taskDefinition"]) == ("PRIMARY", "COMPLETED", first)
    assert primary["id"] not in (first_id, failing_id)
    assert (failed["id"], failed["status"], failed["rolloutState"]) == (failing_id, "ACTIVE", "FAILED")
    assert failed["rolloutStateReason"] == ECS_CIRCUIT_BREAKER_REASON
    assert failed["taskDefinition"] == second
    assert [e["message"] for e in current["events"][:2]] == [
        f"(service web) rolling back to deployment {first_id}.",
        f"(service web) (deployment {failing_id}) deployment failed: tasks failed to start.",
    ]

    arns = ecs.list_tasks(serviceName="web", desiredStatus="STOPPED")["taskArns"]
    assert arns
    (task,) = ecs.describe_tasks(tasks=arns)["tasks"]
    assert (task["lastStatus"], task["taskDefinitionArn"], task["startedBy"]) == ("STOPPED", second, failing_id)
    assert task["stoppedReason"] == "CannotPullContainerError: pull image manifest has been retried"
    assert [(c["exitCode"], c["reason"]) for c in task["containers"]] == [(1, task["stoppedReason"])]
    assert ecs.list_tasks(serviceName="other", desiredStatus="STOPPED")["taskArns"] == []


def test_a_failure_applies_once_and_has_a_default_reason(aws, ecs, service):
    aws.fail_next_rollout("web", seconds=0.2)
    ecs.update_service(service="web", forceNewDeployment=True)
    assert settled(ecs, seconds=0.2)["deployments"][1]["rolloutState"] == "FAILED"
    (task,) = ecs.describe_tasks(
        tasks=ecs.list_tasks(serviceName="web", desiredStatus="STOPPED")["taskArns"]
    )["tasks"]
    assert task["stoppedReason"] == "Essential container in task exited"

    ecs.update_service(service="web", forceNewDeployment=True)
    (done,) = settled(ecs)["deployments"]
    assert done["rolloutState"] == "COMPLETED"


def test_reset_and_clear_forget_planned_failures(aws, ecs, service):
    aws.fail_next_rollout("web", seconds=0.2)
    aws.clear_rollouts()
    ecs.update_service(service="web", forceNewDeployment=True)
    assert [d["rolloutState"] for d in settled(ecs, seconds=SETTLE)["deployments"]] == ["COMPLETED"]
    aws.fail_next_rollout("web")
    aws.reset()
    with aws_urlopen(aws, "GET") as response:
        assert json.load(response) == {}


def aws_urlopen(aws, method):
    import urllib.request

    return urllib.request.urlopen(  # noqa: S310
        urllib.request.Request(f"{aws.endpoint}/_shipyard/ecs/rollouts", method=method), timeout=10
    )


# --- the control endpoint, in process ----------------------------------------------------------------------


@pytest.fixture
def client():
    ECS_ROLLOUTS.clear()
    yield Client(ShipyardExtensions(lambda environ, start_response: []))
    ECS_ROLLOUTS.clear()


def test_endpoint_keeps_a_plan_per_service_and_delete_clears(client):
    response = client.put("/_shipyard/ecs/rollouts", json={"service": "arn:aws:ecs:r:1:service/c/web", "seconds": 2})
    assert response.status_code == 200
    assert response.get_json() == {"web": {"service": "web", "outcome": "FAILED", "reason": None, "seconds": 2.0}}
    assert client.delete("/_shipyard/ecs/rollouts").get_json() == {"cleared": True}
    assert client.get("/_shipyard/ecs/rollouts").get_json() == {}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "service"),
        ({"service": "web", "outcome": "SLOW"}, "outcome"),
        ({"service": "web", "seconds": -1}, "seconds"),
        ({"service": "web", "reason": 3}, "reason"),
        ([1], "JSON object"),
    ],
)
def test_endpoint_refuses_bad_plans(client, body, error):
    response = client.put("/_shipyard/ecs/rollouts", json=body)
    assert response.status_code == 400
    assert error in response.get_json()["error"]
    assert ECS_ROLLOUTS.current() == {}


def test_a_settle_time_planned_before_a_service_exists_applies_to_its_first_rollout(aws, ecs):
    aws.settle_next_rollout("quick", 0.1)
    ecs.create_service(serviceName="quick", taskDefinition=register(ecs, "nginx:1"), desiredCount=1, launchType="EC2")

    (deployment,) = settled(ecs, "quick", seconds=0.1)["deployments"]

    assert deployment["rolloutState"] == "COMPLETED"
    assert "quick" not in planned(aws), "the plan was used up"


def test_a_failure_planned_before_a_service_exists_waits_for_its_first_update(aws, ecs):
    aws.fail_next_rollout("later")
    ecs.create_service(serviceName="later", taskDefinition=register(ecs, "nginx:1"), desiredCount=1, launchType="EC2")

    assert describe(ecs, "later")["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert planned(aws)["later"]["outcome"] == "FAILED"


def planned(aws) -> dict:
    with urllib.request.urlopen(f"{aws.endpoint}/_shipyard/ecs/rollouts", timeout=10) as response:  # noqa: S310
        return json.load(response)
