"""Real Terraform, the project's CLI configuration and the bootstrapped backend, against the emulator.

Proves the pieces the Terraform engine stands on: hashicorp/aws installs from the filesystem mirror named by
TF_PROVIDER_MIRROR (never from the network), and Terraform's S3 backend writes and locks state in the
bucket bootstrap.yml made, configured only from the tfstate_backend_config fact.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from helpers import run_playbook
from localenv import terraform_cli

MAIN_TF = """
terraform {
  required_version = ">= 1.10"
  backend "s3" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

output "greeting" {
  value = "state written by ${terraform.workspace}"
}
"""


def backend_hcl(config: dict, key: str) -> str:
    """The S3 backend settings, straight from the fact."""
    lines = [
        f"bucket = {json.dumps(config['bucket'])}",
        f"key = {json.dumps(key)}",
        f"region = {json.dumps(config['region'])}",
        f"use_lockfile = {str(config['use_lockfile']).lower()}",
        f"use_path_style = {str(config['use_path_style']).lower()}",
    ]
    if config["dynamodb_table"]:
        lines.append(f"dynamodb_table = {json.dumps(config['dynamodb_table'])}")
    if config["endpoints"]:
        lines.append("endpoints = {" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in config["endpoints"].items()) + "}")
    return "\n".join(lines) + "\n"


def terraform(workdir, env, *args):
    result = subprocess.run(["terraform", *args], cwd=workdir, env=env, capture_output=True, text=True,  # noqa: S603,S607
                            timeout=300, check=False)
    assert result.returncode == 0, f"terraform {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.mark.slow
def test_s3_backend_from_the_fact_with_the_mirrored_provider(aws, boto, tmp_path, provider_mirror):
    run = run_playbook("playbooks/bootstrap.yml", aws_port=aws.port)
    assert run.rc == 0, run.output[-3000:]
    config = run.fact("tfstate_backend_config")

    cli_config = terraform_cli.write_config(base=tmp_path / "state", mirror=provider_mirror)
    workdir = tmp_path / "smoke"
    workdir.mkdir()
    (workdir / "main.tf").write_text(MAIN_TF)
    (workdir / "backend.hcl").write_text(backend_hcl(config, f"{config['key_prefix']}/smoke/terraform.tfstate"))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_DATA_DIR": str(tmp_path / "data"),
           "TF_IN_AUTOMATION": "1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "CHECKPOINT_DISABLE": "1"}
    env.pop("TF_PLUGIN_CACHE_DIR", None)

    init = terraform(workdir, env, "init", "-input=false", "-no-color", "-backend-config=backend.hcl")
    assert "Installing hashicorp/aws" in init.stdout
    cached = list((tmp_path / "state" / "terraform" / "plugin-cache").glob("registry.terraform.io/hashicorp/aws/*"))
    assert cached, "the provider should land in the project's plugin cache"
    terraform(workdir, env, "apply", "-input=false", "-no-color", "-auto-approve")

    s3 = boto("s3")
    key = "local/smoke/terraform.tfstate"
    state = json.loads(s3.get_object(Bucket=config["bucket"], Key=key)["Body"].read())
    assert state["outputs"]["greeting"]["value"] == "state written by default"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=config["bucket"]).get("Contents", [])]
    assert keys == [key], "the S3 lock file is released after the run"
    locks = [r for r in aws.requests() if r["service"] == "s3" and r["path"].endswith(".tflock")]
    assert any(r["method"] == "PUT" for r in locks), "use_lockfile: Terraform took an S3 lock"
    assert not (workdir / "terraform.tfstate").exists() and not (workdir / ".terraform").exists()
