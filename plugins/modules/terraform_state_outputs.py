#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: terraform_state_outputs
short_description: Read the outputs of several Terraform states kept in S3, in one call and without Terraform
version_added: 0.1.0
description:
  - Reads the root module outputs of Terraform state objects (the S3 backend's format) straight from the bucket, one
    object per component, without running Terraform or loading any provider.
  - A component whose state object does not exist yet is listed in RV(missing), not an error.
  - Reads only; never changes anything, so it runs the same in check mode.
  - Output values can be sensitive (C(sensitive = true) in Terraform); they are returned as they are, so run this
    module with C(no_log) and print only RV(sensitive) names.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  bucket:
    description: The state bucket.
    type: str
    required: true
  keys:
    description: The state object of each component, as C(component name => S3 key).
    type: dict
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads only, in check mode as otherwise.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no difference to show.
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
seealso:
  - module: community.general.terraform
"""

EXAMPLES = r"""
- name: Read the outputs of the staging components
  shipyard.aws.terraform_state_outputs:
    bucket: bookmark-manager-staging-tfstate
    keys:
      network: staging/network/terraform.tfstate
      database: staging/database/terraform.tfstate
  register: states
  no_log: true  # output values may be sensitive
"""

RETURN = r"""
outputs:
  description: The outputs of every component that has a state object, as C(component => output name => value).
  returned: success
  type: dict
  sample: {"network": {"vpc_id": "vpc-0123456789abcdef0"}}
sensitive:
  description: The names of each component's sensitive outputs.
  returned: success
  type: dict
  sample: {"database": ["master_password"]}
missing:
  description: The components whose state object does not exist (never applied).
  returned: success
  type: list
  elements: str
  sample: ["edge"]
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def state_outputs(document):
    """A state document's root outputs -> ({name: value}, [sensitive names])."""
    outputs = document.get("outputs") or {}
    values = {name: item.get("value") for name, item in outputs.items()}
    return values, sorted(name for name, item in outputs.items() if item.get("sensitive"))


def read_states(s3, bucket, keys):
    result = {"outputs": {}, "sensitive": {}, "missing": []}
    for component, key in sorted(keys.items()):
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except is_boto3_error_code("NoSuchKey"):
            result["missing"].append(component)
            continue
        try:
            document = json.loads(body)
        except ValueError as e:
            raise ValueError(f"s3://{bucket}/{key} ({component}) is not a Terraform state document: {e}") from e
        result["outputs"][component], result["sensitive"][component] = state_outputs(document)
    return result


def main():
    module = ShipyardAWSModule(
        argument_spec=dict(bucket=dict(type="str", required=True), keys=dict(type="dict", required=True, no_log=False)),
        supports_check_mode=True,
    )
    bucket = module.params["bucket"]
    s3 = module.client("s3", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = read_states(s3, bucket, module.params["keys"])
    except ValueError as e:
        module.fail_json(msg=f"{e}. Look at the object (or restore a previous version of it) before running Terraform.")
    except is_boto3_error_code("NoSuchBucket") as e:
        module.fail_json_aws(e, msg=f"State bucket {bucket} does not exist")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Cannot read the state objects in {bucket}")
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
