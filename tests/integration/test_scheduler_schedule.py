"""Module shipyard.aws.scheduler_schedule through ansible-playbook against the emulator's EventBridge Scheduler, read
back with boto3.

Emulator differences (moto 5), none of which the module depends on:

* moto validates no schedule expression and no time zone; AWS does. The module validates both itself, before any AWS
  call, which is what the bad-input tests prove.
* moto fills in the default RetryPolicy (185 attempts, 86400 s) as AWS does, but answers no ActionAfterCompletion
  (AWS: NONE) when none was set; the module sends the retry policy in full and reads a missing value as NONE.
* moto's UpdateSchedule ignores ActionAfterCompletion, its CreateSchedule into a missing group is a 500 and its
  CreateScheduleGroup over an existing group replaces it: the emulator behaves as AWS does there
  (tools/localenv/extensions/scheduler.py, tests/integration/test_emulator_scheduler.py).
"""

from __future__ import annotations

import json

import pytest

from helpers import run_playbook

PLAYBOOK = "tests/integration/playbooks/scheduler_schedule.yml"
TASK = "Schedule"
ROLE_ARN = "arn:aws:iam::123456789012:role/shipyard-scheduler"
TARGET_ARN = "arn:aws:scheduler:::aws-sdk:ecs:updateService"
DLQ_ARN = "arn:aws:sqs:ap-northeast-1:123456789012:shipyard-scheduler-dlq"
STOP_INPUT = {"Service": "web", "Cluster": "shipyard-staging", "DesiredCount": 0}


def options(**overrides) -> dict:
    schedule = {
        "name": "web-stop",
        "schedule_expression": "cron(0 22 ? * MON-FRI *)",
        "timezone": "Asia/Tokyo",
        "target": {"arn": TARGET_ARN, "role_arn": ROLE_ARN, "input": STOP_INPUT},
    }
    schedule.update(overrides)
    return schedule


def schedule(aws, *args, **overrides):
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"schedule": options(**overrides)})


def succeeded(run) -> dict:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)


@pytest.fixture
def scheduler(boto):
    return boto("scheduler")


