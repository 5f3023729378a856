"""Fixtures: the same local environment `make local-up` starts (tools/localenv), on free ports, per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import boto3
import psycopg
import pytest

import databases
import scheduling
from helpers import REPO_ROOT, run_playbook
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


# The files whose tests share one environment converged by site.yml (`local_site`), in the order they run. They share
# an xdist group, so one worker converges it once (make test runs xdist with --dist loadgroup; every other file is a
# group of its own, as with --dist loadfile). Their tests must not use `aws` or `boto`: those reset the emulator.
LOCAL_SITE_FILES = ("test_site.py", "test_platform_local.py", "test_awx_job_templates.py")

# The groups that take longest, longest first (CI on 7ce9116: about 1000, 620, 370 and 160 s). The workers take the
# groups in the order of the items (make test passes --no-loadscope-reorder): long groups first, short ones last to
# fill the end. xdist's own order, most tests first, started test_platform_profiles.py (3 tests, 6 minutes) near the
# end, and one core sat idle for its last minutes.
LONGEST_GROUPS = ("local-site", "tests/integration/test_infra_stack.py", "tests/integration/test_platform_profiles.py",
                  "tests/integration/test_infra_locking.py")


def xdist_group(item) -> str:
    return "local-site" if item.path.name in LOCAL_SITE_FILES else item.nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    def order(item):
        group = xdist_group(item)
        rank = LONGEST_GROUPS.index(group) if group in LONGEST_GROUPS else len(LONGEST_GROUPS)
        within = LOCAL_SITE_FILES.index(item.path.name) if item.path.name in LOCAL_SITE_FILES else 0
        return (rank, "integration" not in item.path.parts, within)

    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group(item)))
    # The sort is stable: within a file, and among the other files, the order stays as collected; unit tests last.
    items.sort(key=order)


@dataclass
class LocalSite:
    """inventories/local after one site.yml run: `first` is that run; `play()` runs more playbooks against it."""
    emulator: Emulator
    work_dir: str
    reports_dir: str
    env: dict
    first: object = None

    @property
    def extra_vars(self) -> dict:
        return {"terraform_stack_work_dir": self.work_dir}

    def play(self, *playbooks_and_args, timeout=1800, env=None, **extra_vars):
        return run_playbook(playbooks_and_args[0], *playbooks_and_args[1:], aws_port=self.emulator.port, timeout=timeout,
                            env={**self.env, **(env or {})}, extra_vars={**self.extra_vars, **extra_vars})


@pytest.fixture(scope="session")
def local_site(emulator, postgres, state_root, provider_mirror):
    """The local environment converged by playbooks/site.yml, once per session (see LOCAL_SITE_FILES)."""
    emulator.reset()
    work = state_root / "local-site"
    site = LocalSite(emulator=emulator, work_dir=str(work / "terraform"), reports_dir=str(work / "reports"),
                     env={"SHIPYARD_STATE_DIR": str(state_root), "SHIPYARD_REPORTS_DIR": str(work / "reports")})
    site.first = site.play("playbooks/site.yml", "-vvv")  # test_site.py greps it for secrets
    return site


@pytest.fixture
def local_services(boto):
    """The local inventory's ECS cluster with its web and api services (scheduling.py)."""
    return scheduling.create_services(boto)
