"""awx/: the AWX objects as data, consistent with the repository's playbooks and inventories."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def _load(relative):
    return yaml.safe_load((REPO_ROOT / relative).read_text())


def test_one_awx_environment_per_repository_inventory():
    inventories = {path.name for path in (REPO_ROOT / "inventories").iterdir() if (path / "hosts.yml").is_file()}
    assert set(_load("awx/environments.yml")["awx_environments"]) == inventories


def test_the_component_choices_are_the_inventory_components():
    for env, settings in _load("awx/environments.yml")["awx_environments"].items():
        components = _load(f"inventories/{env}/group_vars/all/components.yml")["terraform_stack_components"]
        assert settings["components"] == [c["name"] for c in components if c.get("enabled", True)], env


def test_protected_environments_are_the_inventories_that_refuse_destroy_without_confirmation():
    for env, settings in _load("awx/environments.yml")["awx_environments"].items():
        environment = _load(f"inventories/{env}/group_vars/all/environment.yml")
        assert settings["protected"] == environment.get("terraform_stack_protected", False), env


def test_a_job_template_for_every_playbook_and_every_one_names_a_playbook():
    playbooks = {path.stem for path in (REPO_ROOT / "playbooks").glob("*.yml")} - {"awx_configure"}
    templates = [t["playbook"] for t in _load("awx/job_templates.yml")["awx_job_templates"]]
    assert len(templates) == len(set(templates))
    assert set(templates) == playbooks


def test_the_workflow_steps_are_job_templates_in_site_order():
    templates = [t["playbook"] for t in _load("awx/job_templates.yml")["awx_job_templates"]]
    steps = _load("awx/workflows.yml")["awx_workflow_steps"]
    assert steps == ["infra", "images", "migrate", "deploy"]
    assert set(steps) <= set(templates)


def test_no_survey_asks_for_something_awx_cannot_give():
    """AWX runs without a terminal: tunnel.yml's `hold` waits for Enter, and a password would land in the job's output."""
    for template in _load("awx/job_templates.yml")["awx_job_templates"]:
        for question in template["survey"]:
            assert "hold" not in question.get("choices", []), template["playbook"]
            assert question["variable"] != "show_password"
            assert question["type"] in {"text", "textarea", "integer", "float", "multiplechoice", "multiselect"}
