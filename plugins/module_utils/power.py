# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stopping and starting ECS services and RDS databases to save money: the logic once, for three faces.

The modules ``shipyard.aws.ecs_service_power`` and ``shipyard.aws.rds_power``, the Lambda function the schedule
roles deploy (``power_lambda.handler``) and the command line (``power_cli``) all call this file. It is plain
Python with boto3 clients passed in (no Ansible import), so it also runs inside an AWS Lambda with only boto3:
the Lambda zip holds this file and ``power_lambda.py`` side by side.

ECS services. Stopping a service remembers how it ran in tags on the service (``shipyard:desired-count``, and
when the service is registered with Application Auto Scaling, ``shipyard:min-capacity`` and
``shipyard:max-capacity``), sets the scalable target's minimum to 0 (its maximum is kept) and then the desired
count to 0. Starting restores the minimum and maximum, then the desired count (the remembered one, else 1,
within the restored minimum and maximum), then removes the tags: they are a memory of one stop, and stale values
left behind would undo a later change of the service (a new minimum Terraform applied, say). A service is
already stopped when its desired count is 0 and its minimum (if any) is 0, already started when its desired
count is not 0 and nothing is remembered.

RDS DB instances and Aurora clusters are stopped when ``available`` and started when ``stopped``; a database
already on its way (``stopping``/``starting``) is left alone. One busy with something else (``backing-up``,
``modifying``, ``upgrading``, ``configuring-*``, ``maintenance``, ``storage-optimization``...) cannot be stopped
or started now: the result is ``deferred``, not an error, so a schedule does not fail on a nightly backup.
An Aurora member instance (act on its cluster) and a read replica (AWS cannot stop one) are errors.

