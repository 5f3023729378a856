"""Role ecs_schedule through playbooks/schedule.yml on the local inventory, against the emulator: the schedules, the
power function, and what each schedule does when it fires.

The emulator's EventBridge Scheduler stores schedules but never fires them. So the tests fire them: a lambda-mode
schedule by calling the power function's handler in-process with exactly the input the schedule carries, a
direct-mode one through tests/integration/universal_targets.py (botocore's model of the target API).
"""

from __future__ import annotations

import json

import pytest

from helpers import run_playbook
from scheduling import CLUSTER, PREFIX, api_capacity, desired_counts
from universal_targets import fire

PLAYBOOK = "playbooks/schedule.yml"
GROUP = PREFIX
FUNCTION = f"{PREFIX}-ecs-power"
ONLY_SERVICES = {"shipyard_schedule_database": False}
WORKDAYS = ["MON", "TUE", "WED", "THU", "FRI"]


def schedule(aws, **extra):
    return run_playbook(PLAYBOOK, aws_port=aws.port, extra_vars={**ONLY_SERVICES, "ecs_schedule_services": ["web", "api"], **extra})


def get_schedule(boto, name: str) -> dict:
    return boto("scheduler").get_schedule(Name=name, GroupName=GROUP)


def test_lambda_mode_deploys_the_function_and_a_stop_and_a_start_in_tokyo_time(aws, boto, local_services):
    run = schedule(aws)

    assert run.rc == 0, run.output[-3000:]
    stop, start = get_schedule(boto, f"{PREFIX}-ecs-stop"), get_schedule(boto, f"{PREFIX}-ecs-start")
    assert (stop["ScheduleExpression"], start["ScheduleExpression"]) == ("cron(0 22 ? * MON-FRI *)", "cron(0 9 ? * MON-FRI *)")
    assert stop["ScheduleExpressionTimezone"] == start["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert stop["State"] == start["State"] == "ENABLED"
    function = boto("lambda").get_function(FunctionName=FUNCTION)["Configuration"]
    assert stop["Target"]["Arn"] == start["Target"]["Arn"] == function["FunctionArn"]
    assert stop["Target"]["RoleArn"].endswith(f":role/{PREFIX}-ecs-schedule")
    assert json.loads(stop["Target"]["Input"]) == {"resource": "ecs", "cluster": CLUSTER, "services": ["web", "api"], "state": "stopped"}
    assert json.loads(start["Target"]["Input"]) == {"resource": "ecs", "cluster": CLUSTER, "services": ["web", "api"], "state": "started"}
    assert (function["Runtime"], function["Handler"]) == ("python3.12", "power_lambda.handler")
    package = run.result_of("Write the package")
    assert function["CodeSha256"] == package["code_sha256"]
    assert run.result_of("Summary, with the share of the week saved")["msg"][-1] == "running 65.0 of 168 hours a week, 61.3% saved"


def test_the_functions_role_may_act_on_this_clusters_services_only(aws, boto, local_services):
    assert schedule(aws).rc == 0

    policy = boto("iam").get_role_policy(RoleName=f"{FUNCTION}-role", PolicyName="power")["PolicyDocument"]
    statements = policy["Statement"] if isinstance(policy, dict) else json.loads(policy)["Statement"]
    update = next(s for s in statements if "ecs:UpdateService" in s["Action"])
    assert update["Resource"] == f"arn:aws:ecs:ap-northeast-1:123456789012:service/{CLUSTER}/*"
    trust = boto("iam").get_role(RoleName=f"{PREFIX}-ecs-schedule")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_a_second_run_changes_nothing_and_a_new_window_updates_the_schedules_with_a_diff(aws, boto, local_services):
    assert schedule(aws).rc == 0

    again = schedule(aws)
    moved = run_playbook(PLAYBOOK, "--diff", aws_port=aws.port, json_report=False,
                         extra_vars={**ONLY_SERVICES, "ecs_schedule_services": ["web", "api"], "ecs_schedule_start": "10:00"})

    assert again.rc == 0 and again.stats["changed"] == 0, again.output[-3000:]
    assert moved.rc == 0, moved.output[-3000:]
    assert get_schedule(boto, f"{PREFIX}-ecs-start")["ScheduleExpression"] == "cron(0 10 ? * MON-FRI *)"
    assert "cron(0 9 ? * MON-FRI *)" in moved.stdout and "cron(0 10 ? * MON-FRI *)" in moved.stdout
    assert "running 60.0 of 168 hours a week, 64.3% saved" in moved.stdout


def test_the_function_fired_with_each_schedules_input_stops_and_restores_the_services(aws, boto, local_services, monkeypatch):
    from ansible_collections.shipyard.aws.plugins.module_utils import power_lambda

    assert schedule(aws, ecs_schedule_holidays=["2026-12-31"]).rc == 0
    for name, value in (("AWS_ENDPOINT_URL", aws.endpoint), ("AWS_DEFAULT_REGION", "ap-northeast-1"),
                        ("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")):
        monkeypatch.setenv(name, value)

    power_lambda.handler(json.loads(get_schedule(boto, f"{PREFIX}-ecs-stop")["Target"]["Input"]), None)
    stopped = (desired_counts(boto), api_capacity(boto))
    start_input = json.loads(get_schedule(boto, f"{PREFIX}-ecs-start")["Target"]["Input"])
    power_lambda.handler(start_input, None)

    assert stopped == ({"web": 0, "api": 0}, (0, 4))
    assert (desired_counts(boto), api_capacity(boto)) == ({"web": 2, "api": 1}, (1, 4))
    assert (start_input["skip_dates"], start_input["timezone"]) == (["2026-12-31"], "Asia/Tokyo")


def test_direct_mode_schedules_call_update_service_per_service(aws, boto, local_services):
    run = schedule(aws, ecs_schedule_mode="direct", ecs_schedule_desired_counts={"web": 3})

    assert run.rc == 0, run.output[-3000:]
    names = {s["Name"] for s in boto("scheduler").list_schedules(GroupName=GROUP)["Schedules"]}
    assert names == {f"{PREFIX}-ecs-{service}-{action}" for service in ("web", "api") for action in ("stop", "start")}
    assert "Functions" not in boto("lambda").list_functions() or boto("lambda").list_functions()["Functions"] == []
    for service in ("web", "api"):
        target = get_schedule(boto, f"{PREFIX}-ecs-{service}-stop")["Target"]
        assert target["Arn"] == "arn:aws:scheduler:::aws-sdk:ecs:updateService"
        fire(boto, target)
    stopped = desired_counts(boto)
    for service in ("web", "api"):
        fire(boto, get_schedule(boto, f"{PREFIX}-ecs-{service}-start")["Target"])

    assert stopped == {"web": 0, "api": 0}
    assert desired_counts(boto) == {"web": 3, "api": 1}


def test_state_absent_removes_the_schedules_the_function_and_the_roles(aws, boto, local_services):
    assert schedule(aws).rc == 0

    run = schedule(aws, ecs_schedule_state="absent")

    assert run.rc == 0, run.output[-3000:]
    assert boto("scheduler").list_schedules(GroupName=GROUP)["Schedules"] == []
    assert boto("lambda").list_functions()["Functions"] == []
    role_names = {role["RoleName"] for role in boto("iam").list_roles()["Roles"]}
    assert not role_names & {f"{FUNCTION}-role", f"{PREFIX}-ecs-schedule"}


@pytest.mark.parametrize(("extra", "message"), [
    ({"ecs_schedule_stop": "25:00"}, "ecs_schedule_stop / ecs_schedule_stop_weekdays is '25:00': give a time of day as HH:MM"),
    ({"ecs_schedule_timezone": "Asia/Tokio"}, "ecs_schedule_timezone is 'Asia/Tokio', which is not an IANA time zone"),
    ({"ecs_schedule_start": "22:30"}, "ecs_schedule_stop (22:00) is not after ecs_schedule_start (22:30)"),
    ({"ecs_schedule_weekdays": []}, "is empty: list the weekdays"),
    ({"ecs_schedule_mode": "direct", "ecs_schedule_services": "all"}, "list the services (ecs_schedule_services: [web, api], not all)"),
])
def test_a_bad_schedule_fails_before_any_aws_call(aws, local_services, extra, message):
    aws.clear_requests()

    run = schedule(aws, **extra)

    assert message in run.failure_message()
    assert aws.requests() == []


def test_an_unknown_service_fails_naming_it_before_anything_is_created(aws, boto, local_services):
    run = schedule(aws, ecs_schedule_services=["web", "nope"])

    assert "nope" in run.failure_message()
    assert boto("lambda").list_functions()["Functions"] == []
    assert boto("scheduler").list_schedules()["Schedules"] == []
    assert desired_counts(boto) == {"web": 2, "api": 1}
