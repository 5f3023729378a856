# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters the Terraform engine (role terraform_stack) uses to wire components and report on them."""

from __future__ import annotations

import os
import re
import time

from ansible.errors import AnsibleFilterError
from ansible_collections.shipyard.aws.plugins.module_utils.terraform_plan import stream_errors, stream_messages, summarize_plan_messages

SENSITIVE = "(sensitive)"
_COLUMNS = ("component", "result", "add", "change", "replace", "destroy", "seconds")


def component_inputs(component, common=None, outputs=None):
    """The variables of one component: common inputs, its own inputs, then the upstream outputs it names.
    A null value is left out, so the component's own default applies (on the command line Terraform would
    read it as the string "null")."""
    variables = dict(common or {})
    variables.update(component.get("inputs") or {})
    outputs = outputs or {}
    for variable, reference in sorted((component.get("inputs_from") or {}).items()):
        source, output = reference.split(".", 1)
        if source not in outputs:
            raise AnsibleFilterError(
                f"component {component['name']}: input {variable} reads {reference}, but {source} has not run "
                "in this play (did it fail, or is it missing from the graph?)"
            )
        if output not in outputs[source]:
            # Declared (component_waves checked that before any run) but null: Terraform keeps no null outputs,
            # so the input is left out and the component's default applies.
            variables.pop(variable, None)
            continue
        variables[variable] = outputs[source][output]
    return {name: value for name, value in variables.items() if value is not None}


def output_values(terraform_outputs):
    """``terraform output -json`` as returned by community.general.terraform -> {name: value}."""
    return {name: item.get("value") for name, item in (terraform_outputs or {}).items()}


def public_outputs(terraform_outputs):
    """The same, with every sensitive value replaced by "(sensitive)": safe to print."""
    return {
        name: SENSITIVE if item.get("sensitive") else item.get("value")
        for name, item in (terraform_outputs or {}).items()
    }


def last_error_lines(text, count=10):
    """The last lines of Terraform's error output that say something (no box-drawing, no blanks)."""
    lines = [line.strip(" │╷╵\t") for line in str(text or "").splitlines()]
    return [line for line in lines if line][-count:]


def stack_table(rows):
    """A fixed-width table: component, result, resources added/changed/replaced/destroyed, seconds."""
    table = [list(_COLUMNS)]
    for row in rows:
        counts = row.get("counts") or {}
        table.append(
            [
                str(row.get("name", "")),
                str(row.get("result", "")),
                *(str(counts.get(key, "-")) if counts else "-" for key in ("add", "change", "replace", "destroy")),
                f"{row['seconds']:.1f}" if isinstance(row.get("seconds"), (int, float)) else "-",
            ]
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(_COLUMNS))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]


def _error_text(result, count=10):
    message = str(result.get("msg") or "")
    if "STDERR:" in message:  # community.general.terraform's plan failure: STDOUT ... STDERR ... COMMAND (with -var values)
        stdout = message.split("STDOUT:", 1)[-1].split("\nSTDERR:", 1)[0]
        stderr = message.split("STDERR:", 1)[1].split("\nCOMMAND:", 1)[0]
        # Planned with -json, Terraform prints its errors as JSON diagnostics on stdout.
        message = "\n".join(stream_errors(stdout) + [stderr])
    return last_error_lines(message or result.get("stderr", ""), count)


def _finished_at(*results):
    """When the last of these async jobs finished: as async_jobs saw it (finished_at), else when its results file
    was last written (async_status)."""
    times = []
    for result in results:
        if isinstance(result, dict) and result.get("finished_at"):
            times.append(float(result["finished_at"]))
            continue
        try:
            times.append(os.path.getmtime(result["results_file"]))
        except (KeyError, TypeError, OSError):
            pass
    return max(times) if times else time.time()


def _component_of(result, depth):
    for dummy in range(depth):
        result = result["item"]
    return result["name"]


def lock_hint(error_lines, component, data_root="", components_root="", binary="terraform"):
    """For a state-lock timeout: Terraform's lock details, then the exact command that releases a stale lock."""
    if not any("Error acquiring the state lock" in line for line in error_lines):
        return []
    start = next(i for i, line in enumerate(error_lines) if "Error acquiring the state lock" in line)
    details = [line for line in error_lines[start:] if line.startswith(("Error:", "ID:", "Path:", "Operation:", "Who:", "Created:"))]
    match = next((re.match(r"ID:\s+(\S+)", line) for line in details if line.startswith("ID:")), None)
    lock_id = match.group(1) if match else "<lock ID>"
    return details + [
        f"the state of {component['name']} is locked by another run (lock ID {lock_id}); wait for it to finish.",
        "If no run holds it any more (a killed run), release it with:",
        f"  TF_DATA_DIR={data_root}/{component['name']} {binary} -chdir={components_root}/{component['path']} force-unlock -force {lock_id}",
    ]