Every function that changes something takes ``check_mode``: then it reads, computes the same result, and calls
no mutating API. Results are plain, JSON-serialisable dicts.
"""

from __future__ import annotations

import datetime
import time

try:
    from botocore.exceptions import ClientError
except ImportError:  # the modules report a missing botocore themselves (AnsibleAWSModule)
    ClientError = Exception

STOPPED = "stopped"
STARTED = "started"
STATES = (STOPPED, STARTED)

# What a result's "action" says.
ACTION_STOPPED = "stopped"
ACTION_STARTED = "started"
ACTION_NONE = "none"
ACTION_DEFERRED = "deferred"

TAG_DESIRED_COUNT = "shipyard:desired-count"
TAG_MIN_CAPACITY = "shipyard:min-capacity"
TAG_MAX_CAPACITY = "shipyard:max-capacity"
MEMORY_TAGS = (TAG_DESIRED_COUNT, TAG_MIN_CAPACITY, TAG_MAX_CAPACITY)
DEFAULT_DESIRED_COUNT = 1
ECS_NAMESPACE = "ecs"
ECS_DIMENSION = "ecs:service:DesiredCount"
ECS_DESCRIBE_BATCH = 10
AUTOSCALING_DESCRIBE_BATCH = 50

RDS_INSTANCE = "instance"
RDS_CLUSTER = "cluster"
RDS_TARGET_STATUS = {STOPPED: "stopped", STARTED: "available"}
RDS_ON_THE_WAY = {STOPPED: "stopping", STARTED: "starting"}
# The statuses from which AWS accepts StopDB*/StartDB*.
RDS_ACTIONABLE = {
    STOPPED: ("available",),
    STARTED: ("stopped", "inaccessible-encryption-credentials-recoverable"),
}
# Statuses that will not pass by waiting: someone has to act.
RDS_BROKEN = ("deleting", "deleted", "failed", "inaccessible-encryption-credentials", "incompatible-network",
              "incompatible-option-group", "incompatible-parameters", "incompatible-restore", "insufficient-capacity",
              "restore-error", "storage-full")

DEFAULT_WAIT_TIMEOUT = 900
DEFAULT_POLL_INTERVAL = 10.0

EVENT_KEYS = {
    "ecs": {"resource", "cluster", "services", "state", "skip_dates", "timezone", "wait", "timeout"},
    "rds": {"resource", "db_cluster_identifier", "db_instance_identifier", "state", "skip_dates", "timezone", "wait",
            "timeout"},
}


class PowerError(Exception):
    """A failure whose message says what is wrong and what to do."""


# --- pure decisions -------------------------------------------------------------------------------------------


def check_state(state) -> str:
    if state not in STATES:
        raise PowerError(f"state must be {' or '.join(STATES)}, not {state!r}")
    return state


def remembered(tags: dict) -> dict:
    """The values a stop remembered in the service's tags (desired_count, min_capacity, max_capacity), as ints;
    a missing or unreadable tag is left out."""
    names = {TAG_DESIRED_COUNT: "desired_count", TAG_MIN_CAPACITY: "min_capacity", TAG_MAX_CAPACITY: "max_capacity"}
    memory = {}
    for tag, name in names.items():
        value = str(tags.get(tag, "")).strip()
        if value.isdigit():
            memory[name] = int(value)
    return memory


def ecs_current(desired_count: int, target: dict | None) -> dict:
    """The part of a service that stopping and starting change: desired count, and min/max (None without a
    scalable target)."""
    return {
        "desired_count": desired_count,
        "min_capacity": target["MinCapacity"] if target else None,
        "max_capacity": target["MaxCapacity"] if target else None,
    }


def ecs_is_stopped(current: dict) -> bool:
    return current["desired_count"] == 0 and current["min_capacity"] in (None, 0)


def plan_ecs_service(current: dict, tags: dict, state: str) -> dict:
    """What stopping or starting one service does, computed from what it is now and what its tags remember.

    Returns ``{"action", "changed", "before", "after", "tags_to_set", "tags_to_remove"}``; ``before`` and
    ``after`` are ``ecs_current`` dicts."""
    if check_state(state) == STOPPED:
        return plan_ecs_stop(current, remembered(tags))
    return plan_ecs_start(current, remembered(tags), [tag for tag in MEMORY_TAGS if tag in tags])


def plan_ecs_stop(current: dict, memory: dict) -> dict:
    if ecs_is_stopped(current):
        return _ecs_plan(ACTION_NONE, current, current)
    has_target = current["min_capacity"] is not None
    after = dict(current, desired_count=0, min_capacity=0 if has_target else None)
    # A service someone set to 0 by hand (but whose minimum is not 0) keeps the count remembered before.
    to_set = {TAG_DESIRED_COUNT: str(current["desired_count"] or memory.get("desired_count") or DEFAULT_DESIRED_COUNT)}
    if has_target:
        to_set.update({TAG_MIN_CAPACITY: str(current["min_capacity"]), TAG_MAX_CAPACITY: str(current["max_capacity"])})
    return _ecs_plan(ACTION_STOPPED, current, after, tags_to_set=to_set)


def plan_ecs_start(current: dict, memory: dict, memory_tags: list) -> dict:
    after = dict(current)
    has_target = current["min_capacity"] is not None
    if has_target:
        after["min_capacity"] = memory.get("min_capacity", current["min_capacity"])
        after["max_capacity"] = max(memory.get("max_capacity", current["max_capacity"]), after["min_capacity"])
    if current["desired_count"] == 0:
        after["desired_count"] = memory.get("desired_count", DEFAULT_DESIRED_COUNT)
    if has_target:
        # Application Auto Scaling would move a count outside the range into it anyway.
        after["desired_count"] = min(max(after["desired_count"], after["min_capacity"]), after["max_capacity"])
    action = ACTION_NONE if after == current else ACTION_STARTED
    return _ecs_plan(action, current, after, tags_to_remove=memory_tags)


def _ecs_plan(action, before, after, tags_to_set=None, tags_to_remove=None) -> dict:
    tags_to_set = tags_to_set or {}
    tags_to_remove = tags_to_remove or []
    return {"action": action, "changed": action != ACTION_NONE or bool(tags_to_remove), "before": dict(before),
            "after": dict(after), "tags_to_set": tags_to_set, "tags_to_remove": list(tags_to_remove)}


def rds_action(status: str, state: str) -> str:
    """What to do with an RDS instance or cluster in ``status`` to bring it to ``state``: ACTION_STOPPED or
    ACTION_STARTED (call the API), ACTION_NONE (there or on its way) or ACTION_DEFERRED (busy: try later).
    Raises PowerError for a status that waiting will not fix."""
    check_state(state)
    if status in (RDS_TARGET_STATUS[state], RDS_ON_THE_WAY[state]):
        return ACTION_NONE
    if status in RDS_ACTIONABLE[state]:
        return ACTION_STOPPED if state == STOPPED else ACTION_STARTED
    if status in RDS_BROKEN:
        raise PowerError(f"it is {status}, which stopping or starting cannot change: repair the database first "
                         "(see its events in the RDS console)")
    return ACTION_DEFERRED


def rds_refusal(kind: str, resource: dict) -> str | None:
    """Why AWS cannot stop or start this instance or cluster itself (None when it can)."""
    if kind == RDS_INSTANCE:
        name = resource["DBInstanceIdentifier"]
        if resource.get("DBClusterIdentifier"):
            return (f"DB instance {name} is a member of Aurora cluster {resource['DBClusterIdentifier']}: Aurora "
                    f"stops and starts whole clusters, so use db_cluster_identifier={resource['DBClusterIdentifier']}")
        if resource.get("ReadReplicaSourceDBInstanceIdentifier"):
            return (f"DB instance {name} is a read replica of {resource['ReadReplicaSourceDBInstanceIdentifier']}: "
                    "AWS cannot stop a read replica; delete it, or promote it to a standalone instance first")
        return None
    name = resource["DBClusterIdentifier"]
    if resource.get("ReplicationSourceIdentifier"):
        return (f"DB cluster {name} is a replica of {resource['ReplicationSourceIdentifier']}: AWS cannot stop a "
                "replica cluster (or a secondary cluster of a global database); promote it first")
    return None


def rds_plan(kind: str, resource: dict, state: str) -> dict:
    """The result of stopping or starting an RDS resource, before any call: raises PowerError when it cannot be."""
    refusal = rds_refusal(kind, resource)
    if refusal:
        raise PowerError(refusal)
    identifier = rds_identifier(kind, resource)
    status = rds_status(kind, resource)
    try:
        action = rds_action(status, state)
    except PowerError as e:
        raise PowerError(f"DB {kind} {identifier}: {e}") from None
    after = status
    if action in (ACTION_STOPPED, ACTION_STARTED):
        after = RDS_ON_THE_WAY[state]
    return {"resource": "rds", "kind": kind, "identifier": identifier, "arn": rds_arn(kind, resource),
            "state": state, "action": action, "changed": action in (ACTION_STOPPED, ACTION_STARTED),
            "before": {"status": status}, "after": {"status": after}}


def rds_identifier(kind: str, resource: dict) -> str:
    return resource["DBInstanceIdentifier"] if kind == RDS_INSTANCE else resource["DBClusterIdentifier"]


def rds_status(kind: str, resource: dict) -> str:
    return resource["DBInstanceStatus"] if kind == RDS_INSTANCE else resource["Status"]


def rds_arn(kind: str, resource: dict) -> str:
    return resource.get("DBInstanceArn" if kind == RDS_INSTANCE else "DBClusterArn", "")


def skip_today(skip_dates, timezone: str | None, now: datetime.datetime | None = None) -> str | None:
    """Today's date (YYYY-MM-DD) in ``timezone`` (default UTC) when it is one of ``skip_dates``, else None."""
    if not skip_dates:
        return None
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    today = now.astimezone(zone(timezone)).date().isoformat()
    return today if today in skip_dates else None


