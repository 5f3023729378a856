"""playbooks/infra.yml and destroy.yml (role terraform_stack) on the diamond graph a -> b, a -> c, b + c -> d.

Real Terraform with the mirrored hashicorp/aws provider, real state in the emulator's S3 bucket. The tests of this
module share one environment and run in file order; where a test leaves it unconverged, the next test that runs
Terraform converges it (each says so), so no run is spent only on putting things back.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

import boto3
import pytest

from helpers import REPO_ROOT, run_playbook
from localenv import terraform_cli

pytestmark = pytest.mark.slow

DIAMOND = REPO_ROOT / "tests" / "integration" / "terraform" / "diamond"
PREFIX = "bookmark-manager-local"
SEED = "s1"
TOKEN = "sensitive-" + hashlib.sha256(SEED.encode()).hexdigest()
COMPONENTS = [
    {"name": "a", "path": "a", "inputs": {"seed": SEED}},
    {"name": "b", "path": "b", "depends_on": ["a"], "inputs_from": {"from_a": "a.value", "token": "a.token"}},
    {"name": "c", "path": "c", "depends_on": ["a"], "inputs_from": {"from_a": "a.value", "token": "a.token"}},
    {"name": "d", "path": "d", "depends_on": ["b", "c"],
     "inputs_from": {"from_b": "b.value", "from_c": "c.plain", "bucket": "a.bucket"}},
]


def components(**changes):
    """The diamond, with extra inputs for some components: components(c={"suffix": "!"})."""
    graph = copy.deepcopy(COMPONENTS)
    for component in graph:
        component.setdefault("inputs", {}).update(changes.get(component["name"], {}))
    return graph


@pytest.fixture(scope="module")
def stack(emulator, tmp_path_factory, provider_mirror):
    """A fresh emulator with the local state backend, and a runner for infra.yml/destroy.yml on the diamond."""
    emulator.reset()
    work_dir = tmp_path_factory.mktemp("terraform")
    terraform_cli.write_config(base=work_dir, mirror=provider_mirror)
    boot = run_playbook("playbooks/bootstrap.yml", aws_port=emulator.port)
    assert boot.rc == 0, boot.output[-3000:]

    def run(playbook="playbooks/infra.yml", *args, graph=None, **extra_vars):
        variables = {
            "terraform_stack_components_root": str(DIAMOND),
            "terraform_stack_components": graph if graph is not None else COMPONENTS,
            "terraform_stack_work_dir": str(work_dir / "terraform"),
            **extra_vars,
        }
        return run_playbook(playbook, *args, aws_port=emulator.port, extra_vars=variables,
                            json_report="-vvv" not in args)

    run.emulator = emulator
    run.work_dir = work_dir / "terraform"
    return run


def client(emulator, service):
    return boto3.client(service, endpoint_url=emulator.endpoint, region_name="ap-northeast-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def rows(run):
    return {row["name"]: row for row in run.fact("terraform_stack_results")}


def planning_rounds(run):
    """How many components each round of planning started, round after round (the plan task's loop items)."""
    return [len(result["results"]) for name, result in run.task_results()
            if name.endswith("Start planning (or destroying) each component of the set") and result.get("results")]


def d_txt(emulator):
    return client(emulator, "s3").get_object(Bucket=f"{PREFIX}-diamond", Key="diamond/d.txt")["Body"].read()


def state_keys(emulator, bucket=f"{PREFIX}-tfstate"):
    listing = client(emulator, "s3").list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_apply_runs_the_waves_and_wires_outputs_downstream(stack):
    run = stack("playbooks/infra.yml", "-vvv")
    assert run.rc == 0, run.output[-4000:]

    ssm = client(stack.emulator, "ssm")
    assert ssm.get_parameter(Name=f"/{PREFIX}/diamond/a1")["Parameter"]["Value"] == "a(s1)"
    assert ssm.get_parameter(Name=f"/{PREFIX}/diamond/b", WithDecryption=True)["Parameter"]["Value"] == "b(a(s1))"
    body = client(stack.emulator, "s3").get_object(Bucket=f"{PREFIX}-diamond", Key="diamond/d.txt")["Body"].read()
    assert body == b"d(b(a(s1)),c(a(s1)))", "a's output reached d through b and c"
    assert state_keys(stack.emulator) == [f"local/{name}/terraform.tfstate" for name in "abcd"]

    # b and c (wave 2) received a's sensitive token, and it never reached the output, even at -vvv.
    assert "token_length" in run.output
    assert TOKEN not in run.output
    assert "(sensitive)" in run.output

    # A line per component as it finishes, wave after wave.
    progress = [line for line in run.output.splitlines() if re.match(r"^[abcd]: (plan|apply) finished after", line)]
    assert [line.split(":")[0] for line in progress if ": plan " in line][0] == "a"
    assert [line.split(":")[0] for line in progress if ": plan " in line][-1] == "d"
    assert len(progress) == 8, progress

    # Nor is it left on disk: the async jobs' results files (which hold the module's arguments and outputs) are gone.
    assert list((stack.work_dir / "jobs").iterdir()) == []
    leftovers = [path for root in (stack.work_dir, Path.home() / ".ansible_async") if root.exists()
                 for path in root.rglob("*") if path.is_file() and TOKEN.encode() in path.read_bytes()]
    assert leftovers == []


def test_a_failing_component_stops_the_later_waves_and_a_rerun_converges(stack):
    run = stack(graph=components(b={"fail": True}))
    assert run.rc != 0
    table = rows(run)
    assert table["b"]["result"] == "failed"
    assert any("The test asked b to fail." in line for line in table["b"]["error"])
    assert table["c"]["result"] == "unchanged", "the sibling in the same wave still ran"
    assert table["d"]["result"] == "skipped"
    assert "b failed; the components after them were skipped" in run.failure()["msg"]

    # The re-run after the fix converges, changes nothing, and leaves no plan file behind.
    again = stack()
    assert again.rc == 0, again.output[-4000:]
    assert again.stats["changed"] == 0, again.output[-4000:]
    assert all(row["result"] == "unchanged" for row in rows(again).values())
    assert list(stack.work_dir.rglob("*.tfplan")) == [], "plan files are removed after every run"


def test_check_on_the_converged_environment_reports_no_change(stack):
    run = stack("playbooks/infra.yml", "--check")
    assert run.rc == 0, run.output[-4000:]
    assert run.stats["changed"] == 0
    assert all(not any(row["counts"].values()) for row in rows(run).values())
    assert planning_rounds(run) == [4], "every component planned ahead, in one round, none again in its wave"


def test_check_names_exactly_the_component_whose_input_changed(stack):
    run = stack("playbooks/infra.yml", "--check", "--diff", graph=components(c={"suffix": "!"}))
    assert run.rc == 0, run.output[-4000:]
    results = {name: row["result"] for name, row in rows(run).items()}
    assert results == {"a": "unchanged", "b": "unchanged", "c": "would change", "d": "unchanged"}
    assert rows(run)["c"]["resources"] == [{"address": "aws_ssm_parameter.c", "action": "change"}]
    assert run.stats["changed"] > 0
    ssm = client(stack.emulator, "ssm")
    assert ssm.get_parameter(Name=f"/{PREFIX}/diamond/c", WithDecryption=True)["Parameter"]["Value"] == "c(a(s1))"


def test_only_the_named_components_run_and_read_the_others_outputs_from_state(stack):
    # c and d both differ from what is applied; only c is converged. d is neither planned nor applied, and c is
    # fed a's outputs from a's state object (a does not run either).
    run = stack(graph=components(c={"suffix": "!"}, d={"note": "not now"}), terraform_stack_only=["c"])
    assert run.rc == 0, run.output[-4000:]
    assert {name: row["result"] for name, row in rows(run).items()} == {"c": "applied"}
    ssm = client(stack.emulator, "ssm")
    assert ssm.get_parameter(Name=f"/{PREFIX}/diamond/c", WithDecryption=True)["Parameter"]["Value"] == "c(a(s1))!"
    assert d_txt(stack.emulator) == b"d(b(a(s1)),c(a(s1)))", "d was left alone"
    # c is not put back: the tests up to the replacements below run no Terraform, and that one re-applies c.


def test_only_a_component_that_is_not_in_the_graph_fails_before_terraform_runs(stack):
    stack.emulator.clear_requests()
    run = stack(terraform_stack_only=["c", "e"])
    assert run.rc != 0
    message = " ".join(run.failure()["msg"].split())
    assert "terraform_stack_only names e, which is not an enabled component" in message
    assert "(its components: a, b, c, d)" in message
    assert not [r for r in stack.emulator.requests() if r["service"] == "s3"]


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ([{"name": "a", "path": "a", "depends_on": ["d"]}, {"name": "d", "path": "d", "depends_on": ["a"]}], "cycle"),
        ([{"name": "a", "path": "a", "depends_on": ["z"]}], "'z'"),
        ([{"name": "a", "path": "a"}, {"name": "a", "path": "b"}], "used twice"),
        ([{"name": "a", "path": "a"}, {"name": "b", "path": "b", "inputs_from": {"from_a": "a.value"}}], "depends_on"),
        ([{"name": "a", "path": "nowhere"}], "nowhere"),
    ],
    ids=["cycle", "unknown-dependency", "duplicate-name", "inputs-from-not-upstream", "missing-path"],
)
def test_graph_errors_fail_before_terraform_runs(stack, graph, message):
    before = state_keys(stack.emulator)
    stack.emulator.clear_requests()
    run = stack(graph=graph)
    assert run.rc != 0
    assert message in run.failure()["msg"].lower() or message in run.failure()["msg"]
    assert state_keys(stack.emulator) == before
    assert not [r for r in stack.emulator.requests() if r["service"] == "s3" and r["method"] == "PUT"]


