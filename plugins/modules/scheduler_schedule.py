#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: scheduler_schedule
short_description: Manage Amazon EventBridge Scheduler schedules (and create their schedule group)
version_added: 0.1.0
description:
  - Creates, updates, enables, disables or deletes one EventBridge Scheduler schedule, a cron, rate or
    one-time (at) expression evaluated in a time zone that invokes one target (for example a universal target such as
    C(arn:aws:scheduler:::aws-sdk:ecs:updateService)) with an IAM role.
  - O(schedule_expression) and O(timezone) are validated before any AWS call, with a message that says what is wrong
    and shows the right form (six cron fields, exactly one of Day-of-month and Day-of-week C(?), value ranges, rate
    units, IANA time zone names).
  - The schedule is compared with GetSchedule's answer, with AWS's defaults filled in (a retry policy of 185 attempts
    and 86400 seconds, flexible time window C(OFF), no description, action after completion C(NONE)) and the target
    input compared as parsed JSON. C(UpdateSchedule) is called only when something differs; it replaces the whole
    schedule, so the module sends every field (and keeps a KMS key set outside the module).
  - When O(group) is not C(default) and does not exist, the module creates the schedule group, with O(tags).
    O(state=absent) deletes the schedule only, never the group.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  name:
    description: Name of the schedule, unique within its group.
    type: str
    required: true
  group:
    description:
      - The schedule group. Created (with O(tags)) when it is not C(default) and does not exist yet.
    type: str
    default: default
  state:
    description:
      - C(enabled) and C(disabled) create or update the schedule with that state (the schedule's C(State)).
      - C(absent) deletes the schedule; its group stays.
    type: str
    choices: [enabled, disabled, absent]
    default: enabled
  schedule_expression:
    description:
      - When the schedule runs, V(cron) with six fields, C(Minutes Hours Day-of-month Month Day-of-week Year) in parentheses,
        V(rate) with C(<value> minute|minutes|hour|hours|day|days) (singular only with 1), or V(at) with
        C(yyyy-mm-ddThh:mm:ss); for example V(cron(0 22 ? * MON-FRI *\)), V(rate(15 minutes\)), V(at(2026-12-31T18:00:00\)).
      - In a cron expression exactly one of Day-of-month and Day-of-week is C(?); Day-of-week counts from 1 = C(SUN).
      - Required unless O(state=absent).
    type: str
  timezone:
    description: IANA name of the time zone the expression is evaluated in (C(ScheduleExpressionTimezone)).
    type: str
    default: UTC
  flexible_time_window:
    description: The window in which the schedule may invoke its target after the scheduled time.
    type: dict
    suboptions:
      mode:
        description:
          - C(OFF) invokes at the scheduled time; C(FLEXIBLE) within O(flexible_time_window.maximum_window_minutes).
          - Quote C("OFF") in YAML; unquoted, YAML reads it as the boolean false.
        type: str
        choices: ["OFF", FLEXIBLE]
        default: "OFF"
      maximum_window_minutes:
        description: Length of the window, 1 to 1440 minutes. Required with C(FLEXIBLE), not allowed with C(OFF).
        type: int
  target:
    description:
      - What the schedule invokes. The module manages the whole target; target-type parameters (C(EcsParameters),
        C(SqsParameters) and the like) are not supported, use a universal target with O(target.input) instead.
      - Required unless O(state=absent).
    type: dict
    suboptions:
      arn:
        description: ARN of the target (a Lambda function, an SQS queue, or a universal target C(arn:aws:scheduler:::aws-sdk:<service>:<action>)).
        type: str
        required: true
      role_arn:
        description: ARN of the IAM role EventBridge Scheduler assumes to invoke the target.
        type: str
        required: true
      input:
        description:
          - What is passed to the target. A dict or a list is sent as JSON with sorted keys; a string as it is.
          - Compared as parsed JSON when it is JSON, so key order and spacing do not count as a change.
        type: raw
      retry_policy:
        description: How often, and for how long, a failed invocation is retried. Unset fields get AWS's defaults.
        type: dict
        suboptions:
          maximum_event_age_seconds:
            description: Give up on an event after this many seconds, 60 to 86400.
            type: int
            default: 86400
          maximum_retry_attempts:
            description: Retry a failed invocation this many times, 0 to 185.
            type: int
            default: 185
      dead_letter_arn:
        description: ARN of the SQS queue that receives the events that could not be delivered.
        type: str
  description:
    description: Description of the schedule.
    type: str
  start_date:
    description:
      - ISO 8601 date and time before which the schedule does not run (UTC when it has no offset), for example
        C(2026-12-01T00:00:00Z).
    type: str
  end_date:
    description: ISO 8601 date and time after which the schedule does not run (UTC when it has no offset).
    type: str
  action_after_completion:
    description:
      - C(DELETE) deletes the schedule after its last run (useful with a one-time at expression); C(NONE) keeps it.
      - Unset means C(NONE), AWS's default.
    type: str
    choices: [NONE, DELETE]
  tags:
    description:
      - Tags of the schedule group O(group). EventBridge Scheduler schedules themselves cannot be tagged; groups can.
      - Set when the module creates the group; on an existing group, tags missing or different are added (none are
        removed). Ignored, with a warning, for the C(default) group.
    type: dict
  next_runs:
    description:
      - How many of the schedule's next run times to return in RV(schedule.next_runs); C(0) returns none.
    type: int
    default: 5
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Calls only the read operations (C(GetSchedule), C(GetScheduleGroup), C(ListTagsForResource)) and reports what would change.
  diff_mode:
    support: full
    description: Shows the schedule's comparable fields before and after (an empty dict for a schedule that does not exist).
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - "IAM permissions: C(scheduler:GetSchedule), C(scheduler:CreateSchedule), C(scheduler:UpdateSchedule),
    C(scheduler:DeleteSchedule), C(scheduler:GetScheduleGroup), C(scheduler:CreateScheduleGroup),
    C(scheduler:ListTagsForResource) and C(scheduler:TagResource) (with O(tags)), and C(iam:PassRole) on
    O(target.role_arn)."
  - "Daylight saving time, as EventBridge Scheduler handles it: a cron run that falls in the hour the clocks skip
    does not happen, and one in the hour they repeat happens once."
  - A KMS key set on the schedule outside this module (C(KmsKeyArn)) is kept on update and not compared.
seealso:
  - name: Schedule types on EventBridge Scheduler
    description: The cron, rate and one-time expressions, time zones and daylight saving time.
    link: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

EXAMPLES = r"""
- name: Stop the staging API at 22:00 on weekdays, Tokyo time
  shipyard.aws.scheduler_schedule:
    name: bookmark-manager-staging-api-stop
    group: bookmark-manager-staging
    schedule_expression: cron(0 22 ? * MON-FRI *)
    timezone: Asia/Tokyo
    target:
      arn: arn:aws:scheduler:::aws-sdk:ecs:updateService
      role_arn: arn:aws:iam::123456789012:role/bookmark-manager-staging-scheduler
      input:
        Cluster: bookmark-manager-staging
        Service: bookmark-manager-staging-api
        DesiredCount: 0
      retry_policy:
        maximum_retry_attempts: 3
    tags:
      Service: bookmark-manager
      Environment: staging

- name: Pause the schedule (keep it, but do not run it)
  shipyard.aws.scheduler_schedule:
    name: bookmark-manager-staging-api-stop
    group: bookmark-manager-staging
    state: disabled
    schedule_expression: cron(0 22 ? * MON-FRI *)
    timezone: Asia/Tokyo
    target:
      arn: arn:aws:scheduler:::aws-sdk:ecs:updateService
      role_arn: arn:aws:iam::123456789012:role/bookmark-manager-staging-scheduler
      input: '{"Cluster": "bookmark-manager-staging", "Service": "bookmark-manager-staging-api", "DesiredCount": 0}'

- name: A one-time invocation within a 15-minute window, deleted after it ran
  shipyard.aws.scheduler_schedule:
    name: year-end-report
    schedule_expression: at(2026-12-31T18:00:00)
    timezone: Europe/Berlin
    flexible_time_window:
      mode: FLEXIBLE
      maximum_window_minutes: 15
    action_after_completion: DELETE
    target:
      arn: arn:aws:lambda:eu-central-1:123456789012:function:report
      role_arn: arn:aws:iam::123456789012:role/scheduler-invoke-report
      dead_letter_arn: arn:aws:sqs:eu-central-1:123456789012:report-dlq

- name: Remove the schedule (its group stays)
  shipyard.aws.scheduler_schedule:
    name: bookmark-manager-staging-api-stop
    group: bookmark-manager-staging
    state: absent
"""

RETURN = r"""
schedule:
  description:
    - The schedule after the run (in check mode, what it would be), in the form the module compares; empty after
      O(state=absent).
  returned: success
  type: dict
  contains:
    arn:
      description: ARN of the schedule; empty in check mode for a schedule that would be created.
      type: str
      sample: arn:aws:scheduler:ap-northeast-1:123456789012:schedule/bookmark-manager-staging/bookmark-manager-staging-api-stop
    name:
      description: Name of the schedule.
      type: str
      sample: bookmark-manager-staging-api-stop
    group:
      description: Its schedule group.
      type: str
      sample: bookmark-manager-staging
    schedule_expression:
      description: The schedule expression.
      type: str
      sample: cron(0 22 ? * MON-FRI *)
    timezone:
      description: The time zone the expression is evaluated in.
      type: str
      sample: Asia/Tokyo
    state:
      description: C(ENABLED) or C(DISABLED).
      type: str
      sample: ENABLED
    description:
      description: The description, empty when there is none.
      type: str
      sample: ""
    flexible_time_window:
      description: C(mode) (C(OFF) or C(FLEXIBLE)) and C(maximum_window_minutes) (null with C(OFF)).
      type: dict
      sample: {"mode": "OFF", "maximum_window_minutes": null}
    target:
      description:
        - C(arn), C(role_arn), C(input) (parsed when it is JSON), C(retry_policy) (C(maximum_event_age_seconds),
          C(maximum_retry_attempts)) and C(dead_letter_arn) (null without one).
      type: dict
      sample:
        arn: arn:aws:scheduler:::aws-sdk:ecs:updateService
        role_arn: arn:aws:iam::123456789012:role/bookmark-manager-staging-scheduler
        input: {"Cluster": "bookmark-manager-staging", "DesiredCount": 0, "Service": "bookmark-manager-staging-api"}
        retry_policy: {"maximum_event_age_seconds": 86400, "maximum_retry_attempts": 3}
        dead_letter_arn: null
    start_date:
      description: Start date in UTC (ISO 8601), null without one.
      type: str
      sample: "2026-12-01T00:00:00+00:00"
    end_date:
      description: End date in UTC (ISO 8601), null without one.
      type: str
    action_after_completion:
      description: C(NONE) or C(DELETE).
      type: str
      sample: NONE
    next_runs:
      description:
        - The next O(next_runs) run times in the schedule's time zone (ISO 8601), none for a disabled schedule or a
          past one-time at expression.
        - Exact for cron and at expressions; for a rate expression counted from O(start_date), else from now (AWS counts from
          when the schedule was created).
      type: list
      elements: str
      sample: ["2026-11-24T22:00:00+09:00", "2026-11-25T22:00:00+09:00"]
schedule_group:
  description: The schedule group.
  returned: success
  type: dict
  contains:
    name:
      description: Name of the group.
      type: str
      sample: bookmark-manager-staging
    arn:
      description: ARN of the group; empty for the C(default) group and in check mode for a group that would be created.
      type: str
      sample: arn:aws:scheduler:ap-northeast-1:123456789012:schedule-group/bookmark-manager-staging
    created:
      description: Whether this run created the group (or would, in check mode).
      type: bool
      sample: true
"""

from datetime import datetime, timezone

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule
from ansible_collections.shipyard.aws.plugins.module_utils.schedule_expressions import next_runs
from ansible_collections.shipyard.aws.plugins.module_utils.scheduler import (
    DEFAULT_GROUP,
    comparable,
    get_schedule,
    get_schedule_group,
    parse_date,
    schedule_request,
    validate_options,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def ensure_group(module, client) -> tuple[bool, dict]:
    """Create the schedule group when it is missing, add missing tags when it exists."""
    name, tags = module.params["group"], module.params["tags"] or {}
    if name == DEFAULT_GROUP:
        if tags:
            module.warn("tags apply to the schedule group, and the default group is not tagged: set group to tag one")
        return False, dict(name=name, arn="", created=False)
    group = get_schedule_group(client, name)
    if group is None:
        arn = ""
        if not module.check_mode:
            arn = client.create_schedule_group(Name=name, Tags=_tag_list(tags), aws_retry=True)["ScheduleGroupArn"]
        return True, dict(name=name, arn=arn, created=True)
    return ensure_group_tags(module, client, group["Arn"], tags), dict(name=name, arn=group["Arn"], created=False)


def ensure_group_tags(module, client, arn: str, tags: dict) -> bool:
    if not tags:
        return False
    current = {tag["Key"]: tag["Value"] for tag in client.list_tags_for_resource(ResourceArn=arn, aws_retry=True)["Tags"]}
    missing = {key: value for key, value in tags.items() if current.get(str(key)) != str(value)}
    if missing and not module.check_mode:
        client.tag_resource(ResourceArn=arn, Tags=_tag_list(missing), aws_retry=True)
    return bool(missing)


def _tag_list(tags: dict) -> list[dict]:
    return [{"Key": str(key), "Value": str(value)} for key, value in sorted(tags.items())]


def ensure_present(module, client) -> tuple[bool, dict, dict]:
    """Create the schedule, or update it when it differs; returns (changed, before, after) with after's arn."""
    params = module.params
    current = get_schedule(client, params["name"], params["group"])
    request = schedule_request(params, kms_key_arn=(current or {}).get("KmsKeyArn"))
    before = comparable(current) if current else {}
    desired = comparable(request)
    if before == desired:
        return False, before, dict(desired, arn=current["Arn"])
    if module.check_mode:
        return True, before, dict(desired, arn=(current or {}).get("Arn", ""))
    if current is None:
        client.create_schedule(aws_retry=True, **request)
    else:
        client.update_schedule(aws_retry=True, **request)
    written = get_schedule(client, params["name"], params["group"])
    return True, before, dict(comparable(written), arn=written["Arn"])


def ensure_absent(module, client) -> tuple[bool, dict, dict]:
    params = module.params
    current = get_schedule(client, params["name"], params["group"])
    if current is None:
        return False, {}, {}
    if not module.check_mode:
        client.delete_schedule(Name=params["name"], GroupName=params["group"], aws_retry=True)
    return True, comparable(current), {}


def upcoming_runs(schedule: dict, count: int) -> list[str]:
    if count < 1 or schedule.get("state") != "ENABLED":
        return []
    runs = next_runs(schedule["schedule_expression"], schedule["timezone"], datetime.now(timezone.utc), count,
                     start=_date(schedule["start_date"]), end=_date(schedule["end_date"]))
    return [run.isoformat() for run in runs]


def _date(text):
    return parse_date(text, "date") if text else None


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        group=dict(type="str", default=DEFAULT_GROUP),
        state=dict(type="str", choices=["enabled", "disabled", "absent"], default="enabled"),
        schedule_expression=dict(type="str"),
        timezone=dict(type="str", default="UTC"),
        flexible_time_window=dict(type="dict", options=dict(
            mode=dict(type="str", choices=["OFF", "FLEXIBLE"], default="OFF"),
            maximum_window_minutes=dict(type="int"),
        )),
        target=dict(type="dict", options=dict(
            arn=dict(type="str", required=True),
            role_arn=dict(type="str", required=True),
            input=dict(type="raw"),
            retry_policy=dict(type="dict", options=dict(
                maximum_event_age_seconds=dict(type="int", default=86400),
                maximum_retry_attempts=dict(type="int", default=185),
            )),
            dead_letter_arn=dict(type="str"),
        )),
        description=dict(type="str"),
        start_date=dict(type="str"),
        end_date=dict(type="str"),
        action_after_completion=dict(type="str", choices=["NONE", "DELETE"]),
        tags=dict(type="dict"),
        next_runs=dict(type="int", default=5),
    )
    module = ShipyardAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[
            ("state", "enabled", ["schedule_expression", "target"]),
            ("state", "disabled", ["schedule_expression", "target"]),
        ],
    )
    try:
        validate_options(module.params)
    except ValueError as e:
        module.fail_json(msg=f"{module.params['name']}: {e}")

    client = module.client("scheduler", retry_decorator=AWSRetry.jittered_backoff())
    result = dict(changed=False)
    try:
        if module.params["state"] == "absent":
            changed, before, after = ensure_absent(module, client)
            group = dict(name=module.params["group"], arn="", created=False)
        else:
            group_changed, group = ensure_group(module, client)
            changed, before, after = ensure_present(module, client)
            changed = changed or group_changed
            after["next_runs"] = upcoming_runs(after, module.params["next_runs"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage EventBridge Scheduler schedule {module.params['name']} "
                                    f"in group {module.params['group']}")

    result.update(changed=changed, schedule=after, schedule_group=group)
    if module._diff:
        result["diff"] = dict(before=before, after={key: value for key, value in after.items() if key not in ("arn", "next_runs")})
    module.exit_json(**result)


if __name__ == "__main__":
    main()
