# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""db_migrate's runner ``command``: any migration tool (``pnpm prisma migrate deploy``, ``alembic upgrade head``,
``flyway migrate``) run with the connection in DATABASE_URL, its output cleaned of every secret, and ``changed`` told
by the tool's own history table (before and after) or by a pattern in its output.

The tool takes its own lock (Prisma and Flyway do), so this runner takes none: holding Prisma's advisory lock here
would make ``prisma migrate deploy`` wait for it and time out."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time

from ansible_collections.shipyard.aws.plugins.module_utils import migration_history as history
from ansible_collections.shipyard.aws.plugins.module_utils import migrations as folder
from ansible_collections.shipyard.aws.plugins.module_utils.migrate_connection import connect, database_url, describe

try:
    import psycopg
except ImportError:
    psycopg = None

FAILURE_TAIL_LINES = 50
KILL_GRACE_SECONDS = 5


def argv_of(command) -> list[str]:
    """A list is taken as it is; a string is split as a POSIX shell would split it (no shell runs it)."""
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def tail(text: str, lines: int = FAILURE_TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


class HistoryReader:
    """The tool's history table, read over a connection of the module's own (opened only when needed)."""

    def __init__(self, module, secrets, migrations: list | None):
        self.module = module
        self.secrets = secrets
        self.table = module.params["history_table"]
        self.migrations = migrations

    def snapshot(self) -> dict:
        """{fingerprint, rows (Prisma's table only)}; an empty dict without history_table."""
        if not self.table:
            return {}
        connection = connect(self.module, self.secrets)
        try:
            rows = history.read(connection, self.table) if history.has_prisma_columns(connection, self.table) else None
            return {"fingerprint": history.fingerprint(connection, self.table), "rows": rows}
        except psycopg.Error as error:
            self.secrets.fail(f"Cannot read the history table {self.table} (history_table): {describe(error)}")
        finally:
            connection.close()
        return {}

    def plan(self, rows) -> dict | None:
        if rows is None or self.migrations is None:
            return None
        return folder.plan(self.migrations, rows)


def finished_between(before: list | None, after: list | None) -> list[dict]:
    """Prisma rows that finished during the run, as db_migrate's ``applied`` entries."""
    if after is None:
        return []
    done_before = {row["id"] for row in before or [] if row["finished_at"] is not None}
    applied = []
    for row in after:
        if row["finished_at"] is not None and row["id"] not in done_before and row["rolled_back_at"] is None:
            seconds = round((row["finished_at"] - row["started_at"]).total_seconds(), 3)
            applied.append({"name": row["migration_name"], "seconds": max(seconds, 0.0)})
    return applied


def execute(module, secrets, argv: list[str], environment: dict) -> dict:
    """Run the tool in a session of its own (a timeout ends its children too); stdout and stderr are one stream."""
    params = module.params
    started = time.monotonic()
    try:
        process = subprocess.Popen(argv, cwd=params["chdir"], env=environment, stdin=subprocess.DEVNULL,  # noqa: S603
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    except FileNotFoundError:
        module.fail_json(msg=f"The command {argv[0]!r} was not found on the host running the module (PATH is "
                             f"{environment.get('PATH', '')}): install it there or give its full path.")
    except OSError as error:
        module.fail_json(msg=f"Cannot start {argv[0]!r}: {error.strerror}.")
    try:
        output, unused_error = process.communicate(timeout=params["timeout"])
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            output, unused_error = process.communicate(timeout=KILL_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, unused_error = process.communicate()
        secrets.fail(f"{argv[0]} did not finish within {params['timeout']} s (timeout) and was stopped. Its last output:\n"
                     f"{tail(output.decode('utf-8', 'replace'))}", rc=process.returncode)
    text = secrets.redact(output.decode("utf-8", "replace"))
    return {"rc": process.returncode, "stdout": text, "seconds": round(time.monotonic() - started, 3)}


def run(module, secrets, migrations: list | None) -> dict:
    params = module.params
    argv = argv_of(params["command"])
    if not argv:
        module.fail_json(msg="command is empty: give the migration tool to run, e.g. [pnpm, prisma, migrate, deploy].")
    url = database_url(params)
    secrets.add(url)
    reader = HistoryReader(module, secrets, migrations)
    before = reader.snapshot()
    plan = reader.plan(before.get("rows"))
    pending = [m["name"] for m in plan["pending"]] if plan else []
    if module.check_mode:
        if plan is None:
            return {"changed": False, "skipped": True, "applied": [], "pending": [],
                    "msg": f"{argv[0]} is not run in check mode; give migrations and Prisma's history_table to list what is pending."}
        return {"changed": bool(pending), "applied": [], "pending": pending, "current": (plan["applied"] or [None])[-1]}

    environment = dict(os.environ)
    environment.update({key: str(value) for key, value in (params["env"] or {}).items()})
    environment["DATABASE_URL"] = url
    outcome = execute(module, secrets, argv, environment)
    lines = outcome["stdout"].splitlines()
    result = dict(outcome, stdout_lines=lines, command=secrets.redact(shlex.join(argv)))
    if outcome["rc"] != 0:
        secrets.fail(f"{argv[0]} failed with exit code {outcome['rc']}. Its last {FAILURE_TAIL_LINES} lines:\n{tail(outcome['stdout'])}",
                     **result)
    after = reader.snapshot()
    result["applied"] = finished_between(before.get("rows"), after.get("rows"))
    plan = reader.plan(after.get("rows"))
    result["pending"] = [m["name"] for m in plan["pending"]] if plan else []
    result["current"] = (plan["applied"] or [None])[-1] if plan else None
    if params["history_table"]:
        result["changed"] = before["fingerprint"] != after["fingerprint"]
    elif params["changed_when_regex"]:
        result["changed"] = re.search(params["changed_when_regex"], outcome["stdout"], re.MULTILINE) is not None
    else:
        result["changed"] = True
    return result
