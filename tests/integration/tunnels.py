"""What the tunnel tests share: the stand-in plugin on PATH, an ECS service whose tasks ECS Exec reaches, the
database parameters, and a look at the tunnel's process.

The real session-manager-plugin cannot be installed on the project's machines (AWS distributes it only from its
own download site), so the tests put tools/localenv/bin/session-manager-plugin first on PATH: a stand-in that takes
the real plugin's arguments, opens the session's data channel on the emulator, listens on localPortNumber and
forwards TCP to the session's host:portNumber, here the local PostgreSQL (see that file's docstring).
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import psycopg

from helpers import BIN, REPO_ROOT, run_playbook

PLUGIN_DIR = REPO_ROOT / "tools" / "localenv" / "bin"
PLAYBOOK = "tests/integration/playbooks/ssm_port_forward.yml"
TASK = "Tunnel"
CLUSTER = "shop-cluster"
SERVICE = "shop-api"
PARAMETERS = "/shop/test/"
SYSTEM_PATH = ["/usr/local/bin", "/usr/bin", "/bin"]


def search_path(with_plugin: bool = True) -> str:
    return os.pathsep.join(([str(PLUGIN_DIR)] if with_plugin else []) + [str(BIN)] + SYSTEM_PATH)


def tunnel(aws, state_dir: Path, *args: str, plugin: bool = True, env: dict | None = None, **options):
    """Run the module once through ansible-playbook with ``options``."""
    options.setdefault("state_dir", str(state_dir))
    run_env = {"PATH": search_path(plugin), **(env or {})}
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"tunnel": options}, env=run_env)


def through_service(**options) -> dict:
    return {"ecs_cluster": CLUSTER, "ecs_service": SERVICE, "remote_host_parameter": f"{PARAMETERS}DB_HOST",
            "remote_port_parameter": f"{PARAMETERS}DB_PORT", **options}


def put_database_parameters(boto, host: str, port: int) -> None:
    ssm = boto("ssm")
    ssm.put_parameter(Name=f"{PARAMETERS}DB_HOST", Value=host, Type="String", Overwrite=True)
    ssm.put_parameter(Name=f"{PARAMETERS}DB_PORT", Value=str(port), Type="String", Overwrite=True)


def create_service(boto, name: str = SERVICE, count: int = 1, execute_command: bool = True) -> list[dict]:
    """An ECS Fargate service; the emulator runs its tasks once its first rollout settles. Returns them."""
    ecs, ec2 = boto("ecs"), boto("ec2")
    ecs.create_cluster(clusterName=CLUSTER)
    task_definition = ecs.register_task_definition(
        family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        containerDefinitions=[{"name": "api", "image": "example/api:1", "essential": True, "memory": 512}],
    )["taskDefinition"]["taskDefinitionArn"]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    settle_first_rollout_in(ecs.meta.endpoint_url, name, seconds=0.1)
    ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition=task_definition, desiredCount=count,
                       launchType="FARGATE", enableExecuteCommand=execute_command,
                       networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}})
    return wait_for_tasks(boto, name, count)


def settle_first_rollout_in(endpoint: str, name: str, seconds: float) -> None:
    """The emulator's rollouts take 1 s to settle; these tests need the tasks, not the wait (Emulator.settle_next_rollout)."""
    body = json.dumps({"service": name, "outcome": "COMPLETED", "seconds": seconds}).encode()
    request = urllib.request.Request(f"{endpoint}/_shipyard/ecs/rollouts", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 (the emulator on loopback)


def running_tasks(boto, name: str = SERVICE) -> list[dict]:
    ecs = boto("ecs")
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=name, desiredStatus="RUNNING")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def wait_for_tasks(boto, name: str, count: int, timeout: float = 20) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        tasks = [t for t in running_tasks(boto, name) if t["lastStatus"] == "RUNNING"]
        if len(tasks) == count or time.monotonic() > deadline:
            assert len(tasks) == count, f"service {name} runs {len(tasks)} tasks, not {count}"
            return tasks
        time.sleep(0.2)


def ecs_target(task: dict) -> str:
    container = task["containers"][0]
    return f"ecs:{CLUSTER}_{task['taskArn'].rsplit('/', 1)[-1]}_{container['runtimeId']}"


def query_through(port: int, database: dict) -> tuple:
    """(current_user, the server's own port) read through 127.0.0.1:``port``."""
    with psycopg.connect(host="127.0.0.1", port=port, user=database["user"], password=database["password"],
                         dbname=database["dbname"], connect_timeout=5) as connection:
        return connection.execute("SELECT current_user, inet_server_port()").fetchone()


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_until_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def end_tunnels(state_dir: Path) -> None:
    """Teardown: end every plugin a test left running (each leads its own process group)."""
    for record in state_dir.glob("*.json") if state_dir.is_dir() else []:
        try:
            os.killpg(json.loads(record.read_text())["pid"], signal.SIGKILL)
        except (OSError, ValueError, KeyError):
            pass
