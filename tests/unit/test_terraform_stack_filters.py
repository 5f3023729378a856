"""plugins/filter/terraform_stack.py: wiring Terraform components together and reporting what each one did."""

from __future__ import annotations

import os
import time

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.shipyard.aws.plugins.filter.terraform_stack import (
    FilterModule,
    component_inputs,
    last_error_lines,
    output_values,
    public_outputs,
    stack_batch_result,
    stack_plan_summaries,
    stack_plan_ahead,
    stack_plans_by_component,
    stack_report,
    stack_reusable_plans,
    stack_select,
    stack_skipped_rows,
    stack_status_line,
    stack_status_lines,
    lock_hint,
    stack_table,
    stack_unapplied_upstream,
    stack_waiting,
)

SECRET = "s3cr3t-t0ken-value"
STARTED = 1_700_000_000.0
ERROR_BOX = """
╷
│ Error: creating S3 Bucket (logs): BucketAlreadyExists
│
│   with aws_s3_bucket.logs,
│   on main.tf line 1, in resource "aws_s3_bucket" "logs":
│    1: resource "aws_s3_bucket" "logs" {
│
╵
"""


def comp(name, **extra):
    return {"name": name, "path": f"components/{name}", **extra}


def tf_outputs(**values):
    """community.general.terraform's `outputs`: {name: {value, type, sensitive}}; names starting with secret_ are sensitive."""
    return {name: {"value": value, "type": "string", "sensitive": name.startswith("secret_")} for name, value in values.items()}


def plan_result(component, **result):
    """An async_status result for a plan job: its item is the job, whose item is the component."""
    return {"finished": 1, "changed": False, **result, "item": {"ansible_job_id": f"j-{component['name']}", "item": component}}


def summary_result(plan, has_changes=None, **changed):
    """A terraform_plan_summary result: its item is the component the plan was made for (never the plan result,
    whose module arguments may carry sensitive variables)."""
    counts = {"add": 0, "change": 0, "replace": 0, "destroy": 0, "outputs": 0, **changed}
    resources = [{"address": f"null_resource.{kind}", "action": kind, "actions": ["create"]} for kind in changed]
    if has_changes is None:
        has_changes = any(counts.values())
    return {"changed": False, "has_changes": has_changes, "counts": counts, "resources": resources, "outputs_changed": [], "item": plan["item"]["item"]}


def apply_result(summary, **result):
    """An async_status result for an apply job: its item is the job, whose item is the summary."""
    return {"finished": 1, **result, "item": {"ansible_job_id": "j-apply", "item": summary}}


def results_file(tmp_path, name, mtime):
    path = tmp_path / name
    path.write_text("{}")
    os.utime(path, (mtime, mtime))
    return str(path)


def run(batch, plans=(), summaries=(), applies=(), **kwargs):
    kwargs.setdefault("wave", 1)
    kwargs.setdefault("started", STARTED)
    return stack_batch_result(batch, list(plans), list(summaries), list(applies), **kwargs)


def only_row(result):
    assert len(result["rows"]) == 1
    return result["rows"][0]


def plan_failure_message(stderr, stdout="Initializing plugins...", command="terraform plan -no-color -out /tmp/x.tfplan"):
    """community.general.terraform's message when `terraform plan` exits 1 (the command ends with every -var value)."""
    return (
        f"Terraform plan could not be created\nSTDOUT: {stdout}\nSTDERR: {stderr}\n"
        f"COMMAND: {command} -var token={SECRET}"
    )


def unchanged(name="a", **outputs):
    component = comp(name)
    plan = plan_result(component, outputs=tf_outputs(**outputs))
    return component, plan, summary_result(plan)


def changed(name="b", plan_outputs=None, apply_outputs=None, **apply):
    component = comp(name)
    plan = plan_result(component, outputs=tf_outputs(**(plan_outputs or {})))
    summary = summary_result(plan, add=1)
    return component, plan, summary, apply_result(summary, changed=True, outputs=tf_outputs(**(apply_outputs or {})), **apply)


# the filters -------------------------------------------------------------------------------------------------------


