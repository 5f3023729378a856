"""The one place where the test harness extends the AWS emulator (moto in server mode).

Everything the collection's tests need from the emulator beyond what moto itself serves is added in this package,
one module per concern (each bullet names its module), as WSGI middleware around moto's own application, never by
patching the code under test:

* ``GET /_shipyard/requests`` lists every AWS request the emulator received (service, operation, method,
  path, user agent, the signing access key and the ``X-Amz-Security-Token`` header), oldest first;
  ``DELETE /_shipyard/requests`` empties the list. Tests use it to prove that bad input fails *before any AWS call*,
  that modules send the collection's user agent and that temporary credentials travel with their session token
  (``RequestLog``, ``middleware.py``).
* ``GET /_shipyard/health`` answers ``{"status": "ok"}`` once the server is up (``middleware.py``).
* ``PUT /_shipyard/delays`` with ``{"operation": "PutParameter", "seconds": 30}`` makes every later request for that
  operation wait that long before moto answers; ``DELETE /_shipyard/delays`` removes all delays. The emulator
  answers in milliseconds, so a test that must interrupt Terraform *in the middle of* an apply (a run killed
  with SIGKILL while it holds the state lock) needs an apply that takes a while (``Delays``, ``middleware.py``).
* DynamoDB ``UpdateTable`` with ``SSESpecification``: moto 5 ignores it (it only honours the encryption
  given at CreateTable), so switching a table's key would silently do nothing. The extension applies it to
  moto's table model after moto has answered, as DynamoDB does (``apply_dynamodb_sse_update``, ``dynamodb.py``).
* S3 bucket policies: moto ignores policy conditions, so the state bucket's "deny when aws:SecureTransport is
  false" statement becomes a deny-all for objects and Terraform's S3 backend could not write state. The
  emulator stands in for AWS's TLS endpoints, so it evaluates bucket policies without statements that only
  deny insecure transport (``install_moto_patches``, below, with ``_denies_only_insecure_transport`` from
  ``s3.py``); every other statement is evaluated as moto does.
* One request at a time inside moto (``SerializedMoto``, ``middleware.py``). moto's backends are plain dicts and
  lists shared by the threaded server's request threads, so a describe that iterates a dict while another request
  adds to it fails with "dictionary changed size during iteration" (an HTTP 500). The SDKs retry a 500, and when the
  failed request had already changed something (a security group rule authorized, a parameter put) the retry fails with
  InvalidPermission.Duplicate or ParameterAlreadyExists: a parallel Terraform apply failed that way on CI.
  AWS never answers like that, so the emulator serialises moto's work; delays (below) are served outside the lock.
* ``PUT /_shipyard/ecs/rollouts`` with ``{"service": "web", "outcome": "FAILED", "reason": "...", "seconds": 2}``
  makes that ECS service's next rollout fail as the deployment circuit breaker with rollback does on AWS
  (``reason``, the stopped task's reason, and ``seconds``, the settle time, are optional; ``"outcome":
  "COMPLETED"`` only sets the settle time); it applies once. ``GET`` lists the plans, ``DELETE`` removes them all.
  See ``patch_ecs_deployments`` (``ecs_deployments.py``, which keeps the plans: ``EcsRollouts``) for the
  deployments themselves.
* DynamoDB table descriptions carry a ``TableId`` in AWS; moto 5 leaves it out and community.aws.dynamodb_table
  fails on its absence, so the extension adds a stable one (``add_dynamodb_table_id``, ``dynamodb.py``).

Added for the platform's Terraform components (terraform/components/*), each a ``patch_*`` function in the module
named, whose docstring gives the full reason; without them the AWS provider either never finishes or plans a change
on every run:

* EC2 ``DescribeSecurityGroupRules`` leaves out the description of rules that reference a group or prefix list
  (``patch_security_group_rule_descriptions``, ``ec2.py``).
* AWS Budgets: no DescribeSubscribersForNotification (the provider retried it for ten minutes), UpdateBudget,
  UpdateNotification, subscriber and tag operations (``patch_budgets_subscribers_updates_and_tags``, ``budgets.py``).
* CloudFront: no response headers policies; distributions read back without the origin access control, with
  ForwardedValues beside a cache policy, and with the wrong certificate flags
  (``patch_cloudfront_response_headers_policies``, ``cloudfront.py``).
* RDS: one DbiResourceId shared by every instance ("couldn't find resource" on read-back), Performance Insights
  ignored at creation, parameters without their Source and an empty ScalingConfigurationInfo on every
  Aurora cluster, not only Serverless v1 ones (``patch_rds``, ``rds.py``).
* S3 lifecycle rules lose NewerNoncurrentVersions, so Terraform waits for them until it times out
  (``patch_s3_lifecycle_newer_noncurrent_versions``, ``s3.py``).
* ECS CreateService drops the deployment circuit breaker, the grace period and enableExecuteCommand; Application
  Auto Scaling has no tag operations, so scalable targets never finish creating
  (``patch_ecs_services_and_appautoscaling``, ``ecs_services.py``).
* ECS keeps one deployment per service for ever (no new deployment for a new task definition or a forced
  deployment, no rollout that completes or fails), so nothing that waits for a rollout could be tested; the
  extension models rolling deployments, settled lazily when DescribeServices looks (``patch_ecs_deployments``,
  ``ecs_deployments.py``).

Added for SSM port forwarding through ECS Exec (``shipyard.aws.ssm_port_forward``) and the stand-in
session-manager-plugin (tools/localenv/bin/session-manager-plugin), each in the module named:

* ECS tasks keep their status: moto 5.2 moves a task one step towards STOPPED on every DescribeTasks, so a
  running task looked stopped after a few reads (``patch_ecs_task_status``, ``ecs_exec.py``).
* ECS services run tasks: moto never starts a service's tasks, so there was nothing to list or to open a session
  to. Once a service's PRIMARY deployment has COMPLETED the emulator keeps desiredCount of its tasks RUNNING and
  stops the others, as ECS's service scheduler does (``patch_ecs_deployments``, ``_ecs_keep_service_tasks``,
  ``ecs_deployments.py``).
* ECS Exec fields: moto ignores RunTask's enableExecuteCommand and has no managed agents and no container
  runtimeId, the parts of an SSM target (``patch_ecs_exec``, ``ecs_exec.py``). ``PUT /_shipyard/ecs/agents`` with
  ``{"task": "<ARN or id>", "lastStatus": "STOPPED", "reason": "..."}`` sets a task's ExecuteCommandAgent status
  (PENDING, RUNNING, STOPPED; ``reason`` optional), as when the SSM agent in a container dies; 404 for an unknown task.
* SSM sessions: moto has no StartSession, TerminateSession or DescribeSessions. The middleware serves them
  (``SsmSessions``, ``ssm_sessions.py``): StartSession checks the target as SSM does (an ECS Exec target must name
  a RUNNING task with a RUNNING ExecuteCommandAgent in the container of that runtime id, ``i-...`` a running
  instance; else TargetNotConnected) and answers a StreamUrl on the emulator's own data channel. For tests:
  ``PUT /_shipyard/ssm/denials`` ``{"target": "<target or *>", "message": "..."}`` makes StartSession for that
  target fail with AccessDeniedException until ``DELETE``; ``GET /_shipyard/ssm/sessions`` lists every session
  (never its token), ``DELETE`` forgets them; ``GET /_shipyard/ssm/data-channel/<SessionId>`` with the session's
  token as Authorization is the data channel the stand-in plugin opens and polls (200 with the session's target,
  document, parameters and status; 403 for another token, 404 for an unknown session), and ``PUT
  /_shipyard/ssm/data-channel`` ``{"refuse": "<message>"}`` makes the next open of any session's data channel
  answer 403 with that message, once (``DELETE`` takes it back).

Added for database migrations run as one-off ECS tasks (``shipyard.aws.db_migrate``'s ``ecs_task`` runner: RunTask
with a command override, DescribeTasks until STOPPED, the container's exit code, then its log with GetLogEvents):

* ECS tasks that run to completion: moto runs no container, so a task never exits and nothing reaches CloudWatch
  Logs. ``PUT /_shipyard/ecs/task-runs`` with ``{"family": "app", "exitCode": 0, "logs": ["line"], "seconds": 0.5,
  "reason": "...", "container": "api"}`` (only ``exitCode`` required; no ``family``: any family) queues an outcome
  for the next RunTask of that family, once: the task stops ``seconds`` after RunTask (settled lazily when
  DescribeTasks or ListTasks look) as ECS leaves a task whose essential container exited, with the lines in the
  container's awslogs stream ``<prefix>/<container>/<task id>``. A missing log group makes the task fail to start
  (ResourceInitializationError) as on AWS; so does a null ``exitCode``, with its ``reason``. Such a task has a
  container for each container definition (moto makes only the first), and a Fargate container without memory of
  its own no longer makes RunTask fail with a 500. ``GET`` lists the queued outcomes and the runs that took them
  (RunTask's overrides, network configuration, launch type), ``DELETE`` clears both (``patch_ecs_task_runs``,
  ``EcsTaskRuns``, ``ecs_task_runs.py``).

Added for stopping and starting databases (``shipyard.aws.rds_power`` and the schedule's Lambda function):

* RDS statuses: moto 5 stops and starts a DB instance or cluster at once (no ``stopping``/``starting``), leaves
  an Aurora cluster's members ``available`` while it is stopped, and never leaves ``available`` by itself, so
  neither waiting for a stop nor a database busy with a backup could be tested. ``PUT /_shipyard/rds/status``
  with ``{"instance" | "cluster": "<id>", "status": "backing-up"}`` sets a status now (a cluster's members too);
  ``PUT /_shipyard/rds/transitions`` with ``{"instance" | "cluster": "<id>", "seconds": 2}`` makes every later
  stop and start of that database pass through ``stopping``/``starting`` for that long, settled lazily when
  Describe* look; members always follow their cluster; 404 for an unknown database (``patch_rds_stop_start``,
  ``set_rds_status``, ``set_rds_transition``, ``rds_status.py``).

Added for EventBridge Scheduler schedules (``shipyard.aws.scheduler_schedule``):

* moto 5's UpdateSchedule ignores ActionAfterCompletion, so a schedule could never be switched to or from DELETE;
  CreateSchedule into a missing group is a 500 (AWS: ResourceNotFoundException), and CreateScheduleGroup over an
  existing group replaces it with its schedules (AWS: ConflictException). The extension behaves as AWS does
  (``patch_scheduler``, ``scheduler.py``). Left as moto has it, and documented in the module's tests: no validation of
  schedule expressions or time zones (the module validates them itself before any call).

For the test suite's speed:

* moto's reset rebuilds every backend in use and then discards it, so every test paid twice for IAM's ~1,000 managed
  policies and EC2's default VPCs, and the garbage it left made a later request wait for a full collection of the
  heap; a backend's reset now keeps its own cleanup and skips the rebuild, and the garbage is collected at once
  (``patch_reset_without_rebuilding``, ``reset.py``).

What several of these modules share (the /_shipyard/ endpoints' 404 and 403, moto's error types, ECS's clock) is in
``helpers.py``. This package's names are the ones the single module ``localenv/extensions.py`` it replaced had, so
``from localenv.extensions import ...`` finds them as before.
"""

