"""playbooks/power.yml on the local inventory, against the emulator: the whole environment stopped and started now."""

from __future__ import annotations

from helpers import run_playbook
from scheduling import desired_counts

PLAYBOOK = "playbooks/power.yml"
INSTANCE = "bookmark-manager-local-postgres"


def instance_status(boto) -> str:
    return boto("rds").describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBInstanceStatus"]


def test_stopped_then_started_brings_back_every_service_and_the_database(aws, boto, local_services):
    boto("rds").create_db_instance(DBInstanceIdentifier=INSTANCE, Engine="postgres", DBInstanceClass="db.t4g.micro",
                                   AllocatedStorage=20, MasterUsername="app", MasterUserPassword="not-a-secret-1")

    stopped = run_playbook(PLAYBOOK, aws_port=aws.port, extra_vars={"power": "stopped"})
    asleep = (desired_counts(boto), instance_status(boto))
    started = run_playbook(PLAYBOOK, aws_port=aws.port, extra_vars={"power": "started"})

    assert stopped.rc == 0, stopped.output[-3000:]
    assert started.rc == 0, started.output[-3000:]
    assert asleep == ({"web": 0, "api": 0}, "stopped")
    assert (desired_counts(boto), instance_status(boto)) == ({"web": 2, "api": 1}, "available")


def test_without_power_nothing_is_called(aws):
    aws.clear_requests()

    run = run_playbook(PLAYBOOK, aws_port=aws.port)

    assert "Give -e power=stopped or -e power=started" in run.failure_message()
    assert aws.requests() == []
