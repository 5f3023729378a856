# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading a folder of SQL migrations, and comparing it with what a database has applied (pure logic, no I/O but reading files).

Two layouts are read:

* Prisma's: ``<folder>/<timestamp>_<name>/migration.sql``, with an optional ``migration_lock.toml`` whose
  ``provider`` must be ``postgresql``. Migrations are ordered by folder name, as Prisma orders them.
* Flyway-style files: ``<folder>/V<version>__<description>.sql`` where the version is digits separated by dots or
  underscores (``V1__init.sql``, ``V1.2__add_index.sql``, ``V2_1__x.sql``), ordered numerically.

A migration whose first line is ``-- shipyard:no-transaction`` runs statement by statement outside a transaction
(for ``CREATE INDEX CONCURRENTLY`` and the like).
"""

from __future__ import annotations

import hashlib
import os
import re

NO_TRANSACTION_MARKER = "-- shipyard:no-transaction"
PRISMA_SCRIPT = "migration.sql"
PRISMA_LOCK_FILE = "migration_lock.toml"
FLYWAY_FILE = re.compile(r"^V(?P<version>\d+(?:[._]\d+)*)__(?P<description>.+)\.sql$")
PROVIDER_LINE = re.compile(r'^\s*provider\s*=\s*"(?P<provider>[^"]*)"\s*$', re.MULTILINE)


class MigrationError(Exception):
    """A migrations folder that cannot be used as it is; the message says what to change."""


def checksum(script: str) -> str:
    """SHA-256 of the script's UTF-8 bytes as 64 lower-case hex digits, as Prisma records it.

    Prisma: prisma/prisma-engines, schema-engine/connectors/schema-connector/src/checksum.rs
    (``compute_checksum`` hashes the script's bytes with sha2::Sha256; ``format_checksum`` writes each byte as
    ``{byte:02x}``). The file is hashed exactly as read, with no line-ending normalisation.
    """
    return hashlib.sha256(script.encode("utf-8")).hexdigest()


def checksum_matches(script: str, recorded: str) -> bool:
    """Whether ``recorded`` is the checksum of ``script``, accepting what Prisma accepts
    (checksum.rs ``script_matches_checksum``): the script as is, with CRLF turned into LF, or LF into CRLF
    (git may change line endings), and for old rows the non-zero-padded hex form (prisma-engines issue 1887)."""
    variants = (script, script.replace("\r\n", "\n"), script.replace("\n", "\r\n"))
    for variant in variants:
        digest = hashlib.sha256(variant.encode("utf-8")).digest()
        if recorded and len(recorded) != 64:
            if "".join(f"{byte:x}" for byte in digest) == recorded:
                return True
        elif digest.hex() == recorded:
            return True
    return False


def is_no_transaction(script: str) -> bool:
    first_line = script.lstrip("\ufeff").split("\n", 1)[0].strip()
    return first_line == NO_TRANSACTION_MARKER


def _migration(name: str, path: str) -> dict:
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        script = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MigrationError(f"{path} is not UTF-8 ({error}); save it as UTF-8.") from error
    return {"name": name, "path": path, "checksum": checksum(script), "sql": script, "no_transaction": is_no_transaction(script)}


def check_lock_file(folder: str) -> None:
    """Prisma's migration_lock.toml, when there is one, must name the postgresql provider."""
    path = os.path.join(folder, PRISMA_LOCK_FILE)
    if not os.path.isfile(path):
        return
    with open(path, encoding="utf-8") as handle:
        match = PROVIDER_LINE.search(handle.read())
    if match is None:
        raise MigrationError(f"{path} names no provider; it should hold provider = \"postgresql\".")
    if match.group("provider") != "postgresql":
        raise MigrationError(
            f"{path} says provider = \"{match.group('provider')}\"; these migrations were written for "
            f"{match.group('provider')}, and this module applies migrations to PostgreSQL only."
        )


