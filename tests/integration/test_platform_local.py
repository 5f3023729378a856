"""The application platform (terraform/components/*) on the local inventory: infra.yml applies every component
against the emulator with the real provider, and what the seeds' staging profile asks for is read back with boto3.

The tests share one applied environment and run in file order.
"""

from __future__ import annotations

import json

import boto3
import pytest

from diagrams.inventory import components
from diagrams.mermaid import subnets
from helpers import run_playbook
from localenv import terraform_cli

pytestmark = pytest.mark.slow

PREFIX = "bookmark-manager-local"


@pytest.fixture(scope="module")
def platform(emulator, tmp_path_factory, provider_mirror):
    emulator.reset()
    work = tmp_path_factory.mktemp("platform")
    terraform_cli.write_config(base=work, mirror=provider_mirror)
    boot = run_playbook("playbooks/bootstrap.yml", aws_port=emulator.port)
    assert boot.rc == 0, boot.output[-3000:]

    def run(*args):
        return run_playbook("playbooks/infra.yml", *args, aws_port=emulator.port, timeout=1800,
                            extra_vars={"terraform_stack_work_dir": str(work / "terraform")})

    run.first = run()
    run.emulator = emulator
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


def test_a_service_scaled_to_zero_outside_terraform_stays_at_zero_and_nothing_changes(platform):
    ecs = aws(platform, "ecs")
    cluster = outputs(platform)["compute"]["cluster_name"]
    web = outputs(platform)["compute"]["service_names"]["web"]
    ecs.update_service(cluster=cluster, service=web, desiredCount=0)

    again = platform()
    assert again.rc == 0, again.output[-5000:]
    assert again.stats["changed"] == 0, again.output[-5000:]
    assert ecs.describe_services(cluster=cluster, services=[web])["services"][0]["desiredCount"] == 0
