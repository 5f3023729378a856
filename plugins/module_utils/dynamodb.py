# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read and change a DynamoDB table's protection: encryption key, point-in-time recovery, deletion protection."""

from __future__ import annotations

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

AWS_MANAGED_KEY_ALIAS = "alias/aws/dynamodb"
_ENCRYPTED = ("ENABLED", "ENABLING", "UPDATING")


class DynamoDBProtection:
    def __init__(self, dynamodb, kms):
        self.dynamodb = dynamodb
        self.kms = kms
        self._managed_key_arn = None

    def _aws_managed_key_arn(self):
        """ARN of the account's aws/dynamodb key; empty until DynamoDB first creates it."""
        if not self._managed_key_arn:
            try:
                metadata = self.kms.describe_key(aws_retry=True, KeyId=AWS_MANAGED_KEY_ALIAS)["KeyMetadata"]
                self._managed_key_arn = metadata["Arn"]
            except is_boto3_error_code("NotFoundException"):
                return ""
        return self._managed_key_arn

    def key_arn_for(self, encryption, kms_key_id):
        if encryption == "customer_managed":
            return self.kms.describe_key(aws_retry=True, KeyId=kms_key_id)["KeyMetadata"]["Arn"]
        if encryption == "aws_managed":
            return self._aws_managed_key_arn()
        return ""

    def describe(self, name):
        """The table's protection settings, or None when there is no such table."""
        try:
            table = self.dynamodb.describe_table(aws_retry=True, TableName=name)["Table"]
        except is_boto3_error_code("ResourceNotFoundException"):
            return None
        backups = self.dynamodb.describe_continuous_backups(aws_retry=True, TableName=name)
        pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        sse = table.get("SSEDescription") or {}
        key_arn = sse.get("KMSMasterKeyArn", "") if sse.get("Status") in _ENCRYPTED else ""
        if not key_arn:
            encryption = "aws_owned"
        elif key_arn == self._aws_managed_key_arn():
            encryption = "aws_managed"
        else:
            encryption = "customer_managed"
        return dict(
            name=table["TableName"],
            arn=table["TableArn"],
            encryption=encryption,
            kms_key_arn=key_arn,
            point_in_time_recovery=pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
            deletion_protection=bool(table.get("DeletionProtectionEnabled", False)),
        )

    def apply(self, name, current, desired, wait=True, timeout=600):
        """Make the calls that turn ``current`` into ``desired``, encryption first (it is the slow one)."""
        if (desired["encryption"], desired["kms_key_arn"]) != (current["encryption"], current["kms_key_arn"]):
            self.dynamodb.update_table(aws_retry=True, TableName=name, SSESpecification=_sse_specification(desired))
            if wait:
                self.wait_active(name, timeout)
        if desired["deletion_protection"] != current["deletion_protection"]:
            self.dynamodb.update_table(
                aws_retry=True, TableName=name, DeletionProtectionEnabled=desired["deletion_protection"]
            )
        if desired["point_in_time_recovery"] != current["point_in_time_recovery"]:
            self.dynamodb.update_continuous_backups(
                aws_retry=True,
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": desired["point_in_time_recovery"]},
            )

    def wait_active(self, name, timeout):
        deadline = time.monotonic() + timeout
        while True:
            status = self.dynamodb.describe_table(aws_retry=True, TableName=name)["Table"]["TableStatus"]
            if status == "ACTIVE":
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"DynamoDB table {name} still {status} after {timeout} seconds")
            time.sleep(5)


def _sse_specification(desired):
    if desired["encryption"] == "aws_owned":
        return {"Enabled": False}
    spec = {"Enabled": True, "SSEType": "KMS"}
    if desired["encryption"] == "customer_managed":
        spec["KMSMasterKeyId"] = desired["kms_key_arn"]
    return spec
