"""Each inventory's component graph fits the Terraform code: paths exist, every inputs_from names an output its
component declares, and every input (own or wired) is a variable the component declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from diagrams.inventory import ENVIRONMENTS, REPO_ROOT, components, group_vars, waves
from ansible_collections.shipyard.aws.plugins.filter.component_waves import component_waves

ROOT = REPO_ROOT / "terraform" / "components"
VARIABLE = re.compile(r'^\s*variable\s+"([A-Za-z_][A-Za-z0-9_-]*)"', re.M)


def declared_variables(path: Path) -> set[str]:
    return {name for tf in path.glob("*.tf") for name in VARIABLE.findall(tf.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_graph_orders_and_its_outputs_exist(environment):
    graph = components(environment)
    assert graph, f"inventories/{environment} has no terraform_stack_components"
    ordered = component_waves(graph, root=str(ROOT))
    assert [c["name"] for wave in ordered for c in wave] == [c["name"] for wave in waves(graph) for c in wave]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_input_is_a_variable_of_its_component(environment):
    for component in components(environment):
        declared = declared_variables(ROOT / component["path"])
        given = set(component.get("inputs") or {}) | set(component.get("inputs_from") or {})
        assert given <= declared, f"{environment}/{component['name']}: no such variables {sorted(given - declared)}"


def test_the_common_inputs_are_declared_by_every_component():
    common = {"aws_region", "aws_endpoints", "service", "environment", "prefix"}
    for path in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        assert common <= declared_variables(path), path.name


def test_production_is_protected_and_its_profile_is_the_safety_one():
    production = {c["name"]: c.get("inputs") or {} for c in components("production")}
    assert group_vars("production")["terraform_stack_protected"] is True
    assert production["database"]["engine"] == "aurora" and production["database"]["deletion_protection"] is True
    assert production["network"]["nat_gateway_mode"] != "none"
    assert production["ecr"]["image_tag_mutability"] == "IMMUTABLE"
    assert "edge" in production


def test_local_is_the_staging_shape():
    """The platform tests apply and re-plan every component with inventories/local; that stands for staging
    because both inventories declare the same components with the same inputs and wiring."""
    assert components("local") == components("staging")
