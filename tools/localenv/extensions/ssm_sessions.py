"""SSM Session Manager: StartSession, TerminateSession, DescribeSessions and the data channel (see the package
docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import datetime
import hmac
import json
import re
import secrets
import threading
import uuid

from localenv.extensions.ecs_exec import ecs_exec_target_connected
from localenv.extensions.helpers import Forbidden, NotFound, _moto_errors


# --- SSM sessions (Session Manager) ------------------------------------------------------------------------

SSM_SESSION_OPERATIONS = ("StartSession", "TerminateSession", "DescribeSessions")
SSM_DATA_CHANNEL_PATH = "/_shipyard/ssm/data-channel"
SSM_DEFAULT_DOCUMENT = "SSM-SessionManagerRunShell"
SSM_SESSION_FILTER_KEYS = ("InvokedAfter", "InvokedBefore", "Target", "Owner", "Status", "SessionId", "AccessType")
SSM_STATE_STATUS = {"Active": "Connected", "History": "Terminated"}
_SSM_TOKEN_BYTES = 96  # 128 URL-safe characters, about the length of AWS's tokens


class SsmError(Exception):
    """An SSM API error: answered as HTTP 400 with ``{"__type": code, "message": message}`` (JSON 1.1)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _aws_json_response(start_response, payload, status="200 OK"):
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body))),
                            ("x-amzn-RequestId", str(uuid.uuid4()))])
    return [body]


def _required_string(request: dict, key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f'"{key}" (a non-empty string) is required')
    return value


def _optional_string(request: dict, key: str) -> str | None:
    value = request.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string')
    return value


def _session_parameters(request: dict) -> dict[str, list[str]]:
    parameters = request.get("Parameters") or {}
    if not isinstance(parameters, dict) or not all(
        isinstance(values, list) and all(isinstance(value, str) for value in values) for values in parameters.values()
    ):
        raise ValueError('"Parameters" must map names to lists of strings')
    return parameters


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


class SsmSessions:
    """The Session Manager sessions the emulator started, StartSession denials and a planned refusal of the next
    data-channel open. moto has no StartSession, TerminateSession or DescribeSessions (nor any model of a
    session), so the middleware serves them from here. A session's token is only ever given to the caller of
    StartSession and checked when its data channel is opened: no listing shows it."""

    def __init__(self):
        self._sessions: dict[str, dict] = {}
        self._denials: dict[str, str | None] = {}
        self._refusal: str | None = None
        self._lock = threading.Lock()

    # StartSession, TerminateSession, DescribeSessions

    def check_allowed(self, target: str, principal: str, resource: str) -> None:
        """AccessDeniedException when a denial covers ``target`` (``PUT /_shipyard/ssm/denials``)."""
        with self._lock:
            denied = target in self._denials or "*" in self._denials
            message = self._denials.get(target, self._denials.get("*"))
        if denied:
            raise SsmError("AccessDeniedException", message or (
                f"User: {principal} is not authorized to perform: ssm:StartSession on resource: {resource} "
                "because no identity-based policy allows the ssm:StartSession action"))

    def start(self, target: str, request: dict, owner: str) -> dict:
        session = {
            "SessionId": f"{owner.rsplit('/', 1)[-1]}-{secrets.token_hex(9)[:17]}",
            "Target": target,
            "Status": "Connected",
            "StartDate": _utc_now(),
            "EndDate": None,
            "DocumentName": _optional_string(request, "DocumentName") or SSM_DEFAULT_DOCUMENT,
            "Owner": owner,
            "Reason": _optional_string(request, "Reason"),
            "Parameters": _session_parameters(request),
            "TokenValue": secrets.token_urlsafe(_SSM_TOKEN_BYTES),
            "opened": False,
        }
        with self._lock:
            self._sessions[session["SessionId"]] = session
            return dict(session)

    def terminate(self, session_id: str) -> str:
        """Idempotent, as in AWS: an unknown or terminated session is not an error."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session and session["Status"] != "Terminated":
                session.update(Status="Terminated", EndDate=_utc_now())
        return session_id

    def describe(self, request: dict) -> dict:
        state = request.get("State")
        if state not in SSM_STATE_STATUS:
            raise ValueError(f'"State" must be one of {", ".join(SSM_STATE_STATUS)}')
        with self._lock:
            sessions = [dict(s) for s in self._sessions.values() if s["Status"] == SSM_STATE_STATUS[state]]
        for session_filter in request.get("Filters") or []:
            sessions = [s for s in sessions if _session_matches(s, session_filter)]
        start = _next_token_index(request.get("NextToken"), len(sessions))
        end = start + int(request.get("MaxResults") or len(sessions) or 1)
        answer = {"Sessions": [_session_description(s, state) for s in sessions[start:end]]}
        if end < len(sessions):
            answer["NextToken"] = str(end)
        return answer

    # /_shipyard/ssm/denials, /_shipyard/ssm/sessions

    def deny(self, target: str, message: str | None) -> None:
        with self._lock:
            self._denials[target] = message

    def denials(self) -> dict[str, str | None]:
        with self._lock:
            return dict(self._denials)

    def clear_denials(self) -> None:
        with self._lock:
            self._denials.clear()

    def listing(self) -> list[dict]:
        keys = ("SessionId", "Target", "DocumentName", "Parameters", "Status", "Owner", "Reason")
        with self._lock:
            return [dict({key: s[key] for key in keys}, StartDate=s["StartDate"].isoformat(),
                         EndDate=s["EndDate"].isoformat() if s["EndDate"] else None) for s in self._sessions.values()]

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()

    # the data channel (/_shipyard/ssm/data-channel), which the stand-in session-manager-plugin opens and polls

    def refuse_next_open(self, message: str) -> None:
        with self._lock:
            self._refusal = message

    def clear_refusal(self) -> None:
        with self._lock:
            self._refusal = None

    def open_data_channel(self, session_id: str, token: str) -> dict:
        """The session as its data channel tells the plugin; the first call for a session is its open."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise NotFound(f"no such session: {session_id}")
            if not hmac.compare_digest(token.encode(), session["TokenValue"].encode()):
                raise Forbidden(f"the token does not belong to session {session_id}")
            if not session["opened"] and self._refusal is not None:
                refusal, self._refusal = self._refusal, None
                raise Forbidden(refusal)
            session["opened"] = True
            return {key: session[key] for key in ("SessionId", "Target", "DocumentName", "Parameters", "Status")}


