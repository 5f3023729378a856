"""ECS rolling deployments: rollouts that settle, fail and roll back, and the tasks a service keeps running (see
the package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import os
import random
import threading
import time
import uuid

from localenv.extensions.ecs_exec import _ecs_enable_exec, _ecs_mark_stopped
from localenv.extensions.helpers import _ecs_now, _moto_errors


# --- ECS deployments ---------------------------------------------------------------------------------------

ECS_SETTLE_SECONDS_VARIABLE = "SHIPYARD_ECS_SETTLE_SECONDS"
ECS_DEFAULT_SETTLE_SECONDS = 1.0
ECS_CIRCUIT_BREAKER_REASON = "ECS deployment circuit breaker: tasks failed to start."
ECS_DEFAULT_STOPPED_REASON = "Essential container in task exited"
ECS_ROLLOUT_OUTCOMES = ("COMPLETED", "FAILED")


class EcsRollouts:
    """Service name -> how its next rollout ends and after how many seconds (``/_shipyard/ecs/rollouts``).
    A plan is taken (and forgotten) by the next deployment that replaces another one, so it applies once."""

    def __init__(self):
        self._plans: dict[str, dict] = {}
        self._lock = threading.Lock()

    @staticmethod
    def validate(request: dict) -> dict:
        service = request.get("service")
        if not isinstance(service, str) or not service:
            raise ValueError('"service" (the ECS service name) is required')
        outcome = str(request.get("outcome", "FAILED")).upper()
        if outcome not in ECS_ROLLOUT_OUTCOMES:
            raise ValueError(f'"outcome" must be one of {", ".join(ECS_ROLLOUT_OUTCOMES)}, not {outcome!r}')
        seconds = request.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0):
            raise ValueError('"seconds" must be a number >= 0')
        reason = request.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise ValueError('"reason" must be a string')
        return {"service": service.rsplit("/", maxsplit=1)[-1], "outcome": outcome, "reason": reason,
                "seconds": None if seconds is None else float(seconds)}

    def set(self, request: dict) -> None:
        plan = self.validate(request)
        with self._lock:
            self._plans[plan["service"]] = plan

    def take(self, service: str) -> dict | None:
        with self._lock:
            return self._plans.pop(service, None)

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()

    def current(self) -> dict[str, dict]:
        with self._lock:
            return {name: dict(plan) for name, plan in self._plans.items()}


# One per process, like moto's backends that the patch below changes.
ECS_ROLLOUTS = EcsRollouts()


def _ecs_settle_seconds(plan: dict | None) -> float:
    if plan and plan.get("seconds") is not None:
        return plan["seconds"]
    try:
        return max(float(os.environ.get(ECS_SETTLE_SECONDS_VARIABLE, ECS_DEFAULT_SETTLE_SECONDS)), 0.0)
    except ValueError:
        return ECS_DEFAULT_SETTLE_SECONDS


def patch_ecs_deployments(rollouts: EcsRollouts = ECS_ROLLOUTS) -> None:
    """ECS rolling deployments. moto 5 keeps one deployment per service for ever: UpdateService with a new task
    definition leaves that deployment (and its taskDefinition) as it was, forceNewDeployment only renames it, and
    the first deployment stays IN_PROGRESS unless MOTO_ECS_SERVICE_RUNNING is set (then it is COMPLETED at once).
    Nothing that waits for a rollout (``shipyard.aws.ecs_rollout``, ``aws ecs wait services-stable``) could be
    tested. ECS starts a new PRIMARY deployment for a new task definition or a forced deployment (the previous
    one becomes ACTIVE until the new one is done), reports rolloutState IN_PROGRESS, then COMPLETED once the
    tasks run, drops the old deployments and logs "has reached a steady state"; with the deployment circuit
    breaker and rollback, a deployment whose tasks fail to start becomes FAILED and the service goes back to the
    previous task definition. The emulator now does the same, lazily: a deployment settles when DescribeServices
    (or ListServices, UpdateService) sees it and it is older than the settle time (``SHIPYARD_ECS_SETTLE_SECONDS``,
    default 1 s, or the ``seconds`` of a rollout plan). ``PUT /_shipyard/ecs/rollouts`` makes a service's next
    rollout fail like the circuit breaker does, leaving a STOPPED task with the stopped reason behind; moto's
    ListTasks now honours serviceName (it returned every task) so that task can be found as on AWS.

    moto never starts a service's tasks either. Whenever a service's PRIMARY deployment has COMPLETED (it
    settled, the service rolled back, or UpdateService changed the desired count), the emulator keeps exactly
    desiredCount of that deployment's tasks RUNNING, as ECS's service scheduler does (``_ecs_keep_service_tasks``):
    group ``service:<name>``, startedBy the deployment id, the deployment's task definition, the service's
    network configuration, launch type and ECS Exec setting; the tasks of the deployments it replaced, and any
    beyond the desired count, are stopped with ECS's "Scaling activity initiated by (deployment ...)". A rollback
    keeps the tasks of the deployment it returns to. ListTasks with serviceName settles the service first, so a
    caller that only lists tasks sees them; DeleteService stops the service's tasks.
    Everything runs inside moto's request handling (``SerializedMoto``), never on a thread of its own."""
    from moto.ecs.models import EC2ContainerServiceBackend

    if getattr(EC2ContainerServiceBackend, "shipyard_deployments_patched", False):
        return
    original_create = EC2ContainerServiceBackend.create_service
    original_update = EC2ContainerServiceBackend.update_service
    original_describe = EC2ContainerServiceBackend.describe_services
    original_list_services = EC2ContainerServiceBackend.list_services
    original_list_tasks = EC2ContainerServiceBackend.list_tasks
    original_delete = EC2ContainerServiceBackend.delete_service

    def create_service(self, *args, **kwargs):
        service = original_create(self, *args, **kwargs)
        service.shipyard_rollouts = {}
        # A new service's first rollout takes a COMPLETED plan's settle time; a FAILED plan waits for an update,
        # since there is nothing to roll back to.
        plan = rollouts.take(service.name) if (rollouts.current().get(service.name) or {}).get("outcome") == "COMPLETED" \
            else None
        for deployment in service.deployments:
            _ecs_start_rollout(service, deployment, plan, None)
        return service

    def update_service(self, service_properties):
        name = str(service_properties.get("service", "")).rsplit("/", maxsplit=1)[-1]
        service = self._get_service(service_properties.get("cluster", "default"), name)  # pylint: disable=protected-access
        _ecs_settle(self, service)
        before_task_definition = service.task_definition
        before_deployments = [dict(d) for d in service.deployments]
        task_definition = service_properties.get("task_definition")
        force = bool(service_properties.get("force_new_deployment"))
        desired_count = service_properties.get("desired_count")
        result = original_update(self, service_properties)
        # moto renames the deployment on force and keeps the task definition as sent (family, family:revision).
        service.deployments = before_deployments
        if task_definition:
            service.task_definition = self.describe_task_definition(task_definition).arn
        if desired_count is not None:
            for deployment in service.deployments:
                if deployment["status"] == "PRIMARY":
                    deployment["desiredCount"] = desired_count
                    if deployment.get("rolloutState") == "COMPLETED":
                        deployment.update(runningCount=desired_count, pendingCount=0)
        if service.deployments and (force or service.task_definition != before_task_definition):
            _ecs_new_deployment(self, service, before_task_definition, rollouts.take(service.name))
        _ecs_keep_service_tasks(self, service)
        return result

    def describe_services(self, cluster_str, service_names_or_arns):
        services, failures = original_describe(self, cluster_str, service_names_or_arns)
        for service in services:
            _ecs_settle(self, service)
        return services, failures

    def list_services(self, cluster_str, *args, **kwargs):
        arns = original_list_services(self, cluster_str, *args, **kwargs)
        for service in list(self.services.values()):
            if service.arn in arns:
                _ecs_settle(self, service)
        return arns

    def list_tasks(self, cluster_str=None, container_instance=None, family=None, started_by=None,
                   service_name=None, desiredStatus=None):  # noqa: N803 (moto's parameter name)
        if service_name:
            try:
                _ecs_settle(self, self._get_service(cluster_str or "default", service_name))  # pylint: disable=protected-access
            except _moto_errors():
                pass  # no such service (or cluster): moto answers as it does
        tasks = original_list_tasks(self, cluster_str, container_instance, family, started_by, service_name, desiredStatus)
        if service_name:
            group = "service:" + service_name.rsplit("/", maxsplit=1)[-1]
            tasks = [task for task in tasks if getattr(task, "group", None) == group]
        return tasks

    def delete_service(self, cluster_name, service_name, force):
        service = original_delete(self, cluster_name, service_name, force)
        _ecs_keep_service_tasks(self, service)
        return service

    for function in (create_service, update_service, describe_services, list_services, list_tasks, delete_service):
        setattr(EC2ContainerServiceBackend, function.__name__, function)
    EC2ContainerServiceBackend.shipyard_deployments_patched = True


