"""DynamoDB: UpdateTable's SSESpecification and the TableId of table descriptions, which moto 5 lacks (see the
package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import json
import uuid


# --- DynamoDB -----------------------------------------------------------------------------------------------

_DYNAMODB_TABLE_OPERATIONS = {"CreateTable", "DescribeTable", "UpdateTable", "DeleteTable"}


def add_dynamodb_table_id(payload: bytes) -> bytes:
    """DynamoDB returns a TableId (a UUID) with every table description; moto 5 does not, and
    community.aws.dynamodb_table reads it. Derive a stable one from the table's ARN."""
    try:
        document = json.loads(payload)
    except ValueError:
        return payload
    for key in ("Table", "TableDescription"):
        table = document.get(key)
        if isinstance(table, dict) and "TableArn" in table and "TableId" not in table:
            table["TableId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, table["TableArn"]))
    return json.dumps(document).encode()


def apply_dynamodb_sse_update(access_key: str, region: str, table_name: str, spec: dict) -> None:
    """Set a table's encryption in moto's model the way DynamoDB's UpdateTable does."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.iam.models import get_account_id_from
    from moto.kms.models import kms_backends

    account_id = get_account_id_from(access_key)
    table = dynamodb_backends[account_id][region].get_table(table_name)
    if not spec.get("Enabled", False):
        table.sse_specification = None
        return
    key_id = spec.get("KMSMasterKeyId")
    # DynamoDB stores the key's ARN whichever form (id, alias, ARN) the request used.
    key_arn = (
        kms_backends[account_id][region].describe_key(key_id).arn
        if key_id
        else table._get_default_encryption_key(account_id, region)  # pylint: disable=protected-access
    )
    table.sse_specification = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn}
