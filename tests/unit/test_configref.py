"""tools/configref: docs/configuration.md is generated from the roles' argument specs and the inventories, and kept current."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from configref.__main__ import TARGET, generate, main
from configref.markdown import markup
from configref.specs import REPO_ROOT


def sections(text: str) -> dict[str, str]:
    """The document's `## <name>` sections by name."""
    parts = text.split("\n## ")[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


def main_options(spec_file: Path) -> dict:
    return yaml.safe_load(spec_file.read_text(encoding="utf-8"))["argument_specs"]["main"].get("options") or {}


def option_names(options: dict, prefix: str = "") -> list[str]:
    names = []
    for name, spec in options.items():
        names.append(prefix + name)
        nested = "[]." if spec.get("type") == "list" else "."
        names += option_names(spec.get("options") or {}, prefix + name + nested)
    return names


@pytest.fixture(scope="module")
def document() -> dict[str, str]:
    return sections(generate())


def test_the_committed_reference_matches_the_specs_and_inventories():
    assert main(["--check"]) == 0, "run `make docs` and commit the result"


@pytest.mark.parametrize("spec_file", sorted(REPO_ROOT.glob("roles/*/meta/argument_specs.yml")), ids=lambda p: p.parents[1].name)
def test_every_option_of_every_role_appears_in_its_section(document, spec_file):
    role = spec_file.parents[1].name
    assert role in document, f"no section for role {role}"
    names = option_names(main_options(spec_file))
    assert names, f"{role} declares no option"
    missing = [name for name in names if f"| `{name}` |" not in document[role]]
    assert not missing


def test_an_option_row_carries_type_default_and_choices(document):
    row = next(line for line in document["tfstate_backend"].splitlines() if line.startswith("| `tfstate_backend_encryption` |"))
    assert row.startswith("| `tfstate_backend_encryption` | str | `aws:kms` | `aws:kms`, `AES256` |  | Default encryption")


def test_a_required_suboption_is_marked_required(document):
    row = next(line for line in document["ecr_images"].splitlines() if line.startswith("| `ecr_images_list[].name` |"))
    assert "| yes |" in row


def test_each_environment_shows_the_value_its_inventory_sets(document):
    # local and staging schedule an RDS instance, production an Aurora cluster (inventories/*/group_vars/all/environment.yml).
    engines = {env: yaml.safe_load((REPO_ROOT / f"inventories/{env}/group_vars/all/environment.yml").read_text())["aurora_schedule_engine"]
               for env in ("local", "staging", "production")}
    assert engines == {"local": "rds", "staging": "rds", "production": "aurora"}
    assert "| `aurora_schedule_engine` | `rds` | `rds` | `aurora` |" in document["aurora_schedule"]


def test_a_value_only_some_environments_set_leaves_the_others_empty(document):
    # Only production makes destroying need a confirmation.
    assert "| `terraform_stack_protected` |  |  | `true` |" in document["terraform_stack"]


def test_a_long_value_links_to_the_file_that_sets_it(document):
    row = next(line for line in document["terraform_stack"].splitlines() if line.startswith("| `terraform_stack_components` |")
               and "components.yml" in line)
    assert "see [components.yml](../inventories/production/group_vars/all/components.yml)" in row


def test_the_internal_role_is_marked_and_comes_last(document):
    assert list(document)[-1] == "power_function"
    assert document["power_function"].split("\n", 3)[2].startswith("*Internal:")


def test_inventory_variables_and_variables_read_only_when_set_are_listed(document):
    inventory = document["Inventory variables"]
    assert "| `shipyard_env` | `local` | `staging` | `production` |" in inventory
    assert "- `shipyard_aws_profile`: [playbooks/group_vars/all/shipyard.yml]" in inventory


def test_ansible_markup_becomes_markdown():
    assert markup("C(a) O(b=c) M(shipyard.aws.x) R(shipyard.aws.db_tunnel,ansible_collections.x) I(e) B(f)") == \
        "`a` `b=c` `shipyard.aws.x` shipyard.aws.db_tunnel *e* **f**"
    assert markup("C(<prefix>-aurora) or C({{ playbook_dir }}/../x)") == "`<prefix>-aurora` or `{{ playbook_dir }}/../x`"


@pytest.fixture()
def repo_copy(tmp_path: Path) -> Path:
    """What the generator reads, and the committed reference, in a temporary folder."""
    for folder in ("roles", "inventories", "playbooks"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    (tmp_path / "docs").mkdir()
    shutil.copy(REPO_ROOT / TARGET, tmp_path / TARGET)
    return tmp_path


def test_check_fails_and_says_make_docs_when_a_spec_changed_until_regenerated(repo_copy, capsys):
    assert main(["--check"], root=repo_copy) == 0
    spec_file = repo_copy / "roles/ecs_deploy/meta/argument_specs.yml"
    specs = yaml.safe_load(spec_file.read_text())
    specs["argument_specs"]["main"]["options"]["ecs_deploy_brand_new"] = {"type": "int", "default": 7, "description": "New."}
    spec_file.write_text(yaml.safe_dump(specs))

    assert main(["--check"], root=repo_copy) == 1
    assert "run `make docs`" in capsys.readouterr().err
    assert "ecs_deploy_brand_new" not in (repo_copy / TARGET).read_text(), "--check must not write"

    assert main([], root=repo_copy) == 0
    assert "| `ecs_deploy_brand_new` | int | `7` |  |  | New. |" in (repo_copy / TARGET).read_text()
    assert main(["--check"], root=repo_copy) == 0


def test_check_fails_when_an_inventory_value_changed(repo_copy):
    path = repo_copy / "inventories/staging/group_vars/all/environment.yml"
    path.write_text(path.read_text().replace("shipyard_schedule_database: true", "shipyard_schedule_database: false"))
    assert main(["--check"], root=repo_copy) == 1
    main([], root=repo_copy)
    assert "| `shipyard_schedule_database` | `true` | `false` | `false` |" in (repo_copy / TARGET).read_text()
