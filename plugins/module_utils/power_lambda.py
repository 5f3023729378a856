# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWS Lambda face of power.py: ``handler(event, context)`` for EventBridge Scheduler targets.

Deployed as a zip holding this file and power.py side by side at its root (handler ``power_lambda.handler``,
Python runtime, only boto3 needed); inside the collection it imports power.py by its collection path. The event
contract is power.handle's docstring. Each invocation logs its result (or its error) as one JSON line, which
CloudWatch Logs Insights can query; an invalid event or a failure raises, so the invocation counts as an error.

IAM permissions the function's role needs: ecs:ListServices, ecs:DescribeServices, ecs:UpdateService,
ecs:TagResource, ecs:UntagResource, application-autoscaling:DescribeScalableTargets,
application-autoscaling:RegisterScalableTarget for ECS; rds:DescribeDBInstances, rds:DescribeDBClusters,
rds:StopDBInstance, rds:StartDBInstance, rds:StopDBCluster, rds:StartDBCluster for RDS.
"""

from __future__ import annotations

import json
import logging

try:
    import boto3
except ImportError:
    boto3 = None

try:
    from ansible_collections.shipyard.aws.plugins.module_utils import power
except ImportError:  # at the root of the Lambda zip, beside power.py
    import power  # pylint: disable=import-error

LOGGER = logging.getLogger("shipyard.power")
LOGGER.setLevel(logging.INFO)


class Clients(dict):
    """boto3 clients by service name, created on first use (region and endpoint from the environment, as boto3
    reads them: AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL)."""

    def __missing__(self, service):
        if boto3 is None:
            raise power.PowerError("boto3 is required: pip install boto3")
        client = boto3.client(service)
        self[service] = client
        return client


def handler(event, context):  # pylint: disable=unused-argument
    try:
        result = power.handle(event, Clients())
    except Exception as e:
        LOGGER.error(json.dumps({"event": event, "error": str(e), "error_type": type(e).__name__}, default=str))
        raise
    LOGGER.info(json.dumps({"event": event, "result": result}, default=str))
    return result
