"""staging and production (their own inventories) pointed at the emulator: `infra.yml --check` on a new
environment plans the first wave and names what waits for it; production applies as far as the emulator allows,
and `--check` on the applied environment plans every component with no change."""

from __future__ import annotations

import pytest

from diagrams.inventory import components, waves
from helpers import run_playbook
from localenv import terraform_cli

pytestmark = pytest.mark.slow

SECRETS = {"MONGODB_URI": "mongodb+srv://profile-test", "JWT_SECRET": "profile-test-jwt"}


@pytest.fixture
def environment(aws, tmp_path, provider_mirror):
    terraform_cli.write_config(base=tmp_path, mirror=provider_mirror)

    def run(env, playbook="playbooks/infra.yml", *args):
        extra = {"shipyard_aws_endpoint_url": aws.endpoint, "shipyard_aws_access_key": "shipyard-local-access-key",
                 "shipyard_aws_secret_key": "shipyard-local-secret-key", "shipyard_allowed_cidr_blocks": ["198.51.100.0/24"],
                 "terraform_stack_work_dir": str(tmp_path / "terraform")}
        return run_playbook(playbook, *args, inventory=f"inventories/{env}", aws_port=aws.port, env=SECRETS,
                            extra_vars=extra, timeout=2400)

    return run


def results(run):
    return {row["name"]: row["result"] for row in run.fact("terraform_stack_results")}


@pytest.mark.parametrize("env", ["staging", "production"])
def test_check_on_a_new_environment_plans_the_first_wave_and_says_what_waits(environment, env, boto):
    assert environment(env, "playbooks/bootstrap.yml").rc == 0
    check = environment(env, "playbooks/infra.yml", "--check")
    assert check.rc == 0, check.output[-4000:]
    first_wave = {c["name"] for c in waves(components(env))[0]}
    table = results(check)
    assert {name for name, result in table.items() if result == "would change"} == first_wave
    assert {name for name, result in table.items() if result == "not planned"} == set(table) - first_wave
    listing = boto("s3").list_objects_v2(Bucket=f"bookmark-manager-{env}-tfstate")
    assert [o["Key"] for o in listing.get("Contents", []) if o["Key"].endswith(".tfstate")] == [], "check mode wrote no state"


def test_production_applies_on_the_emulator_and_then_checks_clean(environment, boto):
    assert environment("production", "playbooks/bootstrap.yml").rc == 0
    apply = environment("production")
    assert apply.rc == 0, apply.output[-5000:]
    assert set(results(apply).values()) == {"applied"}

    check = environment("production", "playbooks/infra.yml", "--check")
    assert check.rc == 0, check.output[-4000:]
    assert set(results(check).values()) == {"unchanged"}
    assert check.stats["changed"] == 0

    # The safety profile, read back: Aurora with deletion protection, NAT per zone, the distribution in front.
    cluster = boto("rds").describe_db_clusters()["DBClusters"][0]
    assert cluster["Engine"] == "aurora-postgresql" and cluster["DeletionProtection"] is True
    assert len([n for n in boto("ec2").describe_nat_gateways()["NatGateways"] if n["State"] == "available"]) == 2
    assert len(boto("cloudfront").list_distributions()["DistributionList"].get("Items", [])) == 1
