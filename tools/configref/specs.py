"""What the reference is generated from: each role's argument spec (entry point main) and each inventory's group_vars."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diagrams.inventory import ENVIRONMENTS, REPO_ROOT, group_vars

# The order a user meets the roles in (site.yml); roles not named here follow alphabetically.
ROLE_ORDER = ("tfstate_backend", "terraform_stack", "ecr_images", "ecs_deploy", "db_tunnel", "db_migrations",
              "ecs_schedule", "aurora_schedule")
ENTRY_POINT = "main"

__all__ = ["ENVIRONMENTS", "REPO_ROOT", "Option", "Role", "environment_files", "environment_values", "playbooks_running",
           "read_if_set", "roles"]

_SHIPYARD_NAME = re.compile(r"\b(shipyard_[a-z0-9_]+)\b")


@dataclass
class Option:
    name: str
    spec: dict
    suboptions: list["Option"] = field(default_factory=list)


@dataclass
class Role:
    name: str
    short_description: str
    entry_points: list[str]
    options: list[Option]

    @property
    def internal(self) -> bool:
        """A role only other roles use says so in its short description (roles/power_function)."""
        return self.short_description.lower().startswith("internal")


def _options(specs: dict | None) -> list[Option]:
    return [Option(name, spec or {}, _options((spec or {}).get("options"))) for name, spec in (specs or {}).items()]


def roles(root: Path = REPO_ROOT) -> list[Role]:
    found = []
    for path in sorted((root / "roles").glob("*/meta/argument_specs.yml")):
        name = path.parents[1].name
        entry_points = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("argument_specs") or {}
        main = entry_points.get(ENTRY_POINT)
        if main is None:
            continue
        found.append(Role(name, str(main.get("short_description", "")), list(entry_points), _options(main.get("options"))))
    rank = {name: number for number, name in enumerate(ROLE_ORDER)}
    return sorted(found, key=lambda role: (role.internal, rank.get(role.name, len(rank)), role.name))


def environment_values(root: Path = REPO_ROOT) -> dict[str, dict]:
    """Environment name => the variables its group_vars set (templates stay as written)."""
    return {env: group_vars(env, root) for env in ENVIRONMENTS if (root / "inventories" / env / "group_vars").is_dir()}


def environment_files(root: Path = REPO_ROOT) -> dict[str, dict[str, str]]:
    """Environment name => variable => the group_vars file (relative to the repository root) that sets it."""
    files: dict[str, dict[str, str]] = {}
    for env in ENVIRONMENTS:
        folder = root / "inventories" / env / "group_vars" / "all"
        for path in sorted(folder.glob("*.yml")):
            for variable in yaml.safe_load(path.read_text(encoding="utf-8")) or {}:
                files.setdefault(env, {})[variable] = path.relative_to(root).as_posix()
    return files


def playbooks_running(role: str, root: Path = REPO_ROOT) -> list[str]:
    """The playbooks that name the role (shipyard.aws.<role>), relative to the repository root."""
    pattern = re.compile(rf"\bshipyard\.aws\.{re.escape(role)}\b")
    return [p.relative_to(root).as_posix() for p in sorted((root / "playbooks").glob("*.yml"))
            if pattern.search(p.read_text(encoding="utf-8"))]


def read_if_set(root: Path = REPO_ROOT) -> dict[str, list[str]]:
    """shipyard_* variables the inventories or the playbooks' group_vars read but no inventory sets => where read."""
    derived = root / "playbooks" / "group_vars"
    files = sorted(derived.rglob("*.yml")) + sorted((root / "inventories").glob("*/group_vars/**/*.yml"))
    defined = {name for values in environment_values(root).values() for name in values}
    for path in sorted(derived.rglob("*.yml")):
        defined.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    readers: dict[str, list[str]] = {}
    for path in files:
        for name in sorted(set(_SHIPYARD_NAME.findall(path.read_text(encoding="utf-8"))) - defined):
            readers.setdefault(name, []).append(path.relative_to(root).as_posix())
    return dict(sorted(readers.items()))
