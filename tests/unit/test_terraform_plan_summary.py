"""plugins/module_utils/terraform_plan.py: what a saved Terraform plan (terraform show -json) would do, counted."""

from __future__ import annotations

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.terraform_plan import action_kind, summarize_plan

ZERO = {"add": 0, "change": 0, "replace": 0, "destroy": 0, "forget": 0, "import": 0, "move": 0, "outputs": 0}


def resource(address, *actions, **change):
    return {"address": address, "mode": "managed", "change": {"actions": list(actions), **change}}


def plan(*resources, **outputs):
    """A plan shaped like `terraform show -json`; each output keyword is that output's list of actions."""
    return {
        "format_version": "1.2",
        "resource_changes": list(resources),
        "output_changes": {name: {"actions": actions} for name, actions in outputs.items()},
    }


def counts(**changed):
    return {**ZERO, **changed}


# action_kind -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actions, kind",
    [
        (["create"], "add"),
        (["update"], "change"),
        (["delete"], "destroy"),
        (["delete", "create"], "replace"),
        (["create", "delete"], "replace"),
    ],
)
def test_action_kind_names_each_planned_action(actions, kind):
    assert action_kind(actions) == kind


@pytest.mark.parametrize("actions", [["no-op"], ["read"]])
def test_action_kind_is_none_for_actions_that_change_nothing(actions):
    assert action_kind(actions) is None


def test_action_kind_accepts_any_sequence_of_actions():
    assert action_kind(("delete", "create")) == "replace"


# counting resources ------------------------------------------------------------------------------------------------


def test_a_create_counts_as_add():
    assert summarize_plan(plan(resource("aws_s3_bucket.a", "create")))["counts"] == counts(add=1)


def test_an_update_counts_as_change():
    assert summarize_plan(plan(resource("aws_s3_bucket.a", "update")))["counts"] == counts(change=1)


def test_a_delete_counts_as_destroy():
    assert summarize_plan(plan(resource("aws_s3_bucket.a", "delete")))["counts"] == counts(destroy=1)


def test_destroy_then_create_counts_as_replace():
    assert summarize_plan(plan(resource("aws_s3_bucket.a", "delete", "create")))["counts"] == counts(replace=1)


def test_create_before_destroy_counts_as_replace_too():
    # community.general.terraform only recognises the delete-then-create order
    assert summarize_plan(plan(resource("aws_s3_bucket.a", "create", "delete")))["counts"] == counts(replace=1)


def test_a_replacement_is_not_also_counted_as_an_add_or_a_destroy():
    summary = summarize_plan(plan(resource("a.x", "delete", "create"), resource("a.y", "create", "delete")))
    assert summary["counts"]["add"] == 0
    assert summary["counts"]["destroy"] == 0
    assert summary["counts"]["replace"] == 2


def test_every_kind_is_counted_separately_in_one_plan():
    summary = summarize_plan(
        plan(
            resource("a.one", "create"),
            resource("a.two", "create"),
            resource("b.one", "update"),
            resource("c.one", "delete", "create"),
            resource("d.one", "delete"),
            resource("d.two", "delete"),
            resource("d.three", "delete"),
        )
    )
    assert summary["counts"] == counts(add=2, change=1, replace=1, destroy=3)


def test_no_op_resources_are_ignored():
    summary = summarize_plan(plan(resource("aws_s3_bucket.a", "no-op")))
    assert summary["counts"] == ZERO
    assert summary["resources"] == []
    assert summary["has_changes"] is False


def test_data_source_reads_are_ignored():
    summary = summarize_plan(plan({"address": "data.aws_caller_identity.me", "mode": "data", "change": {"actions": ["read"]}}))
    assert summary["counts"] == ZERO
    assert summary["resources"] == []
    assert summary["has_changes"] is False


def test_a_resource_without_actions_is_ignored():
    summary = summarize_plan({"resource_changes": [{"address": "a.b", "change": {}}]})
    assert summary["resources"] == []
    assert summary["has_changes"] is False


def test_a_resource_change_makes_the_plan_have_changes():
    assert summarize_plan(plan(resource("aws_s3_bucket.a", "update")))["has_changes"] is True


# outputs -----------------------------------------------------------------------------------------------------------


def test_a_plan_that_changes_only_outputs_has_changes():
    # community.general.terraform reports such a plan as unchanged, so its outputs would never be written
    summary = summarize_plan(plan(resource("aws_s3_bucket.a", "no-op"), url=["update"], arn=["create"], old=["delete"]))
    assert summary["has_changes"] is True
    assert summary["counts"] == counts(outputs=3)


