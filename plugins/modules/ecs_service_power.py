#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_power
short_description: Stop ECS services (desired count 0) and start them again with the count they had
version_added: 0.1.0
description:
  - Stops ECS services to save money outside working hours, and starts them again, as the schedule's Lambda function
    does (the same code, C(plugins/module_utils/power.py)).
  - Stopping remembers the service's desired count in its tag C(shipyard:desired-count) and, when the service is
    registered with Application Auto Scaling (dimension C(ecs:service:DesiredCount)), the scalable target's minimum
    and maximum in C(shipyard:min-capacity) and C(shipyard:max-capacity); then it sets the minimum to 0 (the maximum
    is kept) and the desired count to 0.
  - Starting restores the minimum and maximum, then the desired count (the remembered one, else 1, kept within the
    minimum and maximum), then removes the three tags, so that stale values never undo a later change.
  - A service whose desired count and minimum are already 0 is stopped; one whose desired count is not 0 and that
    remembers nothing is started; either way nothing is changed (C(changed=false)).
  - Every service is read before any is changed, so a missing or inactive service fails the task with nothing changed.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  cluster:
    description: The ECS cluster's name.
    type: str
    required: true
  services:
    description:
      - The services of O(cluster) to stop or start, by name or ARN.
      - The single value C(all) means every C(ACTIVE) service of the cluster.
    type: list
    elements: str
    required: true
  state:
    description: C(stopped) to stop the services, C(started) to start them again.
    type: str
    choices: [stopped, started]
    required: true
  wait:
    description: Wait until every service runs as many tasks as it desires (none once stopped).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait) before failing with the services still on their way.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two looks at the services while waiting.
    type: float
    default: 10
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the services and their scalable targets, and reports what stopping or starting would do; calls no API that changes anything.
  diff_mode:
    support: full
    description: Shows each service's desired count, minimum and maximum capacity before and after.
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - "IAM permissions: C(ecs:DescribeServices) (and C(ecs:ListServices) for C(all)),
    C(application-autoscaling:DescribeScalableTargets); to change anything also C(ecs:TagResource),
    C(ecs:UpdateService), C(application-autoscaling:RegisterScalableTarget) and C(ecs:UntagResource)."
  - Services must have the long ARN format (C(arn:aws:ecs:region:account:service/cluster/name)) to carry tags; every
    service created since 2021 has.
  - A Terraform apply while a service is stopped sets the scalable target's minimum and the service's tags back to
    what the configuration says; start the services before applying, or run this module's C(started) afterwards.
seealso:
  - module: shipyard.aws.rds_power
"""

EXAMPLES = r"""
- name: Stop the staging services for the night
  shipyard.aws.ecs_service_power:
    cluster: bookmark-manager-staging
    services: [bookmark-manager-staging-api, bookmark-manager-staging-web]
    state: stopped

- name: Start every service of the cluster and wait for their tasks
  shipyard.aws.ecs_service_power:
    cluster: bookmark-manager-staging
    services: all
    state: started
    wait: true
"""

RETURN = r"""
cluster:
  description: The cluster.
  returned: success
  type: str
  sample: bookmark-manager-staging
state:
  description: The state asked for.
  returned: success
  type: str
  sample: stopped
services:
  description: Each service, in the order of O(services) (by name for C(all)).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The service's name.
      type: str
      sample: bookmark-manager-staging-api
    arn:
      description: The service's ARN.
      type: str
      sample: arn:aws:ecs:ap-northeast-1:123456789012:service/bookmark-manager-staging/bookmark-manager-staging-api
    action:
      description: C(stopped), C(started) or C(none) (already there).
      type: str
      sample: stopped
    changed:
      description: Whether this service was (in check mode, would be) changed.
      type: bool
      sample: true
    before:
      description: C(desired_count), C(min_capacity) and C(max_capacity) before (min and max null without a scalable target).
      type: dict
      sample: {"desired_count": 2, "min_capacity": 1, "max_capacity": 4}
    after:
      description: The same after the run (in check mode, what they would be).
      type: dict
      sample: {"desired_count": 0, "min_capacity": 0, "max_capacity": 4}
    running_count:
      description: Tasks running once the wait was over.
      type: int
      returned: with O(wait), not in check mode
      sample: 0
"""

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule
from ansible_collections.shipyard.aws.plugins.module_utils.power import PowerError, ecs_power

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def requested_services(services: list):
    """The module's list as power.ecs_power takes it: the string "all" for [all]."""
    return "all" if services == ["all"] else services


def check_options(module) -> None:
    params = module.params
    if not params["services"]:
        module.fail_json(msg="services is empty: name the services to stop or start, or give services: all")
    if "all" in params["services"] and len(params["services"]) > 1:
        module.fail_json(msg="services: all stands for every service of the cluster; give it alone, or name the services")
    if params["wait_timeout"] < 0:
        module.fail_json(msg=f"wait_timeout must be 0 or more seconds, not {params['wait_timeout']}")
    if params["poll_interval"] <= 0:
        module.fail_json(msg="poll_interval must be more than 0 seconds")


def diff_of(services: list) -> dict:
    return dict(before={s["name"]: s["before"] for s in services}, after={s["name"]: s["after"] for s in services})


def main():
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        services=dict(type="list", elements="str", required=True),
        state=dict(type="str", choices=["stopped", "started"], required=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
        poll_interval=dict(type="float", default=10),
    )
    module = ShipyardAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    check_options(module)
    params = module.params
    try:
        result = ecs_power(
            module.client("ecs"), module.client("application-autoscaling"), params["cluster"],
            requested_services(params["services"]), params["state"], check_mode=module.check_mode,
            wait=params["wait"], timeout=params["wait_timeout"], poll_interval=params["poll_interval"])
    except PowerError as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to set ECS services of cluster {params['cluster']} {params['state']}: "
                                    "check the IAM permissions listed in the module's notes")
    result.pop("resource")
    if module._diff:
        result["diff"] = diff_of(result["services"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