def zone(name: str | None) -> datetime.tzinfo:
    if not name or name == "UTC":
        return datetime.timezone.utc
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # Python < 3.9
        raise PowerError(f"timezone {name} needs Python 3.9 or later (zoneinfo)") from None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PowerError(f"unknown timezone {name!r}: use an IANA name such as Asia/Tokyo (install the tzdata "
                         "package where the system has no time zone database)") from None


def check_event(event) -> dict:
    """``event`` checked against the contract in ``handle``'s docstring; raises PowerError saying what is wrong."""
    if not isinstance(event, dict):
        raise PowerError(f"the event must be a JSON object, not {type(event).__name__}")
    resource = event.get("resource")
    if resource not in EVENT_KEYS:
        raise PowerError(f"event: resource must be ecs or rds, not {resource!r}")
    unknown = sorted(set(event) - EVENT_KEYS[resource])
    if unknown:
        raise PowerError(f"event: unknown key(s) {', '.join(unknown)} for resource {resource}; "
                         f"known: {', '.join(sorted(EVENT_KEYS[resource]))}")
    try:
        check_state(event.get("state"))
    except PowerError as e:
        raise PowerError(f"event: {e}") from None
    if resource == "ecs":
        _check_ecs_event(event)
    else:
        _check_rds_event(event)
    skip_dates = event.get("skip_dates", [])
    if not isinstance(skip_dates, list) or not all(_is_date(d) for d in skip_dates):
        raise PowerError("event: skip_dates must be a list of dates written YYYY-MM-DD")
    if not isinstance(event.get("timezone", ""), str):
        raise PowerError("event: timezone must be an IANA time zone name such as Asia/Tokyo")
    if not isinstance(event.get("wait", False), bool):
        raise PowerError("event: wait must be true or false")
    timeout = event.get("timeout", DEFAULT_WAIT_TIMEOUT)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout < 0:
        raise PowerError("event: timeout must be a number of seconds, 0 or more")
    return event


