# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ECS rollouts for shipyard.aws.ecs_rollout: which deployment a wait is about, how far it got, and the
troubleshooting a failed rollout needs (events, stopped tasks, logs), without Ansible in the way."""

from __future__ import annotations

DESCRIBE_BATCH = 10  # DescribeServices takes at most 10 services
STOPPED_TASKS = 5
DONE, WAITING, FAILED = "done", "waiting", "failed"


def service_name(value: str) -> str:
    """A service's name from its name or ARN (arn:...:service/<cluster>/<name> or the old arn:...:service/<name>)."""
    return value.rsplit("/", 1)[-1]


def short_task_definition(arn: str | None) -> str:
    """family:revision of a task definition ARN."""
    return (arn or "").rsplit("/", 1)[-1]


def same_task_definition(arn: str | None, wanted: str) -> bool:
    """``wanted`` is an ARN or family:revision."""
    return bool(arn) and (arn == wanted or short_task_definition(arn) == wanted)


def validate(params: dict) -> dict:
    """The module's options checked before any AWS call; raises ValueError with what to do."""
    if not params["cluster"] or not params["cluster"].strip():
        raise ValueError("cluster is empty: give the ECS cluster's name or ARN")
    names = [service_name(value.strip()) for value in params["services"]]
    if not names:
        raise ValueError("services is empty: name at least one ECS service (name or ARN)")
    if any(not name for name in names):
        raise ValueError("services contains an empty name: give each ECS service's name or ARN")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"services names {', '.join(duplicates)} more than once")
    expected = {}
    for key, value in (params["task_definitions"] or {}).items():
        name = service_name(str(key))
        if name not in names:
            raise ValueError(f"task_definitions names service {key!r}, which is not in services ({', '.join(names)})")
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"task_definitions[{key!r}] must be the task definition ARN (or family:revision) "
                             "the service should be rolling out")
        expected[name] = value.strip()
    if params["timeout"] < 0:
        raise ValueError(f"timeout must be 0 or more seconds, not {params['timeout']}")
    if params["poll_interval"] <= 0:
        raise ValueError(f"poll_interval must be more than 0 seconds, not {params['poll_interval']}")
    if params["events"] < 0:
        raise ValueError(f"events must be 0 or more, not {params['events']}")
    return dict(cluster=params["cluster"].strip(), names=names, expected=expected)


def primary_deployment(service: dict) -> dict:
    return next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), {})


def target_deployment(service: dict, expected_task_definition: str | None, expected_id: str | None) -> dict:
    """The deployment a wait is about: the forced one, else the one running the expected task definition, else
    the PRIMARY. Empty when the expected one is not (or no longer) among the service's deployments."""
    deployments = service.get("deployments", [])
    if expected_id:
        return next((d for d in deployments if d.get("id") == expected_id), {})
    if expected_task_definition:
        matching = [d for d in deployments if same_task_definition(d.get("taskDefinition"), expected_task_definition)]
        return next((d for d in matching if d.get("status") == "PRIMARY"), matching[0] if matching else {})
    return primary_deployment(service)


def evaluate(service: dict, expected_task_definition: str | None = None, expected_id: str | None = None):
    """(done|waiting|failed, the deployment, why it failed or "")."""
    deployment = target_deployment(service, expected_task_definition, expected_id)
    primary = primary_deployment(service)
    if deployment.get("rolloutState") == "FAILED":
        return FAILED, deployment, (f"deployment {deployment.get('id')} of {short_task_definition(deployment.get('taskDefinition'))}"
                                    f" failed: {deployment.get('rolloutStateReason') or 'no reason given'}")
    if not deployment or deployment is not primary:
        wanted = (f"deployment {expected_id}" if expected_id
                  else f"task definition {short_task_definition(expected_task_definition) or expected_task_definition}")
        return FAILED, deployment or primary, (
            f"the service was rolled back: its PRIMARY deployment {primary.get('id')} runs "
            f"{short_task_definition(primary.get('taskDefinition'))}, not {wanted}"
            + ("" if deployment else f" ({wanted} is no longer among its deployments)"))
    if deployment.get("rolloutState") == "COMPLETED":
        failed = [d for d in service.get("deployments", []) if d.get("rolloutState") == "FAILED"]
        if failed and not expected_task_definition and not expected_id:
            return FAILED, failed[0], (
                f"the service was rolled back: deployment {failed[0].get('id')} of "
                f"{short_task_definition(failed[0].get('taskDefinition'))} failed "
                f"({failed[0].get('rolloutStateReason') or 'no reason given'}) and the PRIMARY deployment runs "
                f"{short_task_definition(primary.get('taskDefinition'))}")
        return DONE, deployment, ""
    return WAITING, deployment, ""


