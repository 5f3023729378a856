"""A state lock held by another run, or left behind by a killed one: the engine waits lock_timeout, then stops,
names the lock and prints the exact command that releases it, and never forces it by itself."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess

import boto3
import pytest

from helpers import REPO_ROOT, run_playbook
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