def test_unchanged_outputs_are_not_counted():
    summary = summarize_plan(plan(url=["no-op"], arn=["update"]))
    assert summary["counts"]["outputs"] == 1
    assert summary["outputs_changed"] == ["arn"]


def test_an_output_without_actions_counts_as_unchanged():
    summary = summarize_plan({"output_changes": {"url": {"before": "a", "after": "a"}}})
    assert summary["outputs_changed"] == []
    assert summary["has_changes"] is False


def test_outputs_changed_lists_the_changed_outputs_sorted():
    summary = summarize_plan(plan(zone=["update"], arn=["create"], same=["no-op"], bucket=["delete"]))
    assert summary["outputs_changed"] == ["arn", "bucket", "zone"]


def test_the_outputs_count_is_the_number_of_changed_outputs():
    summary = summarize_plan(plan(zone=["update"], arn=["create"], same=["no-op"], bucket=["delete"]))
    assert summary["counts"]["outputs"] == len(summary["outputs_changed"]) == 3


# empty plans -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "empty",
    [
        {},
        {"resource_changes": None, "output_changes": None},
        {"resource_changes": [], "output_changes": {}},
    ],
    ids=["no-keys", "none-values", "empty-values"],
)
def test_an_empty_plan_gives_zeros_and_no_changes(empty):
    assert summarize_plan(empty) == {"has_changes": False, "counts": ZERO, "resources": [], "outputs_changed": []}


def test_has_changes_is_a_bool():
    assert isinstance(summarize_plan({})["has_changes"], bool)
    assert isinstance(summarize_plan(plan(resource("a.b", "create")))["has_changes"], bool)


# the resource list -------------------------------------------------------------------------------------------------


def test_resources_are_sorted_by_address():
    summary = summarize_plan(
        plan(resource("module.z.aws_s3_bucket.a", "create"), resource("aws_s3_bucket.b", "delete"), resource("aws_iam_role.c", "update"))
    )
    assert [item["address"] for item in summary["resources"]] == [
        "aws_iam_role.c",
        "aws_s3_bucket.b",
        "module.z.aws_s3_bucket.a",
    ]


def test_each_resource_carries_its_kind_and_terraforms_own_actions():
    summary = summarize_plan(plan(resource("aws_ssm_parameter.a", "create", "delete")))
    assert summary["resources"] == [{"address": "aws_ssm_parameter.a", "action": "replace", "actions": ["create", "delete"]}]


def test_the_resource_list_holds_only_resources_that_change():
    summary = summarize_plan(plan(resource("a.keep", "no-op"), resource("data.b.read", "read"), resource("a.make", "create")))
    assert [item["address"] for item in summary["resources"]] == ["a.make"]


def test_the_resource_list_has_one_entry_per_counted_resource():
    summary = summarize_plan(plan(resource("a.x", "create"), resource("a.y", "update"), resource("a.z", "delete", "create")))
    resource_counts = {key: value for key, value in summary["counts"].items() if key != "outputs"}
    assert len(summary["resources"]) == sum(resource_counts.values()) == 3


# changes Terraform applies although no resource is created, updated or deleted ------------------------------------


def test_a_plan_that_only_imports_a_resource_has_changes():
    summary = summarize_plan(plan(resource("aws_s3_bucket.adopted", "no-op", importing={"id": "adopted-bucket"})))
    assert summary["has_changes"] is True


def test_a_plan_that_only_forgets_a_resource_has_changes():
    summary = summarize_plan(plan(resource("aws_s3_bucket.released", "forget")))
    assert summary["has_changes"] is True


def test_a_plan_that_only_moves_a_resource_has_changes():
    summary = summarize_plan(plan(resource("aws_s3_bucket.renamed", "no-op") | {"previous_address": "aws_s3_bucket.old"}))
    assert summary["counts"]["move"] == 1
    assert summary["has_changes"] is True


def test_a_no_op_at_its_own_address_is_no_move():
    assert summarize_plan(plan(resource("aws_s3_bucket.same", "no-op") | {"previous_address": "aws_s3_bucket.same"}))["has_changes"] is False


def test_an_import_is_counted_as_import():
    summary = summarize_plan(plan(resource("aws_s3_bucket.adopted", "no-op", importing={"id": "adopted-bucket"})))
    assert summary["counts"]["import"] == 1
    assert summary["resources"] == [{"address": "aws_s3_bucket.adopted", "action": "import", "actions": ["no-op"]}]


def test_an_action_this_version_does_not_know_still_counts_as_a_change():
    assert action_kind(["teleport"]) == "change"
