"""The emulator's EventBridge Scheduler where moto 5 differs from AWS (tools/localenv/extensions/scheduler.py,
patch_scheduler), as boto3 meets it."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

TARGET = {"Arn": "arn:aws:sqs:ap-northeast-1:123456789012:jobs", "RoleArn": "arn:aws:iam::123456789012:role/scheduler"}


@pytest.fixture
def scheduler(boto):
    return boto("scheduler")


def create(scheduler, **extra):
    scheduler.create_schedule(Name="nightly", ScheduleExpression="cron(0 22 * * ? *)", FlexibleTimeWindow={"Mode": "OFF"},
                              Target=TARGET, **extra)


def test_update_schedule_sets_and_resets_action_after_completion(aws, scheduler):
    create(scheduler)
    common = dict(Name="nightly", ScheduleExpression="cron(0 22 * * ? *)", FlexibleTimeWindow={"Mode": "OFF"}, Target=TARGET)

    scheduler.update_schedule(ActionAfterCompletion="DELETE", **common)
    after_delete = scheduler.get_schedule(Name="nightly").get("ActionAfterCompletion")
    scheduler.update_schedule(**common)  # UpdateSchedule replaces the whole schedule: back to the default

    assert after_delete == "DELETE"
    assert scheduler.get_schedule(Name="nightly").get("ActionAfterCompletion", "NONE") == "NONE"


def test_create_schedule_in_a_missing_group_is_resource_not_found(aws, scheduler):
    with pytest.raises(ClientError) as error:
        create(scheduler, GroupName="missing")

    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_create_schedule_group_twice_is_a_conflict_and_keeps_the_schedules(aws, scheduler):
    scheduler.create_schedule_group(Name="jobs")
    create(scheduler, GroupName="jobs")

    with pytest.raises(ClientError) as error:
        scheduler.create_schedule_group(Name="jobs")

    assert error.value.response["Error"]["Code"] == "ConflictException"
    assert scheduler.get_schedule(Name="nightly", GroupName="jobs")["Name"] == "nightly"
