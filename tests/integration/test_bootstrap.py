"""playbooks/bootstrap.yml on inventories/local: the state backend, read back from the emulator with boto3."""

from __future__ import annotations

import json

import pytest

from helpers import run_playbook

BUCKET = "bookmark-manager-local-tfstate"
LOCK_TABLE = "bookmark-manager-local-tflock"
LOG_BUCKET = "bookmark-manager-local-tfstate-logs"
MUTATING_METHODS = {"PUT", "POST", "DELETE"}


def bootstrap(aws, **extra_vars):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port, extra_vars=extra_vars or None)
    assert run.rc == 0, run.output[-4000:]
    return run


def tls_only_statement(policy: dict, bucket: str) -> dict | None:
    for statement in policy["Statement"]:
        condition = statement.get("Condition", {}).get("Bool", {})
        if statement["Effect"] == "Deny" and condition.get("aws:SecureTransport") == "false":
            resources = statement["Resource"]
            if {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"} <= set(resources):
                return statement
    return None


def mutating_requests(aws) -> list[dict]:
    """Requests that could change something: writes to S3, and any non-read operation of other services."""
    changes = []
    for request in aws.requests():
        operation = request["operation"] or ""
        if request["service"] == "s3" and request["method"] in MUTATING_METHODS:
            changes.append(request)
        elif request["service"] != "s3" and operation and not operation.startswith(("Describe", "Get", "List")):
            changes.append(request)
    return changes


def test_creates_a_versioned_encrypted_private_tls_only_bucket(aws, boto):
    bootstrap(aws)
    s3 = boto("s3")

    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"

    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["BucketKeyEnabled"] is True

    blocks = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert blocks == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                      "BlockPublicPolicy": True, "RestrictPublicBuckets": True}

    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    statement = tls_only_statement(policy, BUCKET)
    assert statement is not None, policy
    assert statement["Action"] in ("s3:*", ["s3:*"])

    rules = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    noncurrent = [r for r in rules if "NoncurrentVersionExpiration" in r]
    assert len(noncurrent) == 1 and noncurrent[0]["Status"] == "Enabled"
    assert noncurrent[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90

    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
    assert tags == {"Service": "bookmark-manager", "Environment": "local", "ManagedBy": "shipyard.aws"}

    # S3 lock files are the default: no DynamoDB table, no log bucket.
    assert boto("dynamodb").list_tables()["TableNames"] == []
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [BUCKET]


def test_publishes_the_backend_configuration_fact(aws):
    run = bootstrap(aws)
    config = run.fact("tfstate_backend_config")
    assert config == {
        "bucket": BUCKET,
        "region": "ap-northeast-1",
        "key_prefix": "local",
        "use_lockfile": True,
        "dynamodb_table": "",
        "lock_mode": "s3-lockfile",
        "encrypt": False,
        "kms_key_id": "",
        "endpoints": {service: aws.endpoint for service in ("s3", "dynamodb", "sts", "iam")},
        "use_path_style": True,
    }


def test_second_run_changes_nothing_and_writes_nothing(aws):
    first = bootstrap(aws)
    assert first.stats["changed"] > 0
    aws.clear_requests()

    second = bootstrap(aws)

    assert second.stats["changed"] == 0, second.output[-3000:]
    assert second.stats["failures"] == 0
    assert mutating_requests(aws) == []


def test_summary_reports_what_s3_holds(aws):
    run = bootstrap(aws)
    text = "\n".join(run.result_of("Show the state backend")["msg"])
    assert f"bucket:              {BUCKET} (ap-northeast-1)" in text
    assert "versioning:          Enabled" in text
    assert "encryption:          aws:kms, bucket key on" in text
    assert "public access block: all four on" in text
    assert "TLS-only policy:     present" in text
    assert "locking:             s3-lockfile" in text


def test_lock_table_access_logging_and_sse_s3(aws, boto):
    options = dict(
        tfstate_backend_lock_table=True,
        tfstate_backend_access_logging=True,
        tfstate_backend_encryption="AES256",
        tfstate_backend_noncurrent_days=30,
        tfstate_backend_tags={"CostCenter": "platform"},
    )
    run = bootstrap(aws, **options)
    requests_of_the_run = aws.requests()
    s3, dynamodb = boto("s3"), boto("dynamodb")

    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    noncurrent = [r for r in s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
                  if "NoncurrentVersionExpiration" in r]
    assert noncurrent[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30

    table = dynamodb.describe_table(TableName=LOCK_TABLE)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "LockID", "AttributeType": "S"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED" and table["SSEDescription"]["SSEType"] == "KMS"
    assert table["DeletionProtectionEnabled"] is True
    backups = dynamodb.describe_continuous_backups(TableName=LOCK_TABLE)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    tags = {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
    assert tags["CostCenter"] == "platform" and tags["ManagedBy"] == "shipyard.aws"

    logging = s3.get_bucket_logging(Bucket=BUCKET)["LoggingEnabled"]
    assert logging == {"TargetBucket": LOG_BUCKET, "TargetPrefix": f"{BUCKET}/"}
    assert s3.get_public_access_block(Bucket=LOG_BUCKET)["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
    log_rule = s3.get_bucket_encryption(Bucket=LOG_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert log_rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert tls_only_statement(json.loads(s3.get_bucket_policy(Bucket=LOG_BUCKET)["Policy"]), LOG_BUCKET)

    config = run.fact("tfstate_backend_config")
    assert config["dynamodb_table"] == LOCK_TABLE
    assert config["lock_mode"] == "s3-lockfile+dynamodb"
    assert config["encrypt"] is True

    # The collection's own module (the lock table's protection) announces itself in the user agent.
    own = [r for r in requests_of_the_run if r["operation"] in ("DescribeContinuousBackups", "UpdateContinuousBackups")]
    assert own and all("shipyard.aws/0.1.0" in r["user_agent"] for r in own)

    aws.clear_requests()
    again = bootstrap(aws, **options)
    assert again.stats["changed"] == 0, again.output[-3000:]
    assert mutating_requests(aws) == []


def test_never_deletes_a_bucket_that_holds_state(aws, boto):
    bootstrap(aws)
    s3 = boto("s3")
    s3.put_object(Bucket=BUCKET, Key="local/network/terraform.tfstate", Body=b"{}")
    bootstrap(aws, tfstate_backend_encryption="AES256")
    assert s3.get_object(Bucket=BUCKET, Key="local/network/terraform.tfstate")["Body"].read() == b"{}"
    assert not [r for r in aws.requests() if r["service"] == "s3" and r["method"] == "DELETE"]


@pytest.mark.parametrize("env_name", ["Staging Env", "Staging", "staging_1", "-staging"])
def test_rejects_bad_environment_names_before_any_aws_call(aws, boto, env_name):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port, extra_vars={"shipyard_env": env_name})
    assert run.rc != 0
    message = run.failure()["msg"]
    assert f"the environment name '{env_name}' is not a valid name" in message
    assert "lowercase letters, digits and hyphens" in message
    assert aws.requests() == []
