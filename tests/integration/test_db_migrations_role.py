"""Role db_migrations and playbooks/migrate.yml: on the local environment (its PostgreSQL reached directly, the
database created by infra.yml), and through a tunnel (the stand-in plugin, see tunnels.py) to the test PostgreSQL."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest

from helpers import BIN, REPO_ROOT, run_playbook
from tunnels import CLUSTER, PARAMETERS, SERVICE, create_service, put_database_parameters, search_path

PLAYBOOK = "playbooks/migrate.yml"
MIGRATE_TASK = "Apply the pending migrations"
EXAMPLES = REPO_ROOT / "examples" / "bookmark-manager" / "prisma" / "migrations"
EXAMPLE_NAMES = ["20260101000000_create_users", "20260102000000_create_bookmarks", "20260103000000_bookmark_user_index"]

ALEMBIC = Path(__file__).parent / "fixtures" / "alembic"
LOCAL_DATABASE = {"dbname": "bookmarks_migrate_local", "user": "bookmark_migrator", "password": "local-migrator-pw-3d9a"}


def read_back(host: str, port: int, database: dict) -> tuple[list[str], list[tuple]]:
    """(the tables of schema public, the history rows: name, finished, rolled back) read as the database's user."""
    with psycopg.connect(host=host, port=port, user=database["user"], password=database["password"],
                         dbname=database["dbname"], connect_timeout=5) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").fetchall()]
        rows = []
        if "_prisma_migrations" in tables:
            rows = connection.execute(
                "SELECT migration_name, finished_at IS NOT NULL, rolled_back_at IS NOT NULL FROM _prisma_migrations"
                " ORDER BY started_at, migration_name").fetchall()
    return tables, rows


def summary(run) -> list[str]:
    return run.result_of("Summary, a line per migration")["msg"]


# --- the local environment: direct mode, the database infra.yml creates ------------------------------------------


