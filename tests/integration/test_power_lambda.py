"""The two other faces of power.py against the emulator: the Lambda handler, called in-process from a directory laid
out as the Lambda zip is (power.py and power_lambda.py side by side at its root), and the command line through
subprocess, from the collection's path. boto3 finds the emulator through AWS_ENDPOINT_URL, as the function and the
command line find AWS through their environment. The same effects as the modules (see test_ecs_service_power.py
and test_rds_power.py, including their notes on the emulator)."""

from __future__ import annotations

import datetime
import importlib
import json
import logging
import os
import shutil
import subprocess
import sys
import zoneinfo

import pytest

from helpers import REPO_ROOT
from scheduling import create_ec2_service

MODULE_UTILS = REPO_ROOT / "plugins" / "module_utils"
COLLECTIONS = REPO_ROOT / ".shipyard" / "collections"
CLUSTER = "shipyard-ci"
REGION = "ap-northeast-1"


@pytest.fixture
def aws_env(aws, monkeypatch):
    env = {"AWS_ENDPOINT_URL": aws.endpoint, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def handler(tmp_path, aws_env, monkeypatch):
    """power_lambda.handler imported from a copy of the Lambda zip's root (which `import power` it takes depends on
    the path; test_zip_layout_imports_power_beside_the_handler checks the zip's own)."""
    for name in ("power.py", "power_lambda.py"):
        shutil.copy(MODULE_UTILS / name, tmp_path / name)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("power", "power_lambda"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    module = importlib.import_module("power_lambda")
    yield module.handler
    for name in ("power", "power_lambda"):
        sys.modules.pop(name, None)


@pytest.fixture
def ecs(boto):
    client = boto("ecs")
    client.create_cluster(clusterName=CLUSTER)
    return client


@pytest.fixture
def rds(boto):
    return boto("rds")


def desired_counts(ecs, *names: str) -> list[int]:
    return [s["desiredCount"] for s in ecs.describe_services(cluster=CLUSTER, services=list(names))["services"]]


def create_cluster(rds, name: str = "aurora") -> None:
    rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-postgresql", MasterUsername="app",
                          MasterUserPassword="not-a-secret-1")


def cluster_status(rds, name: str = "aurora") -> str:
    return rds.describe_db_clusters(DBClusterIdentifier=name)["DBClusters"][0]["Status"]


def test_zip_layout_imports_power_beside_the_handler(tmp_path, aws_env):
    """In a clean interpreter, as in Lambda: only the zip's root on the path, no shipyard.aws collection."""
    for name in ("power.py", "power_lambda.py"):
        shutil.copy(MODULE_UTILS / name, tmp_path / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    script = "import power_lambda; print(power_lambda.power.__file__)"

    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=False)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(tmp_path / "power.py")


def test_ecs_event_stops_the_listed_services_and_the_start_event_restores_them(handler, ecs, boto):
    create_ec2_service(ecs, CLUSTER, "api", desired=3)
    create_ec2_service(ecs, CLUSTER, "web")
    boto("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=f"service/{CLUSTER}/api", ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=2, MaxCapacity=6)

    stopped = handler({"resource": "ecs", "cluster": CLUSTER, "services": ["api"], "state": "stopped"}, None)
    assert desired_counts(ecs, "api", "web") == [0, 2]
    started = handler({"resource": "ecs", "cluster": CLUSTER, "services": ["api"], "state": "started"}, None)

    assert (stopped["changed"], stopped["services"][0]["action"]) == (True, "stopped")
    assert started["services"][0]["after"] == {"desired_count": 3, "min_capacity": 2, "max_capacity": 6}
    assert desired_counts(ecs, "api", "web") == [3, 2]
    json.dumps(stopped), json.dumps(started)  # what Lambda returns must be JSON


def test_ecs_event_with_all_stops_every_service(handler, ecs):
    create_ec2_service(ecs, CLUSTER, "api")
    create_ec2_service(ecs, CLUSTER, "web")

    result = handler({"resource": "ecs", "cluster": CLUSTER, "services": "all", "state": "stopped"}, None)

    assert [s["name"] for s in result["services"]] == ["api", "web"]
    assert desired_counts(ecs, "api", "web") == [0, 0]


def test_rds_cluster_event_stops_the_cluster(handler, rds):
    create_cluster(rds)

    result = handler({"resource": "rds", "db_cluster_identifier": "aurora", "state": "stopped"}, None)

    assert (result["action"], result["kind"], result["changed"]) == ("stopped", "cluster", True)
    assert cluster_status(rds) == "stopped"


def test_rds_instance_event_starts_the_instance(handler, rds):
    rds.create_db_instance(DBInstanceIdentifier="db", DBInstanceClass="db.t4g.micro", Engine="postgres",
                           MasterUsername="app", MasterUserPassword="not-a-secret-1", AllocatedStorage=20)
    rds.stop_db_instance(DBInstanceIdentifier="db")

    result = handler({"resource": "rds", "db_instance_identifier": "db", "state": "started"}, None)

    assert (result["action"], result["before"], result["after"]) == ("started", {"status": "stopped"},
                                                                     {"status": "available"})


def test_holiday_morning_is_skipped_without_any_aws_call(handler, aws, ecs):
    create_ec2_service(ecs, CLUSTER, "api", desired=0)
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date().isoformat()
    aws.clear_requests()

    result = handler({"resource": "ecs", "cluster": CLUSTER, "services": "all", "state": "started",
                      "skip_dates": ["2020-01-01", today], "timezone": "Asia/Tokyo"}, None)

    assert result == {"skipped": "holiday", "date": today, "changed": False}
    assert aws.requests() == []
    assert desired_counts(ecs, "api") == [0]


def test_result_is_logged_as_one_json_line(handler, rds, caplog):
    create_cluster(rds)
    event = {"resource": "rds", "db_cluster_identifier": "aurora", "state": "stopped"}

    with caplog.at_level(logging.INFO, logger="shipyard.power"):
        result = handler(event, None)

    (record,) = [r for r in caplog.records if r.name == "shipyard.power"]
    assert json.loads(record.getMessage()) == {"event": event, "result": result}


def test_invalid_event_raises_and_logs_the_error(handler, aws, caplog):
    aws.clear_requests()

    with caplog.at_level(logging.INFO, logger="shipyard.power"), pytest.raises(Exception) as raised:
        handler({"resource": "ecs", "cluster": CLUSTER, "service": ["api"], "state": "stopped"}, None)

    assert "unknown key(s) service" in str(raised.value)
    (record,) = [r for r in caplog.records if r.name == "shipyard.power"]
    assert json.loads(record.getMessage())["error_type"] == "PowerError"
    assert aws.requests() == []


# --- the command line -------------------------------------------------------------------------------------------

def cli(aws_env, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(aws_env, PYTHONPATH=str(COLLECTIONS))
    command = [sys.executable, "-m", "ansible_collections.shipyard.aws.plugins.module_utils.power_cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def test_cli_stops_an_aurora_cluster_as_the_seed_script_did(aws_env, rds):
    create_cluster(rds)

    proc = cli(aws_env, "rds", "stop-cluster", "aurora", "--wait", "--poll-interval", "0.2")

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["after"] == {"status": "stopped"}
    assert cluster_status(rds) == "stopped"


def test_cli_stops_the_named_services_then_starts_every_service(aws_env, ecs):
    create_ec2_service(ecs, CLUSTER, "api")
    create_ec2_service(ecs, CLUSTER, "web")

    stop = cli(aws_env, "ecs", "stop", CLUSTER, "api")
    assert stop.returncode == 0, stop.stderr
    assert desired_counts(ecs, "api", "web") == [0, 2]
    start = cli(aws_env, "ecs", "start", CLUSTER, "--wait", "--timeout", "30", "--poll-interval", "0.2")

    assert start.returncode == 0, start.stderr
    assert [s["action"] for s in json.loads(start.stdout)["services"]] == ["started", "none"]
    assert desired_counts(ecs, "api", "web") == [2, 2]


def test_cli_error_exits_1_with_the_reason(aws_env, ecs):
    proc = cli(aws_env, "ecs", "stop", "nowhere")

    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ECS cluster nowhere does not exist")
