"""Module shipyard.aws.dynamodb_table_protection through ansible-playbook, read back with boto3."""

from __future__ import annotations

import pytest

from helpers import run_playbook

PLAYBOOK = "tests/integration/playbooks/dynamodb_table_protection.yml"
TABLE = "orders"
FULL = {"encryption": "aws_managed", "point_in_time_recovery": True, "deletion_protection": True}


@pytest.fixture
def table(boto):
    dynamodb = boto("dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb


def protect(aws, *args, **options):
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"table": TABLE, **options})


def read_back(dynamodb):
    table = dynamodb.describe_table(TableName=TABLE)["Table"]
    backups = dynamodb.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"]
    sse = table.get("SSEDescription") or {}
    return {
        "sse": (sse.get("Status"), sse.get("SSEType"), sse.get("KMSMasterKeyArn")),
        "pitr": backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
        "deletion_protection": table.get("DeletionProtectionEnabled", False),
    }


def test_check_mode_reports_the_change_and_changes_nothing(aws, table):
    before = read_back(table)
    run = protect(aws, "--check", "--diff", **FULL)
    assert run.rc == 0, run.output[-3000:]
    result = run.result_of("Protect the table")
    assert result["changed"] is True
    assert result["diff"]["before"]["point_in_time_recovery"] is False
    assert result["diff"]["after"]["point_in_time_recovery"] is True
    assert read_back(table) == before


def test_applies_then_is_idempotent(aws, table, boto):
    run = protect(aws, "--diff", **FULL)
    assert run.rc == 0, run.output[-3000:]
    result = run.result_of("Protect the table")
    assert result["changed"] is True
    managed_key = boto("kms").describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]
    assert read_back(table) == {"sse": ("ENABLED", "KMS", managed_key), "pitr": "ENABLED", "deletion_protection": True}
    assert result["table"]["encryption"] == "aws_managed" and result["table"]["kms_key_arn"] == managed_key

    again = protect(aws, **FULL)
    assert again.rc == 0 and again.result_of("Protect the table")["changed"] is False


def test_switches_to_a_customer_managed_key_and_back_to_aws_owned(aws, table, boto):
    key_arn = boto("kms").create_key(Description="orders")["KeyMetadata"]["Arn"]
    boto("kms").create_alias(AliasName="alias/orders", TargetKeyId=key_arn)

    run = protect(aws, "--diff", encryption="customer_managed", kms_key_id="alias/orders")
    assert run.rc == 0, run.output[-3000:]
    result = run.result_of("Protect the table")
    assert result["changed"] is True
    assert result["diff"]["before"]["encryption"] == "aws_owned"
    assert result["diff"]["after"] == result["table"]
    assert read_back(table)["sse"] == ("ENABLED", "KMS", key_arn)
    assert protect(aws, encryption="customer_managed", kms_key_id=key_arn).result_of("Protect the table")["changed"] is False

    assert protect(aws, encryption="aws_owned").result_of("Protect the table")["changed"] is True
    assert read_back(table)["sse"][0] is None


def test_leaves_unset_options_alone(aws, table):
    table.update_continuous_backups(TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    run = protect(aws, deletion_protection=True)
    assert run.rc == 0, run.output[-3000:]
    assert read_back(table) == {"sse": (None, None, None), "pitr": "ENABLED", "deletion_protection": True}


def test_missing_table_says_how_to_create_it(aws):
    run = protect(aws, **FULL)
    assert run.rc != 0
    assert "DynamoDB table orders does not exist: create it first (community.aws.dynamodb_table)" in run.failure()["msg"]


def test_unknown_kms_key(aws, table):
    run = protect(aws, encryption="customer_managed", kms_key_id="alias/nope")
    assert run.rc != 0
    assert "KMS key alias/nope not found" in run.failure()["msg"]
    assert read_back(table)["sse"] == (None, None, None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"encryption": "aws_managed", "kms_key_id": "alias/x"}, "kms_key_id is only used with encryption=customer_managed"),
        ({"encryption": "customer_managed"}, "encryption is customer_managed but all of the following are missing: kms_key_id"),
        ({"encryption": "cmk"}, "value of encryption must be one of: aws_owned, aws_managed, customer_managed"),
    ],
)
def test_bad_options_fail_before_any_aws_call(aws, options, message):
    run = protect(aws, **options)
    assert run.rc != 0
    assert message in run.failure()["msg"]
    assert aws.requests() == []
