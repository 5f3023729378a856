"""The application platform (terraform/components/*) on the local inventory: infra.yml applies every component
against the emulator with the real provider, and what the seeds' staging profile asks for is read back with boto3.

The tests share the environment site.yml converged (conftest: local_site) and run in file order.
"""

from __future__ import annotations

import json

import boto3
import pytest

from diagrams.inventory import components
from diagrams.mermaid import subnets

pytestmark = pytest.mark.slow

PREFIX = "bookmark-manager-local"


@pytest.fixture(scope="module")
def platform(local_site):
    """infra.yml again on the environment site.yml converged (conftest: local_site); `first` is that site.yml run."""
    def run(*args):
        return local_site.play("playbooks/infra.yml", *args)

    run.first = local_site.first
    run.emulator = local_site.emulator
    run.work_dir = local_site.work_dir
    run.site = local_site
    return run


def aws(platform, service):
    return boto3.client(service, endpoint_url=platform.emulator.endpoint, region_name="ap-northeast-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def outputs(platform):
    """Each component's outputs, read from its state object in the backend (the run's own fact is set under no_log)."""
    s3 = aws(platform, "s3")
    states = {}
    for component in components("local"):
        key = f"local/{component['name']}/terraform.tfstate"
        state = json.loads(s3.get_object(Bucket=f"{PREFIX}-tfstate", Key=key)["Body"].read())
        states[component["name"]] = {name: output["value"] for name, output in state.get("outputs", {}).items()}
    return states


def test_every_component_of_the_local_graph_applies(platform):
    assert platform.first.rc == 0, platform.first.output[-5000:]
    results = {row["name"]: row["result"] for row in platform.first.fact("terraform_stack_results")}
    assert results == dict.fromkeys((c["name"] for c in components("local")), "applied")


def test_services_have_exec_circuit_breaker_with_rollback_and_a_120s_grace_period(platform):
    ecs = aws(platform, "ecs")
    cluster = outputs(platform)["compute"]["cluster_name"]
    names = sorted(outputs(platform)["compute"]["service_names"].values())
    services = ecs.describe_services(cluster=cluster, services=names)["services"]
    assert len(services) == 2
    for service in services:
        assert service["enableExecuteCommand"] is True
        assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert service["healthCheckGracePeriodSeconds"] == 120


def test_target_groups_check_every_60s_and_tolerate_10_failures(platform):
    elbv2 = aws(platform, "elbv2")
    groups = [g for g in elbv2.describe_target_groups()["TargetGroups"] if g["TargetGroupName"].startswith(PREFIX[:20])]
    assert len(groups) == 2
    for group in groups:
        assert group["HealthCheckIntervalSeconds"] == 60
        assert group["UnhealthyThresholdCount"] == 10


def test_logs_are_kept_7_days(platform):
    logs = aws(platform, "logs")
    for name in outputs(platform)["compute"]["log_group_names"].values():
        group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
        assert group["retentionInDays"] == 7


def test_the_alb_takes_only_the_allowed_cidrs_and_the_database_only_the_tasks(platform):
    ec2 = aws(platform, "ec2")
    security = outputs(platform)["security"]
    alb = ec2.describe_security_groups(GroupIds=[security["alb_security_group_id"]])["SecurityGroups"][0]
    assert {(rule["FromPort"], rule["ToPort"]) for rule in alb["IpPermissions"]} <= {(80, 80), (443, 443)}
    assert {r["CidrIp"] for rule in alb["IpPermissions"] for r in rule.get("IpRanges", [])} == {"127.0.0.1/32"}
    assert all(not rule.get("Ipv6Ranges") for rule in alb["IpPermissions"])

    database = ec2.describe_security_groups(GroupIds=[security["database_security_group_id"]])["SecurityGroups"][0]
    assert [(rule["FromPort"], rule["ToPort"]) for rule in database["IpPermissions"]] == [(5432, 5432)]
    rule = database["IpPermissions"][0]
    assert rule.get("IpRanges", []) == [] and rule.get("Ipv6Ranges", []) == []
    assert [pair["GroupId"] for pair in rule["UserIdGroupPairs"]] == [security["ecs_tasks_security_group_id"]]


def test_the_database_is_not_publicly_accessible_and_its_parameters_are_in_ssm(platform):
    database = outputs(platform)["database"]
    instance = aws(platform, "rds").describe_db_instances(DBInstanceIdentifier=database["identifier"])["DBInstances"][0]
    assert instance["PubliclyAccessible"] is False
    assert instance["Engine"] == "postgres" and instance["DBInstanceClass"] == "db.t4g.micro"
    ssm = aws(platform, "ssm")
    for name in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_SECRET_ARN"):
        assert ssm.get_parameter(Name=f"/bookmark-manager/local/{name}")["Parameter"]["Value"]


def test_no_nat_gateway_an_s3_gateway_endpoint_and_the_documented_subnets(platform):
    ec2 = aws(platform, "ec2")
    network = outputs(platform)["network"]
    vpc = [{"Name": "vpc-id", "Values": [network["vpc_id"]]}]
    assert [n for n in ec2.describe_nat_gateways(Filters=vpc)["NatGateways"] if n["State"] != "deleted"] == []
    endpoints = ec2.describe_vpc_endpoints(Filters=vpc)["VpcEndpoints"]
    assert [e["VpcEndpointType"] for e in endpoints if e["ServiceName"].endswith(".s3")] == ["Gateway"]
    cidrs = {s["CidrBlock"] for s in ec2.describe_subnets(Filters=vpc)["Subnets"]}
    public, private = subnets(next(c for c in components("local") if c["name"] == "network")["inputs"])
    assert cidrs == set(public + private), "docs/architecture.md shows the subnets Terraform creates"


# deploy.yml on the applied platform -------------------------------------------------------------------------------
# (here rather than in a file of its own: rolling out needs the applied compute component, and applying the platform
# again for it would add minutes to the suite). The emulator rolls deployments out as ECS does and can make one fail
# the way the circuit breaker does (tools/localenv/extensions/ecs_deployments.py).

RELEASE = "2.0.1"
RELEASE_VARS = {"ecr_images_builder": "buildah", "ecr_images_version": RELEASE, "ecs_deploy_poll_interval": 0.5}


def release(platform, *playbooks, **extra_vars):
    """images.yml and/or deploy.yml in one ansible-playbook run, against the applied platform."""
    return platform.site.play(*playbooks, **RELEASE_VARS, **extra_vars)


def running_images(platform):
    """service key -> the image its service's current task definition runs, read back from ECS."""
    ecs = aws(platform, "ecs")
    compute = outputs(platform)["compute"]
    found = {}
    for key, name in compute["service_names"].items():
        service = ecs.describe_services(cluster=compute["cluster_name"], services=[name])["services"][0]
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        found[key] = definition["containerDefinitions"][0]["image"]
    return found


def primary_deployment(platform, key):
    compute = outputs(platform)["compute"]
    service = aws(platform, "ecs").describe_services(cluster=compute["cluster_name"],
                                                     services=[compute["service_names"][key]])["services"][0]
    return next(d for d in service["deployments"] if d["status"] == "PRIMARY")


def test_deploy_rolls_out_the_digests_images_pushed_in_the_same_run(platform):
    # site.yml has rolled out the example images already: a label makes this release's images new ones.
    run = release(platform, "playbooks/images.yml", "playbooks/deploy.yml", ecr_images_list=[
        {"name": key, "context": f"examples/bookmark-manager/{key}", "labels": {"release.note": RELEASE}} for key in ("web", "api")])
    assert run.rc == 0, run.output[-5000:]
    pushed = run.fact("ecr_images_digests")
    ecr = aws(platform, "ecr")
    for key in ("web", "api"):
        tagged = ecr.describe_images(repositoryName=f"{PREFIX}-{key}", imageIds=[{"imageTag": RELEASE}])["imageDetails"]
        assert tagged[0]["imageDigest"] == pushed[key]["digest"]
    urls = outputs(platform)["ecr"]["repository_urls"]
    assert running_images(platform) == {key: f"{urls[key]}@{pushed[key]['digest']}" for key in ("web", "api")}
    for key in ("web", "api"):
        deployment = primary_deployment(platform, key)
        assert deployment["rolloutState"] == "COMPLETED"
        assert run.fact("ecs_deploy_result")[key]["rollout_state"] == "COMPLETED"
        assert run.fact("ecs_deploy_result")[key]["deployment_id"] == deployment["id"]
    compute_row = [row for row in run.fact("terraform_stack_results") if row["name"] == "compute"]
    assert [row["result"] for row in compute_row] == ["applied"]
    assert {row["name"] for row in run.fact("terraform_stack_results")} == {"compute"}, "compute alone is re-applied"
    platform.pushed = {key: pushed[key]["digest"] for key in ("web", "api")}


def test_a_second_deploy_of_the_same_release_and_infra_afterwards_change_nothing(platform):
    again = release(platform, "playbooks/deploy.yml", ecs_deploy_version=RELEASE)
    assert again.rc == 0, again.output[-5000:]
    assert again.stats["changed"] == 0, again.output[-5000:]
    assert again.fact("ecs_deploy_images") == platform.pushed, "the tag resolved through ECR to the pushed digests"

    # A service scaled to zero outside Terraform (as the power schedule does) stays at zero: infra.yml neither
    # changes it nor reports a change. (One infra.yml run for both: each costs a plan of every component.)
    ecs = aws(platform, "ecs")
    cluster = outputs(platform)["compute"]["cluster_name"]
    web = outputs(platform)["compute"]["service_names"]["web"]
    ecs.update_service(cluster=cluster, service=web, desiredCount=0)

    infra = platform()
    assert infra.rc == 0, infra.output[-5000:]
    assert infra.stats["changed"] == 0, "infra.yml keeps the images deploy.yml rolled out, and the scaled service"
    assert ecs.describe_services(cluster=cluster, services=[web])["services"][0]["desiredCount"] == 0
    urls = outputs(platform)["ecr"]["repository_urls"]
    assert running_images(platform) == {key: f"{urls[key]}@{digest}" for key, digest in platform.pushed.items()}


def test_a_failed_rollout_fails_the_play_with_the_events_and_the_stopped_reason(platform):
    compute = outputs(platform)["compute"]
    api = compute["service_names"]["api"]
    before = running_images(platform)
    platform.emulator.fail_next_rollout(api, reason="Essential container in task exited: exit code 3")
    run = release(platform, "playbooks/images.yml", "playbooks/deploy.yml", ecr_images_list=[
        {"name": "api", "context": "examples/bookmark-manager/api", "labels": {"release.note": "broken"}}])
    assert run.rc != 0
    message = run.failure_message()
    assert api in message
    assert "circuit breaker" in message
    assert "deployment failed: tasks failed to start" in message
    assert "Essential container in task exited: exit code 3" in message
    assert "deploy_digests" in message, "the message says how to roll back by hand"
    assert running_images(platform)["api"] == before["api"], "ECS rolled back to the task definition that ran before"


def test_deploy_digests_rolls_a_service_back_to_an_earlier_image(platform):
    earlier = platform.pushed["api"]
    newer = release(platform, "playbooks/images.yml", "playbooks/deploy.yml", ecr_images_list=[
        {"name": "api", "context": "examples/bookmark-manager/api", "labels": {"release.note": "newer"}}])
    assert newer.rc == 0, newer.output[-5000:]
    assert not running_images(platform)["api"].endswith(earlier)

    newer_digest = running_images(platform)["api"].rsplit("@", 1)[1]

    before = running_images(platform)
    check = release(platform, "playbooks/deploy.yml", "--check", deploy_digests=f"api={earlier}")
    assert check.rc == 0, check.output[-5000:]
    assert [row["result"] for row in check.fact("terraform_stack_results")] == ["would change"]
    assert check.result_of("Summary, a line per service")["msg"] == [f"api: would roll out {earlier}"]
    assert running_images(platform) == before, "check mode registers no task definition and moves no service"

    back = release(platform, "playbooks/deploy.yml", deploy_digests=f"api={earlier}")
    assert back.rc == 0, back.output[-5000:]
    assert running_images(platform)["api"].endswith(f"@{earlier}")
    assert primary_deployment(platform, "api")["rolloutState"] == "COMPLETED"
    assert newer_digest != earlier


def test_force_new_deployment_restarts_every_service_on_the_same_task_definition(platform):
    before = {key: primary_deployment(platform, key) for key in ("web", "api")}
    run = release(platform, "playbooks/deploy.yml", ecs_deploy_force_new_deployment=True)
    assert run.rc == 0, run.output[-5000:]
    assert run.stats["changed"] > 0
    for key in ("web", "api"):
        after = primary_deployment(platform, key)
        assert after["id"] != before[key]["id"]
        assert after["taskDefinition"] == before[key]["taskDefinition"]
        assert after["rolloutState"] == "COMPLETED"


BAD_DEPLOYS = {
    "a tag where a digest belongs": ({"deploy_digests": {"api": RELEASE}}, "deploy_digests.api is '2.0.1', not an image digest"),
    "a service the environment lacks": ({"deploy_digests": {"worker": "sha256:" + "0" * 64}},
                                        "deploy_digests names worker, which is not a service"),
    "a tag that is no tag": ({"ecs_deploy_tags": {"web": "-x"}}, "web='-x' is not an image tag"),
    "nothing to deploy": ({}, "Nothing to deploy: run playbooks/images.yml before it"),
}


@pytest.mark.parametrize("extra_vars, message", BAD_DEPLOYS.values(), ids=BAD_DEPLOYS.keys())
def test_bad_deploy_input_fails_before_any_aws_call(platform, extra_vars, message):
    platform.emulator.clear_requests()
    run = release(platform, "playbooks/deploy.yml", **extra_vars)
    assert run.rc != 0
    assert message in run.failure_message()
    assert platform.emulator.requests() == []


def test_a_tag_that_is_not_in_the_repository_fails_naming_it_and_changes_nothing(platform):
    before = running_images(platform)
    run = release(platform, "playbooks/deploy.yml", ecs_deploy_version="9.9.9")
    assert run.rc != 0
    message = run.failure_message()
    assert "9.9.9" in message and "images.yml" in message
    assert running_images(platform) == before
