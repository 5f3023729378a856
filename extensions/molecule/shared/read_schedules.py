"""Print the EventBridge Scheduler schedules of a group as JSON (name => GetSchedule's answer), for the verify
playbooks: neither amazon.aws nor community.aws has a module that reads schedules back.

    python read_schedules.py <group>

Region, endpoint and credentials come from the AWS_* environment variables the playbook sets.
"""

import json
import sys

import boto3


def main(group: str) -> int:
    scheduler = boto3.client("scheduler")
    names = [item["Name"] for page in scheduler.get_paginator("list_schedules").paginate(GroupName=group)
             for item in page["Schedules"]]
    schedules = {name: scheduler.get_schedule(Name=name, GroupName=group) for name in names}
    for schedule in schedules.values():
        schedule.pop("ResponseMetadata", None)
    print(json.dumps(schedules, default=str, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