def summary(service: dict, deployment: dict, seconds: float) -> dict:
    return dict(
        name=service.get("serviceName"),
        arn=service.get("serviceArn"),
        task_definition=deployment.get("taskDefinition") or service.get("taskDefinition"),
        deployment_id=deployment.get("id", ""),
        rollout_state=deployment.get("rolloutState", ""),
        rollout_state_reason=deployment.get("rolloutStateReason", ""),
        desired_count=deployment.get("desiredCount", service.get("desiredCount", 0)),
        running_count=deployment.get("runningCount", service.get("runningCount", 0)),
        seconds=round(seconds, 3),
    )


def latest_events(service: dict, count: int) -> list[str]:
    events = sorted(service.get("events", []), key=lambda e: str(e.get("createdAt", "")), reverse=True)[:count]
    return [f"{_when(e.get('createdAt'))} {e.get('message', '')}" for e in events]


def _when(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def stopped_tasks(client, cluster: str, name: str, deployment: dict) -> list[str]:
    """What `aws ecs list-tasks --desired-status STOPPED` + `describe-tasks` tell about the service's failed tasks."""
    arns = client.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED", aws_retry=True).get("taskArns", [])
    if not arns:
        return []
    tasks = client.describe_tasks(cluster=cluster, tasks=arns[:100], aws_retry=True).get("tasks", [])
    # the failed deployment's tasks first, the latest first
    tasks.sort(key=lambda t: str(t.get("stoppedAt", "")), reverse=True)
    tasks.sort(key=lambda t: t.get("startedBy") != deployment.get("id")
               and t.get("taskDefinitionArn") != deployment.get("taskDefinition"))
    lines = []
    for task in tasks[:STOPPED_TASKS]:
        containers = "; ".join(
            f"container {c.get('name')}: exit code {c.get('exitCode', 'none')}"
            + (f", {c['reason']}" if c.get("reason") else "")
            for c in task.get("containers", [])
        )
        lines.append(f"task {task.get('taskArn', '').rsplit('/', 1)[-1]} ({short_task_definition(task.get('taskDefinitionArn'))}) "
                     f"stopped: {task.get('stoppedReason') or 'no reason given'}" + (f" ({containers})" if containers else ""))
    return lines


def log_groups(client, task_definition: str | None) -> list[str]:
    """The CloudWatch log groups (awslogs) of a task definition's containers."""
    if not task_definition:
        return []
    document = client.describe_task_definition(taskDefinition=task_definition, aws_retry=True)["taskDefinition"]
    groups = []
    for container in document.get("containerDefinitions", []):
        configuration = container.get("logConfiguration") or {}
        group = (configuration.get("options") or {}).get("awslogs-group")
        if configuration.get("logDriver") == "awslogs" and group and group not in groups:
            groups.append(group)
    return groups


def images_of(client, task_definition: str | None) -> list[str]:
    """The images a task definition's containers run."""
    if not task_definition:
        return []
    document = client.describe_task_definition(taskDefinition=task_definition, aws_retry=True)["taskDefinition"]
    return [container.get("image", "") for container in document.get("containerDefinitions", [])]