from __future__ import annotations

import json

from localenv.extensions.budgets import patch_budgets_subscribers_updates_and_tags
from localenv.extensions.cloudfront import patch_cloudfront_response_headers_policies
from localenv.extensions.dynamodb import add_dynamodb_table_id, apply_dynamodb_sse_update
from localenv.extensions.ec2 import patch_security_group_rule_descriptions
from localenv.extensions.ecs_deployments import (
    ECS_CIRCUIT_BREAKER_REASON,
    ECS_DEFAULT_SETTLE_SECONDS,
    ECS_DEFAULT_STOPPED_REASON,
    ECS_ROLLOUT_OUTCOMES,
    ECS_ROLLOUTS,
    ECS_SETTLE_SECONDS_VARIABLE,
    EcsRollouts,
    patch_ecs_deployments,
)
from localenv.extensions.ecs_exec import (
    ECS_AGENT_STATUSES,
    ECS_EXEC_AGENT,
    ecs_exec_target_connected,
    patch_ecs_exec,
    patch_ecs_task_status,
    patch_ecs_tasks,
    set_ecs_exec_agent,
    validate_exec_agent_request,
)
from localenv.extensions.ecs_services import (
    patch_appautoscaling_tags,
    patch_ecs_create_service_settings,
    patch_ecs_services_and_appautoscaling,
)
from localenv.extensions.ecs_task_runs import (
    ECS_TASK_RUN_DEFAULT_SECONDS,
    ECS_TASK_RUNS,
    ECS_TASK_RUNS_PATH,
    EcsTaskRuns,
    patch_ecs_task_runs,
)
from localenv.extensions.helpers import Forbidden, NotFound
from localenv.extensions.middleware import Delays, RequestLog, SerializedMoto, ShipyardExtensions
from localenv.extensions.rds import patch_rds
from localenv.extensions.rds_status import patch_rds_stop_start
from localenv.extensions.reset import patch_reset_without_rebuilding
from localenv.extensions.s3 import _denies_only_insecure_transport, patch_s3_lifecycle_newer_noncurrent_versions
from localenv.extensions.scheduler import patch_scheduler
from localenv.extensions.ssm_sessions import (
    SSM_DATA_CHANNEL_PATH,
    SSM_DEFAULT_DOCUMENT,
    SSM_SESSION_FILTER_KEYS,
    SSM_SESSION_OPERATIONS,
    SSM_STATE_STATUS,
    SsmError,
    SsmSessions,
    ssm_caller,
    ssm_target_arn,
    ssm_target_connected,
)

# What ``from localenv.extensions import ...`` found in the single module this package replaced.
__all__ = [
    "Delays",
    "ECS_AGENT_STATUSES",
    "ECS_CIRCUIT_BREAKER_REASON",
    "ECS_DEFAULT_SETTLE_SECONDS",
    "ECS_DEFAULT_STOPPED_REASON",
    "ECS_EXEC_AGENT",
    "ECS_ROLLOUTS",
    "ECS_ROLLOUT_OUTCOMES",
    "ECS_SETTLE_SECONDS_VARIABLE",
    "ECS_TASK_RUNS",
    "ECS_TASK_RUNS_PATH",
    "ECS_TASK_RUN_DEFAULT_SECONDS",
    "EcsRollouts",
    "EcsTaskRuns",
    "Forbidden",
    "NotFound",
    "RequestLog",
    "SSM_DATA_CHANNEL_PATH",
    "SSM_DEFAULT_DOCUMENT",
    "SSM_SESSION_FILTER_KEYS",
    "SSM_SESSION_OPERATIONS",
    "SSM_STATE_STATUS",
    "SerializedMoto",
    "ShipyardExtensions",
    "SsmError",
    "SsmSessions",
    "add_dynamodb_table_id",
    "apply_dynamodb_sse_update",
    "ecs_exec_target_connected",
    "install_moto_patches",
    "patch_appautoscaling_tags",
    "patch_budgets_and_cloudfront",
    "patch_budgets_subscribers_updates_and_tags",
    "patch_cloudfront_response_headers_policies",
    "patch_ecs_create_service_settings",
    "patch_ecs_deployments",
    "patch_ecs_exec",
    "patch_ecs_services_and_appautoscaling",
    "patch_ecs_task_runs",
    "patch_ecs_task_status",
    "patch_ecs_tasks",
    "patch_rds",
    "patch_s3_lifecycle_newer_noncurrent_versions",
    "patch_scheduler",
    "patch_security_group_rule_descriptions",
    "set_ecs_exec_agent",
    "ssm_caller",
    "ssm_target_arn",
    "ssm_target_connected",
    "validate_exec_agent_request",
]


def install_moto_patches() -> None:
    """Patch moto's models in the emulator process (never in the code under test)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(bucket, action: str, resource: str):
        if bucket.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(bucket.policy.decode())
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        document["Statement"] = [s for s in statements if not _denies_only_insecure_transport(s)]
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission
    patch_security_group_rule_descriptions()
    patch_budgets_and_cloudfront()
    patch_rds()
    patch_rds_stop_start()
    patch_s3_lifecycle_newer_noncurrent_versions()
    patch_ecs_services_and_appautoscaling()
    patch_ecs_deployments()
    patch_ecs_tasks()
    patch_ecs_task_runs()
    patch_scheduler()
    patch_reset_without_rebuilding()


# --- AWS Budgets and CloudFront (the monitoring and edge components) ---------------------------------------


def patch_budgets_and_cloudfront() -> None:
    """The moto gaps the monitoring (aws_budgets_budget) and edge (CloudFront) components run into."""
    patch_budgets_subscribers_updates_and_tags()
    patch_cloudfront_response_headers_policies()
