"""Role aurora_schedule through playbooks/schedule.yml on the local inventory, against the emulator: a nightly stop,
an optional morning start, and what each schedule does when fired (see test_ecs_schedule.py for how they are fired)."""

from __future__ import annotations

import json

import pytest

from helpers import run_playbook
from universal_targets import UnknownMember, fire

PLAYBOOK = "playbooks/schedule.yml"
PREFIX = "bookmark-manager-local"
GROUP = PREFIX
CLUSTER = f"{PREFIX}-aurora"
INSTANCE = f"{PREFIX}-postgres"
ONLY_DATABASE = {"shipyard_schedule_services": False}


@pytest.fixture
def aurora(boto):
    rds = boto("rds")
    rds.create_db_cluster(DBClusterIdentifier=CLUSTER, Engine="aurora-postgresql", MasterUsername="app",
                          MasterUserPassword="not-a-secret-1")
    rds.create_db_instance(DBInstanceIdentifier=f"{CLUSTER}-1", DBClusterIdentifier=CLUSTER, Engine="aurora-postgresql",
                           DBInstanceClass="db.t4g.medium")
    return CLUSTER


@pytest.fixture
def instance(boto):
    boto("rds").create_db_instance(DBInstanceIdentifier=INSTANCE, Engine="postgres", DBInstanceClass="db.t4g.micro",
                                   AllocatedStorage=20, MasterUsername="app", MasterUserPassword="not-a-secret-1")
    return INSTANCE


def schedule(aws, **extra):
    return run_playbook(PLAYBOOK, aws_port=aws.port, extra_vars={**ONLY_DATABASE, **extra})


def get_schedule(boto, name: str) -> dict:
    return boto("scheduler").get_schedule(Name=name, GroupName=GROUP)


def cluster_status(boto) -> str:
    return boto("rds").describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["Status"]


def instance_status(boto) -> str:
    return boto("rds").describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBInstanceStatus"]


def with_emulator_credentials(monkeypatch, aws) -> None:
    for name, value in (("AWS_ENDPOINT_URL", aws.endpoint), ("AWS_DEFAULT_REGION", "ap-northeast-1"),
                        ("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test")):
        monkeypatch.setenv(name, value)


def test_a_nightly_stop_at_nine_and_a_weekday_start_at_half_past_eight(aws, boto, aurora):
    run = schedule(aws, aurora_schedule_engine="aurora", aurora_schedule_start="08:30")

    assert run.rc == 0, run.output[-3000:]
    stop, start = get_schedule(boto, f"{PREFIX}-db-stop"), get_schedule(boto, f"{PREFIX}-db-start")
    assert (stop["ScheduleExpression"], start["ScheduleExpression"]) == ("cron(0 21 ? * * *)", "cron(30 8 ? * MON-FRI *)")
    assert json.loads(stop["Target"]["Input"]) == {"resource": "rds", "db_cluster_identifier": CLUSTER, "state": "stopped"}
    assert json.loads(start["Target"]["Input"]) == {"resource": "rds", "db_cluster_identifier": CLUSTER, "state": "started"}
    assert stop["Target"]["Arn"] == boto("lambda").get_function(FunctionName=f"{PREFIX}-db-power")["Configuration"]["FunctionArn"]
    # 12.5 hours on five days = 62.5 of 168 hours
    assert run.result_of("Summary, with the share of the week saved")["msg"][-1] == \
        "running 62.5 of 168 instance hours a week, 62.8% saved"


def test_without_a_start_only_the_stop_exists_and_the_savings_say_why_they_are_unknown(aws, boto, instance):
    run = schedule(aws)

    assert run.rc == 0, run.output[-3000:]
    assert [s["Name"] for s in boto("scheduler").list_schedules(GroupName=GROUP)["Schedules"]] == [f"{PREFIX}-db-stop"]
    assert "running hours depend on when it is started by hand" in run.result_of("Summary, with the share of the week saved")["msg"][-1]


def test_the_function_fired_with_the_schedules_inputs_stops_and_starts_the_cluster(aws, boto, aurora, monkeypatch):
    from ansible_collections.shipyard.aws.plugins.module_utils import power_lambda

    assert schedule(aws, aurora_schedule_engine="aurora", aurora_schedule_start="08:30").rc == 0
    with_emulator_credentials(monkeypatch, aws)

    power_lambda.handler(json.loads(get_schedule(boto, f"{PREFIX}-db-stop")["Target"]["Input"]), None)
    stopped = cluster_status(boto)
    power_lambda.handler(json.loads(get_schedule(boto, f"{PREFIX}-db-start")["Target"]["Input"]), None)

    assert stopped in ("stopping", "stopped")
    assert cluster_status(boto) in ("starting", "available")


@pytest.mark.parametrize(("engine", "api"), [("aurora", "DBCluster"), ("rds", "DBInstance")])
def test_direct_mode_calls_the_rds_api_with_its_own_member_names(aws, boto, request, engine, api):
    request.getfixturevalue("aurora" if engine == "aurora" else "instance")
    status = cluster_status if engine == "aurora" else instance_status

    run = schedule(aws, aurora_schedule_engine=engine, aurora_schedule_mode="direct", aurora_schedule_start="08:30")

    assert run.rc == 0, run.output[-3000:]
    stop, start = (get_schedule(boto, f"{PREFIX}-db-{action}")["Target"] for action in ("stop", "start"))
    assert (stop["Arn"], start["Arn"]) == (f"arn:aws:scheduler:::aws-sdk:rds:stop{api}", f"arn:aws:scheduler:::aws-sdk:rds:start{api}")
    assert json.loads(stop["Input"]) == {f"{api}Identifier": CLUSTER if engine == "aurora" else INSTANCE}
    fire(boto, stop)
    stopped = status(boto)
    fire(boto, start)
    assert stopped in ("stopping", "stopped")
    assert status(boto) in ("starting", "available")


def test_a_misspelt_member_would_not_reach_the_api(aws, boto, aurora):
    """The replay is strict: the universal target's input must name the operation's members (in any case)."""
    fire(boto, {"Arn": "arn:aws:scheduler:::aws-sdk:rds:stopDBCluster", "Input": json.dumps({"DbClusterIdentifier": CLUSTER})})
    assert cluster_status(boto) in ("stopping", "stopped")

    with pytest.raises(UnknownMember, match="'DBClusterIdentifer' is not a member of StartDBClusterMessage"):
        fire(boto, {"Arn": "arn:aws:scheduler:::aws-sdk:rds:startDBCluster", "Input": json.dumps({"DBClusterIdentifer": CLUSTER})})


def test_holidays_need_the_function(aws, instance):
    aws.clear_requests()

    run = schedule(aws, aurora_schedule_mode="direct", aurora_schedule_start="08:00", aurora_schedule_holidays=["2026-12-31"])

    assert "cannot skip aurora_schedule_holidays" in run.failure_message()
    assert aws.requests() == []
