"""Moving a component's local terraform.tfstate into the S3 backend (terraform_stack_migrate_local_state)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import boto3
import pytest

from helpers import REPO_ROOT, run_playbook
from localenv import terraform_cli

pytestmark = pytest.mark.slow

COMPONENT = REPO_ROOT / "tests" / "integration" / "terraform" / "diamond" / "a"
PREFIX = "bookmark-manager-local"


@pytest.fixture
def local_state_component(emulator, tmp_path, provider_mirror):
    """Component a applied with a local backend, as the seeds' users have it: state in a terraform.tfstate beside the code."""
    emulator.reset()
    root = tmp_path / "components"
    shutil.copytree(COMPONENT, root / "a")
    (root / "a" / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    cli = terraform_cli.write_config(base=tmp_path, mirror=provider_mirror)
    endpoints = "{" + ",".join(f'{s}="{emulator.endpoint}"' for s in ("s3", "ssm", "sts", "iam")) + "}"
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli), "TF_DATA_DIR": str(tmp_path / "seed-data"),
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "TF_IN_AUTOMATION": "1"}
    for args in (["init", "-input=false"],
                 ["apply", "-input=false", "-auto-approve", "-var", "aws_region=ap-northeast-1",
                  "-var", f"aws_endpoints={endpoints}", "-var", f"prefix={PREFIX}", "-var", "service=bookmark-manager",
                  "-var", "environment=local", "-var", "seed=legacy"]):
        result = subprocess.run(["terraform", *args], cwd=root / "a", env=env, capture_output=True, text=True,  # noqa: S603,S607
                                timeout=300, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
    (root / "a" / "backend_override.tf").unlink()
    shutil.rmtree(tmp_path / "seed-data")
    assert (root / "a" / "terraform.tfstate").is_file()
    return {"root": root, "work_dir": tmp_path / "terraform", "state": (root / "a" / "terraform.tfstate").read_text()}


def test_local_state_moves_into_the_backend_and_is_kept_as_a_backup(emulator, local_state_component):
    boot = run_playbook("playbooks/bootstrap.yml", aws_port=emulator.port)
    assert boot.rc == 0, boot.output[-3000:]
    variables = {
        "terraform_stack_components_root": str(local_state_component["root"]),
        "terraform_stack_components": [{"name": "a", "path": "a", "inputs": {"seed": "legacy"}}],
        "terraform_stack_work_dir": str(local_state_component["work_dir"]),
        "terraform_stack_migrate_local_state": True,
    }
    run = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables)
    assert run.rc == 0, run.output[-4000:]
    assert run.fact("terraform_stack_results")[0]["result"] == "unchanged", "the migrated state already matches AWS"

    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name="ap-northeast-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    remote = json.loads(s3.get_object(Bucket=f"{PREFIX}-tfstate", Key="local/a/terraform.tfstate")["Body"].read())
    assert {r["type"] for r in remote["resources"]} == {"aws_ssm_parameter", "aws_s3_bucket"}

    folder = local_state_component["root"] / "a"
    assert not (folder / "terraform.tfstate").exists()
    backups = sorted(folder.glob("terraform.tfstate.*.backup"))
    assert len(backups) == 1 and backups[0].read_text() == local_state_component["state"]

    again = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars=variables)
    assert again.rc == 0, again.output[-4000:]
    assert again.stats["changed"] == 0
    assert sorted(folder.glob("terraform.tfstate.*.backup")) == backups