def test_the_filters_are_exposed_under_their_names():
    assert FilterModule().filters() == {
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


# component_inputs --------------------------------------------------------------------------------------------------


def test_a_component_without_inputs_gets_the_common_inputs():
    assert component_inputs(comp("a"), {"region": "eu-west-1"}) == {"region": "eu-west-1"}


def test_a_component_without_any_inputs_gets_nothing():
    assert component_inputs(comp("a")) == {}
    assert component_inputs(comp("a", inputs=None, inputs_from=None), None, None) == {}


def test_own_inputs_override_common_inputs():
    variables = component_inputs(comp("a", inputs={"region": "us-east-1", "size": 2}), {"region": "eu-west-1", "env": "dev"})
    assert variables == {"region": "us-east-1", "size": 2, "env": "dev"}


def test_inputs_from_reads_the_named_output_of_the_upstream_component():
    component = comp("app", inputs_from={"vpc_id": "network.vpc_id"})
    assert component_inputs(component, {}, {"network": {"vpc_id": "vpc-123", "cidr": "10.0.0.0/16"}}) == {"vpc_id": "vpc-123"}


def test_inputs_from_overrides_inputs_and_common_inputs():
    component = comp("app", inputs={"vpc_id": "from-inputs"}, inputs_from={"vpc_id": "network.vpc_id"})
    variables = component_inputs(component, {"vpc_id": "from-common"}, {"network": {"vpc_id": "vpc-123"}})
    assert variables == {"vpc_id": "vpc-123"}


def test_inputs_from_passes_structured_outputs_through_unchanged():
    subnets = ["subnet-a", "subnet-b"]
    component = comp("app", inputs_from={"subnets": "network.subnets"})
    assert component_inputs(component, {}, {"network": {"subnets": subnets}})["subnets"] == subnets


def test_the_output_name_is_everything_after_the_first_dot():
    component = comp("app", inputs_from={"value": "network.a.b"})
    assert component_inputs(component, {}, {"network": {"a.b": 1}}) == {"value": 1}


def test_component_inputs_does_not_modify_the_common_inputs():
    common = {"region": "eu-west-1"}
    component_inputs(comp("a", inputs={"region": "us-east-1", "extra": 1}), common)
    assert common == {"region": "eu-west-1"}


def input_error(component, outputs):
    with pytest.raises(AnsibleFilterError) as info:
        component_inputs(component, {}, outputs)
    return str(info.value)


def test_an_upstream_component_that_has_not_run_is_an_error_naming_component_variable_and_reference():
    message = input_error(comp("app", inputs_from={"vpc_id": "network.vpc_id"}), {"dns": {"zone": "z"}})
    assert "component app" in message
    assert "input vpc_id" in message
    assert "network.vpc_id" in message
    assert "network has not run" in message


def test_a_declared_output_that_is_null_is_absent_from_the_state_and_the_input_is_left_out():
    # component_waves checks before any run that the output is declared; Terraform keeps no null outputs.
    variables = component_inputs(comp("app", inputs_from={"waf": "security.waf_web_acl_arn"}),
                                 {}, {"security": {"alb_sg": "sg-1"}})
    assert "waf" not in variables


def test_output_values_keeps_only_the_values():
    assert output_values(tf_outputs(url="https://x", count=3)) == {"url": "https://x", "count": 3}


def test_output_values_keeps_sensitive_values_for_wiring():
    assert output_values(tf_outputs(secret_token=SECRET)) == {"secret_token": SECRET}


@pytest.mark.parametrize("nothing", [None, {}])
def test_output_values_of_nothing_is_empty(nothing):
    assert output_values(nothing) == {}


def test_public_outputs_replaces_sensitive_values():
    assert public_outputs(tf_outputs(url="https://x", secret_token=SECRET)) == {"url": "https://x", "secret_token": "(sensitive)"}


def test_public_outputs_never_contains_a_sensitive_value():
    result = public_outputs({"token": {"value": {"nested": [SECRET]}, "type": "object", "sensitive": True}})
    assert SECRET not in repr(result)


@pytest.mark.parametrize("nothing", [None, {}])
def test_public_outputs_of_nothing_is_empty(nothing):
    assert public_outputs(nothing) == {}


# last_error_lines --------------------------------------------------------------------------------------------------


def test_error_lines_drop_blank_lines_and_box_drawing():
    assert last_error_lines(ERROR_BOX) == [
        "Error: creating S3 Bucket (logs): BucketAlreadyExists",
        "with aws_s3_bucket.logs,",
        'on main.tf line 1, in resource "aws_s3_bucket" "logs":',
        '1: resource "aws_s3_bucket" "logs" {',
    ]


def test_error_lines_contain_no_box_drawing_characters():
    assert not any(char in line for line in last_error_lines(ERROR_BOX) for char in "│╷╵")


def test_error_lines_keep_the_last_count_lines():
    text = "\n".join(f"line {number}" for number in range(1, 8))
    assert last_error_lines(text, 3) == ["line 5", "line 6", "line 7"]


def test_error_lines_keep_ten_lines_by_default():
    text = "\n".join(f"line {number}" for number in range(1, 31))
    assert last_error_lines(text) == [f"line {number}" for number in range(21, 31)]


@pytest.mark.parametrize("nothing", [None, "", "\n│\n╵\n"])
def test_error_lines_of_nothing_are_empty(nothing):
    assert last_error_lines(nothing) == []


# stack_table -------------------------------------------------------------------------------------------------------


TABLE_ROWS = [
    {"name": "network", "result": "applied", "counts": {"add": 12, "change": 0, "replace": 1, "destroy": 0}, "seconds": 83.25},
    {"name": "a", "result": "would change", "counts": {"add": 0, "change": 3, "replace": 0, "destroy": 0}, "seconds": 1},
    {"name": "application-database", "result": "skipped", "counts": {}, "seconds": None},
]


def cell_starts(header):
    starts, position = [], 0
    for column in header.split():
        position = header.index(column, position)
        starts.append(position)
        position += len(column)
    return starts


def test_the_table_starts_with_the_header():
    assert stack_table([])[0].split() == ["component", "result", "add", "change", "replace", "destroy", "seconds"]


def test_the_table_has_one_line_per_component_after_the_header():
    lines = stack_table(TABLE_ROWS)
    assert len(lines) == 1 + len(TABLE_ROWS)
    assert [line.split("  ")[0] for line in lines[1:]] == ["network", "a", "application-database"]


def test_the_table_shows_counts_and_seconds_with_one_decimal():
    assert stack_table(TABLE_ROWS)[1].split() == ["network", "applied", "12", "0", "1", "0", "83.2"]


def test_the_table_shows_a_dash_for_missing_counts_and_seconds():
    assert stack_table(TABLE_ROWS)[3].split() == ["application-database", "skipped", "-", "-", "-", "-", "-"]


def test_the_table_shows_a_dash_for_a_count_it_was_not_given():
    assert stack_table([{"name": "a", "result": "destroyed", "counts": {"destroy": 4}, "seconds": 2.0}])[1].split() == [
        "a", "destroyed", "-", "-", "-", "4", "2.0",
    ]


def test_the_table_columns_are_aligned():
    lines = stack_table(TABLE_ROWS)
    starts = cell_starts(lines[0])
    for line in lines[1:]:
        for start in starts:
            assert line[start] != " ", (line, start)
            assert start == 0 or line[start - 2:start] == "  ", (line, start)


def test_the_table_lines_have_no_trailing_spaces():
    assert all(line == line.rstrip() for line in stack_table(TABLE_ROWS))


# stack_batch_result: results -------------------------------------------------------------------------------------


def test_a_component_whose_plan_changes_nothing_is_unchanged_and_needs_no_apply():
    component, plan, summary = unchanged(url="https://x")
    row = only_row(run([component], [plan], [summary]))
    assert row["result"] == "unchanged"
    assert row["error"] == []


def test_an_unchanged_component_reports_the_summary_counts_and_resources():
    component, plan, summary = unchanged()
    row = only_row(run([component], [plan], [summary]))
    assert row["counts"] == summary["counts"]
    assert row["resources"] == summary["resources"]


def test_an_unchanged_component_passes_on_its_current_outputs():
    component, plan, summary = unchanged(url="https://x")
    result = run([component], [plan], [summary])
    assert result["outputs"] == {"a": {"url": "https://x"}}


def test_an_applied_component_is_applied_with_the_plan_counts():
    component, plan, summary, apply = changed()
    row = only_row(run([component], [plan], [summary], [apply]))
    assert row["result"] == "applied"
    assert row["counts"]["add"] == 1
    assert row["resources"] == summary["resources"]


def test_an_applied_component_passes_on_the_outputs_of_the_apply_not_of_the_plan():
    component, plan, summary, apply = changed(plan_outputs={"url": "old"}, apply_outputs={"url": "new", "arn": "arn:x"})
    result = run([component], [plan], [summary], [apply])
    assert result["outputs"] == {"b": {"url": "new", "arn": "arn:x"}}
    assert result["rows"][0]["outputs"] == {"url": "new", "arn": "arn:x"}


def test_an_applied_component_passes_sensitive_outputs_on_but_hides_them_in_its_row():
    component, plan, summary, apply = changed(apply_outputs={"url": "new", "secret_token": SECRET})
    result = run([component], [plan], [summary], [apply])
    assert result["outputs"]["b"]["secret_token"] == SECRET
    assert result["rows"][0]["outputs"] == {"url": "new", "secret_token": "(sensitive)"}
    assert SECRET not in repr(result["rows"])


def test_check_mode_with_changes_would_change_and_needs_no_apply():
    component, plan, summary, dummy_apply = changed(plan_outputs={"url": "current"})
    result = run([component], [plan], [summary], check_mode=True)
    row = only_row(result)
    assert row["result"] == "would change"
    assert row["counts"]["add"] == 1
    assert result["outputs"] == {"b": {"url": "current"}}
    assert result["failed"] is False


def test_check_mode_without_changes_is_still_unchanged():
    component, plan, summary = unchanged()
    assert only_row(run([component], [plan], [summary], check_mode=True))["result"] == "unchanged"


def test_check_mode_hides_sensitive_outputs_in_the_row():
    component, plan, summary = unchanged(secret_token=SECRET)
    result = run([component], [plan], [summary], check_mode=True)
    assert result["rows"][0]["outputs"] == {"secret_token": "(sensitive)"}
    assert SECRET not in repr(result["rows"])


# stack_batch_result: failures ------------------------------------------------------------------------------------


def failed_plan(name="c", stderr="Error: Unsupported argument\n\n  on main.tf line 4:\n   4:   bogus = 1"):
    return plan_result(comp(name), failed=True, msg=plan_failure_message(stderr))


def test_a_failed_plan_fails_the_component_with_the_lines_terraform_printed_on_stderr():
    plan = failed_plan()
    row = only_row(run([comp("c")], [plan]))
    assert row["result"] == "failed"
    assert row["error"] == ["Error: Unsupported argument", "on main.tf line 4:", "4:   bogus = 1"]


def test_a_failed_plan_error_leaves_out_stdout_and_the_command():
    plan = plan_result(comp("c"), failed=True, msg=plan_failure_message("Error: boom", stdout="Refreshing state..."))
    error = only_row(run([comp("c")], [plan]))["error"]
    assert error == ["Error: boom"]


def test_a_failed_plan_row_never_contains_the_variables_of_the_command():
    plan = plan_result(comp("c"), failed=True, msg=plan_failure_message(ERROR_BOX), stderr=ERROR_BOX)
    row = only_row(run([comp("c")], [plan]))
    assert row["error"][0] == "Error: creating S3 Bucket (logs): BucketAlreadyExists"
    assert SECRET not in repr(row)


def test_a_failed_plan_without_a_message_takes_the_error_from_stderr():
    plan = plan_result(comp("c"), failed=True, stderr="Error: timeout\n")
    assert only_row(run([comp("c")], [plan]))["error"] == ["Error: timeout"]


def test_a_failed_apply_fails_the_component_with_its_message():
    component, plan, summary, apply = changed(failed=True, msg=ERROR_BOX.strip())
    row = only_row(run([component], [plan], [summary], [apply]))
    assert row["result"] == "failed"
    assert row["error"][0] == "Error: creating S3 Bucket (logs): BucketAlreadyExists"
    assert row["error"][-1] == '1: resource "aws_s3_bucket" "logs" {'


def test_a_failed_apply_keeps_the_counts_of_its_plan():
    component, plan, summary, apply = changed(failed=True, msg="Error: boom")
    assert only_row(run([component], [plan], [summary], [apply]))["counts"]["add"] == 1


def test_failed_components_contribute_no_outputs():
    good, good_plan, good_summary = unchanged(name="a", url="https://x")
    bad, bad_plan, bad_summary, bad_apply = changed(name="b", plan_outputs={"old": "1"}, apply_outputs={"half": "2"}, failed=True, msg="Error")
    result = run([good, bad, comp("c")], [good_plan, bad_plan, failed_plan("c")], [good_summary, bad_summary], [bad_apply])
    assert result["outputs"] == {"a": {"url": "https://x"}}
    assert [row["outputs"] for row in result["rows"]] == [{"url": "https://x"}, {}, {}]


def test_a_batch_without_failures_is_not_failed():
    first, first_plan, first_summary = unchanged(name="a")
    second, second_plan, second_summary, second_apply = changed(name="b")
    result = run([first, second], [first_plan, second_plan], [first_summary, second_summary], [second_apply])
    assert result["failed"] is False


def test_one_failed_component_fails_the_batch_but_its_siblings_keep_their_results():
    good, good_plan, good_summary = unchanged(name="a")
    result = run([comp("c"), good], [failed_plan("c"), good_plan], [good_summary])
    assert result["failed"] is True
    assert [(row["name"], row["result"]) for row in result["rows"]] == [("c", "failed"), ("a", "unchanged")]


def test_rows_follow_the_batch_order_and_carry_the_wave():
    first, first_plan, first_summary = unchanged(name="z")
    second, second_plan, second_summary = unchanged(name="m")
    result = run([first, second], [second_plan, first_plan], [second_summary, first_summary], wave=4)
    assert [(row["name"], row["wave"]) for row in result["rows"]] == [("z", 4), ("m", 4)]


# stack_batch_result: destroy -------------------------------------------------------------------------------------


DESTROY_STDOUT = "aws_s3_bucket.logs: Destroying...\naws_s3_bucket.logs: Destruction complete after 1s\n\nDestroy complete! Resources: 3 destroyed.\n"


def test_destroy_counts_the_destroyed_resources():
    plan = plan_result(comp("a"), changed=True, stdout=DESTROY_STDOUT)
    row = only_row(run([comp("a")], [plan], state="absent"))
    assert row["result"] == "destroyed"
    assert row["counts"] == {"add": 0, "change": 0, "replace": 0, "destroy": 3}


def test_destroy_without_a_count_in_its_output_counts_zero():
    plan = plan_result(comp("a"), stdout="No changes. No objects need to be destroyed.")
    assert only_row(run([comp("a")], [plan], state="absent"))["counts"]["destroy"] == 0


def test_destroy_in_check_mode_would_destroy():
    plan = plan_result(comp("a"), stdout=DESTROY_STDOUT)
    assert only_row(run([comp("a")], [plan], state="absent", check_mode=True))["result"] == "would destroy"


def test_destroy_in_check_mode_counts_what_the_destroy_plan_would_remove():
    plan = plan_result(comp("a"), stdout="Terraform will perform the following actions:\n...\nPlan: 0 to add, 0 to change, 3 to destroy.\n")
    assert only_row(run([comp("a")], [plan], state="absent", check_mode=True))["counts"]["destroy"] == 3


def test_a_failed_destroy_is_failed():
    plan = plan_result(comp("a"), failed=True, msg="Error: deleting S3 Bucket (logs): BucketNotEmpty")
    result = run([comp("a")], [plan], state="absent")
    assert only_row(result)["result"] == "failed"
    assert only_row(result)["error"] == ["Error: deleting S3 Bucket (logs): BucketNotEmpty"]
    assert result["failed"] is True


# stack_batch_result: seconds -------------------------------------------------------------------------------------


def test_seconds_run_from_the_batch_start_to_when_the_plan_finished(tmp_path):
    component = comp("a")
    plan = plan_result(component, results_file=results_file(tmp_path, "plan", STARTED + 4.25))
    row = only_row(run([component], [plan], [summary_result(plan)]))
    assert row["seconds"] == pytest.approx(4.2, abs=0.11)


def test_seconds_of_an_applied_component_run_until_the_apply_finished(tmp_path):
    component = comp("b")
    plan = plan_result(component, results_file=results_file(tmp_path, "plan", STARTED + 2))
    summary = summary_result(plan, add=1)
    apply = apply_result(summary, results_file=results_file(tmp_path, "apply", STARTED + 9))
    assert only_row(run([component], [plan], [summary], [apply]))["seconds"] == 9.0


def test_seconds_of_a_failed_plan_run_until_the_plan_finished(tmp_path):
    plan = plan_result(comp("c"), failed=True, msg="Error: x", results_file=results_file(tmp_path, "plan", STARTED + 3))
    assert only_row(run([comp("c")], [plan]))["seconds"] == 3.0


def test_seconds_are_never_negative(tmp_path):
    component = comp("a")
    plan = plan_result(component, results_file=results_file(tmp_path, "plan", STARTED - 60))
    assert only_row(run([component], [plan], [summary_result(plan)]))["seconds"] == 0.0


def test_seconds_without_a_results_file_run_until_now():
    component, plan, summary = unchanged()
    started = time.time() - 100
    seconds = only_row(run([component], [plan], [summary], started=started))["seconds"]
    assert 99.0 <= seconds <= 110.0


def test_seconds_of_each_component_run_until_async_jobs_saw_its_own_job_finish():
    # async_jobs removes the job files and records when it saw each job finish: components of one batch that ended
    # at different times keep their own durations (not the batch's).
    quick, slow = comp("ecr"), comp("storage")
    quick_plan, slow_plan = plan_result(quick, finished_at=STARTED + 3), plan_result(slow, finished_at=STARTED + 20)
    quick_summary, slow_summary = summary_result(quick_plan, add=1), summary_result(slow_plan, add=1)
    applies = [apply_result(quick_summary, finished_at=STARTED + 7), apply_result(slow_summary, finished_at=STARTED + 63)]
    rows = run([quick, slow], [quick_plan, slow_plan], [quick_summary, slow_summary], applies)["rows"]
    assert [(row["name"], row["seconds"], row["started"]) for row in rows] == [("ecr", 7.0, STARTED), ("storage", 63.0, STARTED)]


def test_seconds_accept_started_as_a_string(tmp_path):
    component = comp("a")
    plan = plan_result(component, results_file=results_file(tmp_path, "plan", STARTED + 5))
    assert only_row(run([component], [plan], [summary_result(plan)], started=str(STARTED)))["seconds"] == 5.0


# stack_status_line, stack_skipped_rows, stack_report -------------------------------------------------------------


def test_the_status_line_gives_result_counts_and_seconds():
    row = {"name": "b", "result": "applied", "counts": {"add": 1, "change": 0, "replace": 0, "destroy": 0, "outputs": 2}, "seconds": 3.21}
    assert stack_status_line(row) == "b: applied (+1 ~0 ±0 -0) in 3.2s"


def test_the_status_line_of_a_failure_ends_with_the_last_error_line():
    row = {"name": "c", "result": "failed", "counts": {}, "seconds": 0.5, "error": ["Error: boom", "on main.tf line 4:"]}
    assert stack_status_line(row) == "c: failed in 0.5s: on main.tf line 4:"


def test_the_status_line_of_a_skipped_component_has_neither_counts_nor_seconds():
    assert stack_status_line(stack_skipped_rows([comp("d")], 2)[0]) == "d: skipped"


def test_skipped_rows_have_one_skipped_row_per_component_in_order():
    rows = stack_skipped_rows([comp("x"), comp("y")], 3)
    assert rows == [
        {"name": name, "wave": 3, "result": "skipped", "counts": {}, "resources": [], "error": [], "outputs": {}, "seconds": None}
        for name in ("x", "y")
    ]


def test_skipped_rows_fit_the_table():
    assert stack_table(stack_skipped_rows([comp("x")], 1))[1].split() == ["x", "skipped", "-", "-", "-", "-", "-"]


def test_the_report_without_failures_is_the_table():
    assert stack_report(TABLE_ROWS) == stack_table(TABLE_ROWS)


def test_the_report_lists_the_error_lines_of_each_failure_after_the_table():
    rows = [
        {"name": "a", "result": "applied", "counts": {"add": 1, "change": 0, "replace": 0, "destroy": 0}, "seconds": 1.0, "error": []},
        {"name": "c", "result": "failed", "counts": {}, "seconds": 2.0, "error": ["Error: boom", "on main.tf line 4:"]},
        {"name": "e", "result": "failed", "counts": {}, "seconds": 3.0, "error": ["Error: bang"]},
    ]
    lines = stack_report(rows)
    assert lines[:4] == stack_table(rows)
    assert lines[4:] == ["c failed:", "  Error: boom", "  on main.tf line 4:", "e failed:", "  Error: bang"]


# what the role adds on top ------------------------------------------------------------------------------------------


def test_status_lines_list_planned_resources_only_in_diff_mode():
    row = {"name": "c", "result": "would change", "counts": {"add": 0, "change": 1, "replace": 0, "destroy": 0},
           "seconds": 1.0, "resources": [{"address": "aws_ssm_parameter.c", "action": "change", "actions": ["update"]}]}
    assert stack_status_lines([row]) == ["c: would change (+0 ~1 ±0 -0) in 1.0s"]
    assert stack_status_lines([row], diff=True) == ["c: would change (+0 ~1 ±0 -0) in 1.0s", "    change: aws_ssm_parameter.c"]


def test_a_lock_timeout_names_the_lock_and_the_exact_unlock_command():
    error = ["Error: Error acquiring the state lock", "Lock Info:", "ID:        6d5c8a1e-1111-2222-3333-444455556666",
             "Path:      bucket/local/a/terraform.tfstate"]
    hint = lock_hint(error, {"name": "a", "path": "a"}, "/data/local", "/stack", "/usr/bin/terraform")
    assert hint[:3] == ["Error: Error acquiring the state lock", "ID:        6d5c8a1e-1111-2222-3333-444455556666",
                        "Path:      bucket/local/a/terraform.tfstate"]
    assert "lock ID 6d5c8a1e-1111-2222-3333-444455556666" in hint[3]
    assert hint[-1].strip() == ("TF_DATA_DIR=/data/local/a /usr/bin/terraform -chdir=/stack/a force-unlock -force "
                                "6d5c8a1e-1111-2222-3333-444455556666")
    assert lock_hint(["Error: something else"], {"name": "a", "path": "a"}) == []


def test_null_inputs_are_left_out_so_the_components_default_applies():
    component = {"name": "monitoring", "inputs": {"alarm_email": None, "monthly_budget_usd": 100},
                 "inputs_from": {"waf": "security.waf_web_acl_arn"}}
    variables = component_inputs(component, {"prefix": "p"}, {"security": {"waf_web_acl_arn": None}})
    assert variables == {"prefix": "p", "monthly_budget_usd": 100}


def test_check_mode_cannot_plan_a_component_whose_upstream_was_never_applied():
    batch = [comp("security", inputs_from={"vpc_id": "network.vpc_id"}),
             comp("compute", inputs_from={"vpc_id": "network.vpc_id", "role": "security.role_arn"}),
             comp("ecr")]
    expected = {"security": ["network"], "compute": ["network", "security"]}
    assert stack_waiting(batch, {"network": {}}, check_mode=True) == expected
    assert stack_waiting(batch, {"network": {"vpc_id": "v"}, "security": {"role_arn": "r"}}, check_mode=True) == {}
    assert stack_waiting(batch, {}, check_mode=False) == {}, "an apply plans everything (upstream applied first)"


def test_a_component_not_planned_is_reported_with_what_it_waits_for_and_is_not_a_failure():
    batch = [comp("security", inputs_from={"vpc_id": "network.vpc_id"})]
    result = stack_batch_result(batch, [], [], [], wave=2, started=0, check_mode=True, waiting={"security": ["network"]})
    assert result["failed"] is False and result["outputs"] == {}
    row = result["rows"][0]
    assert row["result"] == "not planned"
    assert stack_status_line(row) == "security: not planned: plans once network exist (applied)"
    assert "  security waits for network" in stack_report(result["rows"])


# planning ahead ----------------------------------------------------------------------------------------------------

DIAMOND = [
    comp("a", upstream=[]),
    comp("b", upstream=["a"], inputs_from={"x": "a.value"}),
    comp("c", upstream=["a"], inputs_from={"x": "a.value"}),
    comp("d", upstream=["a", "b", "c"], inputs_from={"y": "b.value", "z": "c.value"}),
]


def names(components):
    return [c["name"] for c in components]


def test_on_a_new_environment_only_components_reading_no_outputs_are_planned_ahead():
    assert names(stack_plan_ahead(DIAMOND, {})) == ["a"]


def test_on_an_applied_environment_every_component_is_planned_ahead():
    outputs = {name: {"value": name} for name in "abcd"}
    assert names(stack_plan_ahead(DIAMOND, outputs)) == ["a", "b", "c", "d"]


def test_a_component_whose_upstream_has_no_outputs_yet_is_not_planned_ahead():
    assert names(stack_plan_ahead(DIAMOND, {"a": {"value": "a"}})) == ["a", "b", "c"]


def test_a_component_moving_local_state_into_the_backend_is_planned_in_its_wave():
    outputs = {name: {"value": name} for name in "abcd"}
    assert names(stack_plan_ahead(DIAMOND, outputs, {"b": {"migrate": True}, "c": {"migrate": False}})) == ["a", "c", "d"]


def test_plans_are_keyed_by_their_component():
    plans = [plan_result(comp("a")), plan_result(comp("b"), failed=True)]
    assert stack_plans_by_component(plans) == {"a": plans[0], "b": plans[1]}


def ahead_of(*components, failed=()):
    return {c["name"]: plan_result(c, failed=c["name"] in failed) for c in components}


def test_plans_made_ahead_hold_while_nothing_upstream_was_applied():
    ahead = ahead_of(*DIAMOND)
    rows = [{"name": "a", "result": "unchanged"}, {"name": "b", "result": "unchanged"}, {"name": "c", "result": "unchanged"}]
    assert stack_reusable_plans(DIAMOND[3:], ahead, rows) == ["d"]


def test_a_plan_made_ahead_is_stale_once_any_component_upstream_was_applied_even_indirectly():
    ahead = ahead_of(*DIAMOND)
    rows = [{"name": "a", "result": "applied"}, {"name": "b", "result": "unchanged"}, {"name": "c", "result": "unchanged"}]
    assert stack_reusable_plans(DIAMOND[1:3], ahead, rows[:1]) == []
    assert stack_reusable_plans(DIAMOND[3:], ahead, rows) == []


def test_a_plan_beside_an_applied_component_still_holds():
    ahead = ahead_of(*DIAMOND)
    assert stack_reusable_plans(DIAMOND[2:3], ahead, [{"name": "a", "result": "unchanged"}, {"name": "b", "result": "applied"}]) == ["c"]


def test_a_failed_or_missing_plan_made_ahead_is_planned_again():
    ahead = ahead_of(DIAMOND[1], failed=("b",))
    assert stack_reusable_plans(DIAMOND[1:3], ahead, [{"name": "a", "result": "unchanged"}]) == []


def test_in_check_mode_nothing_is_applied_so_every_plan_made_ahead_holds():
    ahead = ahead_of(*DIAMOND)
    rows = [{"name": "a", "result": "would change"}, {"name": "b", "result": "would change"}]
    assert stack_reusable_plans(DIAMOND[1:], ahead, rows) == ["b", "c", "d"]


def test_a_reused_plan_counts_its_own_seconds_when_nothing_was_applied():
    component = comp("d")
    plan = plan_result(component, seconds=7.5, outputs=tf_outputs(value="d"))
    row = only_row(run([component], [plan], [summary_result(plan)], reused=["d"]))
    assert row["result"] == "unchanged"
    assert row["seconds"] == 7.5


DIAMOND_WAVES = [
    [{"name": "a"}],
    [{"name": "b", "inputs_from": {"x": "a.value"}}, {"name": "c", "inputs_from": {"x": "a.value"}}],
    [{"name": "d", "inputs_from": {"b": "b.value", "c": "c.plain", "bucket": "a.bucket"}}],
]


def test_select_keeps_the_named_components_in_wave_order_and_drops_empty_waves():
    assert stack_select(DIAMOND_WAVES, ["d", "b"]) == [[DIAMOND_WAVES[1][0]], DIAMOND_WAVES[2]]


def test_select_without_names_keeps_every_component():
    assert stack_select(DIAMOND_WAVES, []) == DIAMOND_WAVES
    assert stack_select(DIAMOND_WAVES, None) == DIAMOND_WAVES


def test_select_of_an_unknown_component_names_it_and_the_known_ones():
    with pytest.raises(AnsibleFilterError, match=r"names e, which is not an enabled component .*\(its components: a, b, c, d\)"):
        stack_select(DIAMOND_WAVES, ["b", "e"])


def test_unapplied_upstream_is_what_a_selected_component_reads_that_is_neither_selected_nor_in_state():
    selected = stack_select(DIAMOND_WAVES, ["c", "d"])
    assert stack_unapplied_upstream(selected, {}) == {"c": ["a"], "d": ["a", "b"]}
    assert stack_unapplied_upstream(selected, {"a": {"value": 1}, "b": {}}) == {"d": ["b"]}
    assert stack_unapplied_upstream(selected, {"a": {"value": 1}, "b": {"value": 2}}) == {}
