# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EventBridge Scheduler schedules for shipyard.aws.scheduler_schedule: the request a module's options make, and
the comparable form of a schedule (the same for the request and for what GetSchedule answers), so one comparison
decides whether UpdateSchedule is needed.

Pure Python except for ``is_boto3_error_code`` in the two readers at the end.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.shipyard.aws.plugins.module_utils.schedule_expressions import (
    validate_schedule_expression,
    validate_timezone,
)

# What AWS fills in when a schedule has no RetryPolicy, or a RetryPolicy without one of its fields.
DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86400
DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185
DEFAULT_GROUP = "default"
STATES = {"enabled": "ENABLED", "disabled": "DISABLED"}


def validate_options(params: dict) -> None:
    """Everything that can be checked without AWS; ValueError says what is wrong and how to write it.
    With state absent only what is given is checked."""
    if params["schedule_expression"] is not None or params["state"] != "absent":
        validate_schedule_expression(params["schedule_expression"])
    validate_timezone(params["timezone"])
    window = params["flexible_time_window"] or {}
    minutes = window.get("maximum_window_minutes")
    if window.get("mode", "OFF") == "FLEXIBLE" and minutes is None:
        raise ValueError("flexible_time_window.maximum_window_minutes (1-1440) is required with mode FLEXIBLE")
    if window.get("mode", "OFF") == "OFF" and minutes is not None:
        raise ValueError("flexible_time_window.maximum_window_minutes is only used with mode FLEXIBLE; remove it or set mode")
    if minutes is not None and not 1 <= minutes <= 1440:
        raise ValueError(f"flexible_time_window.maximum_window_minutes must be 1-1440, not {minutes}")
    retry = (params["target"] or {}).get("retry_policy") or {}
    age, attempts = retry.get("maximum_event_age_seconds"), retry.get("maximum_retry_attempts")
    if age is not None and not 60 <= age <= 86400:
        raise ValueError(f"target.retry_policy.maximum_event_age_seconds must be 60-86400, not {age}")
    if attempts is not None and not 0 <= attempts <= 185:
        raise ValueError(f"target.retry_policy.maximum_retry_attempts must be 0-185, not {attempts}")
    for option in ("start_date", "end_date"):
        if params.get(option):
            parse_date(params[option], option)


def parse_date(text: str, option: str) -> datetime:
    """An ISO 8601 date and time as an aware UTC datetime (without an offset: UTC)."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"{option} {text!r} is not an ISO 8601 date and time, for example 2026-12-01T00:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def encode_input(value) -> str | None:
    """The target's Input: a dict or list as JSON with sorted keys (a stable text), a string as it is."""
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def schedule_request(params: dict, kms_key_arn: str | None = None) -> dict:
    """The CreateSchedule/UpdateSchedule request for the module's options. UpdateSchedule replaces the whole
    schedule, so the request carries everything; ``kms_key_arn`` (not an option) keeps the current key."""
    window = params["flexible_time_window"] or {}
    request = {
        "Name": params["name"],
        "GroupName": params["group"],
        "ScheduleExpression": params["schedule_expression"].strip(),
        "ScheduleExpressionTimezone": params["timezone"],
        "State": STATES[params["state"]],
        "FlexibleTimeWindow": {"Mode": window.get("mode") or "OFF"},
        "Target": target_request(params["target"]),
    }
    if window.get("maximum_window_minutes") is not None:
        request["FlexibleTimeWindow"]["MaximumWindowInMinutes"] = window["maximum_window_minutes"]
    if params.get("description"):
        request["Description"] = params["description"]
    if params.get("start_date"):
        request["StartDate"] = parse_date(params["start_date"], "start_date")
    if params.get("end_date"):
        request["EndDate"] = parse_date(params["end_date"], "end_date")
    if params.get("action_after_completion"):
        request["ActionAfterCompletion"] = params["action_after_completion"]
    if kms_key_arn:
        request["KmsKeyArn"] = kms_key_arn
    return request


def target_request(target: dict) -> dict:
    retry = target.get("retry_policy") or {}
    request = {
        "Arn": target["arn"],
        "RoleArn": target["role_arn"],
        # Always sent in full: AWS fills in the same defaults, and the schedule then reads back as sent.
        "RetryPolicy": {
            "MaximumEventAgeInSeconds": _or_default(retry.get("maximum_event_age_seconds"), DEFAULT_MAXIMUM_EVENT_AGE_SECONDS),
            "MaximumRetryAttempts": _or_default(retry.get("maximum_retry_attempts"), DEFAULT_MAXIMUM_RETRY_ATTEMPTS),
        },
    }
    encoded = encode_input(target.get("input"))
    if encoded is not None:
        request["Input"] = encoded
    if target.get("dead_letter_arn"):
        request["DeadLetterConfig"] = {"Arn": target["dead_letter_arn"]}
    return request


def _or_default(value, default):
    return default if value is None else value


def comparable(schedule: dict) -> dict:
    """A schedule (a request, or GetSchedule's answer) in the form the module compares, diffs and returns:
    AWS's defaults filled in, the input parsed when it is JSON, dates in UTC ISO 8601, no KMS key."""
    target = schedule.get("Target") or {}
    retry = target.get("RetryPolicy") or {}
    window = schedule.get("FlexibleTimeWindow") or {}
    return {
        "name": schedule.get("Name"),
        "group": schedule.get("GroupName") or DEFAULT_GROUP,
        "schedule_expression": schedule.get("ScheduleExpression"),
        "timezone": schedule.get("ScheduleExpressionTimezone") or "UTC",
        "state": schedule.get("State") or "ENABLED",
        "description": schedule.get("Description") or "",
        "flexible_time_window": {
            "mode": window.get("Mode") or "OFF",
            "maximum_window_minutes": window.get("MaximumWindowInMinutes"),
        },
        "target": {
            "arn": target.get("Arn"),
            "role_arn": target.get("RoleArn"),
            "input": decode_input(target.get("Input")),
            "retry_policy": {
                "maximum_event_age_seconds": _or_default(retry.get("MaximumEventAgeInSeconds"), DEFAULT_MAXIMUM_EVENT_AGE_SECONDS),
                "maximum_retry_attempts": _or_default(retry.get("MaximumRetryAttempts"), DEFAULT_MAXIMUM_RETRY_ATTEMPTS),
            },
            "dead_letter_arn": (target.get("DeadLetterConfig") or {}).get("Arn"),
        },
        "start_date": iso_date(schedule.get("StartDate")),
        "end_date": iso_date(schedule.get("EndDate")),
        "action_after_completion": schedule.get("ActionAfterCompletion") or "NONE",
    }


def decode_input(text):
    """The Input parsed when it is JSON (so key order and spacing do not count), else the text itself."""
    if text is None or text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def iso_date(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif not isinstance(value, datetime):
        value = parse_date(value, "date")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat()


# --- reads ---------------------------------------------------------------------------------------------------


def get_schedule(client, name: str, group: str) -> dict | None:
    """GetSchedule's answer, or None when the schedule (or its group) does not exist."""
    try:
        answer = client.get_schedule(Name=name, GroupName=group, aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    answer.pop("ResponseMetadata", None)
    return answer


def get_schedule_group(client, name: str) -> dict | None:
    try:
        answer = client.get_schedule_group(Name=name, aws_retry=True)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    answer.pop("ResponseMetadata", None)
    return answer
