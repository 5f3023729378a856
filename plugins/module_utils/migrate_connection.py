# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""db_migrate's database connection: its settings (given, or read from SSM and Secrets Manager), the psycopg
connection, the DATABASE_URL handed to external tools, and keeping the password and the DSN out of every message."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

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
MASK = "********"
URI_SCHEMES = ("postgresql://", "postgres://")
# The options that describe the connection; runner ecs_task needs none of them.
CONNECTION_OPTIONS = ("dsn", "host", "host_parameter", "database", "user", "password", "password_secret_id")


class Secrets:
    """The values that must never reach a message: the password, the DSN and the DATABASE_URL built from them."""

    def __init__(self, module):
        self.module = module
        self.values = []

    def add(self, value) -> None:
        if value and value not in self.values:
            self.values.append(value)
            self.values.sort(key=len, reverse=True)  # a DSN holds the password: replace the longer first
            self.module.no_log_values.add(value)

    def redact(self, text) -> str:
        text = to_text(text)
        for value in self.values:
            text = text.replace(value, MASK)
        return text

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=self.redact(msg), **kwargs)


def wanted(params: dict) -> bool:
    return any(params[option] for option in CONNECTION_OPTIONS)


def read_host_parameter(module) -> None:
    name = module.params["host_parameter"]
    ssm = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff())
    value = ""
    try:
        value = ssm.get_parameter(Name=name, WithDecryption=True, aws_retry=True)["Parameter"]["Value"]
    except is_boto3_error_code("ParameterNotFound"):
        module.fail_json(msg=f"SSM parameter {name} (host_parameter) does not exist: check its name.")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(error, msg=f"Cannot read SSM parameter {name} (host_parameter)")
    module.params["host"] = value.strip()


def read_password_secret(module, secrets: Secrets) -> None:
    """A secret holding JSON (as RDS writes it) gives its password, and its username when user is not set;
    any other secret string is the password itself."""
    params = module.params
    name = params["password_secret_id"]
    client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())
    secret = None
    try:
        secret = client.get_secret_value(SecretId=name, aws_retry=True).get("SecretString")
    except is_boto3_error_code("ResourceNotFoundException"):
        module.fail_json(msg=f"Secrets Manager secret {name} (password_secret_id) does not exist: check its name or ARN.")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
        module.fail_json_aws(error, msg=f"Cannot read secret {name} (password_secret_id)")
    if not secret:
        module.fail_json(msg=f"Secret {name} (password_secret_id) has no SecretString; store the password as text or JSON.")
    try:
        document = json.loads(secret)
    except ValueError:
        document = None
    if isinstance(document, dict):
        if not document.get("password"):
            module.fail_json(msg=f"Secret {name} (password_secret_id) is JSON without a \"password\" key.")
        password = str(document["password"])
        if not params["user"] and document.get("username"):
            params["user"] = str(document["username"])
    else:
        password = secret
    secrets.add(password)
    params["password"] = password


def settings(module) -> Secrets:
    """Fill host and password from AWS when asked to, check the DSN, and return what must be kept secret."""
    params = module.params
    secrets = Secrets(module)
    secrets.add(params["password"])
    if params["dsn"]:
        secrets.add(params["dsn"])
        dsn_password = None
        try:
            dsn_password = psycopg.conninfo.conninfo_to_dict(params["dsn"]).get("password")
        except psycopg.ProgrammingError:
            # libpq's message quotes the part it could not read, which may be the password: it is not repeated.
            module.fail_json(msg="The dsn is not a valid libpq connection string (key=value ...) or URI (postgresql://...); "
                                 "its text is not shown because it may hold a password.")
        secrets.add(dsn_password)
    if params["host_parameter"]:
        read_host_parameter(module)
    if params["password_secret_id"]:
        read_password_secret(module, secrets)
    return secrets


def connection_kwargs(params: dict) -> dict:
    kwargs = {"application_name": APPLICATION_NAME, "autocommit": True}
    for option, keyword in (("host", "host"), ("port", "port"), ("database", "dbname"), ("user", "user"), ("password", "password")):
        if params[option] is not None and not (params["dsn"] and option == "port"):
            kwargs[keyword] = params[option]
    return kwargs


def connect(module, secrets: Secrets):
    try:
        return psycopg.connect(module.params["dsn"] or "", **connection_kwargs(module.params))
    except psycopg.Error as error:
        secrets.fail(f"Cannot connect to PostgreSQL: {to_text(error).strip()}. Check the host, port, database, user and "
                     "password (or dsn), and that the server accepts connections from here.")


def database_url(params: dict) -> str:
    """The connection as a postgresql:// URI, the form Prisma, SQLAlchemy and most tools read from DATABASE_URL.

    A DSN already in URI form is passed on as it is. A Unix socket directory goes in the ``host`` query parameter,
    since a URI's host part cannot hold a path (libpq and Prisma both read it there)."""
    dsn = params["dsn"]
    if dsn and dsn.startswith(URI_SCHEMES):
        return dsn
    parts = psycopg.conninfo.conninfo_to_dict(dsn) if dsn else {}
    if not dsn:
        parts = {key: value for key, value in connection_kwargs(params).items() if key not in ("application_name", "autocommit")}
    host, port = str(parts.pop("host", "") or ""), parts.pop("port", None)
    user, password, database = parts.pop("user", None), parts.pop("password", None), parts.pop("dbname", None)
    query = {}
    if host.startswith("/"):
        query["host"] = host
        host = ""
    credentials = ""
    if user:
        credentials = quote(str(user), safe="") + (":" + quote(str(password), safe="") if password else "") + "@"
    netloc = credentials + host + (f":{port}" if port and host else "")
    if port and not host:
        query["port"] = str(port)
    query.update({key: str(value) for key, value in parts.items()})
    url = f"postgresql://{netloc}/{quote(str(database or ''), safe='')}"
    return url + ("?" + urlencode(query) if query else "")


def describe(error) -> str:
    """A psycopg error as one line with its SQLSTATE."""
    diag = getattr(error, "diag", None)
    parts = [to_text(error).strip()]
    if diag is not None and diag.sqlstate:
        parts.append(f"(SQLSTATE {diag.sqlstate})")
    return " ".join(parts)
