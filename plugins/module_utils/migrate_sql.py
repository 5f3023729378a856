# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""db_migrate's native runner (runner: sql): the migration lock, applying each pending migration in a transaction of
its own with its history row, and resolving a failed one."""

from __future__ import annotations

import time

from ansible_collections.shipyard.aws.plugins.module_utils import migration_history as history
from ansible_collections.shipyard.aws.plugins.module_utils import migrations as folder
from ansible_collections.shipyard.aws.plugins.module_utils.migrate_connection import connect, connection_kwargs, describe

try:
    import psycopg
except ImportError:
    psycopg = None

LOCK_POLL_SECONDS = 0.5
RECONNECT_TIMEOUT_SECONDS = 5


class MigrationFailed(Exception):
    pass


class ConnectionLost(Exception):
    pass


def resolve_hint(name: str) -> str:
    return (f"run this module with state: resolved, resolve: rolled_back, migration: {name} (it runs again next time), "
            "or, if you completed it by hand, resolve: applied")


def interrupted_account(migration: dict | None) -> str:
    """What an interrupted migration left behind, from how it ran."""
    if migration is None:
        return "It is no longer in the folder, so whether it ran in a transaction is unknown: check the database by hand."
    if migration["no_transaction"]:
        return ("It ran outside a transaction (-- shipyard:no-transaction), so the statements before the one that was running "
                "when it stopped are applied: check the database, complete or undo them by hand.")
    return ("It ran in one transaction together with its history update, and PostgreSQL rolls back a transaction whose "
            "connection is lost, so none of it is applied.")


class SqlRunner:
    def __init__(self, module, secrets, connection, table):
        self.module = module
        self.secrets = secrets
        self.connection = connection
        self.table = table

    def lock(self, key: int) -> float:
        """Take the migration lock, waiting up to lock_timeout; returns the seconds waited."""
        started = time.monotonic()
        deadline = started + self.module.params["lock_timeout"]
        while not history.try_lock(self.connection, key):
            if time.monotonic() >= deadline:
                holder = history.lock_holder(self.connection, key)
                who = ("another session" if holder is None else
                       f"PostgreSQL session pid {holder['pid']} (application_name {holder['application_name']!r}, "
                       f"user {holder['user']}, from {holder['client'] or 'a local socket'}, connected since {holder['since']})")
                self.secrets.fail(f"Another migration run holds the migration lock (advisory lock {key}): {who}. Waited "
                                  f"{self.module.params['lock_timeout']} s (lock_timeout). Wait for it to finish, or end that "
                                  "session with SELECT pg_terminate_backend(<pid>) if it is stuck.")
            time.sleep(LOCK_POLL_SECONDS)
        return round(time.monotonic() - started, 3)

    def apply(self, migration: dict) -> float:
        started = time.monotonic()
        row_id = history.record_start(self.connection, self.table, migration["name"], migration["checksum"])
        try:
            if migration["no_transaction"]:
                for statement in folder.split_statements(migration["sql"]):
                    self.connection.execute(statement.encode("utf-8"), prepare=False)
                history.record_success(self.connection, self.table, row_id)
            else:
                with self.connection.transaction():
                    self.connection.execute(migration["sql"].encode("utf-8"), prepare=False)
                    history.record_success(self.connection, self.table, row_id)
        except psycopg.Error as error:
            logs = self.secrets.redact(describe(error))
            if self.connection.closed or self.connection.broken:
                self.record_lost(row_id, logs)
                raise ConnectionLost(logs) from error
            history.record_failure(self.connection, self.table, row_id, logs)
            raise MigrationFailed(logs) from error
        return round(time.monotonic() - started, 3)

    def record_lost(self, row_id: str, logs: str) -> None:
        """Write why the migration stopped into its row over a new connection, when the server can still be reached
        (a backend ended by pg_terminate_backend); through a broken tunnel it cannot, and the row keeps no logs."""
        try:
            with psycopg.connect(self.module.params["dsn"] or "", connect_timeout=RECONNECT_TIMEOUT_SECONDS,
                                 **connection_kwargs(self.module.params)) as connection:
                history.record_failure(connection, self.table, row_id, f"The connection was lost while it ran: {logs}")
        except psycopg.Error:
            pass


def failed_message(name: str, rows: list, by_name: dict) -> str:
    row = next((row for row in rows if row["migration_name"] == name and row["finished_at"] is None
                and row["rolled_back_at"] is None), {})
    started = row.get("started_at")
    when = f" (started {started.isoformat()})" if started else ""
    if row.get("logs") and not row["logs"].startswith("The connection was lost"):
        account = f"The migration {name} failed in an earlier run{when}: {row['logs']}."
    else:
        reason = row["logs"] if row.get("logs") else "the run that applied it lost its connection or was stopped"
        account = f"The migration {name} did not finish in an earlier run{when}: {reason}. {interrupted_account(by_name.get(name))}"
    return f"{account} Nothing more is applied until it is resolved: {resolve_hint(name)}."


def failure_message(migration: dict, error: Exception) -> str:
    name = migration["name"]
    if isinstance(error, ConnectionLost):
        return (f"The connection to PostgreSQL was lost while the migration {name} ran: {error}. {interrupted_account(migration)} "
                f"Its history row stays unfinished, so the next run refuses until it is resolved: {resolve_hint(name)}.")
    return (f"The migration {name} failed: {error}. It is recorded as failed and later migrations were not applied; fix it, "
            f"then run with state: resolved, resolve: rolled_back, migration: {name}.")


def apply_all(runner: SqlRunner, pending: list) -> list[dict]:
    """Apply in order; the first failure ends the run (and the module) naming what was applied and what was not."""
    applied = []
    for index, migration in enumerate(pending):
        try:
            seconds = runner.apply(migration)
        except (ConnectionLost, MigrationFailed) as error:
            runner.secrets.fail(failure_message(migration, error), applied=applied, pending=[m["name"] for m in pending[index:]])
        applied.append({"name": migration["name"], "seconds": seconds})
    return applied


def present(runner: SqlRunner, migrations: list, table_exists: bool) -> dict:
    module, connection, table = runner.module, runner.connection, runner.table
    rows = history.read(connection, table) if table_exists else []
    plan = folder.plan(migrations, rows)
    by_name = {m["name"]: m for m in migrations}
    if plan["failed"]:
        runner.secrets.fail(failed_message(plan["failed"][0], rows, by_name),
                            failed_migrations=plan["failed"], pending=[m["name"] for m in plan["pending"]])
    if plan["mismatched"]:
        message = (f"These applied migrations were changed since they were applied (their checksum differs): "
                   f"{', '.join(plan['mismatched'])}. Restore the files as they were and put the change in a new migration")
        if not module.params["allow_checksum_mismatch"]:
            runner.secrets.fail(message + ", or set allow_checksum_mismatch: true to go on anyway.", mismatched=plan["mismatched"])
        module.warn(message + "; going on because allow_checksum_mismatch is true.")
    if plan["unknown"]:
        module.warn(f"The database has applied migrations that are not in the folder: {', '.join(plan['unknown'])}.")
    before = list(plan["applied"])
    applied = []
    if not module.check_mode and plan["pending"]:
        if not table_exists:
            history.create(connection, table)
        applied = apply_all(runner, plan["pending"])
    done = {entry["name"] for entry in applied}
    pending = [m["name"] for m in plan["pending"] if m["name"] not in done]
    done.update(before)
    after = [m["name"] for m in migrations if m["name"] in done]
    result = {"changed": bool(plan["pending"]), "applied": applied, "pending": pending, "current": after[-1] if after else None}
    if module.check_mode:
        after = [m["name"] for m in migrations]
    if module._diff:
        result["diff"] = {"before": {"applied": before}, "after": {"applied": after}}
    return result


def resolved(runner: SqlRunner, migrations: list, table_exists: bool) -> dict:
    module, connection, table = runner.module, runner.connection, runner.table
    name, outcome = module.params["migration"], module.params["resolve"]
    by_name = {m["name"]: m for m in migrations}
    if name not in by_name:
        runner.secrets.fail(f"There is no migration named {name} in {module.params['migrations']}; give its folder name "
                            "(or file name without .sql).")
    rows = history.read(connection, table) if table_exists else []
    plan = folder.plan(migrations, rows)
    before = list(plan["applied"])
    changed = False
    if outcome == "rolled_back":
        if name in plan["applied"]:
            runner.secrets.fail(f"The migration {name} is applied, not failed; rolled_back is only for a failed migration.")
        if name in plan["failed"]:
            changed = True
            if not module.check_mode:
                history.resolve_rolled_back(connection, table, name)
        elif not any(row["migration_name"] == name for row in rows):
            runner.secrets.fail(f"The migration {name} has not run on this database; there is nothing to resolve.")
    elif name not in plan["applied"]:
        changed = True
        if not module.check_mode:
            if not table_exists:
                history.create(connection, table)
            history.resolve_applied(connection, table, name, by_name[name]["checksum"])
    after = [m["name"] for m in migrations if m["name"] in before or (outcome == "applied" and m["name"] == name)]
    pending = [m["name"] for m in migrations if m["name"] not in after]
    result = {"changed": changed, "applied": [{"name": name, "seconds": 0.0}] if changed and outcome == "applied" else [],
              "pending": pending, "current": after[-1] if after else None}
    if module._diff:
        result["diff"] = {"before": {"applied": before}, "after": {"applied": after}}
    return result


def run(module, secrets, migrations: list) -> dict:
    """Lock, read the history, then apply (state present) or resolve; the session's end releases the lock."""
    started = time.monotonic()
    table = module.params["history_table"] or history.DEFAULT_TABLE
    connection = connect(module, secrets)
    runner = SqlRunner(module, secrets, connection, table)
    result = {}
    try:
        waited = runner.lock(history.lock_key(table))
        table_exists = history.exists(connection, table)
        if module.params["state"] == "present":
            result = present(runner, migrations, table_exists)
        else:
            result = resolved(runner, migrations, table_exists)
        result["lock_wait_seconds"] = waited
    except psycopg.Error as error:
        secrets.fail(f"PostgreSQL error while reading or writing {table}: {describe(error)}")
    finally:
        connection.close()  # ends the session, and with it the advisory lock
    result["seconds"] = round(time.monotonic() - started, 3)
    return result
