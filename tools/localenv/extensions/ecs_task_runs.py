"""ECS one-off tasks that run to completion: an outcome planned by the test, applied to the next RunTask of a
task definition family, the task stopped with its container's exit code and its output in CloudWatch Logs (see the
package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import random
import re
import threading
import time
from types import SimpleNamespace

from localenv.extensions.ecs_deployments import ECS_DEFAULT_STOPPED_REASON
from localenv.extensions.ecs_exec import _ecs_mark_stopped
from localenv.extensions.helpers import _moto_errors


# --- ECS task runs -------------------------------------------------------------------------------------------

ECS_TASK_RUNS_PATH = "/_shipyard/ecs/task-runs"
ECS_TASK_RUN_DEFAULT_SECONDS = 0.5
ECS_TASK_RUN_FIELDS = ("family", "exitCode", "logs", "seconds", "reason", "container")
ECS_LOG_GROUP_MISSING_REASON = (
    "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to "
    "create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist: {group} : exit "
    "status 1"
)
# What ECS accepts as a task definition family (not an ARN, not family:revision).
_ECS_FAMILY = re.compile(r"[A-Za-z0-9_-]{1,255}")


class EcsTaskRuns:
    """The outcomes queued with ``PUT /_shipyard/ecs/task-runs``, oldest first, and the runs that took them.
    An outcome is taken (and forgotten) by the next RunTask of a matching family, so it applies once."""

    def __init__(self):
        self._queued: list[dict] = []
        self._runs: list[dict] = []
        self._lock = threading.Lock()

    @staticmethod
    def validate(request: dict) -> dict:
        """The body of ``PUT /_shipyard/ecs/task-runs`` as an outcome; ValueError (the 400) says what is wrong."""
        unknown = sorted(set(request) - set(ECS_TASK_RUN_FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(map(repr, unknown))}; known: {', '.join(ECS_TASK_RUN_FIELDS)}")
        outcome = {
            "family": _validated_family(request.get("family")),
            "exitCode": _validated_exit_code(request),
            "logs": _validated_logs(request.get("logs", [])),
            "seconds": _validated_seconds(request.get("seconds", ECS_TASK_RUN_DEFAULT_SECONDS)),
            "reason": _optional_text(request, "reason"),
            "container": _optional_text(request, "container"),
        }
        if outcome["exitCode"] is None and not outcome["reason"]:
            raise ValueError('"reason" is required when "exitCode" is null (why the task failed to start)')
        return outcome

    def queue(self, request: dict) -> dict:
        outcome = self.validate(request)
        with self._lock:
            self._queued.append(outcome)
        return outcome

    def peek(self, family: str) -> dict | None:
        """The outcome the next RunTask of ``family`` would take, left queued."""
        with self._lock:
            return next((dict(o) for o in self._queued if o["family"] in (None, family)), None)

    def take(self, family: str) -> dict | None:
        with self._lock:
            outcome = next((o for o in self._queued if o["family"] in (None, family)), None)
            if outcome is not None:
                self._queued.remove(outcome)
            return outcome

    def record(self, run: dict) -> None:
        with self._lock:
            self._runs.append(run)

    def listing(self) -> dict:
        with self._lock:
            return {"queued": [dict(o) for o in self._queued], "runs": [dict(r) for r in self._runs]}

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
            self._runs.clear()


# One per process, like moto's backends that the patch below changes.
ECS_TASK_RUNS = EcsTaskRuns()


def _validated_family(family) -> str | None:
    if family is None:
        return None
    if not isinstance(family, str) or not _ECS_FAMILY.fullmatch(family):
        raise ValueError(f'"family" must be a task definition family name (not an ARN or family:revision), not {family!r}')
    return family


def _validated_exit_code(request: dict) -> int | None:
    if "exitCode" not in request:
        raise ValueError('"exitCode" is required: the container\'s exit code (0-255), or null for a task that fails to start')
    exit_code = request["exitCode"]
    if exit_code is not None and (isinstance(exit_code, bool) or not isinstance(exit_code, int) or not 0 <= exit_code <= 255):
        raise ValueError(f'"exitCode" must be an integer 0-255 or null, not {exit_code!r}')
    return exit_code


def _validated_logs(logs) -> list[str]:
    if not isinstance(logs, list) or not all(isinstance(line, str) for line in logs):
        raise ValueError('"logs" must be a list of strings (the lines the container writes)')
    return list(logs)


def _validated_seconds(seconds) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ValueError(f'"seconds" must be a number >= 0 (how long the task runs), not {seconds!r}')
    return float(seconds)


def _optional_text(request: dict, field: str) -> str | None:
    value = request.get(field)
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f'"{field}" must be a non-empty string')
    return value


def patch_ecs_task_runs(runs: EcsTaskRuns = ECS_TASK_RUNS) -> None:
    """One-off ECS tasks that run to completion (a migration run with RunTask and a command override). moto runs
    no containers: its tasks stay RUNNING (see patch_ecs_task_status) with one container, the task definition's first,
    which reports exitCode 0 while it runs; no task ever exits by itself and nothing reaches CloudWatch Logs. So a
    runner that waits for its task to stop, reads the exit code and then the container's log could not be tested.

    A RunTask that finds an outcome queued for its family (``PUT /_shipyard/ecs/task-runs``) takes it for each task it
    starts (``count``) and gets tasks as moto returns them (RUNNING, containers PENDING), but with a container for
    each container definition, none with an exit code yet. Once the outcome's ``seconds`` have passed, the next
    DescribeTasks or ListTasks finds it stopped as ECS leaves a task whose essential container exited
    (``_ecs_finish_task_run``), and the ``logs`` lines are in the awslogs group of the container, in the stream ECS
    names ``<awslogs-stream-prefix>/<container>/<task id>``. As on AWS, a task whose awslogs group does not exist when
    it starts fails to start (ResourceInitializationError) instead; an outcome with a null exitCode fails to start
    with its reason (both stopCode TaskFailedToStart, no exit code, no log written). A StopTask that comes first wins:
    the task keeps StopTask's answer. moto keeps RunTask's overrides on the task and returns them; each run that took
    an outcome is recorded with its overrides and network configuration for the tests.

    moto also refuses (HTTP 500) a RunTask of a Fargate task definition whose containers leave memory to the task,
    as the platform's task definitions do (terraform/modules/compute); it now counts such a container as needing none.
    A RunTask without a queued outcome runs as before. Everything runs inside moto's request handling."""
    from moto.ecs.models import EC2ContainerServiceBackend

    if getattr(EC2ContainerServiceBackend, "shipyard_task_runs_patched", False):
        return
    original_run_task = EC2ContainerServiceBackend.run_task
    original_describe_tasks = EC2ContainerServiceBackend.describe_tasks
    original_list_tasks = EC2ContainerServiceBackend.list_tasks
    original_requirements = EC2ContainerServiceBackend._calculate_task_resource_requirements  # pylint: disable=protected-access

    def run_task(self, cluster_str, task_definition_str, count, overrides, started_by, tags, launch_type,
                 networking_configuration=None, *args, **kwargs):
        task_definition = _ecs_task_definition_or_none(self, task_definition_str)
        planned = runs.peek(task_definition.family) if task_definition is not None else None
        if planned is not None:
            _ecs_check_outcome_container(task_definition, planned)
        tasks = original_run_task(self, cluster_str, task_definition_str, count, overrides, started_by, tags,
                                  launch_type, networking_configuration, *args, **kwargs)
        # taken only now, so that a RunTask moto refused leaves the outcome for the next one
        outcome = runs.take(task_definition.family) if tasks and planned is not None else None
        for task in tasks if outcome else []:
            _ecs_start_task_run(task, task_definition, outcome)
            runs.record(_ecs_run_record(task, task_definition, outcome, overrides, networking_configuration, launch_type))
        return tasks

    def describe_tasks(self, cluster_str, tasks):
        _ecs_settle_task_runs(self)
        return original_describe_tasks(self, cluster_str, tasks)

    def list_tasks(self, *args, **kwargs):
        _ecs_settle_task_runs(self)
        return original_list_tasks(self, *args, **kwargs)

    def calculate_task_resource_requirements(task_definition):
        definitions = [_ecs_with_memory(definition) for definition in task_definition.container_definitions]
        return original_requirements(SimpleNamespace(container_definitions=definitions))

    for function in (run_task, describe_tasks, list_tasks):
        setattr(EC2ContainerServiceBackend, function.__name__, function)
    EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(  # pylint: disable=protected-access
        calculate_task_resource_requirements)
    EC2ContainerServiceBackend.shipyard_task_runs_patched = True


