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
    description:
      - The folder holding the migrations (for Prisma, C(prisma/migrations)). Required with O(runner=sql).
      - With O(runner=command) and Prisma's history table it is optional, and lets check mode and the result list the
        pending migrations.
    type: path
  runner:
    description:
      - How migrations are applied.
      - C(sql) applies them itself over a PostgreSQL connection (everything under "Description" above).
      - C(command) runs a migration tool of your choice (O(command)) on the host running the module, with the connection as a
        C(postgresql://) URI in its C(DATABASE_URL) environment variable. The tool takes its own lock, as Prisma and Flyway
        do; this runner takes none. The output is returned with the password and the URI masked.
      - C(ecs_task) runs the ECS service's task definition once, in the service's network configuration (subnets, security
        groups, launch type or capacity providers, platform version), with O(command) as the container's command, waits for
        it to stop, and returns its exit code and CloudWatch log lines. The task reaches the database from inside the VPC,
        so no tunnel and no connection options are needed.
    type: str
    choices: [sql, command, ecs_task]
    default: sql
  command:
    description:
      - With O(runner=command), the tool to run, for example C([pnpm, prisma, migrate, deploy]) or C(alembic upgrade head).
        A string is split as a POSIX shell splits words; no shell runs it.
      - With O(runner=ecs_task), the command override of the task's container, for example C([npx, prisma, migrate, deploy]).
    type: raw
  chdir:
    description: With O(runner=command), the directory to run O(command) in (for Prisma, the one holding C(prisma/)).
    type: path
  env:
    description:
      - More environment variables for O(command) (O(runner=command)), or for the task's container (O(runner=ecs_task),
        as an environment override). C(DATABASE_URL) is always set by the module with O(runner=command).
    type: dict
  timeout:
    description:
      - With O(runner=command), seconds before the tool is stopped (its whole process group) and the task fails.
      - With O(runner=ecs_task), seconds to wait for the task to stop. A task still running then is left running, so a
        migration is not cut in half, and the task fails naming it.
      - Defaults to 600 for both.
    type: int
  changed_when_regex:
    description:
      - With O(runner=command) or O(runner=ecs_task), C(changed) is true only when the tool's output (the task's log lines)
        matches this Python regular expression, for example C(have been successfully applied) for Prisma.
      - With O(runner=command) O(history_table) is better, as it reads what the tool recorded rather than what it printed.
        Without either, a tool that ran is C(changed).
    type: str
  ecs_cluster:
    description: With O(runner=ecs_task), the ECS cluster of O(ecs_service).
    type: str
  ecs_service:
    description: With O(runner=ecs_task), the ECS service whose task definition and network configuration the task uses.
    type: str
  task_definition:
    description: With O(runner=ecs_task), another task definition to run (family, family:revision or ARN); by default the service's.
    type: str
  container:
    description:
      - With O(runner=ecs_task), the container that runs O(command); by default the service's load-balanced container,
        else the first essential one.
    type: str
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
    description:
      - With O(runner=sql), the history table (C(name) or C(schema.name)); C(_prisma_migrations) when not set. Keep that to
        share it with Prisma.
      - With O(runner=command), the tool's own history table (C(_prisma_migrations), C(alembic_version),
        C(flyway_schema_history), ...), read before and after the run; C(changed) is whether its rows changed. When it is
        Prisma's, the result also names the migrations applied.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description:
      - O(runner=sql) takes the lock and reads the history, lists the pending migrations, and writes nothing, not even the
        history table.
      - O(runner=command) does not run the tool; with O(migrations) and Prisma's O(history_table) it lists the pending
        migrations. O(runner=ecs_task) checks the service, task definition and container, and runs nothing.
  diff_mode:
    support: full
    description: Shows the names of the applied migrations before and after (O(runner=sql)).
requirements:
  - psycopg >= 3.1
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group applies to it.
  - Connect through M(shipyard.aws.ssm_port_forward) to reach a private database.
  - The connection's C(application_name) is C(shipyard.aws db_migrate), which is how a run holding the lock is recognised.
  - "IAM permissions, only for the options that need them: C(ssm:GetParameter) for O(host_parameter),
    C(secretsmanager:GetSecretValue) for O(password_secret_id); for O(runner=ecs_task) C(ecs:DescribeServices),
    C(ecs:DescribeTaskDefinition), C(ecs:RunTask), C(ecs:DescribeTasks), C(iam:PassRole) on the task's roles and
    C(logs:GetLogEvents)."
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

- name: Run Prisma itself, with DATABASE_URL pointing at the tunnel
  shipyard.aws.db_migrate:
    runner: command
    command: [pnpm, prisma, migrate, deploy]
    chdir: "{{ app_checkout }}"
    host: 127.0.0.1
    port: "{{ tunnel.local_port }}"
    database: bookmarks
    user: app
    password_secret_id: "{{ db_secret_arn }}"
    history_table: _prisma_migrations

- name: Or with no tunnel at all, from inside the VPC in a one-off task of the API service
  shipyard.aws.db_migrate:
    runner: ecs_task
    ecs_cluster: bookmark-manager-staging
    ecs_service: api
    command: [npx, prisma, migrate, deploy]
    changed_when_regex: have been successfully applied

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
  description: The last applied migration in the folder's order, or null when none is (or the runner cannot tell).
  returned: always
  type: str
  sample: 20260102000000_create_bookmarks
lock_wait_seconds:
  description: How long the run waited for another run's migration lock.
  returned: with O(runner=sql)
  type: float
  sample: 0.0
rc:
  description: The tool's exit code.
  returned: with O(runner=command), when it ran
  type: int
  sample: 0
