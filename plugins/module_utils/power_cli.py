# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The command line face of power.py, for a person at a terminal or a CI job.

    python -m ansible_collections.shipyard.aws.plugins.module_utils.power_cli rds stop-cluster <id> [--wait]
    ... rds start-cluster <id> | rds stop-instance <id> | rds start-instance <id>
    ... ecs stop <cluster> [service ...]      (no service: every service of the cluster)
    ... ecs start <cluster> [service ...]
    options: --wait, --timeout SECONDS, --poll-interval SECONDS, --check (compute the result, change nothing)

Region, credentials and endpoint come from the usual AWS environment (AWS_REGION or AWS_DEFAULT_REGION,
AWS_PROFILE or the access key variables, AWS_ENDPOINT_URL), read by boto3 itself. Prints the result as JSON;
exits 1 with the reason on stderr when it cannot do what was asked, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys

try:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    boto3 = None
    BotoCoreError = ClientError = Exception

try:
    from ansible_collections.shipyard.aws.plugins.module_utils import power
except ImportError:  # beside power.py, outside the collection
    import power  # pylint: disable=import-error

RDS_COMMANDS = {
    "stop-cluster": ("db_cluster_identifier", power.STOPPED),
    "start-cluster": ("db_cluster_identifier", power.STARTED),
    "stop-instance": ("db_instance_identifier", power.STOPPED),
    "start-instance": ("db_instance_identifier", power.STARTED),
}
ECS_COMMANDS = {"stop": power.STOPPED, "start": power.STARTED}


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--wait", action="store_true", help="wait until stopped / started")
    common.add_argument("--timeout", type=float, default=power.DEFAULT_WAIT_TIMEOUT, help="seconds to wait at most")
    common.add_argument("--poll-interval", type=float, default=power.DEFAULT_POLL_INTERVAL,
                        help="seconds between two looks while waiting")
    common.add_argument("--check", action="store_true", help="say what would be done; change nothing")
    top = argparse.ArgumentParser(prog="power_cli", description="Stop and start ECS services and RDS databases.")
    resources = top.add_subparsers(dest="resource", required=True)
    rds = resources.add_parser("rds", help="an RDS DB instance or Aurora cluster")
    rds_commands = rds.add_subparsers(dest="command", required=True)
    for command in RDS_COMMANDS:
        sub = rds_commands.add_parser(command, parents=[common])
        sub.add_argument("identifier")
    ecs = resources.add_parser("ecs", help="ECS services")
    ecs_commands = ecs.add_subparsers(dest="command", required=True)
    for command in ECS_COMMANDS:
        sub = ecs_commands.add_parser(command, parents=[common])
        sub.add_argument("cluster")
        sub.add_argument("services", nargs="*", help="service names (none: every service of the cluster)")
    return top


def run(args, clients) -> dict:
    wait = {"check_mode": args.check, "wait": args.wait, "timeout": args.timeout, "poll_interval": args.poll_interval}
    if args.resource == "rds":
        option, state = RDS_COMMANDS[args.command]
        return power.rds_power(clients["rds"], state, **{option: args.identifier}, **wait)
    return power.ecs_power(clients["ecs"], clients["application-autoscaling"], args.cluster, args.services or "all",
                           ECS_COMMANDS[args.command], **wait)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if boto3 is None:
        sys.stderr.write("power_cli needs boto3: pip install boto3\n")
        return 1
    services = ("rds",) if args.resource == "rds" else ("ecs", "application-autoscaling")
    try:
        result = run(args, {service: boto3.client(service) for service in services})
    except power.PowerError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    except (ClientError, BotoCoreError) as e:
        sys.stderr.write(f"error: {e} (check AWS_REGION, the credentials and the IAM permissions power_lambda.py lists)\n")
        return 1
    sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