@pytest.fixture
def local_environment(aws, boto, postgres, state_root, tmp_path):
    """What the database component leaves on the emulator (connection parameters, RDS's managed secret), and the
    database infra.yml creates from them in the local PostgreSQL; dropped afterwards."""
    secret = boto("secretsmanager").create_secret(
        Name="rds!db-local-migrate",
        SecretString=json.dumps({"username": LOCAL_DATABASE["user"], "password": LOCAL_DATABASE["password"]}))["ARN"]
    for name, value in (("DB_HOST", "bookmark-manager-local.emulated.rds.amazonaws.com"), ("DB_PORT", "5432"),
                        ("DB_NAME", LOCAL_DATABASE["dbname"]), ("DB_USER", LOCAL_DATABASE["user"]),
                        ("DB_SECRET_ARN", secret)):
        boto("ssm").put_parameter(Name=f"/bookmark-manager/local/{name}", Value=value, Type="String")
    env = {"SHIPYARD_STATE_DIR": str(state_root)}
    try:
        infra = run_playbook("playbooks/infra.yml", aws_port=aws.port, env=env,
                             extra_vars={"terraform_stack_components": [], "terraform_stack_work_dir": str(tmp_path)})
        assert infra.rc == 0, infra.output[-3000:]
        yield env
    finally:
        with psycopg.connect(postgres.admin_conninfo(), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {LOCAL_DATABASE['dbname']} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {LOCAL_DATABASE['user']}")


def test_on_the_local_environment_migrate_yml_applies_the_example_migrations_once(aws, local_environment, postgres):
    run = run_playbook(PLAYBOOK, aws_port=aws.port, env=local_environment)

    assert run.rc == 0, run.output[-3000:]
    record = postgres.record()
    tables, rows = read_back(record["host"], record["port"], LOCAL_DATABASE)
    assert tables == ["Bookmark", "User", "_prisma_migrations"]
    assert rows == [(name, True, False) for name in EXAMPLE_NAMES]
    result = run.fact("db_migrations_result")
    assert [entry["name"] for entry in result["applied"]] == EXAMPLE_NAMES
    assert (result["pending"], result["current"]) == ([], EXAMPLE_NAMES[-1])
    lines = summary(run)
    assert [line.split(" (")[0] for line in lines[:-1]] == [f"applied {name}" for name in EXAMPLE_NAMES]
    assert lines[-1] == f"current: {EXAMPLE_NAMES[-1]}"
    assert aws.ssm_sessions() == [], "direct mode opens no tunnel"

    again = run_playbook(PLAYBOOK, aws_port=aws.port, env=local_environment)

    assert again.rc == 0 and again.stats["changed"] == 0, again.output[-3000:]
    assert again.fact("db_migrations_result")["applied"] == []
    assert summary(again) == ["nothing to apply", f"current: {EXAMPLE_NAMES[-1]}"]
    assert read_back(record["host"], record["port"], LOCAL_DATABASE)[1] == rows


def test_on_the_local_environment_check_mode_lists_the_pending_migrations_and_creates_nothing(
        aws, local_environment, postgres):
    run = run_playbook(PLAYBOOK, "--check", aws_port=aws.port, env=local_environment)

    assert run.rc == 0, run.output[-3000:]
    assert run.fact("db_migrations_result") == {"applied": [], "pending": EXAMPLE_NAMES, "current": None}
    assert summary(run) == [f"would apply {name}" for name in EXAMPLE_NAMES] + ["current: none"]
    record = postgres.record()
    assert read_back(record["host"], record["port"], LOCAL_DATABASE) == ([], [])


# --- through a tunnel -----------------------------------------------------------------------------------------


@pytest.fixture
def tunnel_environment(aws, boto, postgres, app_database, tunnel_dir):
    """An environment whose parameters lead, through the ECS service and the stand-in plugin, to a fresh database
    of the test PostgreSQL owned by the app role, its password in an RDS-style secret. Returns the role variables."""
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.admin_conninfo(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER {app_database["user"]}')
    put_database_parameters(boto, app_database["host"], app_database["port"])
    credentials = {"username": app_database["user"], "password": app_database["password"]}
    secret = boto("secretsmanager").create_secret(Name="rds!db-shop", SecretString=json.dumps(credentials))["ARN"]
    for parameter, value in (("DB_NAME", name), ("DB_USER", app_database["user"]), ("DB_SECRET_ARN", secret)):
        boto("ssm").put_parameter(Name=f"{PARAMETERS}{parameter}", Value=value, Type="String")
    create_service(boto)
    try:
        yield {"db_tunnel_mode": "tunnel", "db_tunnel_remote_host": "", "db_tunnel_remote_port": 0,
               "db_tunnel_ecs_cluster": CLUSTER, "db_tunnel_ecs_service": SERVICE, "db_tunnel_parameter_path": PARAMETERS,
               "db_tunnel_state_dir": str(tunnel_dir), "db_tunnel_name": "shop-db",
               "database": {**app_database, "dbname": name}}
    finally:
        with psycopg.connect(postgres.admin_conninfo(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def through_tunnel(aws, environment: dict, *args: str, json_report: bool = True, **extra):
    role_vars = {key: value for key, value in environment.items() if key.startswith("db_tunnel_")}
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, env={"PATH": search_path()}, json_report=json_report,
                        extra_vars={**role_vars, **extra})


def migrations_folder(tmp_path: Path, *migrations: tuple[str, str]) -> Path:
    folder = tmp_path / "migrations"
    for name, sql in migrations:
        (folder / name).mkdir(parents=True)
        (folder / name / "migration.sql").write_text(sql)
    return folder


def test_through_a_tunnel_the_migrations_are_applied_and_the_tunnel_is_closed(aws, tunnel_environment, tunnel_dir):
    run = through_tunnel(aws, tunnel_environment, db_migrations_path=str(EXAMPLES))

    assert run.rc == 0, run.output[-3000:]
    database = tunnel_environment["database"]
    assert read_back(database["host"], database["port"], database)[1] == [(name, True, False) for name in EXAMPLE_NAMES]
    assert run.result_of(MIGRATE_TASK)["applied"][0]["name"] == EXAMPLE_NAMES[0]
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]
    assert list(tunnel_dir.glob("*.json")) == []


def test_a_failing_migration_fails_the_run_naming_it_and_the_tunnel_is_closed(
        aws, tunnel_environment, tunnel_dir, tmp_path):
    folder = migrations_folder(tmp_path, ("20260101000000_first", "CREATE TABLE first_done (id int);\n"),
                               ("20260102000000_broken", "ALTER TABLE nowhere ADD COLUMN x int;\n"),
                               ("20260103000000_after", "CREATE TABLE after_broken (id int);\n"))

    run = through_tunnel(aws, tunnel_environment, db_migrations_path=str(folder))

    message = run.failure_message()
    assert "The migration 20260102000000_broken failed" in message and "nowhere" in message, message
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]
    assert list(tunnel_dir.glob("*.json")) == []
    database = tunnel_environment["database"]
    tables, rows = read_back(database["host"], database["port"], database)
    assert rows == [("20260101000000_first", True, False), ("20260102000000_broken", False, False)]
    assert "first_done" in tables and "after_broken" not in tables


def test_through_a_tunnel_check_mode_opens_it_lists_the_pending_migrations_and_closes_it(
        aws, tunnel_environment, tunnel_dir):
    run = through_tunnel(aws, tunnel_environment, "--check", db_migrations_path=str(EXAMPLES))

    assert run.rc == 0, run.output[-3000:]
    assert run.fact("db_migrations_result")["pending"] == EXAMPLE_NAMES
    database = tunnel_environment["database"]
    assert read_back(database["host"], database["port"], database) == ([], [])
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"], "opened for real, and closed"
    assert list(tunnel_dir.glob("*.json")) == []


def test_a_missing_migrations_folder_fails_before_any_aws_call(aws, tunnel_environment, tmp_path):
    aws.clear_requests()

    run = through_tunnel(aws, tunnel_environment, db_migrations_path=str(tmp_path / "no-such-folder"))

    message = run.failure_message()
    assert f"The migrations folder {tmp_path / 'no-such-folder'} does not exist" in message
    assert "Set db_migrations_path" in message
    assert aws.requests() == []
    assert aws.ssm_sessions() == []


def test_missing_database_parameters_fail_naming_them_and_the_tunnel_is_closed(
        aws, boto, tunnel_environment, tunnel_dir):
    boto("ssm").delete_parameter(Name=f"{PARAMETERS}DB_SECRET_ARN")

    run = through_tunnel(aws, tunnel_environment, db_migrations_path=str(EXAMPLES))

    message = run.failure_message()
    assert f"DB_NAME, DB_USER and DB_SECRET_ARN under {PARAMETERS}" in message and "secret ''" in message
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]
    assert list(tunnel_dir.glob("*.json")) == []


