# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read the JSON form of a Terraform plan (terraform show -json) into counts and addresses."""

from __future__ import annotations

_KIND = {
    ("create",): "add",
    ("update",): "change",
    ("delete",): "destroy",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    # `removed` blocks with destroy = false (Terraform >= 1.7): the resource leaves the state, not AWS.
    ("forget",): "forget",
    ("create", "forget"): "replace",
}
_NOTHING = {(), ("no-op",), ("read",)}


def action_kind(actions, importing=False):
    """add / change / replace / destroy / forget / import, or None for no-op and read."""
    actions = tuple(actions)
    if actions in _NOTHING:
        return "import" if importing and actions == ("no-op",) else None
    # Any action this table does not know yet is still a change: never let a plan be skipped for being new.
    return _KIND.get(actions, "change")


def summarize_plan(plan):
    counts = {"add": 0, "change": 0, "replace": 0, "destroy": 0, "forget": 0, "import": 0, "outputs": 0}
    resources = []
    for change in plan.get("resource_changes") or []:
        details = change.get("change", {})
        actions = details.get("actions", [])
        kind = action_kind(actions, importing=bool(details.get("importing")))
        if kind is None:
            continue
        counts[kind] += 1
        resources.append({"address": change["address"], "action": kind, "actions": actions})
    outputs_changed = sorted(
        name for name, change in (plan.get("output_changes") or {}).items() if change.get("actions", ["no-op"]) != ["no-op"]
    )
    counts["outputs"] = len(outputs_changed)
    resources.sort(key=lambda item: item["address"])
    return {
        "has_changes": any(counts.values()),
        "counts": counts,
        "resources": resources,
        "outputs_changed": outputs_changed,
    }
