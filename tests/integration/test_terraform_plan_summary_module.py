"""shipyard.aws.terraform_plan_summary on real saved plans, and the engine's count of the same plans from the
messages `terraform plan -json` prints (terraform_stack counts that way; both must agree).

The root uses Terraform's built-in terraform_data resource, so no provider is installed and no AWS is involved."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run_playbook

from ansible_collections.shipyard.aws.plugins.module_utils.terraform_plan import summarize_plan_stream

PLAYBOOK = "tests/integration/playbooks/terraform_plan_summary.yml"
TERRAFORM = shutil.which("terraform")
pytestmark = pytest.mark.skipif(TERRAFORM is None, reason="needs terraform on PATH (make setup)")

ROOT = """
variable "value" {
  type = string
}

variable "generation" {
  type    = number
  default = 1
}

variable "label" {
  type    = string
  default = "one"
}

resource "terraform_data" "kept" {
  input = var.value
}

resource "terraform_data" "replaced" {
  input            = var.value
  triggers_replace = [var.generation]

  lifecycle {
    create_before_destroy = true
  }
}

output "label" {
  value = var.label
}
"""


class Root:
    def __init__(self, tmp_path: Path):
        self.project = tmp_path / "root"
        self.project.mkdir()
        (self.project / "main.tf").write_text(ROOT)
        self.data_dir = tmp_path / "data"
        self.env = {**os.environ, "TF_DATA_DIR": str(self.data_dir), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
        self.terraform("init", "-input=false")

    def terraform(self, *args):
        result = subprocess.run([TERRAFORM, *args, "-no-color"], cwd=self.project, env=self.env,  # noqa: S603
                                capture_output=True, text=True, check=False)
        assert result.returncode in (0, 2), result.stderr[-2000:]
        return result.stdout

    def plan(self, **variables):
        """Plan into plan.tfplan with -json, as the engine does; returns the messages Terraform printed."""
        arguments = [f"-var={name}={value}" for name, value in variables.items()]
        return self.terraform("plan", "-input=false", "-json", "-out=plan.tfplan", *arguments)

    def apply(self):
        self.terraform("apply", "-input=false", "plan.tfplan")

    def summary(self, **extra):
        run = run_playbook(PLAYBOOK, extra_vars={"project": str(self.project), "plan_file": "plan.tfplan", "binary": TERRAFORM,
                                                 "data_dir": str(self.data_dir), **extra})
        assert run.rc == 0, run.output[-3000:]
        return run.result_of("Summarise the plan")


def counts(**changed):
    return {"add": 0, "change": 0, "replace": 0, "destroy": 0, "forget": 0, "import": 0, "move": 0, "outputs": 0, **changed}


@pytest.fixture
def root(tmp_path):
    return Root(tmp_path)


def test_a_new_root_adds_every_resource_and_output(root):
    stream = root.plan(value="a")
    summary = root.summary()
    assert summary["changed"] is False, "reading a plan changes nothing"
    assert summary["counts"] == counts(add=2, outputs=1)
    assert [item["address"] for item in summary["resources"]] == ["terraform_data.kept", "terraform_data.replaced"]
    assert summarize_plan_stream(stream)["counts"] == summary["counts"]


def test_a_create_before_destroy_replacement_and_an_update_are_counted_as_such(root):
    root.plan(value="a")
    root.apply()
    stream = root.plan(value="b", generation=2)
    summary = root.summary()
    assert summary["counts"] == counts(change=1, replace=1)
    assert {item["address"]: item["action"] for item in summary["resources"]} == {
        "terraform_data.kept": "change", "terraform_data.replaced": "replace"}
    streamed = summarize_plan_stream(stream)
    assert streamed["counts"] == summary["counts"]
    assert [(item["address"], item["action"]) for item in streamed["resources"]] == [
        (item["address"], item["action"]) for item in summary["resources"]]


def test_a_plan_that_changes_only_an_output_has_changes(root):
    root.plan(value="a")
    root.apply()
    stream = root.plan(value="a", label="two")
    summary = root.summary()
    assert summary["has_changes"] is True
    assert summary["counts"] == counts(outputs=1)
    assert summary["outputs_changed"] == ["label"]
    assert summarize_plan_stream(stream)["outputs_changed"] == ["label"]


def test_a_converged_root_has_no_changes_and_the_plan_file_can_be_removed(root):
    root.plan(value="a")
    root.apply()
    stream = root.plan(value="a")
    summary = root.summary(remove=True)
    assert summary["has_changes"] is False
    assert summarize_plan_stream(stream)["has_changes"] is False
    assert not (root.project / "plan.tfplan").exists()


def test_a_moved_block_alone_is_a_change_to_apply(root):
    root.plan(value="a")
    root.apply()
    renamed = ROOT.replace('resource "terraform_data" "kept"', 'resource "terraform_data" "renamed"')
    (root.project / "main.tf").write_text(renamed + '\nmoved {\n  from = terraform_data.kept\n  to   = terraform_data.renamed\n}\n')
    stream = root.plan(value="a")
    summary = root.summary()
    assert summary["counts"] == counts(move=1)
    assert summary["resources"][0]["address"] == "terraform_data.renamed"
    assert summarize_plan_stream(stream)["counts"] == summary["counts"]
