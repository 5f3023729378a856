"""scheduler_schedule's comparison: the request the options make, and the comparable form of that request and of
GetSchedule's answer, with AWS's defaults filled in."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.scheduler import (
    comparable,
    encode_input,
    schedule_request,
    validate_options,
)

ROLE = "arn:aws:iam::123456789012:role/scheduler"
TARGET = "arn:aws:scheduler:::aws-sdk:ecs:updateService"


def params(**overrides):
    values = dict(name="web-stop", group="default", state="enabled", schedule_expression="cron(0 22 ? * MON-FRI *)",
                  timezone="Asia/Tokyo", flexible_time_window=None, description=None, start_date=None, end_date=None,
                  action_after_completion=None, tags=None,
                  target=dict(arn=TARGET, role_arn=ROLE, input={"b": 1, "a": [2]}, retry_policy=None, dead_letter_arn=None))
    values.update(overrides)
    return values


def aws_answer(**overrides):
    """What AWS's GetSchedule answers for the schedule params() describes, defaults filled in by AWS."""
    answer = {
        "Arn": "arn:aws:scheduler:ap-northeast-1:123456789012:schedule/default/web-stop", "Name": "web-stop",
        "GroupName": "default", "ScheduleExpression": "cron(0 22 ? * MON-FRI *)", "ScheduleExpressionTimezone": "Asia/Tokyo",
        "State": "ENABLED", "FlexibleTimeWindow": {"Mode": "OFF"}, "ActionAfterCompletion": "NONE",
        "Target": {"Arn": TARGET, "RoleArn": ROLE, "Input": '{ "a": [2], "b": 1 }',
                   "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}},
    }
    answer.update(overrides)
    return answer


def test_unchanged_schedule_compares_equal_with_aws_defaults_and_reordered_json():
    assert comparable(schedule_request(params())) == comparable(aws_answer())


def test_missing_retry_policy_and_action_compare_as_aws_defaults():
    answer = aws_answer(Target={"Arn": TARGET, "RoleArn": ROLE, "Input": '{"a": [2], "b": 1}'})
    del answer["ActionAfterCompletion"]

    assert comparable(answer) == comparable(schedule_request(params()))


def test_the_request_carries_everything_update_schedule_replaces():
    request = schedule_request(params(description="stop", flexible_time_window={"mode": "FLEXIBLE", "maximum_window_minutes": 10},
                                      start_date="2026-12-01T09:00:00+09:00", action_after_completion="NONE"),
                               kms_key_arn="arn:aws:kms:ap-northeast-1:123456789012:key/k")

    assert request["Target"] == {"Arn": TARGET, "RoleArn": ROLE, "Input": '{"a": [2], "b": 1}',
                                 "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}}
    assert request["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10}
    assert request["StartDate"] == datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
    assert (request["Description"], request["State"], request["KmsKeyArn"]) == ("stop", "ENABLED", "arn:aws:kms:ap-northeast-1:123456789012:key/k")
    assert "KmsKeyArn" not in comparable(request)


def test_a_different_dead_letter_queue_is_a_difference():
    with_dlq = params(target=dict(params()["target"], dead_letter_arn="arn:aws:sqs:ap-northeast-1:123456789012:dlq"))

    assert comparable(schedule_request(with_dlq)) != comparable(aws_answer())


def test_text_input_is_kept_as_text():
    assert encode_input("stop now") == "stop now"
    assert comparable(aws_answer(Target={"Arn": TARGET, "RoleArn": ROLE, "Input": "stop now"}))["target"]["input"] == "stop now"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"flexible_time_window": {"mode": "FLEXIBLE", "maximum_window_minutes": None}}, "is required with mode FLEXIBLE"),
    ({"flexible_time_window": {"mode": "OFF", "maximum_window_minutes": 5}}, "is only used with mode FLEXIBLE"),
    ({"flexible_time_window": {"mode": "FLEXIBLE", "maximum_window_minutes": 1441}}, "must be 1-1440"),
    ({"start_date": "next tuesday"}, "start_date 'next tuesday' is not an ISO 8601 date and time"),
    ({"schedule_expression": "cron(0 22 * * *)"}, "has 5 fields"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone"),
])
def test_invalid_options_are_refused_before_aws(overrides, message):
    with pytest.raises(ValueError) as error:
        validate_options(params(**overrides))

    assert message in str(error.value)


def test_absent_needs_no_expression_or_target():
    validate_options(params(state="absent", schedule_expression=None, target=None))