def _check_ecs_event(event: dict) -> None:
    if not isinstance(event.get("cluster"), str) or not event["cluster"]:
        raise PowerError("event: cluster (the ECS cluster's name) is required")
    services = event.get("services")
    if services != "all" and (not isinstance(services, list) or not services
                              or not all(isinstance(s, str) and s for s in services)):
        raise PowerError('event: services must be a non-empty list of ECS service names, or "all"')


def _check_rds_event(event: dict) -> None:
    given = [key for key in ("db_cluster_identifier", "db_instance_identifier") if key in event]
    if len(given) != 1:
        raise PowerError("event: give exactly one of db_cluster_identifier (Aurora) and db_instance_identifier")
    if not isinstance(event[given[0]], str) or not event[given[0]]:
        raise PowerError(f"event: {given[0]} must be a non-empty string")


def _is_date(value) -> bool:
    try:
        return isinstance(value, str) and datetime.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


# --- ECS ------------------------------------------------------------------------------------------------------


def ecs_service_names(ecs, cluster: str, services) -> list:
    """The names of ``services`` (a list of names or ARNs), or of every service of the cluster for "all"."""
    if services == "all":
        arns = []
        try:
            for page in ecs.get_paginator("list_services").paginate(cluster=cluster):
                arns += page.get("serviceArns", [])
        except ClientError as e:
            raise _missing_cluster(e, cluster) from None
        return sorted(arn.rsplit("/", 1)[-1] for arn in arns)
    names = [service.rsplit("/", 1)[-1] for service in services]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise PowerError(f"services names {', '.join(repeated)} more than once")
    return names


def describe_ecs_services(ecs, cluster: str, names: list) -> dict:
    """name => ACTIVE service (with its tags); raises PowerError naming every one that is missing, before anything
    is changed."""
    found = {}
    try:
        for start in range(0, len(names), ECS_DESCRIBE_BATCH):
            answer = ecs.describe_services(cluster=cluster, services=names[start:start + ECS_DESCRIBE_BATCH],
                                           include=["TAGS"])
            for service in answer.get("services", []):
                if service.get("status") == "ACTIVE":
                    found[service["serviceName"]] = service
    except ClientError as e:
        raise _missing_cluster(e, cluster) from None
    missing = [name for name in names if name not in found]
    if missing:
        raise PowerError(f"ECS service(s) {', '.join(missing)} not found (or not ACTIVE) in cluster {cluster}: "
                         "nothing was changed; fix the service names (or use \"all\")")
    return found


def _missing_cluster(error, cluster: str) -> Exception:
    """A missing cluster as a PowerError that says so; any other error as it is."""
    if _error_code(error) == "ClusterNotFoundException":
        return PowerError(f"ECS cluster {cluster} does not exist in this account and region: check the cluster "
                          "name and the region")
    return error


