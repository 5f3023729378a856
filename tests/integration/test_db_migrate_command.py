"""Module shipyard.aws.db_migrate, runner `command`: a third-party migration tool (alembic, installed from PyPI with
the tests, against the real local PostgreSQL) run with the connection in DATABASE_URL.

The tool's project is tests/integration/fixtures/alembic, copied for each test; its env.py reads DATABASE_URL.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from databases import dsn, history, owned_by_app_role, query, table_exists
from helpers import BIN, REPO_ROOT, run_playbook
from localenv.postgres import bin_dir
from test_db_migrate import EXAMPLES, EXAMPLE_NAMES, PLAYBOOK, succeeded

ALEMBIC = Path(__file__).parent / "fixtures" / "alembic"
UPGRADE = [str(BIN / "alembic"), "upgrade", "head"]


@pytest.fixture
def project(tmp_path):
    """A copy of the alembic project the test may add revisions to."""
    path = tmp_path / "alembic"
    shutil.copytree(ALEMBIC, path)
    return path


def run_tool(postgres, db: str, project: Path, *args: str, **options):
    """The module with runner command (alembic upgrade head unless told otherwise), over the superuser's socket unless
    the test gives a host."""
    connection = {} if "host" in options else {"dsn": dsn(postgres, db)}
    options = {"runner": "command", "command": UPGRADE, "chdir": str(project), **connection, **options}
    return run_playbook(PLAYBOOK, *args, extra_vars={"migrate": options})


def alembic_version(postgres, database: str) -> list:
    return [row[0] for row in query(postgres, database, "SELECT version_num FROM alembic_version")]


def columns(postgres, database: str, table: str) -> list:
    return [row[0] for row in query(postgres, database, "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                                    " ORDER BY ordinal_position", (table,))]


def add_revision(project: Path, revision: str, down: str, upgrade_sql: str) -> None:
    (project / "versions" / f"{revision}_added.py").write_text(
        f'"""added by the test"""\n\nfrom alembic import op\n\nrevision = "{revision}"\ndown_revision = "{down}"\n\n\n'
        f"def upgrade():\n    op.execute({upgrade_sql!r})\n\n\ndef downgrade():\n    pass\n")


def test_the_tool_migrates_the_database_in_database_url_and_the_history_table_says_it_changed(postgres, database, project):
    result = succeeded(run_tool(postgres, database, project, history_table="alembic_version"))

    assert result["changed"] is True
    assert result["rc"] == 0
    assert "Running upgrade  -> 0001, create accounts" in result["stdout"]
    assert "Running upgrade 0001 -> 0002, add account email" in result["stdout"]
    assert alembic_version(postgres, database) == ["0002"]
    assert columns(postgres, database, "accounts") == ["id", "name", "email"]


def test_a_second_run_is_unchanged_because_the_history_table_is(postgres, database, project):
    succeeded(run_tool(postgres, database, project, history_table="alembic_version"))

    second = succeeded(run_tool(postgres, database, project, history_table="alembic_version"))

    assert second["changed"] is False
    assert second["rc"] == 0
    assert alembic_version(postgres, database) == ["0002"]


def test_a_new_revision_changes_the_history_table_in_place(postgres, database, project):
    """alembic_version keeps one row and updates it: the row count alone would not show the change."""
    succeeded(run_tool(postgres, database, project, history_table="alembic_version"))
    add_revision(project, "0003", "0002", "CREATE INDEX accounts_email ON accounts (email)")

    third = succeeded(run_tool(postgres, database, project, history_table="alembic_version"))

    assert third["changed"] is True
    assert alembic_version(postgres, database) == ["0003"]


def test_without_a_history_table_changed_follows_changed_when_regex(postgres, database, project):
    first = succeeded(run_tool(postgres, database, project, changed_when_regex="Running upgrade"))
    second = succeeded(run_tool(postgres, database, project, changed_when_regex="Running upgrade"))

    assert (first["changed"], second["changed"]) == (True, False)


def test_a_failing_tool_fails_the_task_with_its_last_lines(postgres, database, project):
    succeeded(run_tool(postgres, database, project, history_table="alembic_version"))
    add_revision(project, "0003", "0002", "ALTER TABLE nowhere ADD COLUMN x int")

    run = run_tool(postgres, database, project, history_table="alembic_version")

    message = run.failure_message()
    assert "failed with exit code 1" in message
    assert 'relation "nowhere" does not exist' in message
    assert alembic_version(postgres, database) == ["0002"]


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # ended meanwhile
    return found


def test_a_tool_running_past_the_timeout_is_stopped_with_its_children(postgres, database, tmp_path):
    marker = f"shipyard-timeout-{tmp_path.name}"
    command = ["sh", "-c", f"echo started; {sys.executable} -c 'import time; time.sleep(60)  # {marker}'; echo done"]

    run = run_tool(postgres, database, tmp_path, command=command, timeout=2)

    message = run.failure_message()
    assert "did not finish within 2 s (timeout) and was stopped" in message
    assert "started" in message
    assert processes_mentioning(marker) == []


def test_the_database_url_and_password_never_reach_the_output(postgres, database, project, app_database):
    owned_by_app_role(postgres, database, app_database)
    password = app_database["password"]
    command = ["sh", "-c", 'echo "the url is $DATABASE_URL"; echo "the password is $PGPASS_FROM_ENV"']

    run = run_tool(postgres, database, project, "-vvv", command=command, host=app_database["host"],
                   port=app_database["port"], database=database, user=app_database["user"], password=password,
                   env={"PGPASS_FROM_ENV": password})

    result = succeeded(run)
    assert "the url is ********" in result["stdout_lines"]
    assert "the password is ********" in result["stdout_lines"]
    assert password not in run.output
    assert f"{app_database['user']}:" not in run.output


def test_a_unix_socket_connection_reaches_the_tool_as_a_uri_with_a_host_parameter(postgres, database, project):
    result = succeeded(run_tool(postgres, database, project, command=["sh", "-c", 'psql "$DATABASE_URL" -XAtc "SELECT current_database()"'],
                                env={"PATH": f"{bin_dir()}:/usr/bin:/bin"}))

    assert result["stdout_lines"] == [database]


def test_with_prisma_history_the_result_names_what_the_tool_applied(postgres, database, tmp_path):
    """The tool here is db_migrate's own sql runner started through ansible-playbook, because it writes
    _prisma_migrations exactly as Prisma does (test_db_migrate.py proves that) and Prisma's engines cannot be
    downloaded on this machine."""
    succeeded(run_playbook(PLAYBOOK, extra_vars={"migrate": {"migrations": str(EXAMPLES), "dsn": dsn(postgres, database)}}))
    folder = tmp_path / "migrations"
    shutil.copytree(EXAMPLES, folder)
    (folder / "20260104000000_tags").mkdir()
    (folder / "20260104000000_tags" / "migration.sql").write_text("CREATE TABLE tags (id int);\n")
    # In a file, so that the outer run does not render the template meant for the inner one.
    inner_vars = tmp_path / "inner.json"
    inner_vars.write_text(json.dumps({"migrate": {"migrations": str(folder), "dsn": "{{ lookup('env', 'DATABASE_URL') }}"}}))
    tool = [str(BIN / "ansible-playbook"), "-i", "inventories/local", PLAYBOOK, "-e", f"@{inner_vars}"]

    checked = succeeded(run_tool(postgres, database, REPO_ROOT, "--check", command=tool, migrations=str(folder),
                                 history_table="_prisma_migrations"))
    result = succeeded(run_tool(postgres, database, REPO_ROOT, command=tool, migrations=str(folder), history_table="_prisma_migrations"))

    assert checked["changed"] is True and checked["pending"] == ["20260104000000_tags"]
    assert "rc" not in checked  # check mode does not run the tool
    assert result["changed"] is True
    assert [entry["name"] for entry in result["applied"]] == ["20260104000000_tags"]
    assert result["pending"] == [] and result["current"] == "20260104000000_tags"
    assert [row["migration_name"] for row in history(postgres, database)] == EXAMPLE_NAMES + ["20260104000000_tags"]


def test_check_mode_does_not_run_the_tool(postgres, database, project):
    result = succeeded(run_tool(postgres, database, project, "--check", history_table="alembic_version"))

    assert result["changed"] is False
    assert "not run in check mode" in result["msg"]
    assert not table_exists(postgres, database, "alembic_version")
    assert not table_exists(postgres, database, "accounts")


def test_a_tool_that_is_not_installed_is_named(postgres, database, project):
    run = run_tool(postgres, database, project, command=["prisma-that-is-not-installed", "migrate", "deploy"])

    assert "The command 'prisma-that-is-not-installed' was not found on the host running the module" in run.failure_message()