def stack_waiting(batch, outputs, check_mode=False):
    """In check mode, the components that cannot be planned yet: an upstream they read outputs from has never
    been applied (no state, so no outputs). -> {component: [those upstream components]}. Terraform cannot plan
    with inputs it does not know; the first apply fills them in."""
    if not check_mode:
        return {}
    waiting = {}
    for component in batch:
        sources = sorted({ref.split(".", 1)[0] for ref in (component.get("inputs_from") or {}).values()})
        missing = [source for source in sources if not (outputs or {}).get(source)]
        if missing:
            waiting[component["name"]] = missing
    return waiting


def stack_plan_ahead(components, outputs, init=None):
    """The components that can be planned at the start, before any wave: every upstream component they read outputs
    from has outputs already, and none moves local state into the backend (that happens in its own wave)."""
    waiting = stack_waiting(components, outputs, check_mode=True)
    return [c for c in components if c["name"] not in waiting and not ((init or {}).get(c["name"]) or {}).get("migrate")]


def stack_select(waves, only=None):
    """The waves with only the components named in ``only`` (all when it is empty), in the same order; waves left
    empty are dropped. A name that is not an enabled component of the graph is an error: a typo would otherwise
    converge nothing and report success."""
    only = list(only or [])
    if not only:
        return waves
    known = [component["name"] for wave in waves for component in wave]
    unknown = [name for name in only if name not in known]
    if unknown:
        raise AnsibleFilterError(
            f"terraform_stack_only names {', '.join(unknown)}, which is not an enabled component of this environment "
            f"(its components: {', '.join(known)}). Nothing was run."
        )
    selected = [[component for component in wave if component["name"] in only] for wave in waves]
    return [wave for wave in selected if wave]


def stack_unapplied_upstream(waves, outputs):
    """For a run of selected components: those reading outputs of a component that is neither in the run nor has
    state yet -> {component: [those upstream components]}. They cannot be planned until the whole environment
    has been applied once."""
    selected = {component["name"] for wave in waves for component in wave}
    missing = {}
    for component in (c for wave in waves for c in wave):
        sources = sorted({ref.split(".", 1)[0] for ref in (component.get("inputs_from") or {}).values()})
        absent = [source for source in sources if source not in selected and not (outputs or {}).get(source)]
        if absent:
            missing[component["name"]] = absent
    return missing


def stack_plans_by_component(results):
    """shipyard.aws.async_jobs' results of the plan task -> {component: result}."""
    return {_component_of(result, 2): result for result in results or []}


def stack_reusable_plans(batch, ahead, rows, components=None):
    """The components of the batch whose plan made ahead still holds: it succeeded, and nothing upstream of them
    (``upstream`` is transitive, from component_waves) was applied in this run, so they would be planned with the
    same inputs against the same infrastructure. Everything else is planned again."""
    touched = {row["name"] for row in rows or [] if row.get("result") in ("applied", "failed")}
    reusable = []
    for component in batch:
        plan = (ahead or {}).get(component["name"])
        if plan is None or plan.get("failed"):
            continue
        if touched.intersection(component.get("upstream") or []):
            continue
        reusable.append(component["name"])
    return reusable


def stack_plan_summaries(plans):
    """What each successful plan of a batch would do, from the messages `terraform plan -json` printed while it
    planned -> [{item: component, has_changes, counts, resources, outputs_changed}]."""
    summaries = []
    for plan in plans or []:
        if plan.get("failed"):
            continue
        component = plan["item"]["item"]
        messages = stream_messages(plan.get("stdout"))
        if not any(message["type"] == "version" for message in messages):
            raise AnsibleFilterError(
                f"the plan of {component['name']} printed no JSON messages: it was not run with -json "
                "(the role sets TF_CLI_ARGS_plan=-json; does something else set TF_CLI_ARGS_plan?)"
            )
        summaries.append({"item": component, **summarize_plan_messages(messages)})
    return summaries


