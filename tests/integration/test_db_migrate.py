"""Module shipyard.aws.db_migrate (runner: sql) through ansible-playbook, against the real local PostgreSQL.

Each test gets a database of its own, created through the superuser's Unix socket; the module connects as the
superuser over that socket (or as the app_database role over TCP with a password) and the test reads back what it
did with psycopg.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from helpers import BIN, REPO_ROOT, ansible_env, json_reports, PlaybookRun, run_playbook
from databases import admin, create_database, dsn, history, owned_by_app_role, query, table_exists
from relay import Relay

PLAYBOOK = "tests/integration/playbooks/db_migrate.yml"
TASK = "Migrate"
EXAMPLES = REPO_ROOT / "examples" / "bookmark-manager" / "prisma" / "migrations"
PRISMA_DDL = Path(__file__).parent / "fixtures" / "prisma_migrations.sql"
EXAMPLE_NAMES = ["20260101000000_create_users", "20260102000000_create_bookmarks", "20260103000000_bookmark_user_index"]


@pytest.fixture
def folder(tmp_path):
    """A copy of the example migrations the test may change."""
    path = tmp_path / "migrations"
    shutil.copytree(EXAMPLES, path)
    return path


def migrate(postgres, database: str, migrations: Path, *args: str, **options) -> PlaybookRun:
    options = {"migrations": str(migrations), "dsn": dsn(postgres, database), **options}
    return run_playbook(PLAYBOOK, *args, extra_vars={"migrate": options})


def succeeded(run: PlaybookRun) -> dict:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)


def add_migration(migrations: Path, name: str, sql: str) -> Path:
    (migrations / name).mkdir()
    path = migrations / name / "migration.sql"
    path.write_text(sql)
    return path


def test_the_example_migrations_are_applied_in_order_and_recorded_as_prisma_does(postgres, database):
    result = succeeded(migrate(postgres, database, EXAMPLES))

    assert result["changed"] is True
    assert [entry["name"] for entry in result["applied"]] == EXAMPLE_NAMES
    assert all(entry["seconds"] >= 0 for entry in result["applied"])
    assert result["pending"] == []
    assert result["current"] == EXAMPLE_NAMES[-1]
    rows = history(postgres, database)
    assert [row["migration_name"] for row in rows] == EXAMPLE_NAMES
    for row in rows:
        script = (EXAMPLES / row["migration_name"] / "migration.sql").read_bytes()
        assert row["checksum"] == hashlib.sha256(script).hexdigest()
        assert row["finished_at"] is not None and row["rolled_back_at"] is None and row["logs"] is None
        assert row["applied_steps_count"] == 1
    assert query(postgres, database, "SELECT indexname FROM pg_indexes WHERE tablename = 'Bookmark' ORDER BY 1") == \
        [("Bookmark_pkey",), ("Bookmark_userId_createdAt_idx",)]


def test_a_second_run_has_nothing_to_do(postgres, database):
    succeeded(migrate(postgres, database, EXAMPLES))

    result = succeeded(migrate(postgres, database, EXAMPLES))

    assert result["changed"] is False
    assert result["applied"] == []
    assert result["current"] == EXAMPLE_NAMES[-1]
    assert len(history(postgres, database)) == 3


def test_check_mode_lists_pending_migrations_and_writes_nothing(postgres, database):
    result = succeeded(migrate(postgres, database, EXAMPLES, "--check", "--diff"))

    assert result["changed"] is True
    assert result["pending"] == EXAMPLE_NAMES
    assert result["applied"] == []
    assert result["current"] is None
    assert result["diff"] == {"before": {"applied": []}, "after": {"applied": EXAMPLE_NAMES}}
    assert not table_exists(postgres, database, "_prisma_migrations")
    assert not table_exists(postgres, database, '"User"')


def test_diff_shows_the_applied_migrations_before_and_after(postgres, database, folder):
    shutil.rmtree(folder / EXAMPLE_NAMES[-1])
    succeeded(migrate(postgres, database, folder))
    shutil.copytree(EXAMPLES / EXAMPLE_NAMES[-1], folder / EXAMPLE_NAMES[-1])

    result = succeeded(migrate(postgres, database, folder, "--diff"))

    assert result["diff"] == {"before": {"applied": EXAMPLE_NAMES[:2]}, "after": {"applied": EXAMPLE_NAMES}}


def test_the_app_role_can_migrate_over_tcp_with_a_password(postgres, database, app_database):
    owned_by_app_role(postgres, database, app_database)

    result = succeeded(run_playbook(PLAYBOOK, extra_vars={"migrate": {
        "migrations": str(EXAMPLES), "host": app_database["host"], "port": app_database["port"], "database": database,
        "user": app_database["user"], "password": app_database["password"]}}))

    assert [entry["name"] for entry in result["applied"]] == EXAMPLE_NAMES
    assert query(postgres, database, "SELECT tableowner FROM pg_tables WHERE tablename = '_prisma_migrations'") == \
        [(app_database["user"],)]


def start_migrate(postgres, database: str, migrations: Path, connection: dict | None = None) -> subprocess.Popen:
    """ansible-playbook running the module in a process of its own (by default over the superuser's socket)."""
    options = {"migrations": str(migrations), **(connection or {"dsn": dsn(postgres, database)})}
    command = [str(BIN / "ansible-playbook"), "-i", "inventories/local", PLAYBOOK, "-e", json.dumps({"migrate": options})]
    env = ansible_env(extra={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # noqa: S603
                            stdin=subprocess.DEVNULL, text=True)


def finished(process: subprocess.Popen) -> PlaybookRun:
    stdout, stderr = process.communicate(timeout=300)
    return PlaybookRun(process.returncode, stdout, stderr, json_reports(stdout))


def module_sessions(postgres, database: str, running: str = "") -> list[int]:
    """The backend pids of the module's sessions on the database (optionally: running a query containing ``running``)."""
    rows = query(postgres, "postgres", "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s"
                 " AND query LIKE %s", (database, "shipyard.aws db_migrate", f"%{running}%"))
    return [row[0] for row in rows]


def wait_for_sessions(postgres, database: str, count: int, running: str = "") -> list[int]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pids = module_sessions(postgres, database, running)
        if len(pids) >= count:
            return pids
        time.sleep(0.2)
    raise AssertionError(f"{count} db_migrate session(s) never showed up on {database}")


def test_two_concurrent_runs_apply_each_migration_exactly_once(postgres, database, folder):
    add_migration(folder, "20260104000000_slow", "SELECT pg_sleep(2);\nCREATE TABLE slow_done (id int);\n")
    with admin(postgres, database) as gate:
        # Both runs start while the test holds the lock, so both are provably waiting at the same moment.
        gate.execute("SELECT pg_advisory_lock(72707369)")
        processes = [start_migrate(postgres, database, folder) for unused in range(2)]
        wait_for_sessions(postgres, database, 2)
        gate.execute("SELECT pg_advisory_unlock(72707369)")
        runs = [finished(process) for process in processes]

    results = [succeeded(run) for run in runs]
    applied = sorted((entry["name"] for result in results for entry in result["applied"]))
    assert applied == sorted(EXAMPLE_NAMES + ["20260104000000_slow"])
    first, second = sorted(results, key=lambda result: result["lock_wait_seconds"])
    assert first["changed"] is True and second["changed"] is False
    assert second["applied"] == [] and second["pending"] == []
    # The second waited for the first run's migrations, the 2 s pg_sleep among them.
    assert second["lock_wait_seconds"] >= first["lock_wait_seconds"] + 2
    assert [row["migration_name"] for row in history(postgres, database)] == EXAMPLE_NAMES + ["20260104000000_slow"]


def test_a_migration_whose_connection_is_terminated_is_not_half_applied_and_the_next_run_says_so(postgres, database, folder):
    add_migration(folder, "20260104000000_long", "CREATE TABLE half_done (id int);\nSELECT pg_sleep(60);\nCREATE TABLE never (id int);\n")
    process = start_migrate(postgres, database, folder)
    pid = wait_for_sessions(postgres, database, 1, running="pg_sleep")[0]
    query(postgres, "postgres", "SELECT pg_terminate_backend(%s)", (pid,))
    run = finished(process)

    message = run.failure_message()
    assert "connection to PostgreSQL was lost while the migration 20260104000000_long ran" in message
    assert "none of it is applied" in message
    assert not table_exists(postgres, database, "half_done")
    rows = {row["migration_name"]: row for row in history(postgres, database)}
    assert all(rows[name]["finished_at"] is not None for name in EXAMPLE_NAMES)
    long_row = rows["20260104000000_long"]
    assert long_row["finished_at"] is None and long_row["rolled_back_at"] is None
    assert long_row["logs"].startswith("The connection was lost while it ran: ")
    assert "terminating connection due to administrator command" in long_row["logs"]

    next_run = migrate(postgres, database, folder)

    refusal = next_run.failure_message()
    assert "The migration 20260104000000_long did not finish in an earlier run" in refusal
    assert "none of it is applied" in refusal
    assert "resolve: rolled_back, migration: 20260104000000_long" in refusal


def test_a_tunnel_dying_mid_migration_leaves_nothing_applied_and_the_next_run_says_so(postgres, database, folder, app_database):
    add_migration(folder, "20260104000000_long", "CREATE TABLE half_done (id int);\nSELECT pg_sleep(3);\nCREATE TABLE never (id int);\n")
    owned_by_app_role(postgres, database, app_database)
    tunnel = Relay(app_database["port"])
    process = start_migrate(postgres, database, folder, {"host": "127.0.0.1", "port": tunnel.port, "database": database,
                                                         "user": app_database["user"], "password": app_database["password"]})
    wait_for_sessions(postgres, database, 1, running="pg_sleep")
    tunnel.cut()
    run = finished(process)

    message = run.failure_message()
    assert "connection to PostgreSQL was lost while the migration 20260104000000_long ran" in message
    assert "none of it is applied" in message

    # The server sees the client gone once pg_sleep ends; until then that session holds the lock, and this run waits for it.
    next_run = migrate(postgres, database, folder)

    refusal = next_run.failure_message()
    assert "The migration 20260104000000_long did not finish in an earlier run" in refusal
    assert "lost its connection or was stopped" in refusal
    assert "none of it is applied" in refusal
    assert not table_exists(postgres, database, "half_done")
    assert not table_exists(postgres, database, "never")
    long_row = {row["migration_name"]: row for row in history(postgres, database)}["20260104000000_long"]
    assert long_row["finished_at"] is None and long_row["logs"] is None  # nobody could reach the server to write them


def test_a_run_waiting_longer_than_lock_timeout_names_who_holds_the_lock(postgres, database):
    with admin(postgres, database) as holder:
        holder.execute("SET application_name = 'someone else migrating'")
        holder.execute("SELECT pg_advisory_lock(72707369)")

        run = migrate(postgres, database, EXAMPLES, lock_timeout=1)

        message = run.failure_message()
        pid = holder.info.backend_pid
    assert f"pid {pid}" in message
    assert "someone else migrating" in message
    assert not table_exists(postgres, database, "_prisma_migrations")


def test_a_failing_migration_is_recorded_stops_the_run_and_blocks_the_next_until_resolved(postgres, database, folder):
    broken = add_migration(folder, "20260104000000_broken", "CREATE TABLE tags (id int);\nALTER TABLE nowhere ADD COLUMN x int;\n")
    add_migration(folder, "20260105000000_after", "CREATE TABLE after_broken (id int);\n")

    first = migrate(postgres, database, folder)

    message = first.failure_message()
    assert "20260104000000_broken" in message and 'relation "nowhere" does not exist' in message
    rows = {row["migration_name"]: row for row in history(postgres, database)}
    assert rows["20260104000000_broken"]["finished_at"] is None
    assert rows["20260104000000_broken"]["rolled_back_at"] is None
    assert 'relation "nowhere" does not exist' in rows["20260104000000_broken"]["logs"]
    assert "20260105000000_after" not in rows
    assert not table_exists(postgres, database, "tags")  # the migration's own transaction was rolled back

    refused = migrate(postgres, database, folder).failure_message()
    assert "20260104000000_broken" in refused
    assert "state: resolved" in refused and "resolve: rolled_back" in refused and "migration: 20260104000000_broken" in refused

    resolved = succeeded(migrate(postgres, database, folder, state="resolved", resolve="rolled_back", migration="20260104000000_broken"))
    assert resolved["changed"] is True
    broken.write_text("CREATE TABLE tags (id int);\n")

    fixed = succeeded(migrate(postgres, database, folder))
    assert [entry["name"] for entry in fixed["applied"]] == ["20260104000000_broken", "20260105000000_after"]
    rows = [row for row in history(postgres, database) if row["migration_name"] == "20260104000000_broken"]
    assert [(row["finished_at"] is None, row["rolled_back_at"] is None) for row in rows] == [(True, False), (False, True)]


def test_resolving_a_failed_migration_as_applied_records_it_without_running_it(postgres, database, folder):
    add_migration(folder, "20260104000000_broken", "SELECT 1/0;\n")
    migrate(postgres, database, folder).failure_message()

    result = succeeded(migrate(postgres, database, folder, state="resolved", resolve="applied", migration="20260104000000_broken"))

    assert result["changed"] is True
    assert result["pending"] == []
    assert succeeded(migrate(postgres, database, folder))["changed"] is False


def test_a_changed_applied_migration_is_an_error_unless_allowed(postgres, database, folder):
    succeeded(migrate(postgres, database, folder))
    script = folder / EXAMPLE_NAMES[0] / "migration.sql"
    script.write_text(script.read_text() + "-- edited afterwards\n")

    message = migrate(postgres, database, folder).failure_message()
    assert EXAMPLE_NAMES[0] in message and "checksum" in message and "allow_checksum_mismatch" in message

    allowed = migrate(postgres, database, folder, allow_checksum_mismatch=True)
    assert succeeded(allowed)["changed"] is False
    assert "checksum" in allowed.output


def test_crlf_line_endings_do_not_count_as_a_change_as_in_prisma(postgres, database, folder):
    succeeded(migrate(postgres, database, folder))
    script = folder / EXAMPLE_NAMES[0] / "migration.sql"
    script.write_bytes(script.read_bytes().replace(b"\n", b"\r\n"))

    assert succeeded(migrate(postgres, database, folder))["changed"] is False


def test_a_no_transaction_migration_can_create_an_index_concurrently(postgres, database, folder):
    add_migration(folder, "20260104000000_concurrent_index",
                  "-- shipyard:no-transaction\nCREATE INDEX CONCURRENTLY \"User_name_idx\" ON \"User\"(\"name\");\n"
                  "CREATE INDEX CONCURRENTLY \"Bookmark_title_idx\" ON \"Bookmark\"(\"title\");\n")

    result = succeeded(migrate(postgres, database, folder))

    assert result["applied"][-1]["name"] == "20260104000000_concurrent_index"
    assert query(postgres, database, "SELECT count(*) FROM pg_indexes WHERE indexname IN ('User_name_idx', 'Bookmark_title_idx')") == [(2,)]


def test_the_history_table_has_the_columns_prisma_creates(postgres, database):
    succeeded(migrate(postgres, database, EXAMPLES))
    reference = create_database(postgres)
    try:
        with admin(postgres, reference) as connection:
            connection.execute(PRISMA_DDL.read_text())
        columns = ("SELECT column_name, data_type, character_maximum_length, is_nullable, column_default, ordinal_position"
                   " FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position")
        keys = ("SELECT tc.constraint_name, tc.constraint_type, kcu.column_name FROM information_schema.table_constraints tc"
                " JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)"
                " WHERE tc.table_name = '_prisma_migrations' ORDER BY 1, 3")
        assert query(postgres, database, columns) == query(postgres, reference, columns)
        assert query(postgres, database, keys) == query(postgres, reference, keys) == \
            [("_prisma_migrations_pkey", "PRIMARY KEY", "id")]
    finally:
        with admin(postgres) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{reference}" WITH (FORCE)')


def test_neither_the_password_nor_the_dsn_reaches_the_output(postgres, database, app_database):
    owned_by_app_role(postgres, database, app_database)
    secret_dsn = (f"host={app_database['host']} port={app_database['port']} dbname={database} "
                  f"user={app_database['user']} password={app_database['password']}")

    good = run_playbook(PLAYBOOK, "-vvv", extra_vars={"migrate": {"migrations": str(EXAMPLES), "dsn": secret_dsn}})
    bad = run_playbook(PLAYBOOK, "-vvv", extra_vars={"migrate": {
        "migrations": str(EXAMPLES), "host": app_database["host"], "port": app_database["port"], "database": database,
        "user": app_database["user"], "password": "wrong-" + app_database["password"]}})

    assert good.rc == 0, good.output[-3000:]
    assert "Cannot connect to PostgreSQL" in bad.failure_message()
    for run in (good, bad):
        assert app_database["password"] not in run.output
        assert secret_dsn not in run.output


def test_a_folder_for_another_provider_is_refused_naming_it(postgres, database, folder):
    (folder / "migration_lock.toml").write_text('provider = "mysql"\n')

    message = migrate(postgres, database, folder).failure_message()

    assert 'provider = "mysql"' in message and "PostgreSQL" in message


def test_the_host_and_password_can_come_from_ssm_and_secrets_manager(aws, boto, postgres, database, app_database):
    owned_by_app_role(postgres, database, app_database)
    boto("ssm").put_parameter(Name="/bookmark-manager/local/DB_HOST", Value=app_database["host"], Type="String", Overwrite=True)
    boto("secretsmanager").create_secret(Name=f"bookmark-manager/local/db-{database}", SecretString=json.dumps(
        {"username": app_database["user"], "password": app_database["password"]}))

    run = run_playbook(PLAYBOOK, "-vvv", aws_port=aws.port, extra_vars={"migrate": {
        "migrations": str(EXAMPLES), "host_parameter": "/bookmark-manager/local/DB_HOST", "port": app_database["port"],
        "database": database, "password_secret_id": f"bookmark-manager/local/db-{database}"}})

    assert [entry["name"] for entry in succeeded(run)["applied"]] == EXAMPLE_NAMES
    assert app_database["password"] not in run.output


def test_a_missing_secret_is_named(aws, postgres, database):
    message = run_playbook(PLAYBOOK, aws_port=aws.port, extra_vars={"migrate": {
        "migrations": str(EXAMPLES), "host": "127.0.0.1", "database": database, "user": "nobody",
        "password_secret_id": "bookmark-manager/local/no-such-secret"}}).failure_message()

    assert "bookmark-manager/local/no-such-secret" in message and "does not exist" in message


def test_a_malformed_dsn_is_refused_without_repeating_it(postgres, database):
    run = run_playbook(PLAYBOOK, "-vvv", extra_vars={"migrate": {
        "migrations": str(EXAMPLES), "dsn": "host=127.0.0.1 user=app password s3cret-token dbname=x"}})

    assert "not a valid libpq connection string" in run.failure_message()
    assert "s3cret-token" not in run.output


def test_the_password_inside_a_dsn_uri_is_masked(postgres, database, app_database):
    owned_by_app_role(postgres, database, app_database)
    uri = (f"postgresql://{app_database['user']}:{app_database['password']}@{app_database['host']}:{app_database['port']}"
           f"/{database}")

    run = run_playbook(PLAYBOOK, "-vvv", extra_vars={"migrate": {"migrations": str(EXAMPLES), "dsn": uri}})

    assert succeeded(run)["changed"] is True
    assert app_database["password"] not in run.output


def test_check_mode_on_a_migrated_database_lists_only_what_is_new(postgres, database, folder):
    succeeded(migrate(postgres, database, folder))
    add_migration(folder, "20260104000000_tags", "CREATE TABLE tags (id int);\n")

    result = succeeded(migrate(postgres, database, folder, "--check"))

    assert result["changed"] is True
    assert result["pending"] == ["20260104000000_tags"]
    assert result["current"] == EXAMPLE_NAMES[-1]
    assert len(history(postgres, database)) == 3
    assert not table_exists(postgres, database, "tags")


def test_flyway_style_files_are_applied_in_version_order(postgres, database, tmp_path):
    (tmp_path / "V2__add_bookmarks.sql").write_text("CREATE TABLE bookmarks (id int, user_id int REFERENCES users(id));\n")
    (tmp_path / "V1__create_users.sql").write_text("CREATE TABLE users (id int PRIMARY KEY);\n")
    (tmp_path / "V10__index.sql").write_text("CREATE INDEX bookmarks_user_idx ON bookmarks (user_id);\n")

    result = succeeded(migrate(postgres, database, tmp_path))

    assert [entry["name"] for entry in result["applied"]] == ["V1__create_users", "V2__add_bookmarks", "V10__index"]
    assert [row["migration_name"] for row in history(postgres, database)] == ["V1__create_users", "V2__add_bookmarks", "V10__index"]