stdout:
  description: The tool's output (stdout and stderr as one stream), with the password and the URI masked.
  returned: with O(runner=command), when it ran
  type: str
stdout_lines:
  description: RV(stdout) as lines.
  returned: with O(runner=command), when it ran
  type: list
  elements: str
seconds:
  description:
    - With O(runner=sql), how long the run took inside the module, from connecting to closing the connection (the lock,
      reading the history, applying).
    - With O(runner=command) or O(runner=ecs_task), how long the tool or the task ran.
  returned: with O(runner=sql); with the other runners, when the tool or task ran
  type: float
  sample: 0.042
task_arn:
  description: The migration task.
  returned: with O(runner=ecs_task), when it ran
  type: str
exit_code:
  description: The exit code of the task's container.
  returned: with O(runner=ecs_task), when it ran
  type: int
stopped_reason:
  description: Why ECS says the task stopped.
  returned: with O(runner=ecs_task), when it ran
  type: str
log_lines:
  description: The container's CloudWatch log lines (awslogs driver), oldest first.
  returned: with O(runner=ecs_task), when it ran
  type: list
  elements: str
log_group:
  description: The log group the lines were read from.
  returned: with O(runner=ecs_task), when the container logs with awslogs
  type: str
log_stream:
  description: The log stream the lines were read from (C(<prefix>/<container>/<task id>)).
  returned: with O(runner=ecs_task), when the container logs with awslogs
  type: str
task_definition:
  description: The task definition run (or, in check mode, that would be run).
  returned: with O(runner=ecs_task)
  type: str
container:
  description: The container that runs the command.
  returned: with O(runner=ecs_task)
  type: str
"""

from ansible_collections.shipyard.aws.plugins.module_utils import migrate_command
from ansible_collections.shipyard.aws.plugins.module_utils import migrate_connection as database
from ansible_collections.shipyard.aws.plugins.module_utils import migrate_ecs_task
from ansible_collections.shipyard.aws.plugins.module_utils import migrate_sql
from ansible_collections.shipyard.aws.plugins.module_utils import migrations as folder
from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule

RUNNERS = {"sql": migrate_sql.run, "command": migrate_command.run, "ecs_task": migrate_ecs_task.run}
# Options that mean nothing to a runner: given anyway, they are an error rather than silently ignored.
NOT_FOR = {
    "sql": ("command", "chdir", "env", "timeout", "changed_when_regex", "ecs_cluster", "ecs_service",
            "task_definition", "container"),
    "command": ("ecs_cluster", "ecs_service", "task_definition", "container", "resolve", "migration"),
    "ecs_task": database.CONNECTION_OPTIONS + ("history_table", "chdir", "resolve", "migration"),
}
DEFAULT_TIMEOUT = 600


def check_options(module) -> None:
    params = module.params
    runner = params["runner"]
    misplaced = [option for option in NOT_FOR[runner] if params[option] not in (None, [], {}, "")]
    if misplaced:
        module.fail_json(msg=f"{', '.join(misplaced)} cannot be used with runner: {runner}; remove them or choose another runner.")
    if params["state"] == "resolved" and runner != "sql":
        module.fail_json(msg="state: resolved is for runner: sql; with another runner resolve the migration with that tool "
                             "(for Prisma: prisma migrate resolve).")
    if runner == "ecs_task" and not (params["ecs_cluster"] and params["ecs_service"]):
        module.fail_json(msg="runner: ecs_task needs ecs_cluster and ecs_service (the task runs in that service's network configuration).")
    if runner != "ecs_task" and not database.wanted(params):
        module.fail_json(msg=f"runner: {runner} needs a database connection: dsn, or host (or host_parameter), database, user "
                             "and password (or password_secret_id).")
    if runner != "sql" and params["timeout"] is None:
        params["timeout"] = DEFAULT_TIMEOUT
    if params["timeout"] is not None and params["timeout"] < 1:
        module.fail_json(msg=f"timeout must be at least 1 second (got {params['timeout']}).")
    if params["lock_timeout"] < 0:
        module.fail_json(msg=f"lock_timeout cannot be negative (got {params['lock_timeout']}).")


def main():
    argument_spec = dict(
        migrations=dict(type="path"),
        runner=dict(type="str", choices=list(RUNNERS), default="sql"),
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
        history_table=dict(type="str"),
        command=dict(type="raw"),
        chdir=dict(type="path"),
        env=dict(type="dict"),
        timeout=dict(type="int"),
        changed_when_regex=dict(type="str"),
        ecs_cluster=dict(type="str"),
        ecs_service=dict(type="str"),
        task_definition=dict(type="str"),
        container=dict(type="str"),
    )
    module = ShipyardAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "resolved", ["resolve", "migration"]), ("runner", "sql", ["migrations"]),
                     ("runner", "command", ["command"]), ("runner", "ecs_task", ["command"])],
        mutually_exclusive=[("dsn", "host", "host_parameter"), ("dsn", "database"), ("dsn", "user"),
                            ("dsn", "password", "password_secret_id"), ("history_table", "changed_when_regex")],
    )
    if database.psycopg is None and module.params["runner"] != "ecs_task":
        module.fail_json(msg="db_migrate needs the Python library psycopg (version 3) on the host it runs on: pip install 'psycopg[binary]'.")
    check_options(module)
    migrations = None
    if module.params["migrations"]:
        try:
            migrations = folder.load(module.params["migrations"])
        except folder.MigrationError as error:
            module.fail_json(msg=str(error))
    secrets = database.settings(module) if module.params["runner"] != "ecs_task" else database.Secrets(module)
    module.exit_json(**RUNNERS[module.params["runner"]](module, secrets, migrations))


if __name__ == "__main__":
    main()
