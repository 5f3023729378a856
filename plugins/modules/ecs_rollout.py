#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_rollout
short_description: Wait for ECS services' rolling deployments to complete, or force a new deployment and wait
version_added: 0.1.0
description:
  - After Terraform applied new task definition revisions (new image digests) to ECS services, waits until each
    service's rollout has C(rolloutState=COMPLETED). With O(force_new_deployment), first starts a new deployment
    of each service with its current task definition (as C(aws ecs update-service --force-new-deployment) does for a
    moving tag), then waits for it.
  - The deployment waited for is the forced one, else the one running the task definition O(task_definitions) names
    for the service, else the service's C(PRIMARY) deployment.
  - B(A failed rollout fails the task) with what one would otherwise look up by hand - the deployment's
    C(rolloutStateReason), the latest service events, the stopped tasks' stopped reasons with their containers' exit
    codes, the CloudWatch log groups of the failed task definition - and how to go back to the previous image.
    A rollout the deployment circuit breaker rolled back (the C(PRIMARY) deployment went back to another task
    definition) is a failure too.
  - Without O(force_new_deployment) the module changes nothing (C(changed=false)); it only reads.
  - Every service is checked before anything is changed; a missing or inactive service, or one not using the
    C(ECS) deployment controller, fails the task before any deployment is started.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  cluster:
    description: The ECS cluster, by name or ARN.
    type: str
    required: true
  services:
    description: The ECS services of O(cluster), by name or ARN.
    type: list
    elements: str
    required: true
  task_definitions:
    description:
      - Service name => the task definition (ARN or C(family:revision)) that should be rolling out, for example the
        revisions Terraform just registered.
      - For these services the rollout waited for is the deployment running that task definition; when the
        service's C(PRIMARY) deployment runs another one (the circuit breaker rolled it back), the task fails.
    type: dict
    default: {}
  force_new_deployment:
    description:
      - Start a new deployment of every service with its current task definition (UpdateService with
        C(forceNewDeployment)), so tasks pull a moving tag again. Reported as a change.
    type: bool
    default: false
  wait:
    description: Wait until every rollout has completed (or failed).
    type: bool
    default: true
  timeout:
    description: Seconds to wait for all rollouts together before failing with the state of those still in progress.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between two looks at the services (DescribeServices).
    type: float
    default: 15
  events:
    description: How many of a service's latest events a failure or a timeout shows.
    type: int
    default: 10
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Starts no deployment and does not wait; reports each service's current rollout.
  diff_mode:
    support: full
    description: With O(force_new_deployment), shows each service's PRIMARY deployment id before and after.
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - "IAM permissions: C(ecs:DescribeServices), C(ecs:ListTasks), C(ecs:DescribeTasks) and C(ecs:DescribeTaskDefinition);
    C(ecs:UpdateService) with O(force_new_deployment)."
  - C(rolloutState) exists only for the C(ECS) (rolling update) deployment controller; services deployed with
    C(CODE_DEPLOY) or C(EXTERNAL) are refused.
seealso:
  - name: Amazon ECS deployment circuit breaker
    description: How ECS decides that a rolling deployment failed and rolls it back.
    link: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
"""

EXAMPLES = r"""
- name: Wait for the revisions Terraform just registered to roll out
  shipyard.aws.ecs_rollout:
    cluster: bookmark-manager-staging
    services: [bookmark-manager-staging-api, bookmark-manager-staging-web]
    task_definitions:
      bookmark-manager-staging-api: "{{ compute_outputs.api_task_definition_arn }}"
      bookmark-manager-staging-web: "{{ compute_outputs.web_task_definition_arn }}"
    timeout: 900

- name: Redeploy the services so they pull the moving tag again, and wait
  shipyard.aws.ecs_rollout:
    cluster: bookmark-manager-staging
    services: [bookmark-manager-staging-api]
    force_new_deployment: true
  register: rollout

- name: Show how long each rollout took
  ansible.builtin.debug:
    msg: "{{ rollout.services | items2dict(key_name='name', value_name='seconds') }}"
