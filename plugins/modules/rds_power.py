#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rds_power
short_description: Stop or start an RDS DB instance or an Aurora DB cluster, by its state
version_added: 0.1.0
description:
  - Stops an RDS DB instance or an Aurora cluster to save money outside working hours, and starts it again, as the
    schedule's Lambda function does (the same code, C(plugins/module_utils/power.py)).
  - A database is stopped when it is C(available) and started when it is C(stopped); one already C(stopped) or
    C(stopping) (C(available) or C(starting)) is left alone, with C(changed=false).
  - A database busy with something else (C(backing-up), C(modifying), C(upgrading), C(configuring-*),
    C(maintenance), C(storage-optimization) and the like) cannot be stopped or started now; the task succeeds
    with C(action=deferred) and C(changed=false). Run it again later.
  - A member instance of an Aurora cluster fails the task (stop or start the cluster with O(db_cluster_identifier));
    so does a read replica, or a replica cluster, which AWS cannot stop. So does a database in a state that waiting
    does not fix (C(failed), C(storage-full), C(incompatible-*), ...).
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  db_instance_identifier:
    description: The DB instance (not a member of an Aurora cluster). Exactly one of this and O(db_cluster_identifier).
    type: str
    aliases: [instance_id]
  db_cluster_identifier:
    description: The Aurora DB cluster. Exactly one of this and O(db_instance_identifier).
    type: str
    aliases: [cluster_id]
  state:
    description: C(stopped) to stop the database, C(started) to start it.
    type: str
    choices: [stopped, started]
    required: true
  wait:
    description:
      - Wait until the database is C(stopped) (for O(state=stopped)) or C(available) (for O(state=started)).
      - Not for a C(deferred) database. Stopping or starting takes several minutes.
    type: bool
    default: false
  timeout:
    description: Seconds to wait with O(wait) before failing.
    type: int
    default: 1200
  poll_interval:
    description: Seconds between two looks at the database while waiting.
    type: float
    default: 15
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the database and reports what would be done (the C(action) and the status after); stops or starts nothing.
  diff_mode:
    support: full
    description: Shows the database's status before and after.
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - "IAM permissions: C(rds:DescribeDBInstances) or C(rds:DescribeDBClusters); C(rds:StopDBInstance) and
    C(rds:StartDBInstance), or C(rds:StopDBCluster) and C(rds:StartDBCluster), to change anything."
  - AWS starts a stopped database again by itself after seven days.
  - The module waits by polling the status; boto3 has no waiter for C(stopped), and M(amazon.aws.rds_cluster) waits
    for the wrong status when it stops a cluster.
seealso:
  - module: shipyard.aws.ecs_service_power
  - name: Stopping an Amazon RDS DB instance temporarily
    description: Which instances can be stopped, and for how long.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html
  - name: Stopping and starting an Amazon Aurora DB cluster
    description: Aurora stops and starts whole clusters.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-cluster-stop-start.html
"""

EXAMPLES = r"""
- name: Stop the staging database for the night
  shipyard.aws.rds_power:
    db_instance_identifier: bookmark-manager-staging
    state: stopped

- name: Start the Aurora cluster and wait until it is available
  shipyard.aws.rds_power:
    db_cluster_identifier: bookmark-manager-production
    state: started
    wait: true
  register: database

- name: Say when the database was busy
  ansible.builtin.debug:
    msg: "{{ database.identifier }} is {{ database.before.status }}; try again later"
  when: database.action == 'deferred'
"""

RETURN = r"""
kind:
  description: C(instance) or C(cluster).
  returned: success
  type: str
  sample: cluster
identifier:
  description: The DB instance or cluster identifier.
  returned: success
  type: str
  sample: bookmark-manager-production
arn:
  description: Its ARN.
  returned: success
  type: str
  sample: arn:aws:rds:ap-northeast-1:123456789012:cluster:bookmark-manager-production
state:
  description: The state asked for.
  returned: success
  type: str
  sample: stopped
action:
  description: C(stopped) or C(started) (the call was made), C(none) (already there or on its way) or C(deferred)
    (busy with something else; nothing was done).
  returned: success
  type: str
  sample: stopped
before:
  description: The status before, as C(status).
  returned: success
  type: dict
  sample: {"status": "available"}
after:
  description: The status after (in check mode, what it would be); C(stopping) or C(starting) without O(wait).
  returned: success
  type: dict
  sample: {"status": "stopping"}
"""

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule
from ansible_collections.shipyard.aws.plugins.module_utils.power import PowerError, rds_power

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(
        db_instance_identifier=dict(type="str", aliases=["instance_id"]),
        db_cluster_identifier=dict(type="str", aliases=["cluster_id"]),
        state=dict(type="str", choices=["stopped", "started"], required=True),
        wait=dict(type="bool", default=False),
        timeout=dict(type="int", default=1200),
        poll_interval=dict(type="float", default=15),
    )
    module = ShipyardAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("db_instance_identifier", "db_cluster_identifier")],
        required_one_of=[("db_instance_identifier", "db_cluster_identifier")],
    )
    params = module.params
    if params["timeout"] < 0:
        module.fail_json(msg=f"timeout must be 0 or more seconds, not {params['timeout']}")
    if params["poll_interval"] <= 0:
        module.fail_json(msg="poll_interval must be more than 0 seconds")
    identifier = params["db_cluster_identifier"] or params["db_instance_identifier"]
    try:
        result = rds_power(
            module.client("rds"), params["state"], db_instance_identifier=params["db_instance_identifier"],
            db_cluster_identifier=params["db_cluster_identifier"], check_mode=module.check_mode, wait=params["wait"],
            timeout=params["timeout"], poll_interval=params["poll_interval"])
    except PowerError as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to set {identifier} {params['state']}: check the IAM permissions "
                                    "listed in the module's notes")
    result.pop("resource")
    if module._diff:
        result["diff"] = dict(before=result["before"], after=result["after"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