@pytest.mark.parametrize("confirmation", [None, "production", "Local"])
def test_destroying_a_protected_environment_needs_its_name(stack, confirmation):
    extra = {"terraform_stack_protected": True}
    if confirmation is not None:
        extra["confirm_destroy"] = confirmation
    run = stack("playbooks/destroy.yml", **extra)
    assert run.rc != 0
    assert "local is protected" in run.failure()["msg"] and "-e confirm_destroy=local" in run.failure()["msg"]
    assert state_keys(stack.emulator) == [f"local/{name}/terraform.tfstate" for name in "abcd"]


def test_replacements_and_output_only_changes_count_as_changes(stack):
    # community.general.terraform reports neither a create-before-destroy replacement nor an output-only change.
    run = stack(graph=components(a={"generation": 2}, d={"note": "hello"}))
    assert run.rc == 0, run.output[-4000:]
    table = rows(run)
    assert table["c"]["result"] == "applied", "c, changed by the `only` run above, is put back"
    assert table["b"]["result"] == "unchanged"
    assert table["a"]["result"] == "applied" and table["a"]["counts"]["replace"] == 1
    assert table["d"]["result"] == "applied" and table["d"]["counts"]["outputs"] == 1
    assert table["d"]["outputs"]["note"] == "hello"
    assert run.stats["changed"] > 0


