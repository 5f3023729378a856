"""The local AWS emulator: moto in server mode on loopback, with the harness's extensions."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from localenv import net, process
from localenv.paths import REPO_ROOT, run_dir

DEFAULT_PORT = 4566
PORT_VARIABLE = "SHIPYARD_LOCAL_AWS_PORT"
MARKER = "localenv.emulator_app"
START_TIMEOUT = 60.0


class EmulatorError(RuntimeError):
    """A one-line, user-facing reason the emulator could not be started."""


def configured_port() -> int:
    value = os.environ.get(PORT_VARIABLE, "")
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise EmulatorError(f"{PORT_VARIABLE}={value!r} is not a TCP port number (1-65535)")
    return int(value)


@dataclass
class Emulator:
    port: int
    state: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{net.LOOPBACK}:{self.port}"

    @property
    def record_file(self) -> Path:
        return run_dir(self.state) / f"emulator-{self.port}.json"

    @property
    def log_file(self) -> Path:
        return run_dir(self.state) / f"emulator-{self.port}.log"

    def running_pid(self) -> int | None:
        record = process.read_record(self.record_file)
        if record and process.is_running(record["pid"], MARKER):
            return record["pid"]
        return None

    def start(self) -> str:
        """Start the emulator unless ours already runs; returns a one-line status."""
        pid = self.running_pid()
        if pid:
            return f"AWS emulator already running at {self.endpoint} (pid {pid})"
        if net.port_in_use(self.port):
            is_aws, what = net.describe_listener(self.port)
            if is_aws:
                return f"port {self.port} is already taken by {what}; using it as the AWS endpoint ({self.endpoint})"
            raise EmulatorError(
                f"port {self.port} is already taken by {what}; stop it or choose another port with {PORT_VARIABLE}=<port>"
            )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT / "tools"), env.get("PYTHONPATH")]))
        child = process.spawn(
            [sys.executable, "-m", MARKER, "--port", str(self.port)], self.log_file, env=env
        )
        if not net.wait_for_port(self.port, START_TIMEOUT, alive=lambda: child.poll() is None):
            process.terminate(child.pid, MARKER)
            tail = self.log_file.read_text(errors="replace").splitlines()[-15:]
            raise EmulatorError(
                f"the AWS emulator did not come up on port {self.port}; its log ({self.log_file}) ends:\n" + "\n".join(tail)
            )
        try:
            self._wait_healthy()
        except OSError as exc:
            process.terminate(child.pid, MARKER)
            raise EmulatorError(f"the AWS emulator on port {self.port} did not answer its health check: {exc}") from exc
        process.write_record(
            self.record_file,
            {"pid": child.pid, "port": self.port, "endpoint": self.endpoint, "started_at": time.time()},
        )
        return f"AWS emulator started at {self.endpoint} (pid {child.pid}, log {self.log_file})"

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_shipyard/health", timeout=5) as response:  # noqa: S310
                    if json.load(response).get("status") == "ok":
                        return
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    def stop(self) -> str:
        record = process.read_record(self.record_file)
        if not record:
            return f"no AWS emulator of ours recorded for port {self.port}; nothing to stop"
        stopped = process.terminate(record["pid"], MARKER)
        self.record_file.unlink(missing_ok=True)
        if stopped:
            return f"AWS emulator stopped (pid {record['pid']}, port {self.port})"
        return f"AWS emulator (pid {record['pid']}) was no longer running; removed its stale record"

    def status(self) -> str:
        pid = self.running_pid()
        if pid:
            return f"AWS emulator running at {self.endpoint} (pid {pid})"
        if net.port_in_use(self.port):
            return f"port {self.port}: {net.describe_listener(self.port)[1]}, not started by this project"
        return f"AWS emulator not running (port {self.port})"

    # Test helpers: the request log the extensions keep (see localenv/extensions/middleware.py).
    def requests(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.endpoint}/_shipyard/requests", timeout=10) as response:  # noqa: S310
            return json.load(response)

    def clear_requests(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/_shipyard/requests", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    def delay(self, operation: str, seconds: float) -> None:
        """Make the emulator take ``seconds`` to answer every ``operation`` request (see localenv/extensions/middleware.py)."""
        body = json.dumps({"operation": operation, "seconds": seconds}).encode()
        request = urllib.request.Request(f"{self.endpoint}/_shipyard/delays", data=body, method="PUT",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    def clear_delays(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/_shipyard/delays", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    def fail_next_rollout(self, service: str, reason: str | None = None, seconds: float | None = None) -> None:
        """Make the next rollout of ECS service ``service`` fail as the deployment circuit breaker with rollback
        does: a STOPPED task with ``reason``, the deployment FAILED after ``seconds``, the service rolled back."""
        self._plan_rollout({"service": service, "outcome": "FAILED", "reason": reason, "seconds": seconds})

    def settle_next_rollout(self, service: str, seconds: float) -> None:
        """Make the next rollout of ECS service ``service`` complete after ``seconds`` (default: 1); for a service
        not created yet, its first one."""
        self._plan_rollout({"service": service, "outcome": "COMPLETED", "seconds": seconds})

    def _plan_rollout(self, plan: dict) -> None:
        body = json.dumps({key: value for key, value in plan.items() if value is not None}).encode()
        request = urllib.request.Request(f"{self.endpoint}/_shipyard/ecs/rollouts", data=body, method="PUT",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    def clear_rollouts(self) -> None:
        self._call("DELETE", "/_shipyard/ecs/rollouts")

    def set_exec_agent(self, task: str, last_status: str, reason: str | None = None) -> None:
        """Set the ExecuteCommandAgent's lastStatus (PENDING, RUNNING, STOPPED) in ECS task ``task`` (ARN or id), as
        when the SSM agent in its container dies; a StartSession to it then fails with TargetNotConnected."""
        self._call("PUT", "/_shipyard/ecs/agents", {"task": task, "lastStatus": last_status, "reason": reason})

    def plan_task_run(self, exit_code: int | None, logs=(), seconds: float = 0.5, family: str | None = None,
                      reason: str | None = None, container: str | None = None) -> None:
        """Make the next ECS RunTask of task definition ``family`` (None: of any family) run for ``seconds`` and stop
        with ``container`` (default: the first essential one) exited with ``exit_code``, its ``logs`` lines in the
        container's awslogs stream; ``exit_code`` None: the task fails to start with ``reason``. Applies once."""
        outcome = {"exitCode": exit_code, "family": family, "logs": list(logs), "seconds": seconds, "reason": reason,
                   "container": container}
        self._call("PUT", "/_shipyard/ecs/task-runs", outcome, keep_null=("exitCode",))

    def task_runs(self) -> dict:
        """``{"queued": [outcomes not taken yet], "runs": [RunTask's taskArn, cluster, family, taskDefinitionArn,
        launchType, overrides, networkConfiguration and the outcome it took, oldest first]}``."""
        return self._call("GET", "/_shipyard/ecs/task-runs")

    def clear_task_runs(self) -> None:
        self._call("DELETE", "/_shipyard/ecs/task-runs")

    # RDS statuses (localenv/extensions/rds_status.py)
    def set_rds_status(self, status: str, instance: str | None = None, cluster: str | None = None) -> None:
        """Put DB ``instance`` or ``cluster`` (and its members) in ``status`` now, e.g. "backing-up"."""
        self._call("PUT", "/_shipyard/rds/status", {"instance": instance, "cluster": cluster, "status": status})

    def slow_rds_stop_start(self, seconds: float, instance: str | None = None, cluster: str | None = None) -> None:
        """Make every later stop and start of DB ``instance`` or ``cluster`` stay stopping / starting for ``seconds``."""
        self._call("PUT", "/_shipyard/rds/transitions", {"instance": instance, "cluster": cluster, "seconds": seconds})

    # SSM Session Manager (StartSession, TerminateSession, DescribeSessions are served by the extensions)
    def deny_start_session(self, target: str = "*", message: str | None = None) -> None:
        """Make StartSession for ``target`` ("*": any) fail with AccessDeniedException until clear_denials()."""
        self._call("PUT", "/_shipyard/ssm/denials", {"target": target, "message": message})

    def clear_denials(self) -> None:
        self._call("DELETE", "/_shipyard/ssm/denials")

    def ssm_sessions(self) -> list[dict]:
        """Every session StartSession began, oldest first: SessionId, Target, DocumentName, Parameters, Status,
        Owner, Reason, StartDate, EndDate (never the token)."""
        return self._call("GET", "/_shipyard/ssm/sessions")

    def clear_ssm_sessions(self) -> None:
        self._call("DELETE", "/_shipyard/ssm/sessions")

    def refuse_next_data_channel(self, message: str) -> None:
        """Make the next data-channel open of any session fail (HTTP 403 with ``message``), once: the stand-in
        session-manager-plugin then exits 1 with "Error in Opening data channel: <message>"."""
        self._call("PUT", "/_shipyard/ssm/data-channel", {"refuse": message})

    def clear_data_channel_refusal(self) -> None:
        self._call("DELETE", "/_shipyard/ssm/data-channel")

    def reset(self) -> None:
        """Forget every emulated resource (moto's own reset endpoint; ECS Exec agent states go with the tasks),
        the ECS rollout plans and task-run outcomes, and the SSM sessions, denials and data-channel refusal."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=30).close()  # noqa: S310
        self.clear_rollouts()
        self.clear_task_runs()
        self.clear_ssm_sessions()
        self.clear_denials()
        self.clear_data_channel_refusal()

    def _call(self, method: str, path: str, body: dict | None = None, keep_null: tuple[str, ...] = ()):
        """One /_shipyard/ endpoint call; ``body`` without its None values, except the ``keep_null`` fields, which
        the endpoint reads as JSON null. Returns the JSON answer."""
        fields = {k: v for k, v in (body or {}).items() if v is not None or k in keep_null}
        data = None if body is None else json.dumps(fields).encode()
        request = urllib.request.Request(f"{self.endpoint}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.load(response)