def _ecs_with_memory(definition: dict) -> dict:
    """A container definition that leaves its memory to the (Fargate) task counts as needing none."""
    if any(key in definition for key in ("memory", "memoryReservation", "Memory", "MemoryReservation")):
        return definition
    return dict(definition, memory=0)


def _ecs_task_definition_or_none(backend, task_definition_str: str):
    """RunTask's task definition; None when moto would refuse it (moto's RunTask then answers as it does)."""
    try:
        return backend.describe_task_definition(task_definition_str)
    except _moto_errors():
        return None


def _ecs_check_outcome_container(task_definition, outcome: dict) -> None:
    """A queued outcome that names a container the task definition lacks is the test's mistake: say so loudly
    (the RunTask fails, the outcome stays queued) rather than leave the task running for ever."""
    from moto.ecs.exceptions import InvalidParameterException

    names = [definition.get("name") for definition in task_definition.container_definitions]
    if outcome["container"] is not None and outcome["container"] not in names:
        raise InvalidParameterException(
            f"the emulator's queued task-run outcome names container {outcome['container']!r}, which task definition "
            f"{task_definition.family}:{task_definition.revision} does not have (it has {', '.join(names)})")


def _ecs_start_task_run(task, task_definition, outcome: dict) -> None:
    """Give ``task`` a container for each container definition (none has exited yet) and the outcome to settle."""
    _ecs_add_missing_containers(task, task_definition)
    for container in task.containers:
        container.exitCode = None  # pylint: disable=invalid-name  # ECS reports one only once the container stopped
    essential = [d.get("name") for d in task_definition.container_definitions if d.get("essential", True)]
    task.shipyard_task_run = {
        "stop_at": time.monotonic() + outcome["seconds"],
        "outcome": outcome,
        "container": outcome["container"] or (essential or [task.containers[0].name])[0],
        "log_configurations": _ecs_awslogs_configurations(task, task_definition),
    }
    task.shipyard_task_run["failure"] = _ecs_logger_failure(task.shipyard_task_run["log_configurations"])


