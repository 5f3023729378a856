"""What a plan would do, read from the messages `terraform plan -json` prints while it plans (module_utils
terraform_plan.summarize_plan_stream and stream_errors; the role's stack_plan_summaries filter).

The messages are shaped as Terraform 1.11.4 printed them for the diamond test component."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.shipyard.aws.plugins.filter.terraform_stack import stack_batch_result, stack_plan_summaries
from ansible_collections.shipyard.aws.plugins.module_utils.terraform_plan import stream_errors, summarize_plan_stream

ZERO = {"add": 0, "change": 0, "replace": 0, "destroy": 0, "forget": 0, "import": 0, "move": 0, "outputs": 0}
VERSION = {"@level": "info", "@message": "Terraform 1.11.4", "terraform": "1.11.4", "type": "version", "ui": "1.2"}


def counts(**changed):
    return {**ZERO, **changed}


def change(address, action, message_type="planned_change", **extra):
    resource = {"addr": address, "module": "", "resource": address, "implied_provider": "aws"}
    return {"@level": "info", "@message": f"{address}: Plan to {action}", "type": message_type,
            "change": {"resource": resource, "action": action, **extra}}


def outputs(**actions):
    return {"@level": "info", "@message": f"Outputs: {len(actions)}", "type": "outputs",
            "outputs": {name: {"sensitive": name == "token", "action": action} for name, action in actions.items()}}


def summary_message(add=0, change_count=0, remove=0):
    return {"@level": "info", "@message": f"Plan: {add} to add, {change_count} to change, {remove} to destroy.",
            "type": "change_summary", "changes": {"add": add, "change": change_count, "import": 0, "remove": remove, "operation": "plan"}}


def stream(*messages):
    return "\n".join(json.dumps(message) for message in (VERSION, *messages)) + "\n"


def diagnostic(summary, detail="", filename=None, line=None, context=None):
    body = {"severity": "error", "summary": summary, "detail": detail}
    if filename:
        body["range"] = {"filename": filename, "start": {"line": line, "column": 1, "byte": 0}}
        body["snippet"] = {"context": context, "code": "", "start_line": line}
    return {"@level": "error", "@message": f"Error: {summary}", "type": "diagnostic", "diagnostic": body}


# summarize_plan_stream ------------------------------------------------------------------------------------------


def test_creations_on_an_empty_environment_are_counted_as_added():
    summary = summarize_plan_stream(stream(change("aws_s3_bucket.diamond", "create"), change("aws_ssm_parameter.a", "create"),
                                           summary_message(add=2), outputs(value="create", bucket="create")))
    assert summary["counts"] == counts(add=2, outputs=2)
    assert summary["has_changes"] is True
    assert summary["resources"] == [{"address": "aws_s3_bucket.diamond", "action": "add"},
                                    {"address": "aws_ssm_parameter.a", "action": "add"}]


def test_a_replacement_is_one_replace_not_an_add_and_a_destroy_as_the_change_summary_counts_it():
    summary = summarize_plan_stream(stream(change("aws_ssm_parameter.a", "replace", reason="cannot_update"),
                                           summary_message(add=1, remove=1)))
    assert summary["counts"] == counts(replace=1)


def test_each_action_has_its_kind():
    summary = summarize_plan_stream(stream(change("a.update", "update"), change("a.delete", "delete"),
                                           change("a.forget", "remove"), change("a.import", "import")))
    assert {item["address"]: item["action"] for item in summary["resources"]} == {
        "a.update": "change", "a.delete": "destroy", "a.forget": "forget", "a.import": "import"}


def test_an_action_this_code_does_not_know_yet_is_still_a_change():
    assert summarize_plan_stream(stream(change("a.b", "transmogrify")))["counts"] == counts(change=1)


def test_a_move_alone_is_applied_or_every_plan_would_propose_it_again():
    summary = summarize_plan_stream(stream(change("aws_s3_bucket.renamed", "move")))
    assert summary["counts"] == counts(move=1)
    assert summary["has_changes"] is True


@pytest.mark.parametrize("action", ["noop", "read"])
def test_no_ops_and_reads_change_nothing(action):
    summary = summarize_plan_stream(stream(change("a.b", action)))
    assert summary == {"has_changes": False, "counts": ZERO, "resources": [], "outputs_changed": []}


def test_drift_is_not_a_planned_change():
    summary = summarize_plan_stream(stream(change("aws_s3_bucket.diamond", "update", message_type="resource_drift")))
    assert summary["has_changes"] is False


def test_a_plan_that_changes_only_outputs_has_changes():
    summary = summarize_plan_stream(stream(summary_message(), outputs(bucket="noop", value="update", token="update")))
    assert summary["counts"] == counts(outputs=2)
    assert summary["outputs_changed"] == ["token", "value"]
    assert summary["has_changes"] is True


def test_an_empty_plan_has_no_changes():
    summary = summarize_plan_stream(stream(summary_message(), outputs(bucket="noop")))
    assert summary == {"has_changes": False, "counts": ZERO, "resources": [], "outputs_changed": []}


def test_lines_that_are_not_json_messages_are_left_out():
    text = "Initializing the backend...\n" + stream(change("a.b", "create")) + "{not json\n"
    assert summarize_plan_stream(text)["counts"] == counts(add=1)


# stream_errors -----------------------------------------------------------------------------------------------


def test_error_diagnostics_read_as_terraform_prints_them_without_json():
    text = stream(diagnostic("Invalid value for variable", "The test asked b to fail.\n\nThis was checked by the rule.",
                             filename="main.tf", line=7, context='variable "fail"'),
                  {"@level": "warn", "type": "diagnostic", "diagnostic": {"severity": "warning", "summary": "Deprecated"}})
    assert stream_errors(text) == ["Error: Invalid value for variable", 'on main.tf line 7, in variable "fail":',
                                   "The test asked b to fail.", "", "This was checked by the rule."]


def test_a_lock_error_keeps_the_lines_the_lock_hint_reads():
    detail = "Error message: operation error S3: PutObject, StatusCode: 412\nLock Info:\n  ID:        6d5c8a1e\n  Path:      b/local/a/terraform.tfstate"
    assert stream_errors(stream(diagnostic("Error acquiring the state lock", detail)))[:4] == [
        "Error: Error acquiring the state lock", "Error message: operation error S3: PutObject, StatusCode: 412",
        "Lock Info:", "  ID:        6d5c8a1e"]


# the role's filter --------------------------------------------------------------------------------------------


def plan_result(name, **result):
    return {"finished": 1, **result, "item": {"ansible_job_id": f"j-{name}", "item": {"name": name, "path": name}}}


def test_each_successful_plan_is_summarised_with_its_component_as_item():
    plans = [plan_result("a", stdout=stream(change("x.y", "create"))), plan_result("b", failed=True, msg="boom")]
    summaries = stack_plan_summaries(plans)
    assert [summary["item"] for summary in summaries] == [{"name": "a", "path": "a"}]
    assert summaries[0]["counts"] == counts(add=1)


def test_a_plan_without_json_messages_fails_instead_of_passing_for_unchanged():
    with pytest.raises(AnsibleFilterError, match="the plan of a printed no JSON messages.*TF_CLI_ARGS_plan"):
        stack_plan_summaries([plan_result("a", stdout="No changes. Your infrastructure matches the configuration.")])


def test_a_failed_plan_reports_the_errors_terraform_printed_as_json():
    stdout = stream(diagnostic("Invalid value for variable", "The test asked b to fail.", filename="main.tf", line=7))
    message = f"Terraform plan could not be created\nSTDOUT: {stdout}\nSTDERR: \nCOMMAND: terraform plan -var token=s3cret"
    result = stack_batch_result([{"name": "b", "path": "b"}], [plan_result("b", failed=True, msg=message)], [], [], wave=1,
                                started=0)
    assert result["rows"][0]["result"] == "failed"
    assert result["rows"][0]["error"] == ["Error: Invalid value for variable", "on main.tf line 7:", "The test asked b to fail."]