def ecs_scalable_targets(autoscaling, cluster: str, names: list) -> dict:
    """name => the service's Application Auto Scaling target for its desired count, for the services that have one."""
    by_resource = {f"service/{cluster}/{name}": name for name in names}
    targets = {}
    resource_ids = list(by_resource)
    for start in range(0, len(resource_ids), AUTOSCALING_DESCRIBE_BATCH):
        pages = autoscaling.get_paginator("describe_scalable_targets").paginate(
            ServiceNamespace=ECS_NAMESPACE, ScalableDimension=ECS_DIMENSION,
            ResourceIds=resource_ids[start:start + AUTOSCALING_DESCRIBE_BATCH])
        for page in pages:
            for target in page.get("ScalableTargets", []):
                if target["ResourceId"] in by_resource:
                    targets[by_resource[target["ResourceId"]]] = target
    return targets


def ecs_power(ecs, autoscaling, cluster: str, services, state: str, check_mode: bool = False, wait: bool = False,
              timeout: float = DEFAULT_WAIT_TIMEOUT, poll_interval: float = DEFAULT_POLL_INTERVAL) -> dict:
    """Stop or start ECS services (``services``: names or ARNs, or "all"). Every service is read before any is
    changed, so a missing one fails the whole call with nothing changed.

    Returns ``{"resource": "ecs", "cluster", "state", "changed", "services": [...]}``, one entry per service in
    name order for "all", else in the given order: ``{"name", "arn", "action", "changed", "before", "after"}``
    (before/after: desired_count, min_capacity, max_capacity; min/max None without a scalable target), plus
    ``running_count`` after a wait."""
    check_state(state)
    names = ecs_service_names(ecs, cluster, services)
    found = describe_ecs_services(ecs, cluster, names)
    targets = ecs_scalable_targets(autoscaling, cluster, names)
    results = []
    for name in names:
        service = found[name]
        tags = {tag["key"]: tag["value"] for tag in service.get("tags", [])}
        plan = plan_ecs_service(ecs_current(service["desiredCount"], targets.get(name)), tags, state)
        if plan["changed"] and not check_mode:
            apply_ecs_plan(ecs, autoscaling, cluster, service, plan)
        results.append({"name": name, "arn": service["serviceArn"], "action": plan["action"],
                        "changed": plan["changed"], "before": plan["before"], "after": plan["after"]})
    if wait and not check_mode and names:
        running = wait_for_ecs_services(ecs, cluster, names, timeout, poll_interval)
        for result in results:
            result["running_count"] = running[result["name"]]
    return {"resource": "ecs", "cluster": cluster, "state": state,
            "changed": any(r["changed"] for r in results), "services": results}


def apply_ecs_plan(ecs, autoscaling, cluster: str, service: dict, plan: dict) -> None:
    """Stop: remember, lower the minimum, then the desired count (autoscaling would otherwise scale it back up
    to the minimum). Start: the minimum and maximum first, then the desired count, then forget."""
    before, after = plan["before"], plan["after"]
    if plan["tags_to_set"]:
        ecs.tag_resource(resourceArn=service["serviceArn"],
                         tags=[{"key": key, "value": value} for key, value in plan["tags_to_set"].items()])
    if (after["min_capacity"], after["max_capacity"]) != (before["min_capacity"], before["max_capacity"]):
        autoscaling.register_scalable_target(
            ServiceNamespace=ECS_NAMESPACE, ScalableDimension=ECS_DIMENSION,
            ResourceId=f"service/{cluster}/{service['serviceName']}",
            MinCapacity=after["min_capacity"], MaxCapacity=after["max_capacity"])
    if after["desired_count"] != before["desired_count"]:
        ecs.update_service(cluster=cluster, service=service["serviceName"], desiredCount=after["desired_count"])
    if plan["tags_to_remove"]:
        ecs.untag_resource(resourceArn=service["serviceArn"], tagKeys=plan["tags_to_remove"])


def ecs_service_settled(service: dict) -> bool:
    """Whether the service runs as many tasks as it desires, and so does its PRIMARY deployment: while a rollout
    is under way the service's own count also holds the old deployment's tasks."""
    primary = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)
    if primary is not None and primary.get("runningCount") != primary.get("desiredCount"):
        return False
    return service["runningCount"] == service["desiredCount"]


def ecs_progress(service: dict) -> str:
    primary = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), {})
    text = f"{service['runningCount']} of {service['desiredCount']} tasks running"
    if primary and primary.get("runningCount") != primary.get("desiredCount"):
        text += (f", {primary.get('runningCount')} of {primary.get('desiredCount')} in its deployment "
                 f"{primary.get('id')} ({primary.get('rolloutState', 'no rollout state')})")
    return text


