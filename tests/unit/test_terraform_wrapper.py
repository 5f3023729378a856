"""roles/terraform_stack/templates/terraform-wrapper.sh.j2: the binary community.general.terraform runs for the
engine. Rendered with Ansible's own filters around a stand-in Terraform that records each call, so the tests see
exactly when the real binary runs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import jinja2
import pytest
from ansible.plugins.filter.core import FilterModule

TEMPLATE = Path(__file__).resolve().parents[2] / "roles" / "terraform_stack" / "templates" / "terraform-wrapper.sh.j2"

STAND_IN = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$1" in
  version) echo "Terraform v1.11.0" ;;
  validate) if grep -q broken main.tf; then echo "Error: broken" >&2; exit 1; fi; echo "Success! The configuration is valid." ;;
  *) echo "ran $*"; exit 3 ;;
esac
"""


@pytest.fixture
def terraform(tmp_path):
    stand_in = tmp_path / "terraform"
    stand_in.write_text(STAND_IN)
    stand_in.chmod(0o755)
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    environment.filters.update(FilterModule().filters())
    wrapper = tmp_path / "terraform-wrapper"
    wrapper.write_text(environment.from_string(TEMPLATE.read_text()).render(
        ansible_managed="Ansible managed", __terraform_stack_binary_path=str(stand_in)))
    wrapper.chmod(0o700)
    project = tmp_path / "component"
    (project / "modules" / "m").mkdir(parents=True)
    (project / "main.tf").write_text('module "m" { source = "./modules/m" }\n')
    (project / "modules" / "m" / "main.tf").write_text("# a module\n")
    data = tmp_path / "data"
    (data / "modules").mkdir(parents=True)
    (data / "modules" / "modules.json").write_text('{"Modules":[{"Key":"","Source":"","Dir":"."},'
                                                   '{"Key":"m","Source":"./modules/m","Dir":"modules/m"}]}')
    calls = tmp_path / "calls"

    def run(*args):
        env = {**os.environ, "TF_DATA_DIR": str(data), "CALLS": str(calls)}
        result = subprocess.run([str(wrapper), *args], cwd=project, env=env, capture_output=True, text=True, check=False)
        return result

    def validations():
        return [line for line in calls.read_text().splitlines() if line.startswith("validate")] if calls.exists() else []

    run.project, run.validations = project, validations
    return run


def test_the_first_validation_runs_terraform_and_a_second_one_is_replayed(terraform):
    first = terraform("validate", "-no-color")
    assert first.returncode == 0 and "Success!" in first.stdout
    second = terraform("validate", "-no-color")
    assert second.returncode == 0 and "Success!" in second.stdout
    assert terraform.validations() == ["validate -no-color"]


def test_a_changed_root_file_validates_again(terraform):
    terraform("validate")
    (terraform.project / "variables.tf").write_text('variable "x" {}\n')
    terraform("validate")
    assert len(terraform.validations()) == 2


def test_a_changed_module_file_validates_again(terraform):
    terraform("validate")
    (terraform.project / "modules" / "m" / "main.tf").write_text("# changed\n")
    terraform("validate")
    assert len(terraform.validations()) == 2


def test_other_arguments_validate_again(terraform):
    terraform("validate")
    terraform("validate", "-no-color")
    assert len(terraform.validations()) == 2


def test_a_failed_validation_is_never_remembered(terraform):
    (terraform.project / "main.tf").write_text("broken\n")
    for dummy in range(2):
        result = terraform("validate")
        assert result.returncode == 1 and "Error: broken" in result.stderr
    assert len(terraform.validations()) == 2


def test_every_other_command_goes_to_terraform_with_its_arguments_and_exit_code(terraform):
    result = terraform("plan", "-out", "x.tfplan", "-var", "a=b c")
    assert result.returncode == 3
    assert result.stdout == "ran plan -out x.tfplan -var a=b c\n"
