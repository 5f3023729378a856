"""The tunnel's pure logic: the plugin's command line, the choice of an ECS task, tunnel names and records."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils import ssm_plugin, tunnel_state
from ansible_collections.shipyard.aws.plugins.module_utils.tunnel_target import TargetError, choose_task

RESPONSE = {"SessionId": "me-0123456789abcdef0", "TokenValue": "t0ken", "StreamUrl": "wss://example/s", "Extra": 1}
REQUEST = {"Target": "i-1", "DocumentName": "AWS-StartPortForwardingSessionToRemoteHost",
           "Parameters": {"host": ["db"], "portNumber": ["5432"], "localPortNumber": ["15432"]}}


def test_a_current_plugin_gets_the_response_in_an_environment_variable():
    argv, env = ssm_plugin.command("/bin/smp", (1, 2, 650, 0), RESPONSE, "ap-northeast-1", None, REQUEST, "https://ssm")

    assert argv == ["/bin/smp", "AWS_SSM_START_SESSION_RESPONSE", "ap-northeast-1", "StartSession", "",
                    json.dumps(REQUEST), "https://ssm"]
    assert json.loads(env["AWS_SSM_START_SESSION_RESPONSE"]) == {k: RESPONSE[k] for k in ("SessionId", "TokenValue", "StreamUrl")}


@pytest.mark.parametrize("version", [(1, 2, 497, 0), (1, 2), None])
def test_an_old_or_unreadable_plugin_gets_the_response_as_its_first_argument(version):
    argv, env = ssm_plugin.command("/bin/smp", version, RESPONSE, "us-east-1", "dev", REQUEST, "https://ssm")

    assert json.loads(argv[1])["TokenValue"] == "t0ken"
    assert argv[4] == "dev" and env == {}


def test_a_missing_plugin_says_how_to_install_it(tmp_path):
    with pytest.raises(ssm_plugin.PluginError, match="session-manager-working-with-install-plugin"):
        ssm_plugin.find(str(tmp_path / "session-manager-plugin"))


def task(task_id: str, agent: str | None = "RUNNING", status: str = "RUNNING", exec_on: bool = True, started: str = "1"):
    container = {"name": "api", "runtimeId": f"{task_id}-1234567890"}
    if agent:
        container["managedAgents"] = [{"name": "ExecuteCommandAgent", "lastStatus": agent}]
    return {"taskArn": f"arn:aws:ecs:r:1:task/c/{task_id}", "lastStatus": status, "enableExecuteCommand": exec_on,
            "startedAt": started, "containers": [container]}


SERVICE = {"serviceName": "api", "enableExecuteCommand": True}


def test_the_newest_task_with_a_running_agent_is_the_target():
    chosen = choose_task("c", SERVICE, [task("old", started="1"), task("new", started="2"), task("off", agent="STOPPED", started="3")], None)

    assert chosen["target"] == "ecs:c_new_new-1234567890"
    assert chosen["container"] == "api"


def test_a_named_container_that_does_not_exist_is_named_in_the_error():
    with pytest.raises(TargetError, match=r"task t has no container sidecar \(it has api\)"):
        choose_task("c", SERVICE, [task("t")], "sidecar")


def test_exec_off_on_the_service_is_said_first():
    with pytest.raises(TargetError, match="ECS Exec is off for ECS service api"):
        choose_task("c", dict(SERVICE, enableExecuteCommand=False), [task("t", agent=None, exec_on=False)], None)


def test_long_derived_names_are_shortened_with_a_hash():
    name = tunnel_state.default_name(["cluster" * 20, "svc", "db.example", 5432])

    assert len(name) == 100 and tunnel_state.NAME.match(name)
    assert name != tunnel_state.default_name(["cluster" * 20, "svc", "db.example", 5433])


def test_records_are_private_and_atomic(tmp_path):
    directory = tunnel_state.private_directory(str(tmp_path / "t"))
    path = tunnel_state.write(directory, "db", {"pid": 1})

    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert tunnel_state.read(directory, "db") == {"pid": 1}
    assert os.listdir(directory) == ["db.json"]
