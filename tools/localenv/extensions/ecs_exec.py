"""ECS tasks: they keep their status, and carry ECS Exec's fields (see the package docstring,
localenv/extensions/__init__.py)."""

from __future__ import annotations

import random
import sys

from localenv.extensions.helpers import NotFound, _ecs_now, _moto_errors


# --- ECS tasks: their status, and ECS Exec -----------------------------------------------------------------

ECS_EXEC_AGENT = "ExecuteCommandAgent"
ECS_AGENT_STATUSES = ("PENDING", "RUNNING", "STOPPED")


def patch_ecs_tasks() -> None:
    """The moto gaps ECS tasks run into: their status, and the fields of ECS Exec."""
    patch_ecs_task_status()
    patch_ecs_exec()


def patch_ecs_task_status() -> None:
    """moto 5.2 moves a task's status one step on every DescribeTasks (RUNNING -> DEACTIVATING -> STOPPING ->
    DEPROVISIONING -> STOPPED: its state manager's default for ecs::task is a manual transition after one read),
    so a task read twice no longer looked running, and the fourth read found it STOPPED. ECS keeps a task as it
    is until something stops it (StopTask, its service, its essential container exiting). moto's default
    transition for ecs::task becomes one that never fires; StopTask still sets STOPPED, and a test may still
    set a transition of its own through moto's state manager API."""
    from moto.moto_api import state_manager

    state_manager.register_default_transition("ecs::task", {"progression": "manual", "times": sys.maxsize})


def patch_ecs_exec() -> None:
    """ECS Exec: moto ignores RunTask's enableExecuteCommand and knows neither managed agents nor container
    runtime ids, so no SSM target (``ecs:<cluster>_<task id>_<runtime id>``) could be made for a task. Every task
    now carries enableExecuteCommand (RunTask's parameter; a service's tasks take the service's, see
    _ecs_start_service_task), its createdAt and startedAt, and each container a runtimeId in Fargate's shape
    (``<task id>-<10 digits>``); a task with ECS Exec has the ExecuteCommandAgent RUNNING in each container.
    StopTask stops the agents and containers too, and releases the task's network interface, as ECS does.
    ``PUT /_shipyard/ecs/agents`` sets an agent's lastStatus (``set_ecs_exec_agent``)."""
    from moto.ecs.models import EC2ContainerServiceBackend, Task
    from moto.ecs.responses import EC2ContainerServiceResponse

    if getattr(Task, "shipyard_exec_patched", False):
        return
    original_init = Task.__init__
    original_run_task = EC2ContainerServiceResponse.run_task
    original_stop_task = EC2ContainerServiceBackend.stop_task

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.created_at = self.started_at = _ecs_now()
        self.enable_execute_command = False
        for container in self.containers:
            container.runtime_id = f"{self.id}-{random.randrange(10**9, 10**10)}"  # noqa: S311 (an identifier)
            container.managed_agents = None

    def run_task(self):
        result = original_run_task(self)
        if self._get_bool_param("enableExecuteCommand", False):
            for task in result.result["tasks"]:
                _ecs_enable_exec(task)
        return result

    def stop_task(self, cluster_str, task_str, reason):
        task = original_stop_task(self, cluster_str, task_str, reason)
        _ecs_mark_stopped(task, task.stopped_reason, "UserInitiated")
        return task

    Task.__init__ = __init__
    EC2ContainerServiceResponse.run_task = run_task
    EC2ContainerServiceBackend.stop_task = stop_task
    Task.shipyard_exec_patched = True


def _ecs_enable_exec(task) -> None:
    task.enable_execute_command = True
    for container in task.containers:
        container.managed_agents = [{"name": ECS_EXEC_AGENT, "lastStatus": "RUNNING", "lastStartedAt": _ecs_now()}]


def _ecs_exec_agent(container) -> dict | None:
    return next((a for a in getattr(container, "managed_agents", None) or [] if a["name"] == ECS_EXEC_AGENT), None)


