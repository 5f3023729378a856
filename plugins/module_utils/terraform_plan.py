# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Read a Terraform plan into counts and addresses: its JSON form (terraform show -json), or the messages
`terraform plan -json` prints while it plans."""

from __future__ import annotations

import json

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
_COUNTS = ("add", "change", "replace", "destroy", "forget", "import", "move", "outputs")


def action_kind(actions, importing=False, moved=False):
    """add / change / replace / destroy / forget / import / move, or None for no-op and read. An import or a move
    alone (a no-op at a new address) changes only the state, but it is applied, or every plan would propose it again."""
    actions = tuple(actions)
    if actions in _NOTHING:
        if actions == ("no-op",) and importing:
            return "import"
        return "move" if actions == ("no-op",) and moved else None
    # Any action this table does not know yet is still a change: never let a plan be skipped for being new.
    return _KIND.get(actions, "change")


def summarize_plan(plan):
    counts = dict.fromkeys(_COUNTS, 0)
    resources = []
    for change in plan.get("resource_changes") or []:
        details = change.get("change", {})
        actions = details.get("actions", [])
        kind = action_kind(actions, importing=bool(details.get("importing")),
                           moved=change.get("previous_address", change["address"]) != change["address"])
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


# The same kinds from Terraform's machine-readable UI (`plan -json`), whose planned_change messages carry one
# action per resource instance.
_STREAM_KIND = {
    "create": "add",
    "update": "change",
    "replace": "replace",
    "delete": "destroy",
    "remove": "forget",
    "import": "import",
    "move": "move",
}
_STREAM_NOTHING = {"noop", "read"}


def stream_messages(text):
    """The JSON messages of `terraform plan -json` (one per line); any other line is left out."""
    messages = []
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and "type" in message:
            messages.append(message)
    return messages


def summarize_plan_stream(text):
    """Counts and addresses, like summarize_plan, read from the messages `terraform plan -json` printed while it
    planned: no second Terraform process (`show -json` loads every provider's schema again)."""
    return summarize_plan_messages(stream_messages(text))


def summarize_plan_messages(messages):
    """summarize_plan_stream for messages already read with stream_messages."""
    counts = dict.fromkeys(_COUNTS, 0)
    resources = {}
    outputs_changed = set()
    for message in messages:
        if message["type"] == "planned_change":
            change = message.get("change") or {}
            action = change.get("action", "")
            if action in _STREAM_NOTHING:
                continue
            address = (change.get("resource") or {}).get("addr", "")
            resources[address] = {"address": address, "action": _STREAM_KIND.get(action, "change")}
        elif message["type"] == "outputs":
            outputs_changed.update(name for name, output in (message.get("outputs") or {}).items()
                                   if output.get("action", "noop") != "noop")
    for resource in resources.values():
        counts[resource["action"]] += 1
    counts["outputs"] = len(outputs_changed)
    return {
        "has_changes": any(counts.values()),
        "counts": counts,
        "resources": sorted(resources.values(), key=lambda item: item["address"]),
        "outputs_changed": sorted(outputs_changed),
    }


def stream_errors(text):
    """Terraform's error diagnostics from `-json` output as the lines it would have printed without -json."""
    lines = []
    for message in stream_messages(text):
        diagnostic = message.get("diagnostic") or {}
        if message["type"] != "diagnostic" or diagnostic.get("severity") != "error":
            continue
        lines.append(f"Error: {diagnostic.get('summary', '')}".rstrip())
        snippet = diagnostic.get("snippet") or {}
        where = diagnostic.get("range") or {}
        if where.get("filename"):
            context = f", in {snippet['context']}" if snippet.get("context") else ""
            lines.append(f"on {where['filename']} line {(where.get('start') or {}).get('line', '?')}{context}:")
        lines.extend(str(diagnostic.get("detail") or "").splitlines())
    return lines