def _ecs_deployment_id() -> str:
    return f"ecs-svc/{random.randrange(10**18, 10**19)}"  # noqa: S311 (an identifier, not a secret)


def _ecs_event(service, message: str) -> None:
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": _ecs_now(), "message": message})


def _ecs_start_rollout(service, deployment: dict, plan: dict | None, previous: dict | None) -> None:
    deployment.update(
        rolloutState="IN_PROGRESS",
        rolloutStateReason=f"ECS deployment {deployment['id']} in progress.",
        runningCount=0,
        pendingCount=service.desired_count,
        failedTasks=0,
    )
    if not hasattr(service, "shipyard_rollouts"):
        service.shipyard_rollouts = {}
    service.shipyard_rollouts[deployment["id"]] = {
        "settle_at": time.monotonic() + _ecs_settle_seconds(plan),
        "outcome": plan["outcome"] if plan and previous else "COMPLETED",
        "reason": (plan or {}).get("reason") or ECS_DEFAULT_STOPPED_REASON,
        "previous_id": previous["id"] if previous else None,
        "previous_task_definition": previous.get("taskDefinition") if previous else None,
    }


def _ecs_new_deployment(backend, service, previous_task_definition, plan: dict | None) -> None:
    del backend
    now = _ecs_now()
    primary = next((d for d in service.deployments if d["status"] == "PRIMARY"), service.deployments[0])
    for deployment in service.deployments:
        if deployment["status"] == "PRIMARY":
            deployment.update(status="ACTIVE", updatedAt=now)
        # a superseded rollout no longer settles on its own
        getattr(service, "shipyard_rollouts", {}).pop(deployment["id"], None)
    deployment = dict(primary, id=_ecs_deployment_id(), status="PRIMARY", taskDefinition=service.task_definition,
                      desiredCount=service.desired_count, createdAt=now, updatedAt=now)
    service.deployments.insert(0, deployment)
    _ecs_start_rollout(service, deployment, plan, dict(primary, taskDefinition=previous_task_definition))


