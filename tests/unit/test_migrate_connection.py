"""module_utils/migrate_connection.py: the DATABASE_URL handed to a migration tool, built from the module's options."""

from __future__ import annotations

import psycopg.conninfo
import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.migrate_connection import database_url

NO_OPTIONS = {"dsn": None, "host": None, "port": None, "database": None, "user": None, "password": None}


def options(**given):
    return {**NO_OPTIONS, **given}


def test_a_uri_dsn_is_passed_on_as_it_is():
    uri = "postgres://app:s3cret@db.internal:6432/shop?sslmode=require"

    assert database_url(options(dsn=uri)) == uri


def test_host_port_and_credentials_become_a_uri_with_the_password_url_encoded():
    url = database_url(options(host="127.0.0.1", port=15432, database="bookmarks", user="app", password="p@ss:w/rd?#"))

    assert url == "postgresql://app:p%40ss%3Aw%2Frd%3F%23@127.0.0.1:15432/bookmarks"
    assert psycopg.conninfo.conninfo_to_dict(url)["password"] == "p@ss:w/rd?#"


def test_a_unix_socket_directory_goes_in_the_host_query_parameter():
    url = database_url(options(dsn="host=/run/postgresql port=5433 user=postgres dbname=app_test"))

    assert url == "postgresql://postgres@/app_test?host=%2Frun%2Fpostgresql&port=5433"
    assert psycopg.conninfo.conninfo_to_dict(url) == {"host": "/run/postgresql", "port": "5433", "user": "postgres",
                                                      "dbname": "app_test"}


def test_other_libpq_settings_of_a_key_value_dsn_are_kept_as_query_parameters():
    url = database_url(options(dsn="host=db port=5432 dbname=shop user=app sslmode=verify-full connect_timeout=5"))

    assert url.startswith("postgresql://app@db:5432/shop?")
    assert psycopg.conninfo.conninfo_to_dict(url) == {"host": "db", "port": "5432", "dbname": "shop", "user": "app",
                                                      "sslmode": "verify-full", "connect_timeout": "5"}


@pytest.mark.parametrize("database", ["shop", "my shop/eu"])
def test_the_database_name_is_url_encoded(database):
    url = database_url(options(host="db", database=database, user="app"))

    assert psycopg.conninfo.conninfo_to_dict(url)["dbname"] == database
