"""The WSGI middleware in front of moto: the /_shipyard/ endpoints, the request log, delays, and moto run for one
request at a time (see the package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import functools
import io
import json
import re
import threading
import zlib
from collections import deque
from urllib.parse import parse_qs

from localenv.extensions.dynamodb import _DYNAMODB_TABLE_OPERATIONS, add_dynamodb_table_id, apply_dynamodb_sse_update
from localenv.extensions.ecs_deployments import ECS_ROLLOUTS
from localenv.extensions.ecs_exec import set_ecs_exec_agent, validate_exec_agent_request
from localenv.extensions.ecs_task_runs import ECS_TASK_RUNS, ECS_TASK_RUNS_PATH
from localenv.extensions.helpers import Forbidden, NotFound
from localenv.extensions.rds_status import (
    RDS_STATUS_PATH,
    RDS_TRANSITIONS_PATH,
    set_rds_status,
    set_rds_transition,
    validate_rds_request,
)
from localenv.extensions.ssm_sessions import (
    SSM_DATA_CHANNEL_PATH,
    SSM_SESSION_OPERATIONS,
    SsmError,
    SsmSessions,
    _aws_json_response,
    _optional_string,
    _required_string,
    ssm_caller,
    ssm_target_arn,
    ssm_target_connected,
)


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


def _read_json_object(environ) -> dict:
    """The request body as a JSON object; ValueError (the caller's 400) when it is not one."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    document = json.loads(environ["wsgi.input"].read(length) or b"{}")
    if not isinstance(document, dict):
        raise ValueError("the body must be a JSON object")
    return document


def _cleared(clear) -> dict:
    clear()
    return {"cleared": True}


class ShipyardExtensions:
    """WSGI middleware: serves the /_shipyard/ endpoints and the SSM session operations, records every other
    request, then hands it to moto."""

    def __init__(self, app, log: RequestLog | None = None):
        self.app = SerializedMoto(app)
        self.log = log or RequestLog()
        self.delays = Delays()
        self.rollouts = ECS_ROLLOUTS
        self.task_runs = ECS_TASK_RUNS
        self.ssm = SsmSessions()
        self._routes = {
            ("GET", "/_shipyard/requests"): lambda environ: self.log.entries(),
            ("DELETE", "/_shipyard/requests"): lambda environ: _cleared(self.log.clear),
            ("PUT", "/_shipyard/delays"): self._set_delay,
            ("DELETE", "/_shipyard/delays"): lambda environ: _cleared(self.delays.clear),
            ("GET", "/_shipyard/ecs/rollouts"): lambda environ: self.rollouts.current(),
            ("PUT", "/_shipyard/ecs/rollouts"): self._plan_rollout,
            ("DELETE", "/_shipyard/ecs/rollouts"): lambda environ: _cleared(self.rollouts.clear),
            ("PUT", "/_shipyard/ecs/agents"): self._set_exec_agent,
            ("GET", ECS_TASK_RUNS_PATH): lambda environ: self.task_runs.listing(),
            ("PUT", ECS_TASK_RUNS_PATH): self._queue_task_run,
            ("DELETE", ECS_TASK_RUNS_PATH): lambda environ: _cleared(self.task_runs.clear),
            ("PUT", RDS_STATUS_PATH): self._set_rds_status,
            ("PUT", RDS_TRANSITIONS_PATH): self._set_rds_transition,
            ("GET", "/_shipyard/ssm/denials"): lambda environ: self.ssm.denials(),
            ("PUT", "/_shipyard/ssm/denials"): self._deny_start_session,
            ("DELETE", "/_shipyard/ssm/denials"): lambda environ: _cleared(self.ssm.clear_denials),
            ("GET", "/_shipyard/ssm/sessions"): lambda environ: self.ssm.listing(),
            ("DELETE", "/_shipyard/ssm/sessions"): lambda environ: _cleared(self.ssm.clear),
            ("PUT", SSM_DATA_CHANNEL_PATH): self._refuse_next_data_channel,
            ("DELETE", SSM_DATA_CHANNEL_PATH): lambda environ: _cleared(self.ssm.clear_refusal),
        }

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_shipyard/"):
            return self._serve_own(environ, start_response, path)
        match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(3) if match else None
        operation = _operation(environ)
        self.log.add(
            {
                "service": service,
                "operation": operation,
                "method": environ.get("REQUEST_METHOD"),
                "path": path,
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
                # Which credentials signed it: tests prove temporary keys travel with their session token.
                "access_key": match.group(1) if match else None,
                "security_token": environ.get("HTTP_X_AMZ_SECURITY_TOKEN"),
            }
        )
        self.delays.wait(operation)
        if service == "dynamodb" and operation in _DYNAMODB_TABLE_OPERATIONS:
            return self._dynamodb_table_operation(environ, start_response, match.group(1), match.group(2), operation)
        if service == "ssm" and operation in SSM_SESSION_OPERATIONS:
            return self._ssm_session_operation(environ, start_response, match.group(1), match.group(2), operation)
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

    def _ssm_session_operation(self, environ, start_response, access_key, region, operation):
        try:
            request = _read_json_object(environ)
            if operation == "StartSession":
                answer = self._start_session(environ, request, access_key, region)
            elif operation == "TerminateSession":
                answer = {"SessionId": self.ssm.terminate(_required_string(request, "SessionId"))}
            else:
                answer = self.ssm.describe(request)
        except SsmError as exc:
            return _aws_json_response(start_response, {"__type": exc.code, "message": exc.message}, "400 Bad Request")
        except ValueError as exc:
            return _aws_json_response(start_response, {"__type": "ValidationException", "message": str(exc)},
                                      "400 Bad Request")
        return _aws_json_response(start_response, answer)

    def _start_session(self, environ, request, access_key, region) -> dict:
        target = _required_string(request, "Target")
        with self.app.lock:  # moto's models (credentials, ECS tasks, EC2 instances) are read as moto would read them
            account_id, principal = ssm_caller(access_key, region)
            connected = ssm_target_connected(target, account_id, region)
        self.ssm.check_allowed(target, principal, ssm_target_arn(target, account_id, region))
        if not connected:
            raise SsmError("TargetNotConnected", f"{target} is not connected.")
        session = self.ssm.start(target, request, principal)
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        stream_url = f"ws://{host}{SSM_DATA_CHANNEL_PATH}/{session['SessionId']}?role=publish_subscribe"
        return {"SessionId": session["SessionId"], "TokenValue": session["TokenValue"], "StreamUrl": stream_url}

    def _serve_own(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD")
        if path == "/_shipyard/health":
            return _json_response(start_response, {"status": "ok"})
        handler = self._routes.get((method, path))
        if handler is None and method == "GET" and path.startswith(SSM_DATA_CHANNEL_PATH + "/"):
            handler = functools.partial(self._open_data_channel, path[len(SSM_DATA_CHANNEL_PATH) + 1:])
        if handler is None:
            return _json_response(start_response, {"error": f"no such endpoint: {method} {path}"}, "404 Not Found")
        try:
            return _json_response(start_response, handler(environ))
        except ValueError as exc:  # json.JSONDecodeError included
            return _json_response(start_response, {"error": str(exc)}, "400 Bad Request")
        except Forbidden as exc:
            return _json_response(start_response, {"error": str(exc)}, "403 Forbidden")
        except NotFound as exc:
            return _json_response(start_response, {"error": str(exc)}, "404 Not Found")

    def _open_data_channel(self, session_id: str, environ) -> dict:
        return self.ssm.open_data_channel(session_id, environ.get("HTTP_AUTHORIZATION", ""))

    def _set_delay(self, environ) -> dict:
        request = _read_json_object(environ)
        try:
            self.delays.set(str(request["operation"]), float(request["seconds"]))
        except (KeyError, TypeError) as exc:
            raise ValueError('"operation" and "seconds" (a number) are required') from exc
        return self.delays.current()

    def _plan_rollout(self, environ) -> dict:
        self.rollouts.set(_read_json_object(environ))
        return self.rollouts.current()

    def _set_exec_agent(self, environ) -> dict:
        request = validate_exec_agent_request(_read_json_object(environ))
        with self.app.lock:
            return set_ecs_exec_agent(**request)

    def _set_rds_status(self, environ) -> dict:
        request = validate_rds_request(_read_json_object(environ), "status")
        with self.app.lock:
            return set_rds_status(**request)

    def _set_rds_transition(self, environ) -> dict:
        request = validate_rds_request(_read_json_object(environ), "seconds")
        with self.app.lock:
            return set_rds_transition(**request)

    def _queue_task_run(self, environ) -> dict:
        self.task_runs.queue(_read_json_object(environ))
        return self.task_runs.listing()

    def _deny_start_session(self, environ) -> dict:
        request = _read_json_object(environ)
        self.ssm.deny(_required_string(request, "target"), _optional_string(request, "message"))
        return self.ssm.denials()

    def _refuse_next_data_channel(self, environ) -> dict:
        self.ssm.refuse_next_open(_required_string(_read_json_object(environ), "refuse"))
        return {"refuse": True}


class SerializedMoto:
    """Runs moto's WSGI application for one request at a time, the response body read inside the lock.

    moto's models are not thread-safe (see the package docstring); serialising costs little, since moto answers
    in milliseconds and Python runs one thread at a time anyway. ``lock`` is the same lock, for the extensions
    that read moto's models themselves.
    """

    def __init__(self, app):
        self._app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            chunks = self._app(environ, start_response)
            try:
                return [b"".join(chunks)]
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()


class Delays:
    """Operation name -> seconds to wait before moto answers it (tests that interrupt a slow apply).
    Clearing the delays also releases the requests that are waiting, so none is still pending afterwards."""

    def __init__(self):
        self._seconds: dict[str, float] = {}
        self._changed = threading.Condition()

    def set(self, operation: str, seconds: float) -> None:
        with self._changed:
            self._seconds[operation] = seconds

    def clear(self) -> None:
        with self._changed:
            self._seconds.clear()
            self._changed.notify_all()

    def current(self) -> dict[str, float]:
        with self._changed:
            return dict(self._seconds)

    def wait(self, operation: str | None) -> None:
        with self._changed:
            seconds = self._seconds.get(operation or "", 0)
            if seconds:
                self._changed.wait_for(lambda: operation not in self._seconds, timeout=seconds)
