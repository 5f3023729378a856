# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The migration history table, exactly as Prisma keeps it on PostgreSQL, so ``prisma migrate deploy`` and this
collection can take turns on the same database.

The DDL is Prisma's own: prisma/prisma-engines,
schema-engine/connectors/sql-schema-connector/src/flavour/postgres.rs (``create_migrations_table``):
``id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0``.

Prisma's semantics, kept here: a row is written when a migration starts; ``finished_at`` is set when it succeeded;
a row with neither ``finished_at`` nor ``rolled_back_at`` is a failed migration, and blocks every later run until it
is resolved (``rolled_back_at`` set: the migration is pending again; or marked applied).

Every function takes a psycopg 3 connection in autocommit mode, or inside a transaction the caller opened.
"""

from __future__ import annotations

import hashlib
import uuid

try:
    from psycopg import sql
except ImportError:  # the module reports the missing library
    sql = None

DEFAULT_TABLE = "_prisma_migrations"
# prisma-engines postgres.rs acquire_lock: "SELECT pg_advisory_lock(72707369)". The default table uses Prisma's key,
# so a `prisma migrate deploy` and this module never run at the same time on one database.
PRISMA_ADVISORY_LOCK_KEY = 72707369

COLUMNS = ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count")


def table_identifier(name: str):
    """``name`` or ``schema.name`` as a quoted identifier."""
    return sql.Identifier(*name.split(".", 1))


def lock_key(table: str) -> int:
    """The session advisory lock's 64-bit key: Prisma's for its table, otherwise the first 8 bytes of SHA-256 of
    the table name, signed (pg_try_advisory_lock takes a bigint)."""
    if table == DEFAULT_TABLE:
        return PRISMA_ADVISORY_LOCK_KEY
    return int.from_bytes(hashlib.sha256(table.encode("utf-8")).digest()[:8], "big", signed=True)


def lock_holder(connection, key: int) -> dict | None:
    """Who holds the advisory lock ``key``: {pid, application_name, user, client, since} or None."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    row = connection.execute(
        "SELECT a.pid, a.application_name, a.usename, a.client_addr::text, a.backend_start, a.query_start"
        " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = "
        " (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid AND l.pid <> pg_backend_pid()",
        (unsigned >> 32, unsigned & 0xFFFFFFFF),
    ).fetchone()
    if row is None:
        return None
    return {"pid": row[0], "application_name": row[1], "user": row[2], "client": row[3],
            "since": row[4].isoformat() if row[4] else None, "last_query_at": row[5].isoformat() if row[5] else None}


def try_lock(connection, key: int) -> bool:
    return bool(connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0])


def unlock(connection, key: int) -> None:
    connection.execute("SELECT pg_advisory_unlock(%s)", (key,))


def exists(connection, table: str) -> bool:
    quoted = table_identifier(table).as_string(connection)
    return connection.execute("SELECT to_regclass(%s) IS NOT NULL", (quoted,)).fetchone()[0]


def create(connection, table: str) -> None:
    connection.execute(sql.SQL(
        "CREATE TABLE IF NOT EXISTS {} ("
        " id VARCHAR(36) PRIMARY KEY NOT NULL,"
        " checksum VARCHAR(64) NOT NULL,"
        " finished_at TIMESTAMPTZ,"
        " migration_name VARCHAR(255) NOT NULL,"
        " logs TEXT,"
        " rolled_back_at TIMESTAMPTZ,"
        " started_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
        " applied_steps_count INTEGER NOT NULL DEFAULT 0)"
    ).format(table_identifier(table)))


def read(connection, table: str) -> list[dict]:
    """Every row, oldest first."""
    cursor = connection.execute(sql.SQL("SELECT {} FROM {} ORDER BY started_at, migration_name").format(
        sql.SQL(", ").join(sql.Identifier(column) for column in COLUMNS), table_identifier(table)))
    return [dict(zip(COLUMNS, row)) for row in cursor.fetchall()]


def record_start(connection, table: str, name: str, script_checksum: str) -> str:
    """A new row for a migration about to run (not finished: a failed migration until record_success)."""
    row_id = str(uuid.uuid4())
    connection.execute(
        sql.SQL("INSERT INTO {} (id, checksum, migration_name, started_at, applied_steps_count)"
                " VALUES (%s, %s, %s, now(), 0)").format(table_identifier(table)),
        (row_id, script_checksum, name))
    return row_id


def record_success(connection, table: str, row_id: str) -> None:
    connection.execute(sql.SQL("UPDATE {} SET finished_at = now(), applied_steps_count = 1 WHERE id = %s").format(
        table_identifier(table)), (row_id,))


def record_failure(connection, table: str, row_id: str, logs: str) -> None:
    connection.execute(sql.SQL("UPDATE {} SET logs = %s WHERE id = %s").format(table_identifier(table)), (logs, row_id))


def resolve_rolled_back(connection, table: str, name: str) -> int:
    """Mark the failed rows of ``name`` rolled back; returns how many."""
    cursor = connection.execute(sql.SQL(
        "UPDATE {} SET rolled_back_at = now() WHERE migration_name = %s AND finished_at IS NULL AND rolled_back_at IS NULL"
    ).format(table_identifier(table)), (name,))
    return cursor.rowcount


def resolve_applied(connection, table: str, name: str, script_checksum: str) -> None:
    """Record ``name`` as applied without running it: its failed rows are marked rolled back and a finished row added,
    as ``prisma migrate resolve --applied`` does (prisma-engines schema-engine/core/src/commands/mark_migration_applied.rs)."""
    resolve_rolled_back(connection, table, name)
    connection.execute(
        sql.SQL("INSERT INTO {} (id, checksum, migration_name, started_at, finished_at, applied_steps_count)"
                " VALUES (%s, %s, %s, now(), now(), 0)").format(table_identifier(table)),
        (str(uuid.uuid4()), script_checksum, name))


def fingerprint(connection, table: str) -> str | None:
    """A digest of every row of any history table (Prisma's, alembic_version, flyway_schema_history, ...), or None when
    the table does not exist: an external tool changed the database exactly when this changed."""
    if not exists(connection, table):
        return None
    return connection.execute(sql.SQL(
        "SELECT md5(count(*)::text || ':' || coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} AS t"
    ).format(table_identifier(table))).fetchone()[0]


def has_prisma_columns(connection, table: str) -> bool:
    """Whether ``table`` exists with the columns of Prisma's history table (so read() can be used on it)."""
    if not exists(connection, table):
        return False
    found = connection.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(table_identifier(table))).description
    return set(COLUMNS) <= {column.name for column in found}