def wait_for_ecs_services(ecs, cluster: str, names: list, timeout: float = DEFAULT_WAIT_TIMEOUT,
                          poll_interval: float = DEFAULT_POLL_INTERVAL) -> dict:
    """Poll until every service runs as many tasks as it desires; name => running count. Raises PowerError on
    timeout, naming the services still on their way."""
    deadline = time.monotonic() + timeout
    while True:
        found = describe_ecs_services(ecs, cluster, names)
        pending = {name: s for name, s in found.items() if not ecs_service_settled(s)}
        if not pending:
            return {name: found[name]["runningCount"] for name in names}
        if time.monotonic() >= deadline:
            counts = ", ".join(f"{name} ({ecs_progress(s)})" for name, s in pending.items())
            raise PowerError(f"timed out after {timeout:g} seconds waiting for ECS services in cluster {cluster}: "
                             f"{counts}; the change was made, run again with a longer timeout to keep waiting, or look "
                             "at the services' events")
        time.sleep(max(0.0, min(poll_interval, deadline - time.monotonic())))


# --- RDS ------------------------------------------------------------------------------------------------------


def describe_rds(rds, kind: str, identifier: str) -> dict:
    """The DB instance or cluster; PowerError when there is none."""
    try:
        if kind == RDS_INSTANCE:
            return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        return rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    except ClientError as e:
        if _error_code(e) in ("DBInstanceNotFound", "DBInstanceNotFoundFault", "DBClusterNotFoundFault"):
            other = "db_cluster_identifier" if kind == RDS_INSTANCE else "db_instance_identifier"
            raise PowerError(f"DB {kind} {identifier} not found in this account and region: check the identifier "
                             f"and the region (an Aurora cluster is named with db_cluster_identifier, a DB instance "
                             f"with db_instance_identifier; did you mean {other}?)") from None
        raise


def rds_power(rds, state: str, db_instance_identifier: str | None = None, db_cluster_identifier: str | None = None,
              check_mode: bool = False, wait: bool = False, timeout: float = DEFAULT_WAIT_TIMEOUT,
              poll_interval: float = DEFAULT_POLL_INTERVAL) -> dict:
    """Stop or start one DB instance or Aurora cluster (exactly one identifier).

    Returns ``{"resource": "rds", "kind": "instance"|"cluster", "identifier", "arn", "state", "action",
    "changed", "before": {"status"}, "after": {"status"}}``. Without ``wait`` the after status is what the
    database reports right after the call (``stopping``/``starting`` on AWS); with ``wait``, the one waited for
    (``stopped``/``available``). A ``deferred`` result was not waited for."""
    kind, identifier = _rds_target(db_instance_identifier, db_cluster_identifier)
    plan = rds_plan(kind, describe_rds(rds, kind, identifier), state)
    if check_mode:
        if wait and plan["action"] != ACTION_DEFERRED:
            plan["after"]["status"] = RDS_TARGET_STATUS[state]
        return plan
    if plan["changed"]:
        call_rds(rds, kind, identifier, state)
        plan["after"]["status"] = rds_status(kind, describe_rds(rds, kind, identifier))
    if wait and plan["action"] != ACTION_DEFERRED:
        plan["after"]["status"] = wait_for_rds_status(rds, kind, identifier, RDS_TARGET_STATUS[state], timeout,
                                                      poll_interval)
    return plan


def _rds_target(db_instance_identifier, db_cluster_identifier) -> tuple:
    if bool(db_instance_identifier) == bool(db_cluster_identifier):
        raise PowerError("give exactly one of db_instance_identifier and db_cluster_identifier (Aurora)")
    if db_cluster_identifier:
        return RDS_CLUSTER, db_cluster_identifier
    return RDS_INSTANCE, db_instance_identifier