def test_resolved_without_the_migration_to_resolve_fails_before_any_aws_call(aws, tunnel_environment):
    aws.clear_requests()

    run = through_tunnel(aws, tunnel_environment, db_migrations_path=str(EXAMPLES), db_migrations_state="resolved")

    assert "needs db_migrations_resolve" in run.failure_message()
    assert aws.requests() == []


def test_a_failed_migration_resolved_as_rolled_back_runs_again(aws, tunnel_environment, tmp_path):
    folder = migrations_folder(tmp_path, ("20260101000000_first", "CREATE TABLE first_done (id int);\n"),
                               ("20260102000000_broken", "ALTER TABLE nowhere ADD COLUMN x int;\n"))
    assert through_tunnel(aws, tunnel_environment, db_migrations_path=str(folder)).rc != 0
    (folder / "20260102000000_broken" / "migration.sql").write_text("CREATE TABLE fixed (id int);\n")

    resolved = through_tunnel(aws, tunnel_environment, db_migrations_path=str(folder), db_migrations_state="resolved",
                              db_migrations_resolve="rolled_back", db_migrations_migration="20260102000000_broken")
    assert resolved.rc == 0, resolved.output[-3000:]
    assert summary(resolved)[0] == "20260102000000_broken resolved as rolled_back"
    again = through_tunnel(aws, tunnel_environment, db_migrations_path=str(folder))

    assert again.rc == 0, again.output[-3000:]
    assert [entry["name"] for entry in again.fact("db_migrations_result")["applied"]] == ["20260102000000_broken"]


