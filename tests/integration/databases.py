"""The local PostgreSQL as the migration tests use it: a database of their own per test (the ``database`` fixture in
conftest.py), created through the superuser's Unix socket, and reading back what a run did with psycopg."""

from __future__ import annotations

import uuid

import psycopg


def admin(postgres, dbname: str = "postgres"):
    return psycopg.connect(postgres.admin_conninfo().replace("dbname=postgres", f"dbname={dbname}"), autocommit=True)


def create_database(postgres) -> str:
    name = f"migrate_{uuid.uuid4().hex[:12]}"
    with admin(postgres) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def dsn(postgres, database: str) -> str:
    record = postgres.record()
    return f"host={record['socket_dir']} port={record['port']} user=postgres dbname={database}"


def query(postgres, database: str, sql: str, params=None) -> list[tuple]:
    with admin(postgres, database) as connection:
        return connection.execute(sql, params).fetchall()


def history(postgres, database: str) -> list[dict]:
    with admin(postgres, database) as connection:
        cursor = connection.execute("SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count"
                                    " FROM _prisma_migrations ORDER BY started_at, migration_name")
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def table_exists(postgres, database: str, table: str) -> bool:
    return query(postgres, database, "SELECT to_regclass(%s) IS NOT NULL", (table,))[0][0]


def owned_by_app_role(postgres, database: str, app_database: dict) -> None:
    with admin(postgres) as connection:
        connection.execute(f'ALTER DATABASE "{database}" OWNER TO {app_database["user"]}')
    with admin(postgres, database) as connection:
        connection.execute(f"GRANT ALL ON SCHEMA public TO {app_database['user']}")
