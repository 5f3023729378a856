"""A state lock held by another run, or left behind by a killed one: the engine waits lock_timeout, then stops,
names the lock and prints the exact command that releases it, and never forces it by itself."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import boto3
import pytest

from helpers import BIN, REPO_ROOT, ansible_env, run_playbook
from localenv import terraform_cli

pytestmark = pytest.mark.slow

DIAMOND = REPO_ROOT / "tests" / "integration" / "terraform" / "diamond"
BUCKET = "bookmark-manager-local-tfstate"
KEY = "local/a/terraform.tfstate"
LOCK_ID = "0b5e7c2a-6b1f-4a55-9d7e-2f0c1d9e8a71"


def test_a_held_lock_stops_the_run_with_the_unlock_command_and_the_state_stays_intact(emulator, tmp_path, provider_mirror):
    emulator.reset()
    assert run_playbook("playbooks/bootstrap.yml", aws_port=emulator.port).rc == 0
    terraform_cli.write_config(base=tmp_path, mirror=provider_mirror)
    variables = {"terraform_stack_components_root": str(DIAMOND), "terraform_stack_work_dir": str(tmp_path / "terraform"),
                 "terraform_stack_components": [{"name": "a", "path": "a", "inputs": {"seed": "lock"}}],
                 "terraform_stack_lock_timeout": 3}
    first = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables)
    assert first.rc == 0, first.output[-3000:]

    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name="ap-northeast-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    before = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    # What a run killed with SIGKILL in the middle of an apply leaves behind: Terraform's S3 lock file.
    s3.put_object(Bucket=BUCKET, Key=f"{KEY}.tflock", Body=json.dumps({
        "ID": LOCK_ID, "Operation": "OperationTypeApply", "Info": "", "Who": "ci@runner-7", "Version": "1.11.4",
        "Created": "2026-11-23T05:00:00Z", "Path": f"{BUCKET}/{KEY}"}).encode())

    blocked = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables)
    assert blocked.rc != 0
    text = "\n".join(blocked.result_of("Summary")["msg"])
    assert "Error acquiring the state lock" in text
    assert f"the state of a is locked by another run (lock ID {LOCK_ID})" in text
    command = next(line.strip() for line in text.splitlines() if "force-unlock -force" in line)
    assert command.endswith(f"force-unlock -force {LOCK_ID}")
    after = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    assert after["serial"] == before["serial"] and after["resources"] == before["resources"], "the state is intact"
    assert s3.head_object(Bucket=BUCKET, Key=f"{KEY}.tflock"), "the engine never forces a lock by itself"

    # The printed command, run as printed, releases the stale lock; the next run converges.
    environment_part, terraform_part = re.match(r"(TF_DATA_DIR=\S+) (.*)", command).groups()
    env = {**os.environ, environment_part.split("=", 1)[0]: environment_part.split("=", 1)[1],
           "TF_CLI_CONFIG_FILE": str(tmp_path / "terraform" / "cli.tfrc"),
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    unlock = subprocess.run(shlex.split(terraform_part), env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert unlock.returncode == 0, unlock.stderr[-2000:]

    again = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables)
    assert again.rc == 0, again.output[-3000:]
    assert again.stats["changed"] == 0


def _kill_everything_touching(marker: str) -> list[int]:
    """SIGKILL every process whose environment or command line mentions marker (Terraform, its provider, the
    module process): what a machine that dies mid-apply leaves behind."""
    killed = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            seen = (entry / "environ").read_bytes() + (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in seen:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
            except ProcessLookupError:
                pass
    return killed


def test_a_run_killed_mid_apply_is_reported_with_the_unlock_command_and_then_converges(emulator, tmp_path, provider_mirror):
    emulator.reset()
    emulator.clear_delays()
    assert run_playbook("playbooks/bootstrap.yml", aws_port=emulator.port).rc == 0
    terraform_cli.write_config(base=tmp_path, mirror=provider_mirror)
    work_dir = tmp_path / "terraform"

    def variables(seed):
        return {"terraform_stack_components_root": str(DIAMOND), "terraform_stack_work_dir": str(work_dir),
                "terraform_stack_components": [{"name": "a", "path": "a", "inputs": {"seed": seed}}],
                "terraform_stack_lock_timeout": 3}

    assert run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables("before")).rc == 0
    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name="ap-northeast-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    before = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())

    # The apply of the new seed hangs in SSM PutParameter (the emulator holds that request), with the lock taken.
    emulator.clear_requests()
    emulator.delay("PutParameter", 600)
    command = [str(BIN / "ansible-playbook"), "-i", "inventories/local", "playbooks/infra.yml",
               "-e", json.dumps(variables("after"))]
    run = subprocess.Popen(command, cwd=REPO_ROOT, env=ansible_env(emulator.port), stdin=subprocess.DEVNULL,  # noqa: S603
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while not any(r["operation"] == "PutParameter" for r in emulator.requests()):
            assert run.poll() is None, "the run ended before its apply reached AWS"
            assert time.monotonic() < deadline, "the apply never reached SSM PutParameter"
            time.sleep(0.5)
        assert s3.head_object(Bucket=BUCKET, Key=f"{KEY}.tflock"), "Terraform holds the state lock mid-apply"
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        killed = _kill_everything_touching(str(work_dir))
        run.wait()
        emulator.clear_delays()
    assert killed, "Terraform itself was killed, not only ansible-playbook"

    # The killed run's lock is still there; the next run waits lock_timeout, then says what it is and how to release it.
    blocked = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables("after"))
    assert blocked.rc != 0
    text = "\n".join(blocked.result_of("Summary")["msg"])
    assert "the state of a is locked by another run" in text
    command_line = next(line.strip() for line in text.splitlines() if "force-unlock -force" in line)
    assert s3.head_object(Bucket=BUCKET, Key=f"{KEY}.tflock"), "the engine never forces a lock by itself"
    after_kill = json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    assert after_kill["lineage"] == before["lineage"], "the state survived the kill"

    environment_part, terraform_part = re.match(r"(TF_DATA_DIR=\S+) (.*)", command_line).groups()
    env = {**os.environ, "TF_DATA_DIR": environment_part.split("=", 1)[1],
           "TF_CLI_CONFIG_FILE": str(work_dir / "cli.tfrc"), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    unlock = subprocess.run(shlex.split(terraform_part), env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert unlock.returncode == 0, unlock.stderr[-2000:]

    converged = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables("after"))
    assert converged.rc == 0, converged.output[-3000:]
    ssm = boto3.client("ssm", endpoint_url=emulator.endpoint, region_name="ap-northeast-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    assert ssm.get_parameter(Name="/bookmark-manager-local/diamond/a1")["Parameter"]["Value"] == "a(after)"
    again = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables("after"))
    assert again.rc == 0 and again.stats["changed"] == 0, again.output[-3000:]
