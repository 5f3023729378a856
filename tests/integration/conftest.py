"""Fixtures: the same local environment `make local-up` starts (tools/localenv), on free ports, per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import boto3
import psycopg
import pytest

import databases
import scheduling
from helpers import REPO_ROOT
from localenv import net
from localenv.emulator import Emulator
from localenv.postgres import LocalPostgres
from tunnels import end_tunnels

REGION = "ap-northeast-1"


@pytest.fixture(scope="session")
def state_root():
    # Readable by the postgres system user (PostgreSQL refuses to run as root), unlike pytest's 0700 tmp dirs.
    path = Path(tempfile.mkdtemp(prefix="shipyard-it-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def emulator(state_root):
    """One emulator process per test session (per xdist worker), on a free port."""
    instance = Emulator(port=net.free_port(), state=state_root)
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def aws(emulator):
    """A clean emulator for each test: no resources, empty request log."""
    emulator.reset()
    emulator.clear_requests()
    emulator.clear_delays()
    return emulator


@pytest.fixture
def boto(aws):
    def client(service: str, region: str = REGION):
        return boto3.client(service, endpoint_url=aws.endpoint, region_name=region,
                            aws_access_key_id="test", aws_secret_access_key="test")

    return client


@pytest.fixture(scope="session")
def provider_mirror():
    """The hashicorp/aws filesystem mirror: TF_PROVIDER_MIRROR, or the one tools/find-provider-mirror finds.
    Tests never download providers, so without a mirror the Terraform tests are skipped, saying why."""
    mirror = os.environ.get("TF_PROVIDER_MIRROR") or subprocess.run(
        [str(REPO_ROOT / "tools" / "find-provider-mirror")], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not mirror:
        pytest.skip("no Terraform provider mirror on this machine (set TF_PROVIDER_MIRROR); tests never download providers")
    return mirror


@pytest.fixture(scope="session")
def postgres(state_root):
    server = LocalPostgres(state=state_root)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_ambient_aws(monkeypatch):
    """Tests never reach real AWS: drop any credentials or profile the developer has set."""
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def app_database(postgres):
    """A login role on the local PostgreSQL that reaches it over TCP with a password, as an application would."""
    role = {"user": "tunnel_app", "password": "tunnel-app-pw-5b2e", "dbname": "postgres",
            "host": postgres.record()["host"], "port": postgres.record()["port"]}
    with psycopg.connect(postgres.admin_conninfo(), autocommit=True) as connection:
        connection.execute(f"DROP ROLE IF EXISTS {role['user']}")
        connection.execute(f"CREATE ROLE {role['user']} LOGIN PASSWORD '{role['password']}'")
    return role


@pytest.fixture
def tunnel_dir(tmp_path):
    """The tunnels' state directory for one test; every plugin still running afterwards is ended."""
    path = tmp_path / "tunnels"
    yield path
    end_tunnels(path)


@pytest.fixture
def database(postgres):
    """A database of the test's own on the local PostgreSQL, dropped afterwards."""
    name = databases.create_database(postgres)
    yield name
    with databases.admin(postgres) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def local_services(boto):
    """The local inventory's ECS cluster with its web and api services (scheduling.py)."""
    return scheduling.create_services(boto)
