#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: db_migrate
short_description: Apply SQL migrations (Prisma layout or V<version>__ files) to PostgreSQL, recorded in Prisma's history table
version_added: 0.1.0
description:
  - Replaces C(prisma migrate deploy) run by hand through a tunnel. Reads the migrations in O(migrations) and applies
    those the database has not applied yet, in order, recording each in the history table Prisma itself uses
    (C(_prisma_migrations), same columns, types and semantics), so C(prisma migrate deploy) and this module can take turns.
  - "Two layouts are read: Prisma's C(<timestamp>_<name>/migration.sql) folders (a C(migration_lock.toml), when present,
    must say C(provider = \"postgresql\")), and Flyway-style C(V<version>__<description>.sql) files ordered numerically."
  - Only one run migrates a database at a time. The module holds a session-level PostgreSQL advisory lock
    (C(pg_try_advisory_lock)) for the whole run, trying every half second for up to O(lock_timeout) seconds, and then fails
    naming the session that holds it. With the default history table the key is Prisma's own (C(72707369)), so a
    C(prisma migrate deploy) running at the same time waits too.
  - Each migration runs in a transaction of its own together with the update that marks it finished. Its history row is
    written just before, in its own transaction, so a migration that fails (or a run that dies) leaves a visible failed row
    and nothing half-applied. A failure stops the run; the PostgreSQL error is stored in the row's C(logs).
  - As in Prisma, a failed migration blocks every later run until it is resolved with O(state=resolved).
  - A migration whose first line is C(-- shipyard:no-transaction) runs statement by statement outside a transaction,
    for statements such as C(CREATE INDEX CONCURRENTLY). If one of its statements fails, the ones before it stay applied.
  - The password and the DSN are never returned or printed, not even in error messages.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  migrations:
    description: The folder holding the migrations (for Prisma, C(prisma/migrations)).
    type: path
    required: true
  runner:
    description: How migrations are applied. C(sql) applies them itself over a PostgreSQL connection.
    type: str
    choices: [sql]
    default: sql
  state:
    description:
      - C(present) applies every pending migration.
      - C(resolved) records the outcome of a failed migration, as C(prisma migrate resolve) does, without running anything;
        give O(resolve) and O(migration).
    type: str
    choices: [present, resolved]
    default: present
  resolve:
    description:
      - With O(state=resolved). C(rolled_back) marks the failed migration rolled back, so the next run applies it again
        (undo what it did first, or fix the file). C(applied) records it as applied (you finished it by hand).
    type: str
    choices: [rolled_back, applied]
  migration:
    description: With O(state=resolved), the name of the migration to resolve (its folder name, or file name without C(.sql)).
    type: str
  dsn:
    description:
      - A libpq connection string (C(host=... dbname=...)) or URI (C(postgresql://...)). Takes the place of O(host),
        O(port), O(database), O(user) and O(password); never returned or logged.
    type: str
  host:
    description: The server's host name, address, or Unix socket directory.
    type: str
  host_parameter:
    description:
      - Read O(host) from this SSM parameter (for example C(/bookmark-manager/staging/DB_HOST)), through the module's AWS
        connection settings.
    type: str
  port:
    description: The server's port.
    type: int
    default: 5432
  database:
    description: The database to migrate.
    type: str
  user:
    description: The role to connect as.
    type: str
  password:
    description: The role's password.
    type: str
  password_secret_id:
    description:
      - Read the password from this Secrets Manager secret (name or ARN). A secret holding JSON (as RDS writes it) gives
        its C(password), and its C(username) when O(user) is not set; any other secret string is the password itself.
      - The value is masked in the task's output like O(password).
    type: str
  lock_timeout:
    description: Seconds to wait for another run holding the migration lock before failing.
    type: int
    default: 60
  allow_checksum_mismatch:
    description:
      - An applied migration whose file changed since is an error (the database no longer matches the files). C(true) turns
        it into a warning.
    type: bool
    default: false
  history_table:
    description: The history table (C(name) or C(schema.name)). Keep the default to share it with Prisma.
    type: str
    default: _prisma_migrations
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Takes the lock and reads the history, lists the pending migrations, and writes nothing, not even the history table.
  diff_mode:
    support: full
    description: Shows the names of the applied migrations before and after.
requirements:
  - psycopg >= 3.1
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group applies to it.
  - Connect through M(shipyard.aws.ssm_port_forward) to reach a private database.
  - The connection's C(application_name) is C(shipyard.aws db_migrate), which is how a run holding the lock is recognised.
  - "IAM permissions, only for the options that need them: C(ssm:GetParameter) for O(host_parameter),
    C(secretsmanager:GetSecretValue) for O(password_secret_id)."
seealso:
  - name: Prisma Migrate in production
    description: What C(prisma migrate deploy) and C(prisma migrate resolve) do, which this module follows.
    link: https://www.prisma.io/docs/orm/prisma-migrate/workflows/patching-and-hotfixing
"""

EXAMPLES = r"""
- name: Apply the app's Prisma migrations through a tunnel
  shipyard.aws.db_migrate:
    migrations: "{{ playbook_dir }}/../examples/bookmark-manager/prisma/migrations"
    host: 127.0.0.1
    port: "{{ tunnel.local_port }}"
    database: bookmarks
    user: app
    password: "{{ db_password }}"
  register: migrated

- name: See what would run
  shipyard.aws.db_migrate:
    migrations: prisma/migrations
    dsn: "{{ database_dsn }}"
  check_mode: true

- name: After fixing a failed migration's file, let it run again
  shipyard.aws.db_migrate:
    migrations: prisma/migrations
    dsn: "{{ database_dsn }}"
    state: resolved
    resolve: rolled_back
    migration: 20260102000000_add_bookmark_tags
"""

RETURN = r"""
applied:
  description: The migrations applied by this run (or, for O(state=resolved, resolve=applied), recorded), in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The migration's name.
      type: str
    seconds:
      description: How long it took.
      type: float
  sample: [{"name": "20260101000000_create_users", "seconds": 0.012}]
pending:
  description: The migrations not applied after this run (in check mode, the ones a run would apply).
  returned: always
  type: list
  elements: str
  sample: ["20260103000000_bookmark_url_index"]
current:
  description: The last applied migration in the folder's order, or null when none is.
  returned: always
  type: str
  sample: 20260102000000_create_bookmarks
"""

import json
import time

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils import migration_history as history
from ansible_collections.shipyard.aws.plugins.module_utils import migrations as folder
from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule

try:
    import psycopg
    import psycopg.conninfo
except ImportError:
    psycopg = None

try:
    import botocore
except ImportError:
    pass  # the AWS module base class reports a missing botocore

APPLICATION_NAME = "shipyard.aws db_migrate"
LOCK_POLL_SECONDS = 0.5


class MigrationFailed(Exception):
    pass


class Runner:
    def __init__(self, module, connection, table):
        self.module = module
        self.connection = connection
        self.table = table
        self.secrets = [value for value in (module.params["password"], module.params["dsn"]) if value]

    def redact(self, text) -> str:
        text = to_text(text)
        for secret in self.secrets:
            text = text.replace(secret, "********")
        return text

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=self.redact(msg), **kwargs)

    def lock(self, key: int) -> None:
        deadline = time.monotonic() + self.module.params["lock_timeout"]
        while not history.try_lock(self.connection, key):
            if time.monotonic() >= deadline:
                holder = history.lock_holder(self.connection, key)
                who = ("another session" if holder is None else
                       f"PostgreSQL session pid {holder['pid']} (application_name {holder['application_name']!r}, "
                       f"user {holder['user']}, from {holder['client'] or 'a local socket'}, connected since {holder['since']})")
                self.fail(f"Another migration run holds the migration lock (advisory lock {key}): {who}. Waited "
                          f"{self.module.params['lock_timeout']} s (lock_timeout). Wait for it to finish, or end that session "
                          "with SELECT pg_terminate_backend(<pid>) if it is stuck.")
            time.sleep(LOCK_POLL_SECONDS)

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
            logs = self.redact(describe(error))
            history.record_failure(self.connection, self.table, row_id, logs)
            raise MigrationFailed(logs) from error
        return round(time.monotonic() - started, 3)


def describe(error) -> str:
    diag = getattr(error, "diag", None)
    parts = [to_text(error).strip()]
    if diag is not None and diag.sqlstate:
        parts.append(f"(SQLSTATE {diag.sqlstate})")
    return " ".join(parts)


def read_aws_settings(module) -> None:
    """Fill host from host_parameter and password (and user) from password_secret_id, masking the password."""
    params = module.params
    if params["host_parameter"]:
        ssm = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff())
        value = ""
        try:
            value = ssm.get_parameter(Name=params["host_parameter"], WithDecryption=True, aws_retry=True)["Parameter"]["Value"]
        except is_boto3_error_code("ParameterNotFound"):
            module.fail_json(msg=f"SSM parameter {params['host_parameter']} (host_parameter) does not exist: check its name.")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
            module.fail_json_aws(error, msg=f"Cannot read SSM parameter {params['host_parameter']} (host_parameter)")
        params["host"] = value.strip()
    if params["password_secret_id"]:
        secrets = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())
        secret = None
        try:
            secret = secrets.get_secret_value(SecretId=params["password_secret_id"], aws_retry=True).get("SecretString")
        except is_boto3_error_code("ResourceNotFoundException"):
            module.fail_json(msg=f"Secrets Manager secret {params['password_secret_id']} (password_secret_id) does not exist: check its name or ARN.")
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
            module.fail_json_aws(error, msg=f"Cannot read secret {params['password_secret_id']} (password_secret_id)")
        if not secret:
            module.fail_json(msg=f"Secret {params['password_secret_id']} (password_secret_id) has no SecretString; store the password as text or JSON.")
        try:
            document = json.loads(secret)
        except ValueError:
            document = None
        if isinstance(document, dict):
            if not document.get("password"):
                module.fail_json(msg=f"Secret {params['password_secret_id']} (password_secret_id) is JSON without a \"password\" key.")
            password = str(document["password"])
            if not params["user"] and document.get("username"):
                params["user"] = str(document["username"])
        else:
            password = secret
        module.no_log_values.add(password)
        params["password"] = password


def connection_kwargs(params: dict) -> dict:
    kwargs = {"application_name": APPLICATION_NAME, "autocommit": True}
    for option, keyword in (("host", "host"), ("port", "port"), ("database", "dbname"), ("user", "user"), ("password", "password")):
        if params[option] is not None and not (params["dsn"] and option == "port"):
            kwargs[keyword] = params[option]
    return kwargs


def present(runner: Runner, migrations: list, table_exists: bool) -> dict:
    module, connection, table = runner.module, runner.connection, runner.table
    rows = history.read(connection, table) if table_exists else []
    plan = folder.plan(migrations, rows)
    if plan["failed"]:
        name = plan["failed"][0]
        logs = next((row["logs"] for row in rows if row["migration_name"] == name and row["finished_at"] is None
                     and row["rolled_back_at"] is None and row["logs"]), None)
        runner.fail(f"The migration {name} failed in an earlier run{': ' + logs if logs else ''}. Nothing more is applied until it "
                    f"is resolved: undo what it did (if anything) and fix it, then run this module with state: resolved, "
                    f"resolve: rolled_back, migration: {name} (it runs again next time), or, if you completed it by hand, "
                    f"resolve: applied.", failed_migrations=plan["failed"], pending=[m["name"] for m in plan["pending"]])
    if plan["mismatched"]:
        message = (f"These applied migrations were changed since they were applied (their checksum differs): "
                   f"{', '.join(plan['mismatched'])}. Restore the files as they were and put the change in a new migration")
        if not module.params["allow_checksum_mismatch"]:
            runner.fail(message + ", or set allow_checksum_mismatch: true to go on anyway.", mismatched=plan["mismatched"])
        module.warn(message + "; going on because allow_checksum_mismatch is true.")
    if plan["unknown"]:
        module.warn(f"The database has applied migrations that are not in the folder: {', '.join(plan['unknown'])}.")
    before = list(plan["applied"])
    applied = []
    if not module.check_mode and plan["pending"]:
        if not table_exists:
            history.create(connection, table)
        for migration in plan["pending"]:
            try:
                seconds = runner.apply(migration)
            except MigrationFailed as error:
                runner.fail(f"The migration {migration['name']} failed: {error}. It is recorded as failed and later migrations "
                            f"were not applied; fix it, then run with state: resolved, resolve: rolled_back, "
                            f"migration: {migration['name']}.", applied=applied,
                            pending=[m["name"] for m in plan["pending"] if m["name"] not in {a["name"] for a in applied}])
            applied.append({"name": migration["name"], "seconds": seconds})
    done = {entry["name"] for entry in applied}
    pending = [m["name"] for m in plan["pending"] if m["name"] not in done]
    after = [m["name"] for m in migrations if m["name"] in set(before) | done]
    result = {"changed": bool(plan["pending"]), "applied": applied, "pending": pending, "current": after[-1] if after else None}
    if module.check_mode:
        after = [m["name"] for m in migrations]
    if module._diff:
        result["diff"] = {"before": {"applied": before}, "after": {"applied": after}}
    return result


def resolved(runner: Runner, migrations: list, table_exists: bool) -> dict:
    module, connection, table = runner.module, runner.connection, runner.table
    name, outcome = module.params["migration"], module.params["resolve"]
    by_name = {m["name"]: m for m in migrations}
    if name not in by_name:
        runner.fail(f"There is no migration named {name} in {module.params['migrations']}; give its folder name (or file name without .sql).")
    rows = history.read(connection, table) if table_exists else []
    plan = folder.plan(migrations, rows)
    before = list(plan["applied"])
    changed = False
    if outcome == "rolled_back":
        if name in plan["applied"]:
            runner.fail(f"The migration {name} is applied, not failed; rolled_back is only for a failed migration.")
        if name not in plan["failed"]:
            if any(row["migration_name"] == name for row in rows):
                changed = False  # already rolled back
            else:
                runner.fail(f"The migration {name} has not run on this database; there is nothing to resolve.")
        else:
            changed = True
            if not module.check_mode:
                history.resolve_rolled_back(connection, table, name)
    else:
        if name not in plan["applied"]:
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


def main():
    argument_spec = dict(
        migrations=dict(type="path", required=True),
        runner=dict(type="str", choices=["sql"], default="sql"),
        state=dict(type="str", choices=["present", "resolved"], default="present"),
        resolve=dict(type="str", choices=["rolled_back", "applied"]),
        migration=dict(type="str"),
        dsn=dict(type="str", no_log=True),
        host=dict(type="str"),
        host_parameter=dict(type="str"),
        port=dict(type="int", default=5432),
        database=dict(type="str"),
        user=dict(type="str"),
        password=dict(type="str", no_log=True),
        password_secret_id=dict(type="str", no_log=False),
        lock_timeout=dict(type="int", default=60),
        allow_checksum_mismatch=dict(type="bool", default=False),
        history_table=dict(type="str", default=history.DEFAULT_TABLE),
    )
    module = ShipyardAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "resolved", ["resolve", "migration"])],
        mutually_exclusive=[("dsn", "host", "host_parameter"), ("dsn", "database"), ("dsn", "user"),
                            ("dsn", "password", "password_secret_id")],
    )
    if psycopg is None:
        module.fail_json(msg="db_migrate needs the Python library psycopg (version 3) on the host it runs on: pip install 'psycopg[binary]'.")
    migrations = []
    try:
        migrations = folder.load(module.params["migrations"])
    except folder.MigrationError as error:
        module.fail_json(msg=str(error))
    read_aws_settings(module)

    table = module.params["history_table"]
    if module.params["dsn"]:
        dsn_password = None
        try:
            dsn_password = psycopg.conninfo.conninfo_to_dict(module.params["dsn"]).get("password")
        except psycopg.ProgrammingError:
            # libpq's message quotes the part it could not read, which may be the password: it is not repeated.
            module.fail_json(msg="The dsn is not a valid libpq connection string (key=value ...) or URI (postgresql://...); "
                                 "its text is not shown because it may hold a password.")
        if dsn_password:
            module.no_log_values.add(dsn_password)
    secrets = [value for value in (module.params["password"], module.params["dsn"]) if value]
    connection = None
    try:
        connection = psycopg.connect(module.params["dsn"] or "", **connection_kwargs(module.params))
    except psycopg.Error as error:
        message = to_text(error).strip()
        for secret in secrets:
            message = message.replace(secret, "********")
        module.fail_json(msg=f"Cannot connect to PostgreSQL: {message}. Check the host, port, database, user and password "
                             "(or dsn), and that the server accepts connections from here.")
    runner = Runner(module, connection, table)
    key = history.lock_key(table)
    result = {}
    try:
        runner.lock(key)
        table_exists = history.exists(connection, table)
        if module.params["state"] == "present":
            result = present(runner, migrations, table_exists)
        else:
            result = resolved(runner, migrations, table_exists)
    except psycopg.Error as error:
        runner.fail(f"PostgreSQL error while reading or writing {table}: {describe(error)}")
    finally:
        connection.close()  # ends the session, and with it the advisory lock
    module.exit_json(**result)


if __name__ == "__main__":
    main()
