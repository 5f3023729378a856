"""tools/localenv/extensions/middleware.py: the WSGI middleware the test emulator puts in front of moto."""

from __future__ import annotations

import json
import threading
import time
import uuid
import zlib

import pytest
from werkzeug.test import Client, EnvironBuilder

from localenv.extensions import RequestLog, ShipyardExtensions, _denies_only_insecure_transport, add_dynamodb_table_id


def _auth(service, region="ap-northeast-1"):
    return (
        f"AWS4-HMAC-SHA256 Credential=AKID/20260101/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0123"
    )


class FakeAWS:
    """Stands in for moto: remembers what it received and answers with a fixed response."""

    def __init__(self, body=b'{"ok": true}', status="200 OK", headers=None):
        self.calls = []
        self.body = body
        self.status = status
        self.headers = headers or [("Content-Type", "application/json")]

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.calls.append({"path": environ["PATH_INFO"], "body": environ["wsgi.input"].read(length)})
        start_response(self.status, self.headers + [("Content-Length", str(len(self.body)))])
        return [self.body]


@pytest.fixture
def inner():
    return FakeAWS()


@pytest.fixture
def app(inner):
    return ShipyardExtensions(inner)


@pytest.fixture
def client(app):
    return Client(app)


def _recorded(client):
    return client.get("/_shipyard/requests").get_json()


# --- recording ----------------------------------------------------------------------------------------------


def test_rest_request_is_recorded_with_service_method_path_and_user_agent(client, inner):
    response = client.get(
        "/my-bucket/state.tfstate",
        headers={"Authorization": _auth("s3"), "User-Agent": "Boto3/1.35 APN/1.0 shipyard.aws/0.1.0"},
    )
    assert response.status_code == 200
    assert len(inner.calls) == 1
    assert _recorded(client) == [
        {
            "service": "s3",
            "operation": None,
            "method": "GET",
            "path": "/my-bucket/state.tfstate",
            "user_agent": "Boto3/1.35 APN/1.0 shipyard.aws/0.1.0",
            "access_key": "AKID",
            "security_token": None,
        }
    ]


def test_temporary_credentials_are_recorded_with_their_session_token(client):
    client.get("/?Action=GetCallerIdentity", headers={"Authorization": _auth("sts"), "X-Amz-Security-Token": "tok-1"})
    (entry,) = _recorded(client)
    assert (entry["access_key"], entry["security_token"]) == ("AKID", "tok-1")


def test_operation_comes_from_x_amz_target(client):
    client.post(
        "/",
        data=b'{"TableName": "t"}',
        headers={"Authorization": _auth("kms"), "X-Amz-Target": "TrentService.DescribeKey"},
        content_type="application/x-amz-json-1.1",
    )
    (entry,) = _recorded(client)
    assert entry["service"] == "kms"
    assert entry["operation"] == "DescribeKey"
    assert entry["method"] == "POST"


def test_dynamodb_target_is_reduced_to_the_operation_name(client):
    client.post(
        "/",
        data=b'{"TableName": "locks"}',
        headers={"Authorization": _auth("dynamodb"), "X-Amz-Target": "DynamoDB_20120810.DescribeTable"},
        content_type="application/x-amz-json-1.0",
    )
    (entry,) = _recorded(client)
    assert (entry["service"], entry["operation"]) == ("dynamodb", "DescribeTable")


def test_operation_comes_from_the_query_string_action(client):
    client.get("/?Action=GetCallerIdentity&Version=2011-06-15", headers={"Authorization": _auth("sts")})
    (entry,) = _recorded(client)
    assert (entry["service"], entry["operation"]) == ("sts", "GetCallerIdentity")


def test_operation_comes_from_a_form_body_and_the_inner_app_still_gets_the_whole_body(client, inner):
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    client.post(
        "/", data=body, headers={"Authorization": _auth("sts")}, content_type="application/x-www-form-urlencoded"
    )
    (entry,) = _recorded(client)
    assert entry["operation"] == "GetCallerIdentity"
    assert inner.calls[0]["body"] == body.encode()


