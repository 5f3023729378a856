"""power.py's pure decisions: what stopping or starting an ECS service or an RDS database does, the Lambda
event contract, and holiday skips. No AWS, no emulator."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils import power
from ansible_collections.shipyard.aws.plugins.module_utils.power import PowerError

TOKYO_MORNING = datetime.datetime(2026, 12, 30, 23, 30, tzinfo=datetime.timezone.utc)  # 2026-12-31 08:30 in Tokyo


def service(desired, min_capacity=None, max_capacity=None):
    target = None if min_capacity is None else {"MinCapacity": min_capacity, "MaxCapacity": max_capacity}
    return power.ecs_current(desired, target)


def plan(current, state, **tags):
    names = {"desired": power.TAG_DESIRED_COUNT, "min": power.TAG_MIN_CAPACITY, "max": power.TAG_MAX_CAPACITY}
    return power.plan_ecs_service(current, {names[k]: v for k, v in tags.items()}, state)


# --- ECS: stop ---

def test_stop_remembers_the_desired_count_and_sets_it_to_0():
    result = plan(service(2), "stopped")
    assert (result["action"], result["changed"]) == ("stopped", True)
    assert result["after"] == {"desired_count": 0, "min_capacity": None, "max_capacity": None}
    assert result["tags_to_set"] == {power.TAG_DESIRED_COUNT: "2"}


def test_stop_remembers_min_and_max_and_lowers_only_the_min():
    result = plan(service(3, 2, 6), "stopped")
    assert result["after"] == {"desired_count": 0, "min_capacity": 0, "max_capacity": 6}
    assert result["tags_to_set"] == {power.TAG_DESIRED_COUNT: "3", power.TAG_MIN_CAPACITY: "2",
                                     power.TAG_MAX_CAPACITY: "6"}


def test_stop_of_a_stopped_service_does_nothing():
    result = plan(service(0, 0, 4), "stopped", desired="2", min="1", max="4")
    assert (result["action"], result["changed"], result["tags_to_set"]) == ("none", False, {})


def test_stop_with_desired_0_but_min_above_0_lowers_the_min_and_keeps_the_remembered_count():
    result = plan(service(0, 2, 4), "stopped", desired="3")
    assert result["action"] == "stopped"
    assert result["after"]["min_capacity"] == 0
    assert result["tags_to_set"][power.TAG_DESIRED_COUNT] == "3"


# --- ECS: start ---

def test_start_restores_the_remembered_count_and_forgets_it():
    result = plan(service(0), "started", desired="3")
    assert (result["action"], result["after"]["desired_count"]) == ("started", 3)
    assert result["tags_to_remove"] == [power.TAG_DESIRED_COUNT]


def test_start_without_memory_starts_one_task():
    assert plan(service(0), "started")["after"]["desired_count"] == 1


def test_start_restores_min_and_max():
    result = plan(service(0, 0, 6), "started", desired="3", min="2", max="6")
    assert result["after"] == {"desired_count": 3, "min_capacity": 2, "max_capacity": 6}
    assert sorted(result["tags_to_remove"]) == sorted(power.MEMORY_TAGS)


def test_start_keeps_the_desired_count_within_the_restored_min_and_max():
    assert plan(service(0, 0, 4), "started", desired="1", min="2", max="4")["after"]["desired_count"] == 2
    assert plan(service(0, 0, 4), "started", desired="9", min="1", max="4")["after"]["desired_count"] == 4


def test_start_of_a_running_service_without_memory_does_nothing():
    result = plan(service(2, 1, 4), "started")
    assert (result["action"], result["changed"], result["tags_to_remove"]) == ("none", False, [])


def test_start_of_a_running_service_still_at_min_0_restores_the_min():
    result = plan(service(2, 0, 4), "started", desired="2", min="1", max="4")
    assert result["action"] == "started"
    assert result["after"] == {"desired_count": 2, "min_capacity": 1, "max_capacity": 4}


def test_unreadable_tags_are_ignored():
    assert power.remembered({power.TAG_DESIRED_COUNT: "two", power.TAG_MIN_CAPACITY: " 1 "}) == {"min_capacity": 1}


# --- RDS ---

@pytest.mark.parametrize(("status", "state", "action"), [
    ("available", "stopped", "stopped"),
    ("stopped", "stopped", "none"),
    ("stopping", "stopped", "none"),
    ("stopped", "started", "started"),
    ("inaccessible-encryption-credentials-recoverable", "started", "started"),
    ("available", "started", "none"),
    ("starting", "started", "none"),
    ("starting", "stopped", "deferred"),
    ("stopping", "started", "deferred"),
    ("backing-up", "stopped", "deferred"),
    ("modifying", "started", "deferred"),
    ("upgrading", "stopped", "deferred"),
    ("configuring-enhanced-monitoring", "stopped", "deferred"),
    ("maintenance", "stopped", "deferred"),
    ("storage-optimization", "stopped", "deferred"),
])
def test_rds_action_follows_the_status(status, state, action):
    assert power.rds_action(status, state) == action


@pytest.mark.parametrize("status", ["failed", "storage-full", "incompatible-parameters", "deleting"])
def test_rds_status_that_waiting_cannot_fix_is_an_error(status):
    with pytest.raises(PowerError, match=f"it is {status}"):
        power.rds_action(status, "stopped")


def test_aurora_member_instance_is_refused_naming_its_cluster():
    instance = {"DBInstanceIdentifier": "aur-1", "DBClusterIdentifier": "aur", "DBInstanceStatus": "available"}
    with pytest.raises(PowerError, match="member of Aurora cluster aur.*db_cluster_identifier=aur"):
        power.rds_plan("instance", instance, "stopped")


def test_read_replica_is_refused():
    instance = {"DBInstanceIdentifier": "rep", "ReadReplicaSourceDBInstanceIdentifier": "main",
                "DBInstanceStatus": "available"}
    with pytest.raises(PowerError, match="rep is a read replica of main"):
        power.rds_plan("instance", instance, "stopped")


def test_replica_cluster_is_refused():
    cluster = {"DBClusterIdentifier": "second", "ReplicationSourceIdentifier": "arn:aws:rds:x:1:cluster:first",
               "Status": "available"}
    with pytest.raises(PowerError, match="second is a replica of"):
        power.rds_plan("cluster", cluster, "stopped")


def test_rds_plan_says_before_and_after():
    cluster = {"DBClusterIdentifier": "aur", "DBClusterArn": "arn:c", "Status": "available"}
    result = power.rds_plan("cluster", cluster, "stopped")
    assert result == {"resource": "rds", "kind": "cluster", "identifier": "aur", "arn": "arn:c", "state": "stopped",
                      "action": "stopped", "changed": True, "before": {"status": "available"},
                      "after": {"status": "stopping"}}


# --- the event contract and holidays ---

@pytest.mark.parametrize("event", [
    {"resource": "ecs", "cluster": "c", "services": ["api", "web"], "state": "stopped"},
    {"resource": "ecs", "cluster": "c", "services": "all", "state": "started", "wait": True, "timeout": 60},
    {"resource": "rds", "db_cluster_identifier": "aur", "state": "stopped"},
    {"resource": "rds", "db_instance_identifier": "db", "state": "started", "skip_dates": ["2026-12-31"],
     "timezone": "Asia/Tokyo"},
])
def test_valid_events_are_accepted(event):
    assert power.check_event(event) is event


@pytest.mark.parametrize(("event", "error"), [
    ([], "must be a JSON object"),
    ({"resource": "ec2", "state": "stopped"}, "resource must be ecs or rds"),
    ({"resource": "ecs", "cluster": "c", "services": "all", "state": "off"}, "state must be stopped or started"),
    ({"resource": "ecs", "cluster": "c", "service": ["api"], "state": "stopped"}, "unknown key(s) service"),
    ({"resource": "ecs", "cluster": "c", "services": [], "state": "stopped"}, "services must be a non-empty list"),
    ({"resource": "ecs", "services": "all", "state": "stopped"}, "cluster (the ECS cluster's name) is required"),
    ({"resource": "rds", "state": "stopped"}, "exactly one of db_cluster_identifier"),
    ({"resource": "rds", "db_cluster_identifier": "a", "db_instance_identifier": "b", "state": "stopped"},
     "exactly one of"),
    ({"resource": "rds", "db_cluster_identifier": "a", "state": "stopped", "skip_dates": ["31/12/2026"]},
     "skip_dates must be a list of dates written YYYY-MM-DD"),
    ({"resource": "rds", "db_cluster_identifier": "a", "state": "stopped", "wait": "yes"}, "wait must be true or false"),
])
def test_invalid_events_say_what_is_wrong(event, error):
    with pytest.raises(PowerError) as raised:
        power.check_event(event)
    assert error in str(raised.value)


def test_listed_date_in_the_events_timezone_is_skipped():
    assert power.skip_today(["2026-12-31"], "Asia/Tokyo", TOKYO_MORNING) == "2026-12-31"


def test_the_same_moment_is_not_skipped_in_utc():
    assert power.skip_today(["2026-12-31"], None, TOKYO_MORNING) is None


def test_unknown_timezone_is_an_error():
    with pytest.raises(PowerError, match="unknown timezone 'Mars/Olympus'"):
        power.skip_today(["2026-12-31"], "Mars/Olympus", TOKYO_MORNING)


def test_handle_skips_a_holiday_without_any_client():
    event = {"resource": "ecs", "cluster": "c", "services": "all", "state": "started",
             "skip_dates": ["2026-12-31"], "timezone": "Asia/Tokyo"}
    result = power.handle(event, clients={}, now=TOKYO_MORNING)
    assert result == {"skipped": "holiday", "date": "2026-12-31", "changed": False}


# --- ECS: when a wait is over ---

def ecs_service_state(running, desired, primary_running=None, primary_desired=None):
    deployments = [] if primary_running is None else [
        {"status": "PRIMARY", "runningCount": primary_running, "desiredCount": primary_desired}]
    return {"runningCount": running, "desiredCount": desired, "deployments": deployments}


@pytest.mark.parametrize(("service", "settled"), [
    (ecs_service_state(2, 2, 2, 2), True),
    (ecs_service_state(0, 0, 0, 0), True),
    (ecs_service_state(1, 2, 1, 2), False),
    (ecs_service_state(2, 2, 0, 2), False),  # the old deployment's tasks still count for the service
    (ecs_service_state(4, 2, 2, 2), False),  # the old deployment still draining
    (ecs_service_state(3, 3), True),
])
def test_service_is_settled_when_it_and_its_primary_deployment_run_the_desired_count(service, settled):
    assert power.ecs_service_settled(service) is settled