def stack_batch_result(batch, plans, summaries, applies, wave, started, state="present", check_mode=False,
                       data_root="", components_root="", binary="terraform", waiting=None, reused=None):
    """Fold one batch's async results into report rows, the components' outputs, and whether any failed.
    A component in ``reused`` was planned ahead: its seconds are the plan's own plus this batch's apply, if any."""
    plans = {_component_of(r, 2): r for r in plans}
    summaries = {_component_of(r, 1): r for r in summaries}
    applies = {_component_of(r, 3): r for r in applies}
    rows, outputs, failed = [], {}, False
    for component in batch:
        name = component["name"]
        plan, summary, apply = plans.get(name, {}), summaries.get(name), applies.get(name)
        row = {"name": name, "wave": wave, "counts": {}, "resources": [], "error": [], "outputs": {}}
        last = plan
        if name in (waiting or {}):
            row.update(result="not planned", waits_for=waiting[name], seconds=None)
            rows.append(row)
            continue
        if plan.get("failed"):
            row["result"] = "failed"
            row["error"] = _error_text(plan)
        elif state == "absent":
            # `terraform destroy` ends with "Resources: N destroyed."; in check mode the module only plans the
            # destroy, which ends with "Plan: 0 to add, 0 to change, N to destroy."
            destroyed = re.search(r"Resources: (\d+) destroyed|(\d+) to destroy", str(plan.get("stdout", "")))
            count = int(next(group for group in destroyed.groups() if group)) if destroyed else 0
            row["result"] = "would destroy" if check_mode else "destroyed"
            row["counts"] = {"add": 0, "change": 0, "replace": 0, "destroy": count}
        else:
            row["counts"], row["resources"] = summary["counts"], summary["resources"]
            source = plan
            if not summary["has_changes"]:
                row["result"] = "unchanged"
            elif check_mode:
                row["result"] = "would change"
            elif apply and apply.get("failed"):
                row["result"], row["error"], last = "failed", _error_text(apply), apply
            else:
                row["result"], source, last = "applied", apply or plan, apply or plan
            if row["result"] != "failed":
                outputs[name] = output_values(source.get("outputs"))
                row["outputs"] = public_outputs(source.get("outputs"))
        if row["error"]:
            # A lock error names the lock above the lines kept so far: show its details and the way out instead.
            hint = lock_hint(_error_text(last, 200), component, data_root, components_root, binary)
            row["error"] = hint or row["error"]
        failed = failed or row["result"] == "failed"
        if name in (reused or []):
            applied = last is not plan
            row["seconds"] = round(float(plan.get("seconds") or 0)
                                   + (max(0.0, _finished_at(last) - float(started)) if applied else 0.0), 1)
            row["started"] = round(float(started) - float(plan.get("seconds") or 0), 3)  # planned ahead, earlier
        else:
            row["seconds"] = round(max(0.0, _finished_at(plan, last) - float(started)), 1)
            row["started"] = round(float(started), 3)
        rows.append(row)
    return {"rows": rows, "outputs": outputs, "failed": failed}


def stack_status_line(row):
    """One line per component: what happened, the resource counts, how long it took, and why it failed."""
    counts = row.get("counts") or {}
    tally = ""
    if counts:
        tally = " (+{add} ~{change} ±{replace} -{destroy})".format(**counts)
    line = f"{row['name']}: {row['result']}{tally}"
    if isinstance(row.get("seconds"), (int, float)):
        line += f" in {row['seconds']:.1f}s"
    if row.get("error"):
        line += f": {row['error'][-1]}"
    if row.get("waits_for"):
        line += f": plans once {', '.join(row['waits_for'])} exist (applied)"
    return line


def stack_report(rows):
    """The summary table, then for each failed component the last lines Terraform printed."""
    lines = stack_table(rows)
    waiting = [row for row in rows if row.get("waits_for")]
    if waiting:
        lines.append("not planned (check mode): an upstream component they read outputs from has never been applied:")
        lines.extend(f"  {row['name']} waits for {', '.join(row['waits_for'])}" for row in waiting)
    for row in rows:
        if row.get("error"):
            lines.append(f"{row['name']} failed:")
            lines.extend(f"  {line}" for line in row["error"])
    return lines


def stack_status_lines(rows, diff=False):
    """A status line per component; with diff, every planned resource address and its action under it."""
    lines = []
    for row in rows:
        lines.append(stack_status_line(row))
        if diff:
            lines.extend(f"    {item['action']}: {item['address']}" for item in row.get("resources") or [])
    return lines


def stack_skipped_rows(components, wave):
    return [{"name": c["name"], "wave": wave, "result": "skipped", "counts": {}, "resources": [], "error": [],
             "outputs": {}, "seconds": None} for c in components]


class FilterModule:
    def filters(self):
        return {
            "component_inputs": component_inputs,
            "terraform_output_values": output_values,
            "terraform_public_outputs": public_outputs,
            "terraform_error_lines": last_error_lines,
            "stack_table": stack_table,
            "stack_batch_result": stack_batch_result,
            "stack_plan_summaries": stack_plan_summaries,
            "stack_status_line": stack_status_line,
            "stack_status_lines": stack_status_lines,
            "stack_skipped_rows": stack_skipped_rows,
            "stack_waiting": stack_waiting,
            "stack_plan_ahead": stack_plan_ahead,
            "stack_select": stack_select,
            "stack_unapplied_upstream": stack_unapplied_upstream,
            "stack_plans_by_component": stack_plans_by_component,
            "stack_reusable_plans": stack_reusable_plans,
            "stack_report": stack_report,
        }