def _ecs_primary(service) -> dict | None:
    return next((d for d in service.deployments if d["status"] == "PRIMARY"), None)


def _ecs_settle(backend, service) -> None:
    """Finish the service's rollout if it has had its time, then keep its tasks (see patch_ecs_deployments)."""
    _ecs_finish_rollout(backend, service)
    _ecs_keep_service_tasks(backend, service)


def _ecs_finish_rollout(backend, service) -> None:
    primary = _ecs_primary(service)
    if primary is None or primary.get("rolloutState") != "IN_PROGRESS":
        return
    rollout = getattr(service, "shipyard_rollouts", {}).get(primary["id"])
    if rollout is None or time.monotonic() < rollout["settle_at"]:
        return
    del service.shipyard_rollouts[primary["id"]]
    if rollout["outcome"] == "FAILED" and rollout["previous_task_definition"]:
        _ecs_roll_back(backend, service, primary, rollout)
        return
    primary.update(
        rolloutState="COMPLETED",
        rolloutStateReason=f"ECS deployment {primary['id']} completed.",
        runningCount=service.desired_count,
        pendingCount=0,
        updatedAt=_ecs_now(),
    )
    service.deployments = [primary]
    service.running_count, service.pending_count = service.desired_count, 0
    _ecs_event(service, f"(service {service.name}) has reached a steady state.")


def _ecs_roll_back(backend, service, failed: dict, rollout: dict) -> None:
    now = _ecs_now()
    failed.update(
        status="ACTIVE",
        rolloutState="FAILED",
        rolloutStateReason=ECS_CIRCUIT_BREAKER_REASON,
        runningCount=0,
        pendingCount=0,
        failedTasks=max(service.desired_count, 1),
        updatedAt=now,
    )
    _ecs_stopped_task(backend, service, failed, rollout["reason"])
    rollback_id = _ecs_deployment_id()
    rollback = dict(
        failed,
        id=rollback_id,
        status="PRIMARY",
        taskDefinition=rollout["previous_task_definition"],
        rolloutState="COMPLETED",
        rolloutStateReason=f"ECS deployment {rollback_id} completed.",
        desiredCount=service.desired_count,
        runningCount=service.desired_count,
        pendingCount=0,
        failedTasks=0,
        createdAt=now,
        updatedAt=now,
    )
    service.deployments = [rollback, failed]
    service.task_definition = rollout["previous_task_definition"]
    # the rollback returns to the previous deployment, whose tasks never stopped: they are the rollback's now
    _ecs_task_owners_of(service)[rollback_id] = _ecs_task_owners(service, rollout["previous_id"]) | {rollback_id}
    service.running_count, service.pending_count = service.desired_count, 0
    _ecs_event(service, f"(service {service.name}) (deployment {failed['id']}) deployment failed: tasks failed to start.")
    _ecs_event(service, f"(service {service.name}) rolling back to deployment {rollout['previous_id']}.")