def _ecs_add_missing_containers(task, task_definition) -> None:
    """moto gives a task only its definition's first container; ECS runs them all."""
    from moto.ecs.models import Container

    first = task.containers[0]
    task.containers = [first] + [
        Container(SimpleNamespace(arn=task_definition.arn, container_definitions=[definition]))
        for definition in task_definition.container_definitions[1:]
    ]
    for container in task.containers:
        container.task_arn = task.task_arn  # moto gives containers the task definition's ARN
        if container is not first:
            container.runtime_id = f"{task.id}-{random.randrange(10**9, 10**10)}"  # noqa: S311 (an identifier)
            container.managed_agents = None


def _ecs_awslogs_configurations(task, task_definition) -> dict[str, dict]:
    """Container name -> where its awslogs driver writes (group, stream, account, region), for awslogs containers."""
    configurations = {}
    for definition, container in zip(task_definition.container_definitions, task.containers):
        log_configuration = definition.get("logConfiguration") or {}
        options = log_configuration.get("options") or {}
        if log_configuration.get("logDriver") != "awslogs" or not options.get("awslogs-group"):
            continue
        prefix = options.get("awslogs-stream-prefix")
        configurations[container.name] = {
            "group": options["awslogs-group"],
            # ECS's stream name; without a prefix (EC2 only) awslogs names the stream after the container's id
            "stream": f"{prefix}/{container.name}/{task.id}" if prefix else container.runtime_id,
            "account": task._account_id,  # pylint: disable=protected-access
            "region": options.get("awslogs-region") or task.region_name,
        }
    return configurations


