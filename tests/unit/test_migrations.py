"""module_utils/migrations.py: reading a migrations folder and comparing it with the history rows."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.migrations import (
    MigrationError, check_unique, checksum, checksum_matches, load, plan, split_statements)

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def prisma_folder(root, *names, lock='provider = "postgresql"\n'):
    if lock is not None:
        (root / "migration_lock.toml").write_text(lock)
    for name in names:
        (root / name).mkdir()
        (root / name / "migration.sql").write_text(f"-- {name}\nSELECT 1;\n")
    return root


def row(name, sql=None, finished=True, rolled_back=False):
    return {"migration_name": name, "checksum": checksum(sql if sql is not None else f"-- {name}\nSELECT 1;\n"),
            "finished_at": NOW if finished else None, "rolled_back_at": NOW if rolled_back else None}


def test_the_checksum_is_sha256_hex_of_the_file_as_prisma_computes_it():
    # The value prisma-engines' own test expects (checksum.rs, format_checksum_does_not_strip_zeros).
    assert checksum("hello") == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert checksum("CREATE TABLE a ();\r\n") == hashlib.sha256(b"CREATE TABLE a ();\r\n").hexdigest()


def test_a_checksum_matches_across_line_endings_and_old_unpadded_rows_as_in_prisma():
    assert checksum_matches("ab\r\ncd\r\n", checksum("ab\ncd\n"))
    assert checksum_matches("ab\ncd\n", checksum("ab\r\ncd\r\n"))
    assert not checksum_matches("abc\n", checksum("abc"))
    unpadded = "".join(f"{byte:x}" for byte in hashlib.sha256(b"hello").digest())
    assert len(unpadded) < 64 and checksum_matches("hello", unpadded)


def test_prisma_folders_are_read_in_name_order(tmp_path):
    prisma_folder(tmp_path, "20260102000000_b", "20260101000000_a")

    migrations = load(str(tmp_path))

    assert [m["name"] for m in migrations] == ["20260101000000_a", "20260102000000_b"]
    first = migrations[0]
    assert first["path"] == str(tmp_path / "20260101000000_a" / "migration.sql")
    assert first["sql"] == "-- 20260101000000_a\nSELECT 1;\n"
    assert first["checksum"] == checksum(first["sql"])
    assert first["no_transaction"] is False


def test_the_lock_file_is_optional(tmp_path):
    prisma_folder(tmp_path, "20260101000000_a", lock=None)
    assert [m["name"] for m in load(str(tmp_path))] == ["20260101000000_a"]


def test_a_lock_file_for_another_provider_is_refused_naming_it(tmp_path):
    prisma_folder(tmp_path, "20260101000000_a", lock='provider = "mysql"\n')
    with pytest.raises(MigrationError, match=r'provider = "mysql".*PostgreSQL'):
        load(str(tmp_path))


def test_flyway_files_are_ordered_by_version_numerically(tmp_path):
    for name in ("V10__ten.sql", "V2__two.sql", "V1.1__one_one.sql", "V1_2__one_two.sql", "V1__one.sql"):
        (tmp_path / name).write_text("SELECT 1;\n")

    assert [m["name"] for m in load(str(tmp_path))] == ["V1__one", "V1.1__one_one", "V1_2__one_two", "V2__two", "V10__ten"]


def test_two_flyway_files_with_one_version_are_refused(tmp_path):
    (tmp_path / "V1__a.sql").write_text("SELECT 1;")
    (tmp_path / "V1.0__b.sql").write_text("SELECT 1;")  # Flyway: 1 and 1.0 are the same version
    with pytest.raises(MigrationError, match="same version"):
        load(str(tmp_path))


def test_a_sql_file_not_named_like_flyway_is_refused(tmp_path):
    (tmp_path / "init.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"V<version>__<description>\.sql"):
        load(str(tmp_path))


def test_a_folder_without_migration_sql_is_refused(tmp_path):
    prisma_folder(tmp_path, "20260101000000_a")
    (tmp_path / "20260102000000_empty").mkdir()
    with pytest.raises(MigrationError, match="20260102000000_empty has no migration.sql"):
        load(str(tmp_path))


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(MigrationError, match="holds no migrations"):
        load(str(tmp_path))


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(MigrationError, match="does not exist"):
        load(str(tmp_path / "nope"))


def test_mixed_layouts_are_refused(tmp_path):
    prisma_folder(tmp_path, "20260101000000_a")
    (tmp_path / "V1__a.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="mixes"):
        load(str(tmp_path))


def test_names_differing_only_in_case_are_refused_as_duplicates(tmp_path):
    prisma_folder(tmp_path, "20260101000000_Add_users", "20260101000000_add_users")
    with pytest.raises(MigrationError, match="Duplicate migration names.*20260101000000_Add_users and 20260101000000_add_users"):
        load(str(tmp_path))


def test_two_identical_names_are_refused():
    migrations = [{"name": "V1__a"}, {"name": "V1__a"}]
    with pytest.raises(MigrationError, match="Duplicate migration names in here: V1__a and V1__a"):
        check_unique(migrations, "here")


def test_the_no_transaction_marker_must_be_the_first_line(tmp_path):
    prisma_folder(tmp_path, "20260101000000_a", "20260102000000_b")
    (tmp_path / "20260101000000_a" / "migration.sql").write_text("-- shipyard:no-transaction\nCREATE INDEX CONCURRENTLY i ON t(c);\n")
    (tmp_path / "20260102000000_b" / "migration.sql").write_text("SELECT 1;\n-- shipyard:no-transaction\n")

    assert [m["no_transaction"] for m in load(str(tmp_path))] == [True, False]


def test_the_plan_lists_pending_migrations_in_order(tmp_path):
    migrations = load(str(prisma_folder(tmp_path, "20260101000000_a", "20260102000000_b", "20260103000000_c")))

    result = plan(migrations, [row("20260101000000_a")])

    assert result["applied"] == ["20260101000000_a"]
    assert [m["name"] for m in result["pending"]] == ["20260102000000_b", "20260103000000_c"]
    assert result["failed"] == result["mismatched"] == result["unknown"] == []


def test_a_row_neither_finished_nor_rolled_back_is_a_failed_migration(tmp_path):
    migrations = load(str(prisma_folder(tmp_path, "20260101000000_a", "20260102000000_b")))

    result = plan(migrations, [row("20260101000000_a"), row("20260102000000_b", finished=False)])

    assert result["failed"] == ["20260102000000_b"]


def test_a_rolled_back_migration_is_pending_again(tmp_path):
    migrations = load(str(prisma_folder(tmp_path, "20260101000000_a")))

    result = plan(migrations, [row("20260101000000_a", finished=False, rolled_back=True)])

    assert result["failed"] == []
    assert [m["name"] for m in result["pending"]] == ["20260101000000_a"]


def test_a_changed_applied_migration_is_reported(tmp_path):
    migrations = load(str(prisma_folder(tmp_path, "20260101000000_a")))

    assert plan(migrations, [row("20260101000000_a", sql="SELECT 2;")])["mismatched"] == ["20260101000000_a"]


def test_applied_migrations_missing_from_the_folder_are_reported(tmp_path):
    migrations = load(str(prisma_folder(tmp_path, "20260101000000_a")))

    assert plan(migrations, [row("20251231000000_gone"), row("20260101000000_a")])["unknown"] == ["20251231000000_gone"]


@pytest.mark.parametrize("script, statements", [
    ("CREATE INDEX CONCURRENTLY a ON t(c);\nCREATE INDEX CONCURRENTLY b ON t(d);\n",
     ["CREATE INDEX CONCURRENTLY a ON t(c)", "CREATE INDEX CONCURRENTLY b ON t(d)"]),
    ("INSERT INTO t VALUES ('a;b', 'it''s');", ["INSERT INTO t VALUES ('a;b', 'it''s')"]),
    ('SELECT 1 AS "x;y"; SELECT 2', ['SELECT 1 AS "x;y"', "SELECT 2"]),
    ("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\nSELECT 3;",
     ["CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql", "SELECT 3"]),
    ("DO $$ BEGIN PERFORM 1; END $$;", ["DO $$ BEGIN PERFORM 1; END $$"]),
    ("-- shipyard:no-transaction\n-- a comment; with a semicolon\nSELECT 1; /* trailing; comment */\n",
     ["-- shipyard:no-transaction\n-- a comment; with a semicolon\nSELECT 1"]),
])
def test_statements_are_split_on_top_level_semicolons_only(script, statements):
    assert split_statements(script) == statements
