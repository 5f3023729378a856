#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dynamodb_table_protection
short_description: Manage server-side encryption, point-in-time recovery and deletion protection of a DynamoDB table
version_added: 0.1.0
description:
  - Brings the protection settings of an existing DynamoDB table to the requested state.
  - Covers what M(community.aws.dynamodb_table) leaves out, namely the encryption key (AWS owned, AWS managed or
    customer managed KMS key), point-in-time recovery (continuous backups) and deletion protection.
  - Options left unset are not changed. Nothing is changed in check mode; C(diff) shows before and after.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  name:
    description: Name of the table. It must exist (create it with M(community.aws.dynamodb_table)).
    type: str
    required: true
  encryption:
    description:
      - Which key encrypts the table at rest.
      - C(aws_owned) is DynamoDB's default key, owned by AWS and not visible in the account.
      - C(aws_managed) is the account's AWS-managed KMS key C(alias/aws/dynamodb) (usage shows in CloudTrail).
      - C(customer_managed) is the KMS key given in O(kms_key_id).
    type: str
    choices: [aws_owned, aws_managed, customer_managed]
  kms_key_id:
    description:
      - The customer-managed KMS key (key id, key ARN, alias name or alias ARN).
      - Required when O(encryption=customer_managed), not allowed otherwise.
    type: str
  point_in_time_recovery:
    description: Whether continuous backups with point-in-time recovery are on.
    type: bool
  deletion_protection:
    description: Whether the table is protected from deletion.
    type: bool
  wait:
    description: After an encryption change, wait until the table is C(ACTIVE) again.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait for the table to become C(ACTIVE).
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - Changing the encryption key puts the table into C(UPDATING) for a while; the table stays usable meanwhile.
seealso:
  - module: community.aws.dynamodb_table
"""

EXAMPLES = r"""
- name: Protect a Terraform lock table
  shipyard.aws.dynamodb_table_protection:
    name: bookmark-manager-staging-tflock
    encryption: aws_managed
    point_in_time_recovery: true
    deletion_protection: true

- name: Encrypt with a customer-managed key
  shipyard.aws.dynamodb_table_protection:
    name: orders
    encryption: customer_managed
    kms_key_id: alias/orders
"""

RETURN = r"""
table:
  description: The table's protection settings after the run (in check mode, what they would be).
  returned: success
  type: dict
  contains:
    name:
      description: Table name.
      type: str
      sample: bookmark-manager-staging-tflock
    arn:
      description: Table ARN.
      type: str
      sample: arn:aws:dynamodb:ap-northeast-1:123456789012:table/bookmark-manager-staging-tflock
    encryption:
      description: C(aws_owned), C(aws_managed) or C(customer_managed).
      type: str
      sample: aws_managed
    kms_key_arn:
      description: ARN of the KMS key, empty for C(aws_owned).
      type: str
    point_in_time_recovery:
      description: Whether point-in-time recovery is on.
      type: bool
      sample: true
    deletion_protection:
      description: Whether deletion protection is on.
      type: bool
      sample: true
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule
from ansible_collections.shipyard.aws.plugins.module_utils.dynamodb import DynamoDBProtection

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def desired_state(params, current, key_arn):
    """The protection settings after the run: the current ones, overridden by the options that are set."""
    desired = dict(current)
    for option in ("point_in_time_recovery", "deletion_protection"):
        if params[option] is not None:
            desired[option] = params[option]
    if params["encryption"] is not None:
        desired["encryption"] = params["encryption"]
        desired["kms_key_arn"] = key_arn
    return desired


def ensure_protection(module, tables):
    name = module.params["name"]
    current = tables.describe(name)
    if current is None:
        module.fail_json(msg=f"DynamoDB table {name} does not exist: create it first (community.aws.dynamodb_table)")

    key_arn = tables.key_arn_for(module.params["encryption"], module.params["kms_key_id"])
    desired = desired_state(module.params, current, key_arn)
    changed = desired != current
    if changed and not module.check_mode:
        tables.apply(name, current, desired, wait=module.params["wait"], timeout=module.params["wait_timeout"])
        desired = tables.describe(name)
    return changed, current, desired


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        encryption=dict(type="str", choices=["aws_owned", "aws_managed", "customer_managed"]),
        kms_key_id=dict(type="str"),
        point_in_time_recovery=dict(type="bool"),
        deletion_protection=dict(type="bool"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = ShipyardAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("encryption", "customer_managed", ["kms_key_id"])],
    )
    if module.params["kms_key_id"] and module.params["encryption"] != "customer_managed":
        module.fail_json(msg="kms_key_id is only used with encryption=customer_managed; remove it or set encryption")

    retry = AWSRetry.jittered_backoff()
    tables = DynamoDBProtection(
        module.client("dynamodb", retry_decorator=retry),
        module.client("kms", retry_decorator=retry),
    )
    try:
        changed, before, after = ensure_protection(module, tables)
    except TimeoutError as e:
        module.fail_json(msg=f"{e}: raise wait_timeout, or set wait=false to return while the table is updating")
    except is_boto3_error_code("NotFoundException") as e:
        module.fail_json_aws(e, msg=f"KMS key {module.params['kms_key_id']} not found: check kms_key_id and the region")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to manage the protection of DynamoDB table {module.params['name']}")

    result = dict(changed=changed, table=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
