# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""db_migrate's runner ``ecs_task``: the service's task definition run once, in the service's own network
configuration, with the migration command as a container override. The task reaches the database from inside the
VPC, so no tunnel is needed; the module waits for it to stop and reads its CloudWatch log lines."""

from __future__ import annotations

import re
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils.migrate_command import FAILURE_TAIL_LINES, argv_of

try:
    from botocore.exceptions import BotoCoreError, ClientError
    AWS_ERRORS = (ClientError, BotoCoreError)
except ImportError:
    AWS_ERRORS = ()  # the AWS module base class reports a missing botocore

STARTED_BY = "shipyard-db-migrate"
FIRST_POLL_SECONDS = 1.0
LONGEST_POLL_SECONDS = 6.0
# CloudWatch Logs can lag the task's end by a moment: an empty stream is read once more after this.
LOG_LAG_SECONDS = 2.0


class EcsTaskRunner:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.ecs = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())

    def fail_aws(self, error, action: str):
        self.module.fail_json_aws(error, msg=f"Cannot {action}")

    def service(self) -> dict:
        cluster, name = self.params["ecs_cluster"], self.params["ecs_service"]
        try:
            response = self.ecs.describe_services(cluster=cluster, services=[name], aws_retry=True)
        except is_boto3_error_code("ClusterNotFoundException"):
            self.module.fail_json(msg=f"ECS cluster {cluster} (ecs_cluster) does not exist: check its name, or run playbooks/infra.yml.")
        except AWS_ERRORS as error:  # pylint: disable=duplicate-except
            self.fail_aws(error, f"describe ECS service {name} in cluster {cluster}")
        services = [s for s in response.get("services", []) if s.get("status") == "ACTIVE"]
        if not services:
            self.module.fail_json(msg=f"ECS service {name} (ecs_service) does not exist in cluster {cluster}: check its name, "
                                      "or run playbooks/infra.yml.")
        service = services[0]
        if not service.get("networkConfiguration"):
            self.module.fail_json(msg=f"ECS service {name} has no network configuration (awsvpc); the migration task would not "
                                      "know its subnets and security groups.")
        return service

    def task_definition(self, service: dict) -> dict:
        name = self.params["task_definition"] or service["taskDefinition"]
        try:
            return self.ecs.describe_task_definition(taskDefinition=name, aws_retry=True)["taskDefinition"]
        except is_boto3_error_code("ClientException"):
            self.module.fail_json(msg=f"ECS task definition {name} (task_definition) does not exist: give family, family:revision or ARN.")
        except AWS_ERRORS as error:  # pylint: disable=duplicate-except
            self.fail_aws(error, f"describe ECS task definition {name}")
        return {}

    def container(self, service: dict, definition: dict) -> dict:
        containers = definition["containerDefinitions"]
        wanted = self.params["container"]
        if not wanted:
            balanced = [lb.get("containerName") for lb in service.get("loadBalancers", []) if lb.get("containerName")]
            essential = [c["name"] for c in containers if c.get("essential", True)]
            wanted = (balanced or essential or [containers[0]["name"]])[0]
        for container in containers:
            if container["name"] == wanted:
                return container
        self.module.fail_json(msg=f"Task definition {definition['family']}:{definition['revision']} has no container {wanted} "
                                  f"(container); it has {', '.join(c['name'] for c in containers)}.")
        return {}

    def run_task(self, service: dict, definition: dict, container: dict) -> dict:
        override = {"name": container["name"], "command": argv_of(self.params["command"])}
        if self.params["env"]:
            override["environment"] = [{"name": key, "value": str(value)} for key, value in self.params["env"].items()]
        request = {"cluster": self.params["ecs_cluster"], "taskDefinition": definition["taskDefinitionArn"], "count": 1,
                   "networkConfiguration": service["networkConfiguration"], "startedBy": STARTED_BY,
                   "overrides": {"containerOverrides": [override]}}
        if service.get("capacityProviderStrategy"):
            request["capacityProviderStrategy"] = service["capacityProviderStrategy"]
        else:
            request["launchType"] = service.get("launchType", "FARGATE")
        if service.get("platformVersion") and request.get("launchType", "FARGATE") == "FARGATE":
            request["platformVersion"] = service["platformVersion"]
        try:
            response = self.ecs.run_task(**request)
        except AWS_ERRORS as error:
            self.fail_aws(error, f"run task definition {definition['family']}:{definition['revision']} in cluster {self.params['ecs_cluster']}")
        if response.get("failures") or not response.get("tasks"):
            reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')} {f.get('detail', '')}".strip() for f in response.get("failures", []))
            self.module.fail_json(msg=f"ECS did not start the migration task: {reasons or 'no task returned'}.")
        return response["tasks"][0]

    def wait_stopped(self, task_arn: str) -> dict:
        deadline = time.monotonic() + self.params["timeout"]
        delay = FIRST_POLL_SECONDS
        while True:
            task = self.describe_task(task_arn)
            if task.get("lastStatus") == "STOPPED":
                return task
            if time.monotonic() + delay > deadline:
                self.module.fail_json(
                    msg=f"The migration task {task_arn} has not stopped within {self.params['timeout']} s (timeout); it is left "
                        f"running (last status {task.get('lastStatus')}) so a migration is not cut in half. Follow it in its logs, "
                        f"or stop it with: aws ecs stop-task --cluster {self.params['ecs_cluster']} --task {task_arn}",
                    task_arn=task_arn)
            time.sleep(delay)
            delay = min(delay * 1.5, LONGEST_POLL_SECONDS)

    def describe_task(self, task_arn: str) -> dict:
        try:
            tasks = self.ecs.describe_tasks(cluster=self.params["ecs_cluster"], tasks=[task_arn], aws_retry=True).get("tasks", [])
        except AWS_ERRORS as error:
            self.fail_aws(error, f"describe the migration task {task_arn}")
        return tasks[0] if tasks else {}


def log_location(container: dict, task_arn: str, default_region: str) -> dict | None:
    """Where the awslogs driver writes: group, stream ``<prefix>/<container>/<task id>``, region; None without awslogs."""
    configuration = container.get("logConfiguration") or {}
    options = configuration.get("options") or {}
    if configuration.get("logDriver") != "awslogs" or not options.get("awslogs-group"):
        return None
    prefix = options.get("awslogs-stream-prefix")
    task_id = task_arn.rsplit("/", 1)[-1]
    return {"group": options["awslogs-group"], "region": options.get("awslogs-region", default_region),
            "stream": f"{prefix}/{container['name']}/{task_id}" if prefix else None}


def read_log_lines(module, location: dict) -> list[str]:
    if not location or not location["stream"]:
        return []
    logs = module.client("logs", region=location["region"], retry_decorator=AWSRetry.jittered_backoff())
    for attempt in range(2):
        lines, token = [], None
        try:
            while True:
                request = {"logGroupName": location["group"], "logStreamName": location["stream"], "startFromHead": True}
                if token:
                    request["nextToken"] = token
                response = logs.get_log_events(aws_retry=True, **request)
                lines.extend(event["message"].rstrip("\n") for event in response.get("events", []))
                if response.get("nextForwardToken") in (None, token):
                    break
                token = response["nextForwardToken"]
        except is_boto3_error_code("ResourceNotFoundException"):
            lines = []
        except AWS_ERRORS as error:  # pylint: disable=duplicate-except
            module.warn(f"Cannot read the task's log stream {location['group']}/{location['stream']}: {error}")
            return []
        if lines or attempt:
            return lines
        time.sleep(LOG_LAG_SECONDS)
    return []


def run(module, secrets, unused_migrations) -> dict:
    params = module.params
    runner = EcsTaskRunner(module)
    service = runner.service()
    definition = runner.task_definition(service)
    container = runner.container(service, definition)
    described = {"task_definition": definition["taskDefinitionArn"], "container": container["name"],
                 "command": argv_of(params["command"])}
    if module.check_mode:
        return dict(described, changed=False, skipped=True, applied=[], pending=[],
                    msg=f"The migration task is not run in check mode: it would run {definition['family']}:{definition['revision']} "
                        f"in the network configuration of service {params['ecs_service']}.")
    started = time.monotonic()
    task_arn = runner.run_task(service, definition, container)["taskArn"]
    task = runner.wait_stopped(task_arn)
    state = next((c for c in task.get("containers", []) if c.get("name") == container["name"]), {})
    location = log_location(container, task_arn, module.region)
    lines = [secrets.redact(line) for line in read_log_lines(module, location)]
    result = dict(described, task_arn=task_arn, exit_code=state.get("exitCode"), stopped_reason=task.get("stoppedReason"),
                  log_lines=lines, seconds=round(time.monotonic() - started, 3), applied=[], pending=[])
    if location:
        result["log_group"], result["log_stream"] = location["group"], location["stream"]
    last = "\n".join(lines[-FAILURE_TAIL_LINES:]) or "(no log lines)"
    if state.get("exitCode") is None:
        reason = state.get("reason") or task.get("stoppedReason") or "unknown"
        secrets.fail(f"The migration task {task_arn} stopped before its container {container['name']} ran the command: {reason}. "
                     f"Its log lines:\n{last}", **result)
    if state["exitCode"] != 0:
        secrets.fail(f"The migration task {task_arn} exited with code {state['exitCode']}. Its last {FAILURE_TAIL_LINES} log lines:\n{last}",
                     **result)
    result["changed"] = True
    if params["changed_when_regex"]:
        result["changed"] = re.search(params["changed_when_regex"], "\n".join(lines), re.MULTILINE) is not None
    return result