def test_the_password_never_reaches_the_output_even_at_vvv(aws, tunnel_environment):
    run = through_tunnel(aws, tunnel_environment, "-vvv", json_report=False, db_migrations_path=str(EXAMPLES))

    assert run.rc == 0, run.output[-3000:]
    password = tunnel_environment["database"]["password"]
    assert password not in run.output
    values = re.findall(r"""["']?password["']?\s*[:=]\s*["']?([^"',\s}]*)""", run.output, re.IGNORECASE)
    assert values, "the module's arguments are printed at -vvv, the password among them (masked)"
    assert set(values) <= {"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", "null", "None", "********", ""}, set(values)


# --- the other runners -------------------------------------------------------------------------------------------


def test_runner_command_runs_the_tool_through_the_tunnel_with_the_connection_in_database_url(
        aws, tunnel_environment, tunnel_dir, tmp_path):
    project = tmp_path / "alembic"
    shutil.copytree(ALEMBIC, project)

    run = through_tunnel(aws, tunnel_environment, "-v", db_migrations_runner="command",
                         db_migrations_command=[str(BIN / "alembic"), "upgrade", "head"], db_migrations_chdir=str(project),
                         db_migrations_history_table="alembic_version")

    assert run.rc == 0, run.output[-3000:]
    database = tunnel_environment["database"]
    assert read_back(database["host"], database["port"], database)[0] == ["accounts", "alembic_version"]
    result = run.result_of(MIGRATE_TASK)
    assert result["changed"] is True and result["rc"] == 0
    assert summary(run)[0].endswith("and changed the database")
    assert [s["Status"] for s in aws.ssm_sessions()] == ["Terminated"]
    assert list(tunnel_dir.glob("*.json")) == []
    assert database["password"] not in run.output


def test_runner_ecs_task_runs_the_command_in_a_task_of_the_service_and_opens_no_tunnel(aws, boto):
    create_service(boto)
    aws.plan_task_run(exit_code=0, logs=["All migrations have been successfully applied."])

    run = run_playbook(PLAYBOOK, aws_port=aws.port, extra_vars={
        "db_migrations_runner": "ecs_task", "db_migrations_command": ["npx", "prisma", "migrate", "deploy"],
        "db_migrations_ecs_cluster": CLUSTER, "db_migrations_ecs_service": SERVICE})

    assert run.rc == 0, run.output[-3000:]
    result = run.result_of("Run the migration command in a task of the service")
    assert (result["changed"], result["exit_code"]) == (True, 0)
    assert summary(run)[0] == f"task {result['task_arn']} exited 0 after {result['seconds']} s; its last log lines:"
    assert aws.ssm_sessions() == []
    assert "StartSession" not in {request["operation"] for request in aws.requests()}


def test_resolving_with_another_runner_fails_before_any_aws_call(aws, tunnel_environment):
    aws.clear_requests()

    run = through_tunnel(aws, tunnel_environment, db_migrations_runner="command", db_migrations_command=["true"],
                         db_migrations_state="resolved", db_migrations_resolve="rolled_back",
                         db_migrations_migration=EXAMPLE_NAMES[0])

    assert "resolve it with the tool itself (Prisma: prisma migrate resolve)" in run.failure_message()
    assert aws.requests() == []