def test_schedule_is_created_with_its_expression_timezone_window_target_and_state(aws, scheduler):
    target = {"arn": TARGET_ARN, "role_arn": ROLE_ARN, "input": STOP_INPUT, "dead_letter_arn": DLQ_ARN,
              "retry_policy": {"maximum_event_age_seconds": 3600, "maximum_retry_attempts": 3}}

    result = succeeded(schedule(aws, target=target, description="stop web at night",
                                flexible_time_window={"mode": "FLEXIBLE", "maximum_window_minutes": 15}))

    assert result["changed"] is True
    created = scheduler.get_schedule(Name="web-stop")
    assert (created["ScheduleExpression"], created["ScheduleExpressionTimezone"]) == ("cron(0 22 ? * MON-FRI *)", "Asia/Tokyo")
    assert created["State"] == "ENABLED"
    assert created["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert created["Description"] == "stop web at night"
    assert (created["Target"]["Arn"], created["Target"]["RoleArn"]) == (TARGET_ARN, ROLE_ARN)
    assert json.loads(created["Target"]["Input"]) == STOP_INPUT
    assert created["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}
    assert created["Target"]["DeadLetterConfig"] == {"Arn": DLQ_ARN}
    returned = result["schedule"]
    assert (returned["arn"], returned["group"], returned["target"]["input"]) == (created["Arn"], "default", STOP_INPUT)
    assert len(returned["next_runs"]) == 5
    assert all(run.endswith("T22:00:00+09:00") for run in returned["next_runs"])


def test_second_run_with_the_same_options_changes_nothing(aws, scheduler):
    succeeded(schedule(aws))
    aws.clear_requests()

    result = succeeded(schedule(aws, "--diff"))

    assert result["changed"] is False
    assert [r["method"] for r in aws.requests() if r["service"] == "scheduler"] == ["GET"]


def test_changed_expression_and_window_update_the_schedule_with_a_diff(aws, scheduler):
    succeeded(schedule(aws))

    result = succeeded(schedule(aws, "--diff", schedule_expression="cron(30 21 ? * MON-SAT *)",
                                flexible_time_window={"mode": "FLEXIBLE", "maximum_window_minutes": 5}))

    assert result["changed"] is True
    updated = scheduler.get_schedule(Name="web-stop")
    assert updated["ScheduleExpression"] == "cron(30 21 ? * MON-SAT *)"
    assert updated["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5}
    assert json.loads(updated["Target"]["Input"]) == STOP_INPUT  # UpdateSchedule replaces all: the target was sent again
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert (before["schedule_expression"], after["schedule_expression"]) == ("cron(0 22 ? * MON-FRI *)", "cron(30 21 ? * MON-SAT *)")
    assert (before["flexible_time_window"], after["flexible_time_window"]) == (
        {"mode": "OFF", "maximum_window_minutes": None}, {"mode": "FLEXIBLE", "maximum_window_minutes": 5})
    assert {key for key in after if before[key] != after[key]} == {"schedule_expression", "flexible_time_window"}


def test_action_after_completion_change_updates_the_schedule(aws, scheduler):
    succeeded(schedule(aws))

    result = succeeded(schedule(aws, action_after_completion="DELETE"))

    assert result["changed"] is True
    assert scheduler.get_schedule(Name="web-stop")["ActionAfterCompletion"] == "DELETE"
    assert result["schedule"]["action_after_completion"] == "DELETE"


def test_state_disabled_keeps_the_schedule_but_disables_it(aws, scheduler):
    succeeded(schedule(aws))

    result = succeeded(schedule(aws, state="disabled"))

    assert result["changed"] is True
    assert scheduler.get_schedule(Name="web-stop")["State"] == "DISABLED"
    assert result["schedule"]["next_runs"] == []


def test_state_absent_deletes_the_schedule_and_a_second_time_changes_nothing(aws, scheduler):
    succeeded(schedule(aws, group="shipyard-staging"))

    first = succeeded(schedule(aws, state="absent", group="shipyard-staging"))
    second = succeeded(schedule(aws, state="absent", group="shipyard-staging"))

    assert (first["changed"], second["changed"]) == (True, False)
    assert scheduler.list_schedules()["Schedules"] == []
    assert scheduler.get_schedule_group(Name="shipyard-staging")["Name"] == "shipyard-staging"  # the group stays


def test_missing_group_is_created_with_the_tags(aws, scheduler):
    result = succeeded(schedule(aws, group="shipyard-staging", tags={"Service": "shipyard", "Environment": "staging"}))

    group = scheduler.get_schedule_group(Name="shipyard-staging")
    assert result["schedule_group"] == {"name": "shipyard-staging", "arn": group["Arn"], "created": True}
    tags = scheduler.list_tags_for_resource(ResourceArn=group["Arn"])["Tags"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {"Service": "shipyard", "Environment": "staging"}
    assert scheduler.get_schedule(Name="web-stop", GroupName="shipyard-staging")["GroupName"] == "shipyard-staging"


def test_existing_group_gets_missing_tags_and_keeps_its_others(aws, scheduler):
    arn = scheduler.create_schedule_group(Name="shipyard-staging", Tags=[{"Key": "Owner", "Value": "platform"}])["ScheduleGroupArn"]

    result = succeeded(schedule(aws, group="shipyard-staging", tags={"Environment": "staging"}))

    assert result["changed"] is True
    assert result["schedule_group"] == {"name": "shipyard-staging", "arn": arn, "created": False}
    tags = scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {"Owner": "platform", "Environment": "staging"}


def test_check_mode_creates_neither_group_nor_schedule(aws, scheduler):
    aws.clear_requests()

    result = succeeded(schedule(aws, "--check", "--diff", group="shipyard-staging", tags={"Service": "shipyard"}))

    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["schedule_expression"] == "cron(0 22 ? * MON-FRI *)"
    assert {r["method"] for r in aws.requests() if r["service"] == "scheduler"} == {"GET"}
    assert [g["Name"] for g in scheduler.list_schedule_groups()["ScheduleGroups"]] == ["default"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"schedule_expression": "cron(0 22 * * 1-5)"}, "has 5 fields; EventBridge Scheduler's cron has 6"),
    ({"schedule_expression": "cron(0 22 * * MON-FRI *)"}, "exactly one of Day-of-month (3rd field) and Day-of-week"),
    ({"schedule_expression": "rate(2 weeks)"}, "unknown rate unit 'weeks'; use minute(s), hour(s) or day(s)"),
    ({"timezone": "Asia/Osaka"}, "unknown time zone 'Asia/Osaka'"),
])
def test_bad_expression_or_timezone_fails_before_any_aws_call(aws, overrides, message):
    aws.clear_requests()

    run = schedule(aws, **overrides)

    assert message in run.failure_message()
    assert aws.requests() == []
