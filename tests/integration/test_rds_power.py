"""Module shipyard.aws.rds_power through ansible-playbook against the emulator, read back with boto3.

Emulator differences (moto 5): Stop*/Start* go straight to stopped / available, a stopped Aurora cluster's members
stay available, and a database never becomes busy by itself. The harness models the rest
(tools/localenv/extensions/rds_status.py): ``aws.slow_rds_stop_start`` makes a database pass through
stopping / starting, ``aws.set_rds_status`` puts it in a status such as backing-up. moto does refuse StopDBInstance
for a read replica (as AWS does) but accepts it for an Aurora member instance, which AWS refuses; the module refuses
both itself, before any call, so the tests hold on both.
"""

from __future__ import annotations

import pytest

from helpers import run_playbook

PLAYBOOK = "tests/integration/playbooks/rds_power.yml"
TASK = "Set the database's power"
CALLS = {"StopDBInstance", "StartDBInstance", "StopDBCluster", "StartDBCluster"}


@pytest.fixture
def rds(boto):
    return boto("rds")


def create_instance(rds, name: str = "db") -> None:
    rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t4g.micro", Engine="postgres",
                           MasterUsername="app", MasterUserPassword="not-a-secret-1", AllocatedStorage=20)


def create_cluster(rds, name: str = "aurora") -> None:
    rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql", MasterUsername="app",
                          MasterUserPassword="not-a-secret-1")
    rds.create_db_instance(DBInstanceIdentifier=f"{name}-1", DBClusterIdentifier=name, Engine="aurora-postgresql",
                           DBInstanceClass="db.t4g.medium")


def instance_status(rds, name: str = "db") -> str:
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]


def cluster_status(rds, name: str = "aurora") -> str:
    return rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["Status"]


def power(aws, *runs: dict, args: tuple = ()):
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"power_runs": list(runs)})


def results(run) -> list[dict]:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)["results"]


def calls(aws) -> list[str]:
    return [r["operation"] for r in aws.requests() if r["operation"] in CALLS]


def test_available_instance_is_stopped(aws, rds):
    create_instance(rds)

    (result,) = results(power(aws, {"db_instance_identifier": "db", "state": "stopped"}))

    assert (result["changed"], result["action"], result["kind"], result["identifier"]) == (True, "stopped", "instance",
                                                                                           "db")
    assert (result["before"], result["after"]) == ({"status": "available"}, {"status": "stopped"})
    assert instance_status(rds) == "stopped"


def test_stopped_instance_is_started(aws, rds):
    create_instance(rds)
    rds.stop_db_instance(DBInstanceIdentifier="db")

    (result,) = results(power(aws, {"db_instance_identifier": "db", "state": "started"}))

    assert (result["changed"], result["action"], result["before"]) == (True, "started", {"status": "stopped"})
    assert instance_status(rds) == "available"


def test_aurora_cluster_is_stopped_and_started_with_its_members(aws, rds):
    create_cluster(rds)

    stop, start = results(power(aws, {"db_cluster_identifier": "aurora", "state": "stopped"},
                                {"db_cluster_identifier": "aurora", "state": "started"}))

    assert (stop["action"], stop["kind"], stop["after"]) == ("stopped", "cluster", {"status": "stopped"})
    assert (start["action"], start["after"]) == ("started", {"status": "available"})
    assert (cluster_status(rds), instance_status(rds, "aurora-1")) == ("available", "available")


def test_second_run_changes_nothing(aws, rds):
    create_cluster(rds)
    runs = [{"db_cluster_identifier": "aurora", "state": state} for state in ("stopped", "stopped", "started", "started")]

    outcome = results(power(aws, *runs))

    assert [r["changed"] for r in outcome] == [True, False, True, False]
    assert [r["action"] for r in outcome] == ["stopped", "none", "started", "none"]


def test_check_mode_stops_nothing_and_shows_the_status_it_would_have(aws, rds):
    create_instance(rds)
    aws.clear_requests()

    (result,) = results(power(aws, {"db_instance_identifier": "db", "state": "stopped"}, args=("--check", "--diff")))

    assert (result["changed"], result["action"]) == (True, "stopped")
    assert result["diff"] == {"before": {"status": "available"}, "after": {"status": "stopping"}}
    assert calls(aws) == []
    assert instance_status(rds) == "available"


def test_busy_database_is_deferred_not_failed(aws, rds):
    create_instance(rds)
    aws.set_rds_status("backing-up", instance="db")
    aws.clear_requests()

    (result,) = results(power(aws, {"db_instance_identifier": "db", "state": "stopped", "wait": True}))

    assert (result["changed"], result["action"], result["after"]) == (False, "deferred", {"status": "backing-up"})
    assert calls(aws) == []
    assert instance_status(rds) == "backing-up"


def test_aurora_member_instance_fails_naming_the_cluster_to_use(aws, rds):
    create_cluster(rds)
    aws.clear_requests()

    message = power(aws, {"db_instance_identifier": "aurora-1", "state": "stopped"}).failure_message()

    assert "DB instance aurora-1 is a member of Aurora cluster aurora" in message
    assert "use db_cluster_identifier=aurora" in message
    assert calls(aws) == []


def test_read_replica_fails_saying_aws_cannot_stop_it(aws, rds):
    create_instance(rds)
    rds.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier="db")
    aws.clear_requests()

    message = power(aws, {"db_instance_identifier": "replica", "state": "stopped"}).failure_message()

    assert "DB instance replica is a read replica of db: AWS cannot stop a read replica" in message
    assert calls(aws) == []


def test_wait_polls_until_the_database_is_stopped(aws, rds):
    create_instance(rds)
    aws.slow_rds_stop_start(2.0, instance="db")

    no_wait, waited = results(power(aws, {"db_instance_identifier": "db", "state": "stopped"},
                                    {"db_instance_identifier": "db", "state": "stopped", "wait": True, "timeout": 60}))

    assert (no_wait["action"], no_wait["after"]) == ("stopped", {"status": "stopping"})
    assert (waited["action"], waited["changed"], waited["after"]) == ("none", False, {"status": "stopped"})
    assert instance_status(rds) == "stopped"


def test_wait_timeout_fails_saying_the_call_was_made(aws, rds):
    create_cluster(rds)
    aws.slow_rds_stop_start(60.0, cluster="aurora")

    run = power(aws, {"db_cluster_identifier": "aurora", "state": "stopped", "wait": True, "timeout": 1})

    assert "timed out after 1 seconds waiting for DB cluster aurora to be stopped (it is stopping)" in \
        run.failure_message()
    assert cluster_status(rds) == "stopping"


def test_missing_database_says_which_option_names_what(aws, rds):
    create_cluster(rds)

    message = power(aws, {"db_instance_identifier": "aurora", "state": "stopped"}).failure_message()

    assert "DB instance aurora not found in this account and region" in message
    assert "did you mean db_cluster_identifier?" in message
