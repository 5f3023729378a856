"""What the pictures are drawn from: each inventory's group_vars, read as data (templates stay as written)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("local", "staging", "production")


def group_vars(environment: str, root: Path = REPO_ROOT) -> dict:
    merged: dict = {}
    folder = root / "inventories" / environment / "group_vars" / "all"
    for path in sorted(folder.glob("*.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


def components(environment: str, root: Path = REPO_ROOT) -> list[dict]:
    return [c for c in group_vars(environment, root).get("terraform_stack_components", []) if c.get("enabled", True)]


def waves(graph: list[dict]) -> list[list[dict]]:
    """The engine's own ordering (plugins/filter/component_waves.py), without the path checks."""
    spec = importlib.util.spec_from_file_location("component_waves", REPO_ROOT / "plugins" / "filter" / "component_waves.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.component_waves(graph)


def inputs(graph: list[dict], name: str) -> dict:
    return next((c.get("inputs") or {} for c in graph if c["name"] == name), {})