"""

RETURN = r"""
services:
  description: Each service's rollout, in the order of O(services).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The service's name.
      type: str
      sample: bookmark-manager-staging-api
    arn:
      description: The service's ARN.
      type: str
      sample: arn:aws:ecs:ap-northeast-1:123456789012:service/bookmark-manager-staging/bookmark-manager-staging-api
    task_definition:
      description: The task definition of the deployment reported.
      type: str
      sample: arn:aws:ecs:ap-northeast-1:123456789012:task-definition/bookmark-manager-staging-api:7
    deployment_id:
      description: The deployment reported (the one waited for).
      type: str
      sample: ecs-svc/1234567890123456789
    rollout_state:
      description: C(COMPLETED) after a successful wait; C(IN_PROGRESS) possible with O(wait=false) or in check mode.
      type: str
      sample: COMPLETED
    rollout_state_reason:
      description: ECS's reason for the rollout state.
      type: str
      sample: ECS deployment ecs-svc/1234567890123456789 completed.
    desired_count:
      description: Tasks the deployment should run.
      type: int
      sample: 2
    running_count:
      description: Tasks of the deployment running.
      type: int
      sample: 2
    seconds:
      description: Seconds the module waited for this rollout to complete (0 when it had already completed).
      type: float
      sample: 94.5
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule
from ansible_collections.shipyard.aws.plugins.module_utils.ecs_rollout import (
    DESCRIBE_BATCH,
    DONE,
    FAILED,
    evaluate,
    images_of,
    latest_events,
    log_groups,
    primary_deployment,
    short_task_definition,
    stopped_tasks,
    summary,
    validate,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

NEW_DEPLOYMENT = "(new deployment)"
ROLL_BACK_HINT = ("Terraform's state still names the failed image, so playbooks/infra.yml would roll it out again: deploy a "
                  "fixed image, or the previous digest: ansible-playbook -i inventories/<env> "
                  "playbooks/deploy.yml -e '{\"deploy_digests\": {\"<app>\": \"sha256:<previous digest>\"}}'.")


class RolloutError(Exception):
    """A failure with a message that says what happened and what to do."""


def describe(client, cluster: str, names: list[str]) -> dict:
    """name => service; raises RolloutError for a missing or inactive one."""
    found, missing = {}, []
    for start in range(0, len(names), DESCRIBE_BATCH):
        batch = names[start:start + DESCRIBE_BATCH]
        answer = client.describe_services(cluster=cluster, services=batch, aws_retry=True)
        for service in answer.get("services", []):
            if service.get("status") == "ACTIVE":
                found[service["serviceName"]] = service
    missing = [name for name in names if name not in found]
    if missing:
        raise RolloutError(
            f"ECS service{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'do' if len(missing) > 1 else 'does'} not exist (or {'are' if len(missing) > 1 else 'is'} inactive) "
            f"in cluster {cluster}: create {'them' if len(missing) > 1 else 'it'} with playbooks/infra.yml "
            "(Terraform component compute), then run this again")
    return found


def check_controllers(services: dict) -> None:
    others = {name: (s.get("deploymentController") or {}).get("type", "ECS") for name, s in services.items()}
    others = {name: kind for name, kind in others.items() if kind != "ECS"}
    if others:
        listed = ", ".join(f"{name} ({kind})" for name, kind in others.items())
        raise RolloutError(f"ECS services {listed} do not use the ECS (rolling update) deployment controller: "
                           "rolloutState exists only for it, so this module cannot follow their deployments; "
                           "follow a CODE_DEPLOY deployment in CodeDeploy instead")


def force_deployments(module, client, cluster: str, services: dict) -> tuple[dict, dict]:
    """Start a new deployment of each service; returns (before, after) PRIMARY deployment ids by name."""
    before = {name: primary_deployment(s).get("id") for name, s in services.items()}
    after = {}
    for name in services:
        if module.check_mode:
            after[name] = NEW_DEPLOYMENT
            continue
        answer = client.update_service(cluster=cluster, service=name, forceNewDeployment=True, aws_retry=True)
        after[name] = primary_deployment(answer["service"]).get("id")
    return before, after


def failure_details(client, cluster: str, service: dict, deployment: dict, events: int) -> str:
    name = service["serviceName"]
    lines = []
    lines += [f"  recent events of {name}:"] + [f"    {line}" for line in latest_events(service, events)] if events else []
    try:
        tasks = stopped_tasks(client, cluster, name, deployment)
        groups = log_groups(client, deployment.get("taskDefinition"))
        primary = primary_deployment(service)
        rolled_back = primary.get("taskDefinition") != deployment.get("taskDefinition")
        running = images_of(client, primary.get("taskDefinition")) if rolled_back else []
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        tasks, groups, running = [f"(could not read them: {e})"], [], []
    if running:
        lines.append(f"  ECS rolled the service back to {short_task_definition(primary.get('taskDefinition'))}, "
                     f"which runs {', '.join(running)}")
    lines += [f"  stopped tasks of {name}:"] + [f"    {line}" for line in tasks or ["(none found)"]]
    where = f"CloudWatch Logs group{'s' if len(groups) > 1 else ''} {', '.join(groups)}" if groups else \
        "the service's CloudWatch Logs group (the task definition's awslogs settings)"
    lines.append(f"  the containers' output is in {where}")
    return "\n".join(lines)


def wait_for(module, client, request: dict, services: dict, forced: dict) -> list[dict]:
    """Poll until every rollout completed; raises RolloutError on a failed rollout or a timeout."""
    params = module.params
    started = time.monotonic()
    deadline = started + params["timeout"]
    seconds = {}
    while True:
        waiting = {}
        for name in request["names"]:
            if name in seconds:
                continue
            state, deployment, why = evaluate(services[name], request["expected"].get(name), forced.get(name))
            if state == FAILED:
                service = services[name]
                raise RolloutError(
                    f"ECS service {name} in cluster {request['cluster']}: the rollout failed - {why}\n"
                    + failure_details(client, request["cluster"], service, deployment, params["events"])
                    + f"\n{ROLL_BACK_HINT}")
            if state == DONE:
                seconds[name] = time.monotonic() - started
            else:
                waiting[name] = deployment
        if not waiting:
            break
        if time.monotonic() >= deadline:
            lines = []
            for name, deployment in waiting.items():
                lines.append(f"  {name}: deployment {deployment.get('id')} of {short_task_definition(deployment.get('taskDefinition'))} "
                             f"{deployment.get('rolloutState', 'not started')}, {deployment.get('runningCount', 0)} of "
                             f"{deployment.get('desiredCount', 0)} tasks running"
                             + (f" ({deployment['rolloutStateReason']})" if deployment.get("rolloutStateReason") else ""))
                lines += [f"    {line}" for line in latest_events(services[name], params["events"])]
            raise RolloutError(
                f"timed out after {params['timeout']} seconds waiting for the rollouts in cluster {request['cluster']}; "
                f"still in progress:\n" + "\n".join(lines)
                + "\nRun this again with a longer timeout to keep waiting, or look at the stopped tasks "
                  "(aws ecs list-tasks --desired-status STOPPED) and the services' CloudWatch logs.")
        time.sleep(max(0.0, min(params["poll_interval"], deadline - time.monotonic())))
        services.update(describe(client, request["cluster"], list(waiting)))
    return [summary(services[name], evaluate(services[name], request["expected"].get(name), forced.get(name))[1],
                    seconds[name]) for name in request["names"]]


def current_states(request: dict, services: dict, forced: dict) -> list[dict]:
    return [summary(services[name], evaluate(services[name], request["expected"].get(name), forced.get(name))[1], 0.0)
            for name in request["names"]]


def main():
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        services=dict(type="list", elements="str", required=True),
        task_definitions=dict(type="dict", default={}),
        force_new_deployment=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        timeout=dict(type="int", default=1800),
        poll_interval=dict(type="float", default=15),
        events=dict(type="int", default=10),
    )
    module = ShipyardAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        request = validate(module.params)
    except ValueError as e:
        module.fail_json(msg=str(e))

    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    cluster = request["cluster"]
    result = dict(changed=False)
    try:
        services = describe(client, cluster, request["names"])
        check_controllers(services)
        forced = {}
        if module.params["force_new_deployment"]:
            before, after = force_deployments(module, client, cluster, services)
            result["changed"] = True
            if module._diff:
                result["diff"] = dict(before=before, after=after)
            if not module.check_mode:
                forced = after
                services.update(describe(client, cluster, request["names"]))
        if module.params["wait"] and not module.check_mode:
            result["services"] = wait_for(module, client, request, services, forced)
        else:
            result["services"] = current_states(request, services, forced)
    except is_boto3_error_code("ClusterNotFoundException"):
        module.fail_json(msg=f"ECS cluster {cluster} does not exist in {module.region}: create it with "
                             "playbooks/infra.yml (Terraform component compute), then run this again")
    except RolloutError as e:
        module.fail_json(msg=str(e), **result)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Failed to follow the rollouts of ECS services {', '.join(request['names'])} "
                                    f"in cluster {cluster}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