def _ecs_logs_backend(configuration: dict):
    from moto.logs.models import logs_backends

    return logs_backends[configuration["account"]][configuration["region"]]


def _ecs_log_group_exists(configuration: dict) -> bool:
    return configuration["group"] in _ecs_logs_backend(configuration).groups


def _ecs_logger_failure(log_configurations: dict[str, dict]) -> str | None:
    """Why the task fails to start when an awslogs group is missing: the awslogs driver checks its group when the
    task starts, so a group created afterwards does not save the task."""
    missing = [c["group"] for c in log_configurations.values() if not _ecs_log_group_exists(c)]
    return ECS_LOG_GROUP_MISSING_REASON.format(group=missing[0]) if missing else None


def _ecs_settle_task_runs(backend) -> None:
    """Stop every task whose planned run has had its time (see patch_ecs_task_runs); StopTask came first for one
    already stopped, and that one keeps StopTask's answer."""
    now = time.monotonic()
    for tasks in list(backend.tasks.values()):
        for task in list(tasks.values()):
            run = getattr(task, "shipyard_task_run", None)
            if run is None or now < run["stop_at"]:
                continue
            del task.shipyard_task_run
            if task.last_status != "STOPPED":
                _ecs_finish_task_run(task, run)


def _ecs_finish_task_run(task, run: dict) -> None:
    outcome = run["outcome"]
    failure = run["failure"] or (outcome["reason"] if outcome["exitCode"] is None else None)
    if failure:
        _ecs_fail_to_start(task, failure)
        return
    _ecs_mark_stopped(task, outcome["reason"] or ECS_DEFAULT_STOPPED_REASON, "EssentialContainerExited")
    for container in task.containers:
        container.exitCode = outcome["exitCode"] if container.name == run["container"] else 0
    _ecs_write_container_logs(task, run)


def _ecs_fail_to_start(task, reason: str) -> None:
    """Stop ``task`` as ECS leaves a task that never started: no exit code, the reason on task and containers."""
    _ecs_mark_stopped(task, reason, "TaskFailedToStart")
    for container in task.containers:
        container.exitCode = None
        container.reason = reason


def _ecs_write_container_logs(task, run: dict) -> None:
    """What awslogs leaves: a stream for each awslogs container, the planned lines in the one that exited, one
    millisecond apart from the task's start."""
    from moto.core.utils import unix_time_millis

    started = int(unix_time_millis(task.started_at))
    for name, configuration in run["log_configurations"].items():
        logs = _ecs_logs_backend(configuration)
        logs.ensure_log_stream(configuration["group"], configuration["stream"])
        lines = run["outcome"]["logs"] if name == run["container"] else []
        if lines:
            events = [{"timestamp": started + index, "message": line} for index, line in enumerate(lines)]
            logs.put_log_events(configuration["group"], configuration["stream"], events)


def _ecs_run_record(task, task_definition, outcome: dict, overrides, network_configuration, launch_type) -> dict:
    """What ``GET /_shipyard/ecs/task-runs`` lists for a run: RunTask's parameters as received and the outcome."""
    return {
        "taskArn": task.task_arn,
        "cluster": task.cluster_name,
        "family": task_definition.family,
        "taskDefinitionArn": task_definition.arn,
        "launchType": launch_type,
        "overrides": overrides,
        "networkConfiguration": network_configuration,
        "outcome": dict(outcome),
    }