def _ecs_mark_stopped(task, reason: str | None, stop_code: str) -> None:
    """Stop ``task`` as ECS leaves a stopped task: times, stop code, containers and agents STOPPED, ENI gone."""
    now = _ecs_now()
    task.last_status = task.desired_status = "STOPPED"
    task.stopped_reason, task.stop_code = reason, stop_code
    task.stopping_at = task.stopped_at = task.execution_stopped_at = now
    for container in task.containers:
        container.last_status = "STOPPED"
        agent = _ecs_exec_agent(container)
        if agent:
            agent["lastStatus"] = "STOPPED"
    _ecs_release_network_interfaces(task)


def _ecs_release_network_interfaces(task) -> None:
    """ECS deletes a stopped awsvpc task's network interface; moto keeps it "in-use" for ever."""
    from moto.ec2.models import ec2_backends

    for attachment in getattr(task, "attachments", None) or []:
        details = {d["name"]: d["value"] for d in attachment.get("details", [])}
        if attachment.get("type") != "ElasticNetworkInterface" or attachment.get("status") == "DELETED":
            continue
        try:
            ec2 = ec2_backends[task._account_id][task.region_name]  # pylint: disable=protected-access
            ec2.delete_network_interface(details["networkInterfaceId"])
        except (*_moto_errors(), KeyError):
            pass  # already deleted (with its subnet, say): nothing left to release
        attachment["status"] = "DELETED"


def validate_exec_agent_request(request: dict) -> dict:
    """The body of ``PUT /_shipyard/ecs/agents`` as set_ecs_exec_agent's arguments; ValueError says what is wrong."""
    task = request.get("task")
    if not isinstance(task, str) or not task:
        raise ValueError('"task" (the task ARN or id) is required')
    last_status = request.get("lastStatus")
    if last_status not in ECS_AGENT_STATUSES:
        raise ValueError(f'"lastStatus" must be one of {", ".join(ECS_AGENT_STATUSES)}, not {last_status!r}')
    reason = request.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValueError('"reason" must be a string')
    return {"task": task, "last_status": last_status, "reason": reason}


def set_ecs_exec_agent(task: str, last_status: str, reason: str | None = None) -> dict:
    """Set the ExecuteCommandAgent's lastStatus in every container of ``task`` (an ARN or id), as when the SSM
    agent in a container dies or comes back. Call with moto's lock held."""
    found = _ecs_find_task(task)
    if found is None:
        raise NotFound(f"no such ECS task: {task}")
    agents = [agent for agent in map(_ecs_exec_agent, found.containers) if agent]
    if not agents:
        raise ValueError(f"ECS task {task} runs without ECS Exec (enableExecuteCommand false): no {ECS_EXEC_AGENT}")
    for agent in agents:
        if last_status == "RUNNING" and agent["lastStatus"] != "RUNNING":
            agent["lastStartedAt"] = _ecs_now()
        agent["lastStatus"] = last_status
        if reason is None:
            agent.pop("reason", None)
        else:
            agent["reason"] = reason
    return {"task": found.task_arn, "lastStatus": last_status, "reason": reason}


def _ecs_find_task(task: str):
    from moto.ecs.models import ecs_backends

    task_id = task.rsplit("/", 1)[-1]
    for account in list(dict.values(ecs_backends)):
        for backend in list(dict.values(account)):
            for tasks in backend.tasks.values():
                for candidate in tasks.values():
                    if candidate.id == task_id:
                        return candidate
    return None


def ecs_exec_target_connected(cluster: str, task_id: str, runtime_id: str, account_id: str, region: str) -> bool:
    """Whether ECS Exec reaches the container ``runtime_id`` of task ``task_id``: the task RUNNING with
    enableExecuteCommand, the container's ExecuteCommandAgent RUNNING. Call with moto's lock held."""
    from moto.ecs.models import ecs_backends

    # dict.get: a backend that was never created has no task (and none is created by asking)
    backend = dict.get(dict.get(ecs_backends, account_id) or {}, region)
    task = next((t for t in (backend.tasks.get(cluster, {}) if backend else {}).values() if t.id == task_id), None)
    if task is None or task.last_status != "RUNNING" or not getattr(task, "enable_execute_command", False):
        return False
    return any(
        getattr(container, "runtime_id", None) == runtime_id
        and (_ecs_exec_agent(container) or {}).get("lastStatus") == "RUNNING"
        for container in task.containers
    )
