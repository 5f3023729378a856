"""The one place where the test harness extends the AWS emulator (moto in server mode).

Everything the collection's tests need from the emulator beyond what moto itself serves is added here,
as WSGI middleware around moto's own application, never by patching the code under test:

* ``GET /_shipyard/requests`` lists every AWS request the emulator received (service, operation, method,
  path, user agent), oldest first; ``DELETE /_shipyard/requests`` empties the list. Tests use it to prove
  that bad input fails *before any AWS call* and that modules send the collection's user agent.
* ``GET /_shipyard/health`` answers ``{"status": "ok"}`` once the server is up.
* DynamoDB ``UpdateTable`` with ``SSESpecification``: moto 5 ignores it (it only honours the encryption
  given at CreateTable), so switching a table's key would silently do nothing. The extension applies it to
  moto's table model after moto has answered, as DynamoDB does (``apply_dynamodb_sse_update``).
* S3 bucket policies: moto ignores policy conditions, so the state bucket's "deny when aws:SecureTransport is
  false" statement becomes a deny-all for objects and Terraform's S3 backend could not write state. The
  emulator stands in for AWS's TLS endpoints, so it evaluates bucket policies without statements that only
  deny insecure transport (``install_moto_patches``); every other statement is evaluated as moto does.
* DynamoDB table descriptions carry a ``TableId`` in AWS; moto 5 leaves it out and community.aws.dynamodb_table
  fails on its absence, so the extension adds a stable one (``add_dynamodb_table_id``).

Later extensions (SSM StartSession/TerminateSession, ECS managed-agent fields) belong in this file too,
each in a section of its own with the reason moto lacks it.
"""

from __future__ import annotations

import io
import json
import re
import threading
import uuid
import zlib
from collections import deque
from urllib.parse import parse_qs

_CREDENTIAL_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_MAX_RECORDED = 20000
_MAX_FORM_BODY = 1024 * 1024


class RequestLog:
    """A bounded, thread-safe record of the requests the emulator served."""

    def __init__(self):
        self._entries = deque(maxlen=_MAX_RECORDED)
        self._lock = threading.Lock()

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _operation(environ) -> str | None:
    """The AWS operation: X-Amz-Target for JSON protocols, Action for query protocols, else None (REST)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    content_type = environ.get("CONTENT_TYPE", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if content_type.startswith("application/x-www-form-urlencoded") and 0 < length <= _MAX_FORM_BODY:
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return None


def _json_response(start_response, payload, status="200 OK"):
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class ShipyardExtensions:
    """WSGI middleware: serves the /_shipyard/ endpoints and records every other request, then hands it to moto."""

    def __init__(self, app, log: RequestLog | None = None):
        self.app = app
        self.log = log or RequestLog()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_shipyard/"):
            return self._serve_own(environ, start_response, path)
        match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        operation = _operation(environ)
        self.log.add(
            {
                "service": match.group(3) if match else None,
                "operation": operation,
                "method": environ.get("REQUEST_METHOD"),
                "path": path,
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
            }
        )
        if match and match.group(3) == "dynamodb" and operation in _DYNAMODB_TABLE_OPERATIONS:
            return self._dynamodb_table_operation(environ, start_response, match.group(1), match.group(2), operation)
        return self.app(environ, start_response)

    def _dynamodb_table_operation(self, environ, start_response, access_key, region, operation):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        captured = {}

        def capture(status_line, headers, exc_info=None):
            captured.update(status=status_line, headers=headers)
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            payload = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        request = json.loads(body or b"{}")
        if captured["status"].startswith("200"):
            if operation == "UpdateTable" and "SSESpecification" in request:
                apply_dynamodb_sse_update(access_key, region, request["TableName"], request["SSESpecification"])
            payload = add_dynamodb_table_id(payload)
        # botocore checks DynamoDB bodies against X-Amz-Crc32, so a rewritten body needs a new checksum.
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in ("content-length", "x-amz-crc32")]
        headers += [("Content-Length", str(len(payload))), ("X-Amz-Crc32", str(zlib.crc32(payload) & 0xFFFFFFFF))]
        start_response(captured["status"], headers)
        return [payload]

    def _serve_own(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD")
        if path == "/_shipyard/health":
            return _json_response(start_response, {"status": "ok"})
        if path == "/_shipyard/requests" and method == "GET":
            return _json_response(start_response, self.log.entries())
        if path == "/_shipyard/requests" and method == "DELETE":
            self.log.clear()
            return _json_response(start_response, {"cleared": True})
        return _json_response(start_response, {"error": f"no such endpoint: {method} {path}"}, "404 Not Found")


# --- DynamoDB -----------------------------------------------------------------------------------------------

_DYNAMODB_TABLE_OPERATIONS = {"CreateTable", "DescribeTable", "UpdateTable", "DeleteTable"}


def add_dynamodb_table_id(payload: bytes) -> bytes:
    """DynamoDB returns a TableId (a UUID) with every table description; moto 5 does not, and
    community.aws.dynamodb_table reads it. Derive a stable one from the table's ARN."""
    try:
        document = json.loads(payload)
    except ValueError:
        return payload
    for key in ("Table", "TableDescription"):
        table = document.get(key)
        if isinstance(table, dict) and "TableArn" in table and "TableId" not in table:
            table["TableId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, table["TableArn"]))
    return json.dumps(document).encode()


def apply_dynamodb_sse_update(access_key: str, region: str, table_name: str, spec: dict) -> None:
    """Set a table's encryption in moto's model the way DynamoDB's UpdateTable does."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.iam.models import get_account_id_from
    from moto.kms.models import kms_backends

    account_id = get_account_id_from(access_key)
    table = dynamodb_backends[account_id][region].get_table(table_name)
    if not spec.get("Enabled", False):
        table.sse_specification = None
        return
    key_id = spec.get("KMSMasterKeyId")
    # DynamoDB stores the key's ARN whichever form (id, alias, ARN) the request used.
    key_arn = (
        kms_backends[account_id][region].describe_key(key_id).arn
        if key_id
        else table._get_default_encryption_key(account_id, region)  # pylint: disable=protected-access
    )
    table.sse_specification = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn}


# --- S3 ----------------------------------------------------------------------------------------------------


def _denies_only_insecure_transport(statement: dict) -> bool:
    condition = statement.get("Condition") or {}
    return (
        statement.get("Effect") == "Deny"
        and list(condition) == ["Bool"]
        and {k.lower(): str(v).lower() for k, v in condition["Bool"].items()} == {"aws:securetransport": "false"}
    )


def install_moto_patches() -> None:
    """Patch moto's models in the emulator process (never in the code under test)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(bucket, action: str, resource: str):
        if bucket.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(bucket.policy.decode())
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        document["Statement"] = [s for s in statements if not _denies_only_insecure_transport(s)]
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission
