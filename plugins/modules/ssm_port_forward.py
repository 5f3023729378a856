#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ssm_port_forward
short_description: Open or close an SSM port-forwarding tunnel to a private host (a database) through an ECS task or EC2 instance
version_added: 0.1.0
description:
  - Replaces C(aws ssm start-session --document-name AWS-StartPortForwardingSessionToRemoteHost) run by hand in a
    second terminal. Finds a target (a running ECS task with ECS Exec, an EC2 bastion, or a given SSM target), starts
    a port-forwarding session to O(remote_host):O(remote_port) with C(ssm:StartSession), runs AWS's
    C(session-manager-plugin) for it in the background, and returns once C(127.0.0.1:local_port) accepts connections.
  - The tunnel outlives the task (the plugin runs in a process group of its own) until O(state=stopped) ends it -
    the plugin's process group is ended, the session terminated (C(ssm:TerminateSession)) and its record removed.
  - Each tunnel is remembered by O(name) in a record in O(state_dir) (a private directory, mode 0700) holding its pid,
    session id, local port, target and start time, never a secret. A tunnel already running is left as it is
    (C(changed=false)); one whose plugin has died is detected and started again (RV(restarted)); one whose settings
    changed is restarted with the new ones.
  - The plugin is checked for before any AWS call, so a missing plugin never leaves a session open. The session
    token reaches the plugin through an environment variable (plugins newer than 1.2.497.0, as the AWS CLI does),
    never through its command line, a file or the task's output.
  - O(mode=direct) opens nothing and returns the remote endpoint as it is, for the local environment and for runners
    inside the VPC, so the same play works everywhere.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  state:
    description: C(started) opens the tunnel (or keeps it); C(stopped) closes it.
    type: str
    choices: [started, stopped]
    default: started
  name:
    description:
      - Identifies the tunnel, so several can run side by side and O(state=stopped) finds the right one.
      - Defaults to a name derived from the target options, the remote host and the ports; give the same O(name) to close it.
    type: str
  mode:
    description:
      - C(tunnel) forwards a local port through Session Manager.
      - C(direct) starts nothing and returns O(remote_host) and O(remote_port) as the endpoint to connect to.
    type: str
    choices: [tunnel, direct]
    default: tunnel
  ecs_cluster:
    description: The ECS cluster (name or ARN) of O(ecs_service).
    type: str
  ecs_service:
    description:
      - Go through a running task of this ECS service; the task must have ECS Exec (C(enableExecuteCommand)) and
        a RUNNING C(ExecuteCommandAgent). Tasks without one are skipped for one that has it.
    type: str
  ecs_container:
    description: The container of the task to go through; by default the first whose agent is running.
    type: str
  ec2_instance_id:
    description: Go through this EC2 instance (a bastion with the SSM agent).
    type: str
  ec2_filters:
    description:
      - "Go through the newest running EC2 instance matching these C(DescribeInstances) filters,
        for example C({\"tag:Role\": \"bastion\"}), a dict of filter name => value or list of values."
    type: dict
  target:
    description: An explicit SSM target (C(i-...), C(mi-...) or C(ecs:<cluster>_<task id>_<runtime id>)).
    type: str
  remote_host:
    description: The host the target connects to, for example the database endpoint.
    type: str
  remote_host_parameter:
    description: Read O(remote_host) from this SSM parameter, for example C(/bookmark-manager/staging/DB_HOST).
    type: str
  remote_port:
    description: The port on O(remote_host). Defaults to 5432 (PostgreSQL).
    type: int
  remote_port_parameter:
    description: Read O(remote_port) from this SSM parameter, for example C(/bookmark-manager/staging/DB_PORT).
    type: str
  local_port:
    description:
      - The port on 127.0.0.1 to forward. C(0) picks a free one, and keeps the port of an earlier run of the same
        tunnel while it is free. A port something else listens on is refused before any session starts.
    type: int
    default: 0
  wait_timeout:
    description: Seconds to wait for the local port to accept connections after the plugin starts.
    type: int
    default: 30
  state_dir:
    description: The private directory (created with mode 0700) holding the tunnels' records and the plugin's output.
    type: path
    default: ~/.shipyard/tunnels
  session_manager_plugin:
    description: The plugin's executable, a name looked up on C(PATH) or a path.
    type: str
    default: session-manager-plugin
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the target and parameters, starts and stops nothing, and reports whether it would.
  diff_mode:
    support: full
    description: Shows the tunnel (state, target, local port) before and after.
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - The plugin gets the module's region, profile, endpoint and, when given as options, credentials, as the AWS CLI would pass them.
  - "IAM permissions: C(ssm:StartSession) on the target and the document C(AWS-StartPortForwardingSessionToRemoteHost),
    C(ssm:TerminateSession), C(ssm:GetParameter) for the parameters; C(ecs:DescribeServices), C(ecs:ListTasks),
    C(ecs:DescribeTasks) for an ECS target, C(ec2:DescribeInstances) for an EC2 one."
  - The plugin listens on C(localhost) only; the module checks and connects on 127.0.0.1.
seealso:
  - name: Install the Session Manager plugin
    description: AWS's instructions for each operating system.
    link: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html
  - name: ECS Exec
    description: What a task needs for the ExecuteCommandAgent to run.
    link: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
"""

EXAMPLES = r"""
- name: Open a tunnel to the staging database through a running API task
  shipyard.aws.ssm_port_forward:
    name: staging-db
    ecs_cluster: bookmark-manager-staging
    ecs_service: bookmark-manager-staging-api
    remote_host_parameter: /bookmark-manager/staging/DB_HOST
    remote_port_parameter: /bookmark-manager/staging/DB_PORT
    local_port: 15432
  register: tunnel

- name: Use it
  community.postgresql.postgresql_query:
    login_host: 127.0.0.1
    login_port: "{{ tunnel.local_port }}"
    login_user: app
    login_password: "{{ db_password }}"
    db: bookmarks
    query: SELECT 1

- name: Close it
  shipyard.aws.ssm_port_forward:
    name: staging-db
    state: stopped

- name: Through a bastion found by tag, to a Redis host given by name
  shipyard.aws.ssm_port_forward:
    ec2_filters:
      "tag:Role": bastion
    remote_host: cache.internal.example.com
    remote_port: 6379
"""

RETURN = r"""
name:
  description: The tunnel's name.
  returned: always
  type: str
  sample: staging-db
mode:
  description: C(tunnel) or C(direct).
  returned: always
  type: str
  sample: tunnel
host:
  description: Where to connect - C(127.0.0.1) for a tunnel, O(remote_host) in C(direct) mode.
  returned: when O(state=started)
  type: str
  sample: 127.0.0.1
local_port:
  description: The port to connect to on RV(host) (O(remote_port) in C(direct) mode; null in check mode before a tunnel exists).
  returned: when O(state=started)
  type: int
  sample: 15432
remote_host:
  description: The host the session forwards to.
  returned: when O(state=started)
  type: str
  sample: bookmark-manager-staging.abcdefghij.ap-northeast-1.rds.amazonaws.com
remote_port:
  description: The port the session forwards to.
  returned: when O(state=started)
  type: int
  sample: 5432
session_id:
  description: The Session Manager session.
  returned: when a tunnel runs (or ran, for O(state=stopped))
  type: str
  sample: ci-runner-0a1b2c3d4e5f67890
target:
  description: The SSM target the session goes through.
  returned: when a tunnel runs (or ran, for O(state=stopped))
  type: str
  sample: ecs:bookmark-manager-staging_0123456789abcdef0123456789abcdef_0123456789abcdef0123456789abcdef-1234567890
pid:
  description: The session-manager-plugin's process id (it leads its own process group).
  returned: when a tunnel runs (or ran, for O(state=stopped))
  type: int
  sample: 41235
restarted:
  description: True when the tunnel's plugin had died (or its settings changed) and it was started again.
  returned: when O(state=started)
  type: bool
  sample: false
state_file:
  description: The tunnel's record.
  returned: when a tunnel runs
  type: str
  sample: /home/ci/.shipyard/tunnels/staging-db.json
"""

import json
import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils import ssm_plugin
from ansible_collections.shipyard.aws.plugins.module_utils import tunnel_process as process
from ansible_collections.shipyard.aws.plugins.module_utils import tunnel_state as state
from ansible_collections.shipyard.aws.plugins.module_utils import tunnel_target
from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"
DEFAULT_REMOTE_PORT = 5432
TARGET_OPTIONS = ("ecs_service", "ec2_instance_id", "ec2_filters", "target")
# What a running tunnel is described by, in results and in the diff.
TUNNEL_KEYS = ("local_port", "target", "remote_host", "remote_port", "session_id", "pid")


class TunnelError(Exception):
    """A failure whose message says what happened and what to do."""


def spec(params: dict) -> dict:
    """What the caller asked for; a running tunnel asked for differently is restarted."""
    keys = ("ecs_cluster", "ecs_service", "ecs_container", "ec2_instance_id", "ec2_filters", "target", "remote_host",
            "remote_host_parameter", "remote_port", "remote_port_parameter", "local_port")
    return {key: params[key] for key in keys}


def tunnel_name(params: dict) -> str:
    if params["name"]:
        return params["name"]
    filters = json.dumps(params["ec2_filters"], sort_keys=True) if params["ec2_filters"] else None
    via = [params["ecs_cluster"], params["ecs_service"], params["ecs_container"]] if params["ecs_service"] else \
        [params["ec2_instance_id"] or params["target"] or filters]
    return state.default_name(via + [params["remote_host"] or params["remote_host_parameter"],
                                     params["remote_port"] or params["remote_port_parameter"] or DEFAULT_REMOTE_PORT,
                                     params["local_port"] or None])


def read_parameter(ssm, name: str, option: str) -> str:
    try:
        return ssm.get_parameter(Name=name, WithDecryption=True, aws_retry=True)["Parameter"]["Value"]
    except is_boto3_error_code("ParameterNotFound"):
        raise TunnelError(f"SSM parameter {name} ({option}) does not exist: check its name; the database's connection "
                          "parameters are written by playbooks/infra.yml (Terraform component database)") from None


def remote_endpoint(module, params: dict) -> tuple[str, int]:
    host, port = params["remote_host"], params["remote_port"]
    if params["remote_host_parameter"] or params["remote_port_parameter"]:
        ssm = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff())
        if params["remote_host_parameter"]:
            host = read_parameter(ssm, params["remote_host_parameter"], "remote_host_parameter").strip()
        if params["remote_port_parameter"]:
            value = read_parameter(ssm, params["remote_port_parameter"], "remote_port_parameter").strip()
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise TunnelError(f"SSM parameter {params['remote_port_parameter']} holds {value!r}, not a port number")
            port = int(value)
    return host, port or DEFAULT_REMOTE_PORT


def resolve_target(module, params: dict) -> dict:
    if params["target"]:
        return {"target": params["target"]}
    if params["ecs_service"]:
        ecs = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
        return tunnel_target.ecs_task(ecs, params["ecs_cluster"], params["ecs_service"], params["ecs_container"])
    ec2 = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    return tunnel_target.ec2_instance(ec2, params["ec2_instance_id"], params["ec2_filters"])


def choose_port(params: dict, directory: str, name: str, previous: dict | None) -> int:
    wanted = params["local_port"]
    if not wanted:
        earlier = (previous or {}).get("local_port")
        return earlier if earlier and not process.port_taken(earlier) else process.free_port()
    if process.port_taken(wanted):
        holders = [other for other, record in state.records(directory).items()
                   if other != name and record.get("local_port") == wanted]
        by = f"the tunnel {holders[0]} (close it with state=stopped and name={holders[0]})" if holders else "another program"
        raise TunnelError(f"local port {wanted} on 127.0.0.1 is already in use by {by}: choose another local_port, "
                          "or 0 to pick a free one")
    return wanted


def start_session(ssm, target: str, host: str, port: int, local_port: int) -> tuple[dict, dict]:
    request = {"Target": target, "DocumentName": DOCUMENT,
               "Parameters": {"host": [host], "portNumber": [str(port)], "localPortNumber": [str(local_port)]}}
    try:
        response = ssm.start_session(aws_retry=True, **request)
    except is_boto3_error_code("AccessDeniedException") as e:
        raise TunnelError(
            f"access denied to ssm:StartSession on {target} with document {DOCUMENT}: allow ssm:StartSession on the "
            f"target (for ECS, the task's ARN arn:aws:ecs:<region>:<account>:task/<cluster>/*) and on "
            f"arn:aws:ssm:<region>::document/{DOCUMENT} to the identity running this (AWS said: "
            f"{e.response['Error'].get('Message', '')})") from None
    except is_boto3_error_code("TargetNotConnected") as e:  # pylint: disable=duplicate-except
        raise TunnelError(f"Session Manager cannot reach {target}: its SSM agent is not connected "
                          f"(AWS said: {e.response['Error'].get('Message', '')})") from None
    return request, response


def terminate(module, ssm, session_id: str | None) -> None:
    if not session_id:
        return
    try:
        ssm.terminate_session(SessionId=session_id, aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.warn(f"could not terminate session {session_id} ({e}); Session Manager ends it when it times out")


def run_plugin(module, plugin: dict, directory: str, name: str, ssm, request: dict, response: dict) -> tuple:
    """Start the plugin for the session and wait for its port; (pid, start time) or TunnelError (session ended)."""
    profile = module.params.get("profile")
    argv, environment = ssm_plugin.command(plugin["path"], plugin["version"], response, module.region, profile,
                                           request, ssm.meta.endpoint_url)
    environment.update(credentials_environment(module))
    files = state.paths(directory, name)
    child = process.spawn(argv, environment, directory, files["stdout"], files["stderr"])
    local_port = int(request["Parameters"]["localPortNumber"][0])
    outcome = process.wait_until_accepting(local_port, child, module.params["wait_timeout"])
    if outcome == "open":
        return child.pid, process.start_time(child.pid)
    if outcome == "timeout":
        process.stop_group(child.pid, None)
    child.wait()
    output = process.tail(files["stderr"]) or process.tail(files["stdout"])
    terminate(module, ssm, response["SessionId"])
    state.remove(directory, name)
    if outcome == "exited":
        raise TunnelError(f"session-manager-plugin exited (code {child.returncode}) before 127.0.0.1:{local_port} "
                          f"accepted connections; session {response['SessionId']} was terminated. Its output:\n{output}")
    raise TunnelError(f"127.0.0.1:{local_port} did not accept connections within {module.params['wait_timeout']} s; "
                      f"the plugin was stopped and session {response['SessionId']} terminated. Its output:\n{output}")


def credentials_environment(module) -> dict:
    """Credentials given as options reach the plugin as the AWS CLI's would: in its environment, not its arguments."""
    names = {"access_key": "AWS_ACCESS_KEY_ID", "secret_key": "AWS_SECRET_ACCESS_KEY", "session_token": "AWS_SESSION_TOKEN"}
    environment = {variable: module.params[option] for option, variable in names.items() if module.params.get(option)}
    if module.region:
        environment["AWS_REGION"] = environment["AWS_DEFAULT_REGION"] = module.region
    return environment


def view(record: dict | None) -> dict:
    if not record:
        return {"state": "stopped"}
    return dict({"state": "started"}, **{key: record.get(key) for key in TUNNEL_KEYS})


def result_of(record: dict) -> dict:
    return dict({key: record.get(key) for key in TUNNEL_KEYS}, host=process.LOOPBACK)


def ensure_direct(module) -> tuple[bool, dict]:
    if module.params["state"] == "stopped":
        return False, {}
    host, port = remote_endpoint(module, module.params)
    return False, {"host": host, "local_port": port, "remote_host": host, "remote_port": port}


def ensure_started(module, plugin: dict, directory: str, name: str) -> tuple[bool, dict]:
    params = module.params
    wanted = spec(params)
    previous = state.read(directory, name)
    alive = bool(previous) and process.is_alive(previous.get("pid", 0), previous.get("pid_started"))
    if previous and alive and previous.get("spec") == wanted and process.port_taken(previous.get("local_port", 0)):
        return False, dict(result_of(previous), restarted=False, state_file=state.paths(directory, name)["record"],
                           diff=dict(before=view(previous), after=view(previous)))

    ssm = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff())
    host, port = remote_endpoint(module, params)
    found = resolve_target(module, params)
    if previous and not module.check_mode:
        if alive:
            process.stop_group(previous["pid"], previous.get("pid_started"))
        terminate(module, ssm, previous.get("session_id"))
        state.remove(directory, name)
    local_port = choose_port(params, directory, name, previous)
    after = {"state": "started", "local_port": local_port, "target": found["target"], "remote_host": host,
             "remote_port": port, "session_id": None, "pid": None}
    result = dict(result_of(after), restarted=bool(previous), diff=dict(before=view(previous), after=after))
    if module.check_mode:
        return True, result

    request, response = start_session(ssm, found["target"], host, port, local_port)
    pid, started = run_plugin(module, plugin, directory, name, ssm, request, response)
    record = dict(after, pid=pid, pid_started=started, session_id=response["SessionId"], started_at=time.time(),
                  name=name, spec=wanted, ecs_task_arn=found.get("task_arn"), region=module.region)
    path = state.write(directory, name, record)
    result.update(result_of(record), state_file=path)
    result["diff"]["after"] = view(record)
    return True, result


def ensure_stopped(module, directory: str, name: str) -> tuple[bool, dict]:
    previous = state.read(directory, name)
    if not previous:
        return False, {"diff": dict(before=view(None), after=view(None))}
    result = {key: previous.get(key) for key in ("session_id", "target", "pid", "local_port")}
    result["diff"] = dict(before=view(previous), after=view(None))
    if module.check_mode:
        return True, result
    process.stop_group(previous.get("pid", 0), previous.get("pid_started"))
    ssm = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff())
    terminate(module, ssm, previous.get("session_id"))
    state.remove(directory, name)
    return True, result


def validate(params: dict) -> None:
    if params["state"] == "stopped" or params["mode"] == "direct":
        if params["state"] == "started" and not (params["remote_host"] or params["remote_host_parameter"]):
            raise TunnelError("mode=direct needs remote_host or remote_host_parameter (the endpoint to return)")
        return
    if not any(params[option] for option in TARGET_OPTIONS):
        raise TunnelError("say what the session goes through: ecs_cluster and ecs_service (a running task with ECS "
                          "Exec), ec2_instance_id or ec2_filters (a bastion), or target (an SSM target)")
    if not (params["remote_host"] or params["remote_host_parameter"]):
        raise TunnelError("say where the tunnel leads: remote_host, or remote_host_parameter (an SSM parameter holding it)")
    for option in ("local_port", "remote_port"):
        value = params[option]
        if value is not None and not (0 if option == "local_port" else 1) <= value < 65536:
            raise TunnelError(f"{option} must be a port number ({'0 to pick a free one, ' if option == 'local_port' else ''}"
                              f"up to 65535), not {value}")
    if params["wait_timeout"] < 1:
        raise TunnelError(f"wait_timeout must be at least 1 second, not {params['wait_timeout']}")


def find_plugin(params: dict) -> dict:
    path = ssm_plugin.find(params["session_manager_plugin"])
    return {"path": path, "version": ssm_plugin.version(path)}


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["started", "stopped"], default="started"),
        name=dict(type="str"),
        mode=dict(type="str", choices=["tunnel", "direct"], default="tunnel"),
        ecs_cluster=dict(type="str"),
        ecs_service=dict(type="str"),
        ecs_container=dict(type="str"),
        ec2_instance_id=dict(type="str"),
        ec2_filters=dict(type="dict"),
        target=dict(type="str"),
        remote_host=dict(type="str"),
        remote_host_parameter=dict(type="str"),
        remote_port=dict(type="int"),
        remote_port_parameter=dict(type="str"),
        local_port=dict(type="int", default=0),
        wait_timeout=dict(type="int", default=30),
        state_dir=dict(type="path", default=state.DEFAULT_DIRECTORY),
        session_manager_plugin=dict(type="str", default=ssm_plugin.PLUGIN),
    )
    module = ShipyardAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("ecs_service", "ec2_instance_id", "ec2_filters", "target"),
                            ("remote_host", "remote_host_parameter"), ("remote_port", "remote_port_parameter")],
        required_together=[("ecs_cluster", "ecs_service")],
        required_by={"ecs_container": ("ecs_service",)},
    )
    params = module.params
    name = None
    try:
        validate(params)
        name = tunnel_name(params)
        state.check_name(name)
        if params["mode"] == "direct":
            changed, result = ensure_direct(module)
        else:
            directory = state.private_directory(params["state_dir"])
            if params["state"] == "started":
                plugin = find_plugin(params)
                if not ssm_plugin.reads_response_from_environment(plugin["version"]):
                    module.warn(
                        f"session-manager-plugin at {plugin['path']} is 1.2.497.0 or older (or prints no version): "
                        "the session token is on its command line, visible in the process list; upgrade the plugin")
                changed, result = ensure_started(module, plugin, directory, name)
            else:
                changed, result = ensure_stopped(module, directory, name)
    except (TunnelError, tunnel_target.TargetError, state.StateError, ssm_plugin.PluginError) as e:
        module.fail_json(msg=str(e), name=name)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to {'open' if params['state'] == 'started' else 'close'} tunnel {name}")
    diff = result.pop("diff", None)
    if module._diff and diff:  # pylint: disable=protected-access
        result["diff"] = diff
    module.exit_json(changed=changed, name=name, mode=params["mode"], **result)


if __name__ == "__main__":
    main()