def test_unsigned_request_is_recorded_without_a_service(client):
    client.get("/anything")
    (entry,) = _recorded(client)
    assert entry["service"] is None
    assert entry["operation"] is None


def test_missing_user_agent_is_recorded_as_empty(app):
    environ = EnvironBuilder(path="/bucket", method="PUT").get_environ()
    environ.pop("HTTP_USER_AGENT", None)
    app(environ, lambda status, headers, exc_info=None: None)
    (entry,) = app.log.entries()
    assert (entry["method"], entry["path"], entry["user_agent"]) == ("PUT", "/bucket", "")


def test_requests_are_listed_oldest_first(client):
    for name in ("first", "second", "third"):
        client.get(f"/{name}")
    assert [e["path"] for e in _recorded(client)] == ["/first", "/second", "/third"]


def test_a_shared_log_is_used_when_given(inner):
    log = RequestLog()
    Client(ShipyardExtensions(inner, log)).get("/x")
    assert [e["path"] for e in log.entries()] == ["/x"]


# --- own endpoints ------------------------------------------------------------------------------------------


def test_health_answers_ok_without_reaching_moto_or_being_recorded(client, inner):
    response = client.get("/_shipyard/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert inner.calls == []
    assert _recorded(client) == []


def test_listing_requests_is_not_itself_recorded(client, inner):
    client.get("/_shipyard/requests")
    client.get("/_shipyard/requests")
    assert _recorded(client) == []
    assert inner.calls == []


def test_delete_requests_empties_the_list(client, inner):
    client.get("/a")
    client.get("/b")
    response = client.delete("/_shipyard/requests")
    assert response.status_code == 200
    assert response.get_json() == {"cleared": True}
    assert _recorded(client) == []
    assert len(inner.calls) == 2


@pytest.mark.parametrize(("method", "path"), [("GET", "/_shipyard/nope"), ("POST", "/_shipyard/requests")])
def test_unknown_shipyard_endpoint_is_404_and_never_reaches_moto(client, inner, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 404
    assert path in response.get_json()["error"]
    assert inner.calls == []
    assert _recorded(client) == []


# --- one request at a time inside moto ---------------------------------------------------------------------


class SlowStreamingAWS:
    """Stands in for moto: answers with a generator that yields slowly, and counts requests in flight."""

    def __init__(self):
        self.in_flight = 0
        self.most_in_flight = 0
        self.counter_lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.counter_lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return self._body()

    def _body(self):
        try:
            for part in (b"a", b"b", b"c"):
                time.sleep(0.01)
                yield part
        finally:
            with self.counter_lock:
                self.in_flight -= 1


def test_moto_serves_one_request_at_a_time_and_the_whole_body_is_read_inside(app):
    slow = SlowStreamingAWS()
    app = ShipyardExtensions(slow)
    bodies = []

    def call():
        bodies.append(Client(app).get("/x").data)

    threads = [threading.Thread(target=call) for _thread in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bodies == [b"abc"] * 8
    assert slow.most_in_flight == 1
    assert slow.in_flight == 0


def test_delays_are_served_outside_the_lock(inner):
    app = ShipyardExtensions(inner)
    app.delays.set("SlowOperation", 0.5)
    slow = threading.Thread(target=lambda: Client(app).get("/slow?Action=SlowOperation"))
    slow.start()
    time.sleep(0.05)
    Client(app).get("/quick?Action=QuickOperation")
    slow.join()
    assert [call["path"] for call in inner.calls] == ["/quick", "/slow"], "a delayed request held moto's lock"


# --- DynamoDB table descriptions ----------------------------------------------------------------------------

ARN = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/locks"


def test_dynamodb_describe_table_response_gets_a_table_id_and_a_matching_crc32():
    moto_body = json.dumps({"Table": {"TableName": "locks", "TableArn": ARN}}).encode()
    inner = FakeAWS(body=moto_body, headers=[("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Crc32", "1")])
    response = Client(ShipyardExtensions(inner)).post(
        "/",
        data=b'{"TableName": "locks"}',
        headers={"Authorization": _auth("dynamodb"), "X-Amz-Target": "DynamoDB_20120810.DescribeTable"},
        content_type="application/x-amz-json-1.0",
    )
    assert json.loads(response.data)["Table"]["TableId"] == str(uuid.uuid5(uuid.NAMESPACE_URL, ARN))
    assert response.headers["X-Amz-Crc32"] == str(zlib.crc32(response.data) & 0xFFFFFFFF)
    assert response.headers["Content-Length"] == str(len(response.data))
    assert response.headers.getlist("X-Amz-Crc32") == [response.headers["X-Amz-Crc32"]]
    assert inner.calls[0]["body"] == b'{"TableName": "locks"}'


def test_table_id_is_added_to_table_and_table_description():
    for key in ("Table", "TableDescription"):
        document = json.loads(add_dynamodb_table_id(json.dumps({key: {"TableArn": ARN}}).encode()))
        assert document[key]["TableId"] == str(uuid.uuid5(uuid.NAMESPACE_URL, ARN))


def test_table_id_is_stable_and_differs_between_tables():
    payload = json.dumps({"Table": {"TableArn": ARN}}).encode()
    other = json.dumps({"Table": {"TableArn": ARN + "-2"}}).encode()
    first = json.loads(add_dynamodb_table_id(payload))["Table"]["TableId"]
    assert json.loads(add_dynamodb_table_id(payload))["Table"]["TableId"] == first
    assert json.loads(add_dynamodb_table_id(other))["Table"]["TableId"] != first


def test_existing_table_id_is_kept():
    document = {"Table": {"TableArn": ARN, "TableId": "given-by-aws"}}
    assert json.loads(add_dynamodb_table_id(json.dumps(document).encode())) == document


def test_document_without_a_table_arn_is_unchanged():
    document = {"TableNames": ["locks"], "Table": {"TableName": "x"}}
    assert json.loads(add_dynamodb_table_id(json.dumps(document).encode())) == document


def test_non_json_payload_is_returned_untouched():
    assert add_dynamodb_table_id(b"<html>oops</html>") == b"<html>oops</html>"


# --- S3 TLS-only statements ---------------------------------------------------------------------------------


def _statement(effect="Deny", condition=None):
    return {"Effect": effect, "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": condition}


@pytest.mark.parametrize(
    "bool_condition",
    [{"aws:SecureTransport": "false"}, {"AWS:SECURETRANSPORT": "FALSE"}, {"aws:securetransport": False}],
)
def test_deny_when_secure_transport_is_false_only_denies_insecure_transport(bool_condition):
    assert _denies_only_insecure_transport(_statement(condition={"Bool": bool_condition}))


def test_allow_statement_is_not_a_tls_only_deny():
    assert not _denies_only_insecure_transport(_statement("Allow", {"Bool": {"aws:SecureTransport": "false"}}))


def test_deny_with_a_further_condition_operator_is_not_tls_only():
    condition = {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:PrincipalAccount": "1"}}
    assert not _denies_only_insecure_transport(_statement(condition=condition))


def test_deny_with_a_further_bool_key_is_not_tls_only():
    condition = {"Bool": {"aws:SecureTransport": "false", "aws:MultiFactorAuthPresent": "false"}}
    assert not _denies_only_insecure_transport(_statement(condition=condition))


def test_deny_when_secure_transport_is_true_is_not_tls_only():
    assert not _denies_only_insecure_transport(_statement(condition={"Bool": {"aws:SecureTransport": "true"}}))


def test_unconditional_deny_is_not_tls_only():
    assert not _denies_only_insecure_transport(_statement(condition=None))
    assert not _denies_only_insecure_transport({"Effect": "Deny", "Action": "s3:*"})