def _ecs_stopped_task(backend, service, deployment: dict, reason: str) -> None:
    """A task of the failed deployment, stopped as ECS leaves it: stoppedReason and the container's exit code."""
    task = _ecs_service_task(backend, service, deployment)
    _ecs_mark_stopped(task, reason, "EssentialContainerExited")
    for container in task.containers:
        container.exitCode = 1  # pylint: disable=invalid-name
        container.reason = reason
    backend.tasks.setdefault(service.cluster_name, {})[task.task_arn] = task


def _ecs_task_owners_of(service) -> dict[str, set]:
    if not hasattr(service, "shipyard_task_owners"):
        service.shipyard_task_owners = {}
    return service.shipyard_task_owners


def _ecs_task_owners(service, deployment_id: str | None) -> set:
    """The startedBy values of the tasks that belong to deployment ``deployment_id`` (see _ecs_roll_back)."""
    return set(_ecs_task_owners_of(service).get(deployment_id, {deployment_id})) - {None}


def _ecs_keep_service_tasks(backend, service) -> None:
    """Keep desiredCount tasks of the service's PRIMARY deployment running once it has COMPLETED, and stop the
    others, as ECS's service scheduler does (see patch_ecs_deployments); an inactive (deleted) service keeps none."""
    active = service.status == "ACTIVE"
    primary = _ecs_primary(service)
    if active and (primary is None or primary.get("rolloutState") != "COMPLETED"):
        return
    desired = service.desired_count if active else 0
    owners = _ecs_task_owners(service, primary["id"]) if primary else set()
    running = _ecs_running_service_tasks(backend, service)
    kept = [task for task in running if task.started_by in owners][:desired]
    for task in running:
        if task not in kept:
            _ecs_mark_stopped(task, f"Scaling activity initiated by (deployment {task.started_by})",
                              "ServiceSchedulerInitiated")
    for unused_index in range(desired - len(kept)):
        _ecs_start_service_task(backend, service, primary)


def _ecs_running_service_tasks(backend, service) -> list:
    group = f"service:{service.name}"
    tasks = backend.tasks.get(service.cluster_name, {}).values()
    return [task for task in tasks if task.group == group and task.desired_status == "RUNNING"]


def _ecs_start_service_task(backend, service, deployment: dict) -> None:
    task = _ecs_service_task(backend, service, deployment)
    for container in task.containers:
        container.last_status = "RUNNING"
    if getattr(service, "enable_execute_command", False):
        _ecs_enable_exec(task)
    backend.tasks.setdefault(service.cluster_name, {})[task.task_arn] = task


def _ecs_service_task(backend, service, deployment: dict):
    """A task of the service's ``deployment`` as ECS places it (not yet in the backend's list)."""

    task_definition = backend.describe_task_definition(deployment["taskDefinition"])
    try:
        return _ecs_new_task(backend, service, deployment, task_definition, service.network_configuration or None)
    except _moto_errors():
        # moto insists on a network configuration it can place (it creates an ENI) for awsvpc tasks; without one
        # (or with an unknown subnet) the task goes without an ENI rather than DescribeServices failing with a 500.
        return _ecs_new_task(backend, service, deployment, _ecs_without_awsvpc(task_definition), None)


def _ecs_new_task(backend, service, deployment: dict, task_definition, network: dict | None):
    from moto.ecs.models import Task

    task = Task(
        backend._get_cluster(service.cluster_name),  # pylint: disable=protected-access
        task_definition,
        None,
        None,
        backend=backend,
        group=f"service:{service.name}",
        launch_type=service.launch_type or "",
        started_by=deployment["id"],
        networking_configuration=network if task_definition.network_mode == "awsvpc" else None,
        platform_version=service.platform_version,
    )
    for container in task.containers:
        container.task_arn = task.task_arn  # moto gives containers the task definition's ARN
    return task


def _ecs_without_awsvpc(task_definition):
    from types import SimpleNamespace

    return SimpleNamespace(arn=task_definition.arn, family=task_definition.family, network_mode="bridge",
                           container_definitions=task_definition.container_definitions)