def call_rds(rds, kind: str, identifier: str, state: str) -> None:
    calls = {
        (RDS_INSTANCE, STOPPED): lambda: rds.stop_db_instance(DBInstanceIdentifier=identifier),
        (RDS_INSTANCE, STARTED): lambda: rds.start_db_instance(DBInstanceIdentifier=identifier),
        (RDS_CLUSTER, STOPPED): lambda: rds.stop_db_cluster(DBClusterIdentifier=identifier),
        (RDS_CLUSTER, STARTED): lambda: rds.start_db_cluster(DBClusterIdentifier=identifier),
    }
    calls[(kind, state)]()


def wait_for_rds_status(rds, kind: str, identifier: str, status: str, timeout: float = DEFAULT_WAIT_TIMEOUT,
                        poll_interval: float = DEFAULT_POLL_INTERVAL) -> str:
    """Poll until the instance or cluster is in ``status`` (boto3 has no "stopped" waiter); returns it. Raises
    PowerError on timeout, or when the database ends up somewhere it will not leave by itself."""
    deadline = time.monotonic() + timeout
    while True:
        current = rds_status(kind, describe_rds(rds, kind, identifier))
        if current == status:
            return current
        if current in RDS_BROKEN:
            raise PowerError(f"DB {kind} {identifier} became {current} while waiting for it to be {status}: look at "
                             "its events in the RDS console")
        if time.monotonic() >= deadline:
            raise PowerError(f"timed out after {timeout:g} seconds waiting for DB {kind} {identifier} to be {status} "
                             f"(it is {current}); the call was made, run again with a longer timeout to keep waiting")
        time.sleep(max(0.0, min(poll_interval, deadline - time.monotonic())))


# --- the Lambda / command line entry ------------------------------------------------------------------------


def handle(event, clients, now: datetime.datetime | None = None) -> dict:
    """Do what one scheduled event says; the entry point of the Lambda function and of the command line.

    ``clients`` maps a boto3 service name to a client: ``clients["ecs"]`` and
    ``clients["application-autoscaling"]`` for resource ecs, ``clients["rds"]`` for resource rds (a mapping that
    creates clients on first use will do). ``now`` is for tests (default: the current time).

    The event, a JSON object (what an EventBridge Scheduler target's Input holds), is one of::

        {"resource": "ecs", "cluster": "<cluster name>", "services": ["api", "web"], "state": "stopped"}
        {"resource": "ecs", "cluster": "<cluster name>", "services": "all", "state": "started"}
        {"resource": "rds", "db_cluster_identifier": "<Aurora cluster id>", "state": "stopped"}
        {"resource": "rds", "db_instance_identifier": "<DB instance id>", "state": "started"}

    - ``state``: "stopped" or "started".
    - ``services``: a non-empty list of service names (or ARNs) of the cluster, or the string "all" (every
      ACTIVE service of the cluster).
    - exactly one of ``db_cluster_identifier`` and ``db_instance_identifier`` for rds.

    Optional keys, for any resource:

    - ``"skip_dates": ["2026-12-31", "2027-01-01"]`` and ``"timezone": "Asia/Tokyo"`` (IANA name, default
      UTC): when today's date in that time zone is listed, nothing is done (no AWS call) and the result is
      ``{"skipped": "holiday", "date": "<today>", "changed": false}``; used to keep things stopped on holiday
      mornings.
    - ``"wait": true`` (default false) and ``"timeout": <seconds>`` (default 900): wait until the services run
      their desired count / the database is stopped or available.

    Any other key, or a value of the wrong type, raises PowerError (nothing is done). The result is the dict of
    ``ecs_power`` or ``rds_power`` (JSON-serialisable)."""
    check_event(event)
    skipped = skip_today(event.get("skip_dates"), event.get("timezone"), now)
    if skipped:
        return {"skipped": "holiday", "date": skipped, "changed": False}
    wait = {"wait": event.get("wait", False), "timeout": event.get("timeout", DEFAULT_WAIT_TIMEOUT)}
    if event["resource"] == "ecs":
        return ecs_power(clients["ecs"], clients["application-autoscaling"], event["cluster"], event["services"],
                         event["state"], **wait)
    return rds_power(clients["rds"], event["state"], db_instance_identifier=event.get("db_instance_identifier"),
                     db_cluster_identifier=event.get("db_cluster_identifier"), **wait)


def _error_code(error) -> str:
    return getattr(error, "response", {}).get("Error", {}).get("Code", "")
