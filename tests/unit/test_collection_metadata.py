"""The collection's name, version and action group agree across galaxy.yml, meta/runtime.yml and the code."""

from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.shipyard.aws.plugins.module_utils.aws import (
    SHIPYARD_AWS_COLLECTION_NAME,
    SHIPYARD_AWS_COLLECTION_VERSION,
)

ROOT = Path(__file__).resolve().parents[2]
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
RUNTIME = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())


def _group():
    return RUNTIME["action_groups"]["aws"]


def test_user_agent_version_equals_galaxy_version():
    assert SHIPYARD_AWS_COLLECTION_VERSION == GALAXY["version"]


def test_user_agent_name_is_the_galaxy_namespace_and_name():
    assert SHIPYARD_AWS_COLLECTION_NAME == "shipyard.aws"
    assert f"{GALAXY['namespace']}.{GALAXY['name']}" == SHIPYARD_AWS_COLLECTION_NAME


def test_aws_action_group_lists_exactly_the_collections_aws_modules():
    # AWS modules are the ones built on ShipyardAWSModule; others (terraform_plan_summary) take no AWS options,
    # and module_defaults for the group would hand them options they refuse.
    modules = {
        p.stem for p in (ROOT / "plugins" / "modules").glob("*.py")
        if p.stem != "__init__" and "ShipyardAWSModule(" in p.read_text()
    }
    listed = [entry for entry in _group() if isinstance(entry, str)]
    assert modules, "plugins/modules holds no module"
    assert sorted(listed) == sorted(modules)


def test_aws_action_group_extends_amazon_aws_and_community_aws():
    metadata = [entry["metadata"] for entry in _group() if isinstance(entry, dict) and "metadata" in entry]
    assert len(metadata) == 1
    assert set(metadata[0]["extend_group"]) == {"amazon.aws.aws", "community.aws.aws"}


def test_collections_the_group_extends_are_declared_dependencies():
    assert {"amazon.aws", "community.aws"} <= set(GALAXY["dependencies"])