def test_plans_made_ahead_are_planned_again_once_something_upstream_was_applied(stack):
    # Just before the destroy test, like the one above: what it applies is not put back.
    run = stack(graph=components(a={"seed": "s2"}))
    assert run.rc == 0, run.output[-4000:]
    assert planning_rounds(run) == [4, 2, 1], "b and c again after a, d again after them"
    assert d_txt(stack.emulator) == b"d(b(a(s2)),c(a(s2)))", "the new output of a reached d, not a stale plan"


def test_destroy_takes_everything_down_in_reverse_order_and_keeps_the_state_bucket(stack):
    run = stack("playbooks/destroy.yml", terraform_stack_protected=True, confirm_destroy="local")
    assert run.rc == 0, run.output[-4000:]
    table = run.fact("terraform_stack_results")
    assert [row["name"] for row in table] == ["d", "b", "c", "a"]
    assert all(row["result"] == "destroyed" for row in table)
    names = [p["Name"] for p in client(stack.emulator, "ssm").describe_parameters()["Parameters"]]
    assert not [n for n in names if "/diamond/" in n]
    assert client(stack.emulator, "s3").head_bucket(Bucket=f"{PREFIX}-tfstate")


def test_only_a_component_whose_upstream_was_never_applied_fails_naming_it(stack):
    # After the destroy above the state objects hold no outputs: d cannot be planned on its own.
    before = state_keys(stack.emulator)
    stack.emulator.clear_requests()
    run = stack(terraform_stack_only=["d"])
    assert run.rc != 0
    message = " ".join(run.failure()["msg"].split())
    assert "d reads outputs of a, b, c, which are not in this run and have no state yet" in message
    assert "playbooks/infra.yml" in message and "No Terraform command has run" in message
    assert state_keys(stack.emulator) == before
    assert not [r for r in stack.emulator.requests() if r["service"] == "s3" and r["method"] == "PUT"]


def test_two_environments_from_one_checkout_keep_their_own_state(stack):
    # local is the environment every test above ran (its keys are checked after the first apply); qa comes second,
    # from the same checkout and work directory.
    local_keys = state_keys(stack.emulator)
    boot = run_playbook("playbooks/bootstrap.yml", aws_port=stack.emulator.port, extra_vars={"shipyard_env": "qa"})
    assert boot.rc == 0, boot.output[-3000:]
    run = stack(graph=[{"name": "a", "path": "a", "inputs": {"seed": "env"}}], shipyard_env="qa")
    assert run.rc == 0, run.output[-4000:]
    assert state_keys(stack.emulator) == local_keys == [f"local/{name}/terraform.tfstate" for name in "abcd"]
    assert state_keys(stack.emulator, "bookmark-manager-qa-tfstate") == ["qa/a/terraform.tfstate"]
    assert (stack.work_dir / "data" / "local" / "a").is_dir() and (stack.work_dir / "data" / "qa" / "a").is_dir()
    backend = (stack.work_dir / "data" / "qa" / "a" / "backend.hcl").read_text()
    assert 'bucket         = "bookmark-manager-qa-tfstate"' in backend and '"qa/a/terraform.tfstate"' in backend
