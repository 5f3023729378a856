"""Module shipyard.aws.terraform_state_outputs through ansible-playbook: state objects written with boto3 in the
S3 backend's format, their outputs read back in one call."""

from __future__ import annotations

import json

import pytest

from helpers import run_playbook

PLAYBOOK = "tests/integration/playbooks/terraform_state_outputs.yml"
BUCKET = "shipyard-outputs-tfstate"
SECRET = "pa55-w0rd-never-printed"


def state(**outputs):
    """A minimal Terraform state document; outputs named secret_* are sensitive."""
    return json.dumps({
        "version": 4, "terraform_version": "1.11.0", "serial": 3, "lineage": "l",
        "outputs": {name: {"value": value, "type": "string", "sensitive": name.startswith("secret_")}
                    for name, value in outputs.items()},
        "resources": [],
    })


@pytest.fixture
def bucket(boto):
    s3 = boto("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    s3.put_object(Bucket=BUCKET, Key="local/network/terraform.tfstate", Body=state(vpc_id="vpc-1", cidr="10.0.0.0/16"))
    s3.put_object(Bucket=BUCKET, Key="local/database/terraform.tfstate", Body=state(host="db", secret_password=SECRET))
    return s3


def read(aws, *args, json_report=True, **keys):
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, json_report=json_report, extra_vars={"bucket": BUCKET, "keys": keys})


def test_outputs_of_every_existing_state_and_the_missing_ones(aws, bucket):
    run = read(aws, network="local/network/terraform.tfstate", database="local/database/terraform.tfstate",
               edge="local/edge/terraform.tfstate")
    assert run.rc == 0, run.output[-3000:]
    result = run.fact("read_back")
    assert result["plain"] == {"network": {"vpc_id": "vpc-1", "cidr": "10.0.0.0/16"}, "database": {"host": "db"}}
    assert result["sensitive"] == {"network": [], "database": ["secret_password"]}
    assert result["missing"] == ["edge"]
    assert result["changed"] is False


def test_sensitive_values_never_reach_the_output_even_at_vvv(aws, bucket):
    run = run_playbook(PLAYBOOK, "-vvv", aws_port=aws.port, json_report=False,
                       extra_vars={"bucket": BUCKET, "keys": {"database": "local/database/terraform.tfstate"}})
    assert run.rc == 0, run.output[-3000:]
    assert SECRET not in run.output


def test_check_mode_reads_the_same(aws, bucket):
    run = read(aws, "--check", network="local/network/terraform.tfstate")
    assert run.rc == 0, run.output[-3000:]
    assert run.fact("read_back")["plain"] == {"network": {"vpc_id": "vpc-1", "cidr": "10.0.0.0/16"}}


def test_a_missing_bucket_fails_and_names_it(aws):
    run = read(aws, json_report=False, network="local/network/terraform.tfstate")
    assert run.rc != 0
    assert f"State bucket {BUCKET} does not exist" in " ".join(run.output.split())


def test_an_object_that_is_not_a_state_fails_and_names_it(aws, bucket):
    bucket.put_object(Bucket=BUCKET, Key="local/broken/terraform.tfstate", Body=b"<html>")
    run = read(aws, json_report=False, broken="local/broken/terraform.tfstate")
    assert run.rc != 0
    message = " ".join(run.output.split())
    assert f"s3://{BUCKET}/local/broken/terraform.tfstate (broken) is not a Terraform state document" in message