def version_key(version: str) -> tuple:
    """``1.2`` and ``1_2`` -> (1, 2); trailing zeros do not count (``1`` and ``1.0`` are one version, as in Flyway)."""
    parts = [int(part) for part in re.split(r"[._]", version)]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def load(folder: str) -> list[dict]:
    """The migrations in ``folder``, in the order they apply: a list of {name, path, checksum, sql, no_transaction}."""
    if not os.path.isdir(folder):
        raise MigrationError(f"The migrations folder {folder} does not exist or is not a directory.")
    check_lock_file(folder)
    prisma, flyway, problems = [], [], []
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if os.path.isdir(path):
            script = os.path.join(path, PRISMA_SCRIPT)
            if not os.path.isfile(script):
                problems.append(f"the folder {path} has no {PRISMA_SCRIPT} (each migration folder holds one; remove the folder or add it)")
                continue
            prisma.append(_migration(entry, script))
        elif entry.endswith(".sql"):
            match = FLYWAY_FILE.match(entry)
            if match is None:
                problems.append(f"{path} is not named V<version>__<description>.sql (for example V1__create_users.sql)")
                continue
            migration = _migration(entry[:-len(".sql")], path)
            migration["version"] = version_key(match.group("version"))
            flyway.append(migration)
    if problems:
        raise MigrationError("Cannot read the migrations: " + "; ".join(problems) + ".")
    if prisma and flyway:
        raise MigrationError(
            f"{folder} mixes Prisma migration folders ({prisma[0]['name']}) and V<version>__ files ({flyway[0]['name']}); "
            "keep one layout per folder."
        )
    if flyway:
        by_version = {}
        for migration in flyway:
            other = by_version.setdefault(migration["version"], migration)
            if other is not migration:
                raise MigrationError(f"{other['path']} and {migration['path']} have the same version; give each migration its own.")
        flyway.sort(key=lambda migration: migration["version"])
        for migration in flyway:
            del migration["version"]
    migrations = prisma or flyway
    if not migrations:
        raise MigrationError(
            f"{folder} holds no migrations: expected <timestamp>_<name>/migration.sql folders (Prisma) "
            "or V<version>__<description>.sql files."
        )
    check_unique(migrations, folder)
    return migrations


def check_unique(migrations: list[dict], folder: str) -> None:
    """Names identify migrations in the history table, so two with one name (ignoring case, as a case-insensitive
    file system or a checkout from one would) are refused."""
    seen, duplicates = {}, []
    for index, migration in enumerate(migrations):
        first = seen.setdefault(migration["name"].lower(), index)
        if first != index:
            duplicates.append(f"{migrations[first]['name']} and {migration['name']}")
    if duplicates:
        raise MigrationError(f"Duplicate migration names in {folder}: {', '.join(duplicates)}; rename one of each.")


def plan(migrations: list[dict], rows: list[dict]) -> dict:
    """Compare the folder with the history rows (dicts with migration_name, checksum, finished_at, rolled_back_at).

    Returns {applied: names applied (in folder order, then unknown ones), failed: names with a failed row,
    mismatched: names whose applied checksum differs from the file, pending: migrations to apply (dicts),
    unknown: applied names that are not in the folder}.
    A row with finished_at and rolled_back_at both null is a failed migration (it blocks, as in Prisma);
    a rolled-back row does not count: the migration is pending again.
    """
    applied_rows, failed = {}, []
    for row in rows:
        if row.get("rolled_back_at") is not None:
            continue
        if row.get("finished_at") is None:
            if row["migration_name"] not in failed:
                failed.append(row["migration_name"])
        else:
            applied_rows.setdefault(row["migration_name"], row)
    by_name = {migration["name"]: migration for migration in migrations}
    mismatched = [name for name, row in applied_rows.items()
                  if name in by_name and not checksum_matches(by_name[name]["sql"], row["checksum"])]
    pending = [migration for migration in migrations if migration["name"] not in applied_rows]
    applied = [migration["name"] for migration in migrations if migration["name"] in applied_rows]
    unknown = [name for name in applied_rows if name not in by_name]
    return {"applied": applied, "failed": failed, "mismatched": mismatched, "pending": pending, "unknown": unknown}


def split_statements(script: str) -> list[str]:
    """Split SQL into statements on top-level semicolons, leaving strings, quoted identifiers, dollar-quoted
    bodies and comments whole. Statements holding only comments or whitespace are dropped."""
    statements, current, index, length = [], [], 0, len(script)
    while index < length:
        char = script[index]
        if char == "-" and script.startswith("--", index):
            end = script.find("\n", index)
            end = length if end == -1 else end
            current.append(script[index:end])
            index = end
            continue
        if char == "/" and script.startswith("/*", index):
            depth, end = 1, index + 2
            while end < length and depth:
                if script.startswith("/*", end):
                    depth, end = depth + 1, end + 2
                elif script.startswith("*/", end):
                    depth, end = depth - 1, end + 2
                else:
                    end += 1
            current.append(script[index:end])
            index = end
            continue
        if char in ("'", '"'):
            end = index + 1
            while end < length:
                if script[end] == char:
                    if end + 1 < length and script[end + 1] == char:
                        end += 2
                        continue
                    break
                end += 1
            current.append(script[index:end + 1])
            index = end + 1
            continue
        if char == "$":
            match = re.match(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$", script[index:])
            if match and not (index and (script[index - 1].isalnum() or script[index - 1] == "_")):
                tag = match.group(0)
                end = script.find(tag, index + len(tag))
                end = length if end == -1 else end + len(tag)
                current.append(script[index:end])
                index = end
                continue
        if char == ";":
            statements.append("".join(current))
            current = []
            index += 1
            continue
        current.append(char)
        index += 1
    statements.append("".join(current))
    return [statement.strip() for statement in statements if _has_code(statement)]


def _has_code(statement: str) -> bool:
    without_comments = re.sub(r"--[^\n]*", "", statement)
    without_comments = re.sub(r"/\*.*?\*/", "", without_comments, flags=re.DOTALL)
    return bool(without_comments.strip())
