"""tools/localenv/extensions/rds_status.py: the /_shipyard/rds/ endpoints' validation, and stops and starts that
take a while, on moto's models in-process (no server)."""

from __future__ import annotations

import time

import boto3
import pytest
from moto import mock_aws
from werkzeug.test import Client

from localenv.extensions import ShipyardExtensions
from localenv.extensions.rds_status import patch_rds_stop_start, set_rds_status, set_rds_transition, validate_rds_request


@pytest.mark.parametrize(("body", "value", "error"), [
    ({"status": "backing-up"}, "status", 'exactly one of "instance" and "cluster"'),
    ({"instance": "a", "cluster": "b", "status": "x"}, "status", 'exactly one of "instance" and "cluster"'),
    ({"instance": "a"}, "status", '"status" (a string'),
    ({"instance": "a", "seconds": -1}, "seconds", '"seconds" (a number, 0 or more)'),
    ({"instance": "a", "seconds": True}, "seconds", '"seconds" (a number, 0 or more)'),
    ({"instance": "a", "state": "x"}, "status", "unknown field(s) 'state'"),
])
def test_bad_requests_say_what_is_wrong(body, value, error):
    with pytest.raises(ValueError) as raised:
        validate_rds_request(body, value)
    assert error in str(raised.value)


def test_valid_request_names_the_kind():
    assert validate_rds_request({"cluster": "aur", "seconds": 2}, "seconds") == {"kind": "cluster", "identifier": "aur",
                                                                                 "seconds": 2}


@pytest.mark.parametrize("path", ["/_shipyard/rds/status", "/_shipyard/rds/transitions"])
def test_endpoints_answer_400_for_a_bad_body_without_reaching_moto(path):
    def moto(environ, start_response):  # pragma: no cover - must not be reached
        raise AssertionError("reached moto")

    response = Client(ShipyardExtensions(moto)).put(path, json={"status": "x"})
    assert response.status_code == 400


@pytest.fixture
def rds():
    with mock_aws():
        patch_rds_stop_start()
        client = boto3.client("rds", region_name="ap-northeast-1")
        client.create_db_cluster(DBClusterIdentifier="aur", Engine="aurora-postgresql", MasterUsername="app",
                                 MasterUserPassword="not-a-secret-1")
        client.create_db_instance(DBInstanceIdentifier="aur-1", DBClusterIdentifier="aur", Engine="aurora-postgresql",
                                  DBInstanceClass="db.t4g.medium")
        yield client


def statuses(rds):
    return (rds.describe_db_clusters(DBClusterIdentifier="aur")["DBClusters"][0]["Status"],
            rds.describe_db_instances(DBInstanceIdentifier="aur-1")["DBInstances"][0]["DBInstanceStatus"])


def test_stop_without_a_transition_is_immediate_and_members_follow(rds):
    rds.stop_db_cluster(DBClusterIdentifier="aur")
    assert statuses(rds) == ("stopped", "stopped")


def test_stop_with_a_transition_passes_through_stopping(rds):
    set_rds_transition("cluster", "aur", 0.3)
    rds.stop_db_cluster(DBClusterIdentifier="aur")
    assert statuses(rds) == ("stopping", "stopping")
    time.sleep(0.35)
    assert statuses(rds) == ("stopped", "stopped")


def test_status_set_by_the_test_is_kept(rds):
    set_rds_status("cluster", "aur", "backing-up")
    assert statuses(rds) == ("backing-up", "backing-up")
