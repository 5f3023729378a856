"""Bad input to playbooks/bootstrap.yml fails with a clear message before any AWS call, and creates nothing."""

from __future__ import annotations

import shutil

import pytest
import yaml

from helpers import REPO_ROOT, run_playbook


def assert_failed_before_aws(run, aws, *fragments):
    assert run.rc != 0, run.output[-3000:]
    failure = run.failure()
    message = failure.get("msg", "") + "\n" + "\n".join(failure.get("argument_errors", []))
    for fragment in fragments:
        assert fragment in message, message
    assert aws.requests() == [], "bad input must fail before the first AWS request"


def test_missing_region(aws, tmp_path):
    inventory = tmp_path / "inventory"
    shutil.copytree(REPO_ROOT / "inventories" / "local", inventory)
    settings_file = inventory / "group_vars" / "all" / "environment.yml"
    settings = yaml.safe_load(settings_file.read_text())
    del settings["shipyard_region"]
    settings_file.write_text(yaml.safe_dump(settings))

    run = run_playbook("playbooks/bootstrap.yml", inventory=inventory, aws_port=aws.port)

    assert_failed_before_aws(run, aws, "tfstate_backend_region is missing or not an AWS region",
                             "set shipyard_region in inventories/<env>/group_vars/all")


def test_region_that_is_not_a_region(aws):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port, extra_vars={"shipyard_region": "Tokyo"})
    assert_failed_before_aws(run, aws, "tfstate_backend_region is missing or not an AWS region (\"Tokyo\")")


def test_unknown_encryption_mode(aws):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port,
                       extra_vars={"tfstate_backend_encryption": "rot13"})
    assert_failed_before_aws(run, aws, "tfstate_backend_encryption", "aws:kms, AES256", "rot13")


@pytest.mark.parametrize("days", [0, -1])
def test_lifecycle_days_not_positive(aws, days):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port,
                       extra_vars={"tfstate_backend_noncurrent_days": days})
    assert_failed_before_aws(run, aws, f"tfstate_backend_noncurrent_days must be a positive number of days, got {days}")


def test_kms_key_with_sse_s3(aws):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port,
                       extra_vars={"tfstate_backend_encryption": "AES256", "tfstate_backend_kms_key_id": "alias/state"})
    assert_failed_before_aws(run, aws, "tfstate_backend_kms_key_id is only used with tfstate_backend_encryption: aws:kms")


def test_bucket_name_s3_would_refuse(aws):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port,
                       extra_vars={"tfstate_backend_bucket_name": "State_Bucket"})
    assert_failed_before_aws(run, aws, "State_Bucket is not a valid S3 bucket name")
