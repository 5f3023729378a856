# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The SSM target a port-forwarding session goes through: an ECS task (ECS Exec), an EC2 instance, or as given.

An ECS task's SSM target is ``ecs:<cluster name>_<task id>_<container runtime id>``; the session reaches the container
through its ExecuteCommandAgent, so only a RUNNING task whose agent is RUNNING will do.
"""

from __future__ import annotations

NEW_DEPLOYMENT_HINT = (
    "ECS starts the agent only in tasks started after enableExecuteCommand was turned on, so start a new deployment "
    "(ansible-playbook -i inventories/<env> playbooks/deploy.yml -e ecs_deploy_force_new_deployment=true, or "
    "aws ecs update-service --force-new-deployment)"
)
AGENT = "ExecuteCommandAgent"
DESCRIBE_TASKS_BATCH = 100


class TargetError(Exception):
    """No usable target; the message says which and what to do."""


def _task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]


def _agent_status(container: dict) -> str | None:
    for agent in container.get("managedAgents") or []:
        if agent.get("name") == AGENT:
            return agent.get("lastStatus")
    return None


def _containers(task: dict, container_name: str | None) -> list[dict]:
    containers = task.get("containers") or []
    if container_name:
        return [c for c in containers if c.get("name") == container_name]
    return containers


def _usable_container(task: dict, container_name: str | None) -> dict | None:
    if task.get("lastStatus") != "RUNNING" or not task.get("enableExecuteCommand"):
        return None
    for container in _containers(task, container_name):
        if _agent_status(container) == "RUNNING" and container.get("runtimeId"):
            return container
    return None


def _why_not(task: dict, container_name: str | None) -> str:
    task_id = _task_id(task["taskArn"])
    if task.get("lastStatus") != "RUNNING":
        return f"task {task_id} is {task.get('lastStatus')}"
    if not task.get("enableExecuteCommand"):
        return f"task {task_id} runs without ECS Exec (enableExecuteCommand false)"
    containers = _containers(task, container_name)
    if not containers:
        names = ", ".join(c.get("name", "?") for c in task.get("containers") or [])
        return f"task {task_id} has no container {container_name} (it has {names})"
    states = ", ".join(f"{c.get('name')}: {_agent_status(c) or 'no agent'}" for c in containers)
    return f"task {task_id}'s {AGENT} is not RUNNING ({states})"


def choose_task(cluster: str, service: dict, tasks: list[dict], container_name: str | None) -> dict:
    """The newest usable task as ``{target, task_arn, task_id, container, runtime_id}``; TargetError says why none is."""
    name = service["serviceName"]
    for task in sorted(tasks, key=lambda t: str(t.get("startedAt") or t.get("createdAt") or ""), reverse=True):
        container = _usable_container(task, container_name)
        if container:
            task_id = _task_id(task["taskArn"])
            return {"target": f"ecs:{cluster}_{task_id}_{container['runtimeId']}", "task_arn": task["taskArn"],
                    "task_id": task_id, "container": container.get("name"), "runtime_id": container["runtimeId"]}
    if not service.get("enableExecuteCommand"):
        raise TargetError(
            f"ECS Exec is off for ECS service {name} in cluster {cluster} (enableExecuteCommand false), so no session can "
            "reach its tasks: turn it on (the Terraform component compute sets enable_execute_command; apply it with "
            f"playbooks/infra.yml), then {NEW_DEPLOYMENT_HINT}")
    reasons = "; ".join(_why_not(task, container_name) for task in tasks)
    if all(task.get("lastStatus") == "RUNNING" and not task.get("enableExecuteCommand") for task in tasks):
        raise TargetError(f"ECS service {name} has enableExecuteCommand on, but its running tasks started before it was: "
                          f"{reasons}. {NEW_DEPLOYMENT_HINT[0].upper()}{NEW_DEPLOYMENT_HINT[1:]}")
    raise TargetError(
        f"no running task of ECS service {name} in cluster {cluster} has a RUNNING {AGENT} ({reasons}). The agent "
        "needs the task role to allow ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and "
        "OpenDataChannel, and the task outbound HTTPS to the ssmmessages endpoint; a new deployment restarts it "
        "(ansible-playbook -i inventories/<env> playbooks/deploy.yml -e ecs_deploy_force_new_deployment=true)")


def ecs_task(client, cluster: str, service_name: str, container_name: str | None) -> dict:
    """A running task of the service that ECS Exec can reach (see choose_task)."""
    services = client.describe_services(cluster=cluster, services=[service_name], aws_retry=True).get("services", [])
    service = next((s for s in services if s.get("status") == "ACTIVE"), None)
    if service is None:
        raise TargetError(f"ECS service {service_name} does not exist (or is inactive) in cluster {cluster}: check "
                          "ecs_cluster and ecs_service, or create it with playbooks/infra.yml")
    cluster_name = service.get("clusterArn", cluster).rsplit("/", 1)[-1]
    paginator = client.get_paginator("list_tasks")
    arns = [arn for page in paginator.paginate(cluster=cluster, serviceName=service_name, desiredStatus="RUNNING")
            for arn in page.get("taskArns", [])]
    tasks = []
    for start in range(0, len(arns), DESCRIBE_TASKS_BATCH):
        tasks += client.describe_tasks(cluster=cluster, tasks=arns[start:start + DESCRIBE_TASKS_BATCH],
                                       aws_retry=True).get("tasks", [])
    if not tasks:
        raise TargetError(
            f"ECS service {service_name} in cluster {cluster} has no running task (desired count "
            f"{service.get('desiredCount')}, running {service.get('runningCount')}): start it (desired count above 0, "
            "or playbooks/power.yml when it is stopped for the night) and run this again")
    return choose_task(cluster_name, service, tasks, container_name)


def ec2_instance(client, instance_id: str | None, filters: dict | None) -> dict:
    """A running EC2 instance (a bastion) by id, or the newest running one matching ``filters``."""
    if instance_id:
        reservations = client.describe_instances(InstanceIds=[instance_id], aws_retry=True).get("Reservations", [])
        instances = [i for r in reservations for i in r.get("Instances", [])]
        if not instances:
            raise TargetError(f"EC2 instance {instance_id} does not exist: check ec2_instance_id")
        state = instances[0].get("State", {}).get("Name")
        if state != "running":
            raise TargetError(f"EC2 instance {instance_id} is {state}, not running: start it and run this again")
        return {"target": instance_id, "instance_id": instance_id}
    aws_filters = [{"Name": key, "Values": value if isinstance(value, list) else [str(value)]}
                   for key, value in (filters or {}).items()]
    aws_filters.append({"Name": "instance-state-name", "Values": ["running"]})
    paginator = client.get_paginator("describe_instances")
    instances = [i for page in paginator.paginate(Filters=aws_filters) for r in page.get("Reservations", [])
                 for i in r.get("Instances", [])]
    if not instances:
        raise TargetError(f"no running EC2 instance matches ec2_filters {filters}: check the filters, or start the bastion")
    newest = max(instances, key=lambda i: str(i.get("LaunchTime", "")))
    return {"target": newest["InstanceId"], "instance_id": newest["InstanceId"]}