def _next_token_index(token, count: int) -> int:
    if token is None:
        return 0
    if not str(token).isdigit() or int(token) > count:
        raise SsmError("InvalidNextToken", "The specified token is not valid.")
    return int(token)


def _session_matches(session: dict, session_filter: dict) -> bool:
    key, value = session_filter.get("key"), str(session_filter.get("value", ""))
    if key not in SSM_SESSION_FILTER_KEYS:
        raise SsmError("InvalidFilterKey", f"The filter key {key} is not valid.")
    if key in ("InvokedAfter", "InvokedBefore"):
        when = datetime.datetime.fromisoformat(value)
        when = when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)
        return session["StartDate"] >= when if key == "InvokedAfter" else session["StartDate"] <= when
    if key == "AccessType":
        return value == "Standard"
    return session[key] == value


def _session_description(session: dict, state: str) -> dict:
    """A session in DescribeSessions' shape (JSON 1.1 timestamps are epoch seconds)."""
    described = {key: session[key] for key in ("SessionId", "Target", "Status", "DocumentName", "Owner")}
    described["StartDate"] = session["StartDate"].timestamp()
    if state == "History" and session["EndDate"]:
        described["EndDate"] = session["EndDate"].timestamp()
    if session["Reason"]:
        described["Reason"] = session["Reason"]
    described["AccessType"] = "Standard"
    return described


def ssm_caller(access_key: str, region: str) -> tuple[str, str]:
    """(account id, principal ARN) of the request's access key, as moto's STS GetCallerIdentity tells them. Call
    with moto's lock held."""
    from moto.iam.models import get_account_id_from
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    partition = get_partition(region)
    sts = sts_backends[get_account_id_from(access_key)][partition]
    unused_user_id, arn, account_id = sts.get_caller_identity(access_key, region)
    if ":assumed-role/" not in arn:
        # moto names an unknown key's caller arn:aws:sts::<account>:user/moto; IAM users are arn:aws:iam::...
        arn = f"arn:{partition}:iam::{account_id}:user/{arn.rsplit('/', 1)[-1]}"
    return account_id, arn


def ssm_target_arn(target: str, account_id: str, region: str) -> str:
    """The resource the IAM message of a denied StartSession names for ``target``."""
    from moto.utilities.utils import get_partition

    partition = get_partition(region)
    if target.startswith("ecs:") and target.count("_") >= 2:
        cluster, task_id = target[4:].rsplit("_", 2)[:2]
        return f"arn:{partition}:ecs:{region}:{account_id}:task/{cluster}/{task_id}"
    if target.startswith("i-"):
        return f"arn:{partition}:ec2:{region}:{account_id}:instance/{target}"
    if target.startswith("mi-"):
        return f"arn:{partition}:ssm:{region}:{account_id}:managed-instance/{target}"
    return target


def ssm_target_connected(target: str, account_id: str, region: str) -> bool:
    """Whether a session could reach ``target`` as SSM checks it: an ECS task's container through its
    ExecuteCommandAgent (``ecs:<cluster>_<task id>_<container runtime id>``), a running EC2 instance
    (``i-...``), or a managed instance (``mi-...``, taken as registered). Call with moto's lock held."""
    if target.startswith("ecs:") and target.count("_") >= 2:
        return ecs_exec_target_connected(*target[4:].rsplit("_", 2), account_id=account_id, region=region)
    if re.fullmatch(r"i-[0-9a-f]{8,17}", target):
        return _ec2_instance_running(target, account_id, region)
    return re.fullmatch(r"mi-[0-9a-f]+", target) is not None


def _ec2_instance_running(instance_id: str, account_id: str, region: str) -> bool:
    from moto.ec2.models import ec2_backends

    # dict.get: a backend that was never created has no instance (and none is created by asking)
    backend = dict.get(dict.get(ec2_backends, account_id) or {}, region)
    if backend is None:
        return False
    try:
        return backend.get_instance(instance_id).state == "running"
    except _moto_errors():
        return False
