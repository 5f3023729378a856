"""roles/terraform_stack/templates/terraform-wrapper.sh.j2: the binary community.general.terraform runs for the
engine. It leaves `validate` to the command that follows and hands every other command to Terraform. Rendered with
Ansible's own filters, around a stand-in that records each call and around the real Terraform (a configuration
without providers, so no provider is needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest
from ansible.plugins.filter.core import FilterModule

TEMPLATE = Path(__file__).resolve().parents[2] / "roles" / "terraform_stack" / "templates" / "terraform-wrapper.sh.j2"

STAND_IN = """#!/bin/sh
echo "$*" >> "$CALLS"
echo "ran $*"
exit 3
"""


def render(tmp_path, binary):
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    environment.filters.update(FilterModule().filters())
    wrapper = tmp_path / "terraform-wrapper"
    wrapper.write_text(environment.from_string(TEMPLATE.read_text()).render(
        ansible_managed="Ansible managed", __terraform_stack_binary_path=str(binary)))
    wrapper.chmod(0o700)
    return wrapper


def run(wrapper, project, *args, **env):
    return subprocess.run([str(wrapper), *args], cwd=project, env={**os.environ, **env}, capture_output=True, text=True, check=False)


@pytest.fixture
def stand_in(tmp_path):
    binary = tmp_path / "terraform"
    binary.write_text(STAND_IN)
    binary.chmod(0o755)
    return render(tmp_path, binary), tmp_path / "calls"


def test_validate_never_starts_terraform(stand_in, tmp_path):
    wrapper, calls = stand_in
    result = run(wrapper, tmp_path, "validate", "-no-color", CALLS=str(calls))
    assert result.returncode == 0
    assert "terraform_stack_defer_validation" in result.stdout
    assert not calls.exists()


def test_every_other_command_goes_to_terraform_with_its_arguments_and_exit_code(stand_in, tmp_path):
    wrapper, calls = stand_in
    result = run(wrapper, tmp_path, "plan", "-out", "x.tfplan", "-var", "a=b c", CALLS=str(calls))
    assert result.returncode == 3
    assert result.stdout == "ran plan -out x.tfplan -var a=b c\n"
    assert calls.read_text() == "plan -out x.tfplan -var a=b c\n"


@pytest.mark.skipif(shutil.which("terraform") is None, reason="needs terraform on PATH (make setup)")
def test_an_invalid_configuration_still_fails_at_the_plan_with_terraforms_diagnostic(tmp_path):
    """What validate would have caught, the plan that follows catches, with the same message and before planning."""
    project = tmp_path / "component"
    project.mkdir()
    (project / "main.tf").write_text('output "broken" {\n  value = local.missing\n}\n')
    wrapper = render(tmp_path, shutil.which("terraform"))
    env = {"TF_DATA_DIR": str(tmp_path / "data"), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    assert run(wrapper, project, "init", "-input=false", "-no-color", **env).returncode == 0
    assert run(wrapper, project, "validate", "-no-color", **env).returncode == 0
    plan = run(wrapper, project, "plan", "-input=false", "-no-color", "-out", str(tmp_path / "p.tfplan"), **env)
    assert plan.returncode == 1
    assert "Reference to undeclared local value" in plan.stderr
    assert not (tmp_path / "p.tfplan").exists()
    direct = subprocess.run(["terraform", "validate", "-no-color"], cwd=project, env={**os.environ, **env},  # noqa: S603,S607
                            capture_output=True, text=True, check=False)
    assert direct.returncode == 1 and "Reference to undeclared local value" in direct.stderr
