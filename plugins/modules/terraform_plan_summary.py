#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: terraform_plan_summary
short_description: Count what a saved Terraform plan would do, from C(terraform show -json)
version_added: 0.1.0
description:
  - Reads a saved plan with C(terraform show -json) (or C(tofu show -json)) and reports how many resources it would
    add, change, replace and destroy, which outputs would change, and every planned resource address with its actions.
  - Unlike M(community.general.terraform), a create-before-destroy replacement counts as a replacement and a plan
    that changes only outputs counts as a change.
  - Changes nothing (it only reads the plan); optionally removes the plan file afterwards.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  project_path:
    description: The Terraform root module the plan was made in.
    type: path
    required: true
  plan_file:
    description: The saved plan, relative to O(project_path) or absolute.
    type: path
    required: true
  binary_path:
    description: The C(terraform) or C(tofu) executable.
    type: path
    default: terraform
  remove_plan_file:
    description: Delete the plan file after reading it.
    type: bool
    default: false
notes:
  - The environment of the task (C(TF_DATA_DIR), C(TF_CLI_CONFIG_FILE)) must match the one the plan was made with.
seealso:
  - module: community.general.terraform
attributes:
  check_mode:
    support: full
    description: It only reads the plan, so it runs the same in check mode.
  diff_mode:
    support: none
    description: It reports counts and addresses, not a before/after diff.
"""

EXAMPLES = r"""
- name: Plan
  community.general.terraform:
    project_path: terraform/components/network
    state: planned
    plan_file: /tmp/network.tfplan

- name: What would the plan do?
  shipyard.aws.terraform_plan_summary:
    project_path: terraform/components/network
    plan_file: /tmp/network.tfplan
  register: network_plan
"""

RETURN = r"""
has_changes:
  description: Whether applying the plan would change any resource or output.
  returned: success
  type: bool
counts:
  description: Planned actions by kind.
  returned: success
  type: dict
  contains:
    add:
      description: Resources to create.
      type: int
    change:
      description: Resources to update in place.
      type: int
    replace:
      description: Resources to replace (delete and create, in either order).
      type: int
    destroy:
      description: Resources to destroy.
      type: int
    forget:
      description: Resources to remove from the state only (C(removed) blocks with C(destroy = false)).
      type: int
    import:
      description: Resources to import, with no other change.
      type: int
    move:
      description: Resources that only move to a new address (C(moved) blocks); the move lands in the state on apply.
      type: int
    outputs:
      description: Root outputs whose value would change.
      type: int
  sample: {"add": 1, "change": 0, "replace": 1, "destroy": 0, "forget": 0, "import": 0, "move": 0, "outputs": 2}
resources:
  description: Every resource with a planned action other than a no-op at its own address or a read.
  returned: success
  type: list
  elements: dict
  sample: [{"address": "aws_ssm_parameter.a", "action": "replace", "actions": ["create", "delete"]}]
outputs_changed:
  description: Names of the root outputs that would change.
  returned: success
  type: list
  elements: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.shipyard.aws.plugins.module_utils.terraform_plan import summarize_plan


def main():
    module = AnsibleModule(
        argument_spec=dict(
            project_path=dict(type="path", required=True),
            plan_file=dict(type="path", required=True),
            binary_path=dict(type="path", default="terraform"),
            remove_plan_file=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    project_path = module.params["project_path"]
    plan_file = os.path.join(project_path, module.params["plan_file"])
    if not os.path.isfile(plan_file):
        module.fail_json(msg=f"plan file {plan_file} not found: make the plan first (community.general.terraform state=planned)")

    binary = module.get_bin_path(module.params["binary_path"], required=True)
    rc, out, err = module.run_command([binary, "show", "-json", plan_file], cwd=project_path)
    if rc != 0:
        module.fail_json(msg=f"{binary} show -json {plan_file} failed: {err.strip()[-2000:]}", rc=rc)
    try:
        plan = json.loads(out)
    except ValueError as e:
        module.fail_json(msg=f"{binary} show -json printed something that is not JSON: {e}")

    if module.params["remove_plan_file"]:
        os.unlink(plan_file)
    module.exit_json(changed=False, **summarize_plan(plan))


if __name__ == "__main__":
    main()
