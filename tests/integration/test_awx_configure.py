"""playbooks/awx_configure.yml and awx/: the AWX objects it would create, without an AWX server.

The playbook writes the arguments it would give each awx.awx module (awx_configure_render_to); every one is checked
against that module's own argument spec, and every survey against the roles the job template's playbook runs."""

from __future__ import annotations

import importlib
import json
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from helpers import REPO_ROOT, run_playbook

MODULES = ("execution_environment", "project", "credential", "inventory", "inventory_source", "job_template",
           "workflow_job_template", "workflow_job_template_node")
ENVIRONMENTS = ("local", "staging", "production")
PLAYBOOKS = ("bootstrap", "infra", "images", "migrate", "deploy", "schedule", "power", "tunnel", "destroy", "site")
INCLUDE_KEYS = ("ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    target = tmp_path_factory.mktemp("awx") / "objects.json"
    run = run_playbook("playbooks/awx_configure.yml", extra_vars={"awx_configure_render_to": str(target)}, json_report=False)
    assert run.rc == 0, run.output[-3000:]
    return json.loads(target.read_text())


def module_spec(name: str) -> dict:
    """The awx.awx module's argument spec as it builds it in main(), with the connection options every one takes."""
    module = importlib.import_module(f"ansible_collections.awx.awx.plugins.modules.{name}")
    captured = {}

    class Captured(Exception):
        pass

    class CaptureSpec:
        def __init__(self, argument_spec, **kwargs):
            captured.update(argument_spec=argument_spec, **kwargs)
            raise Captured

    original = module.ControllerAPIModule
    module.ControllerAPIModule = CaptureSpec
    try:
        with pytest.raises(Captured):
            module.main()
    finally:
        module.ControllerAPIModule = original
    spec = dict(original.AUTH_ARGSPEC)
    spec.update(captured.pop("argument_spec"))
    rules = ("mutually_exclusive", "required_if", "required_one_of", "required_together")
    return {"argument_spec": spec, **{k: v for k, v in captured.items() if k in rules}}


@pytest.mark.parametrize("name", MODULES)
def test_every_argument_is_valid_for_its_module(rendered, name):
    spec = module_spec(name)
    assert rendered[name], f"no {name} to create"
    validator = ArgumentSpecValidator(spec["argument_spec"], **{k: v for k, v in spec.items() if k != "argument_spec"})
    for arguments in rendered[name]:
        # The connection the playbook adds to each call: what a user passes as -e controller_*.
        result = validator.validate({**arguments, "controller_host": "https://awx.example.com", "controller_oauthtoken": "x"})
        assert not result.error_messages, (arguments.get("name") or arguments.get("identifier"), result.error_messages)
        assert set(arguments) <= set(spec["argument_spec"])


def test_a_job_template_per_playbook_and_environment_each_naming_an_existing_playbook(rendered):
    names = {(t["inventory"], t["playbook"]) for t in rendered["job_template"]}
    assert names == {(f"shipyard.aws {env}", f"playbooks/{p}.yml") for env in ENVIRONMENTS for p in PLAYBOOKS}
    for template in rendered["job_template"]:
        assert (REPO_ROOT / template["playbook"]).is_file(), template["playbook"]
        env = template["inventory"].split()[-1]
        assert template["credentials"] == [f"shipyard.aws AWS {env}"]
        assert template["survey_enabled"] == bool(template.get("survey_spec", {}).get("spec"))


def test_each_inventory_is_fed_from_the_repository_inventory_of_its_environment(rendered):
    assert {i["name"] for i in rendered["inventory"]} == {f"shipyard.aws {env}" for env in ENVIRONMENTS}
    for source in rendered["inventory_source"]:
        assert source["source"] == "scm" and source["source_project"] == rendered["project"][0]["name"]
        assert source["inventory"] == "shipyard.aws " + source["source_path"].split("/")[-1]
        assert (REPO_ROOT / source["source_path"] / "hosts.yml").is_file()
    # Only local's credential has keys without any given (the emulator's); the others are taken from the shell or
    # awx_configure_aws_credentials, and the test run has no AWS keys.
    assert [c["name"] for c in rendered["credential"]] == ["shipyard.aws AWS local"]
    assert rendered["credential"][0]["credential_type"] == "Amazon Web Services"


def test_the_deploy_workflow_chains_infra_images_migrate_deploy(rendered):
    for env in ENVIRONMENTS:
        workflow = f"shipyard.aws deploy {env}"
        assert workflow in {w["name"] for w in rendered["workflow_job_template"]}
        nodes = [n for n in rendered["workflow_job_template_node"] if n["workflow_job_template"] == workflow]
        templates = {t["name"] for t in rendered["job_template"]}
        chain, created = [], set()
        for node in nodes:  # created in this order: each node's successors exist already
            assert set(node["success_nodes"]) <= created
            assert node["unified_job_template"] in templates
            created.add(node["identifier"])
        following = {n["identifier"]: n["success_nodes"] for n in nodes}
        step = "infra"
        while step:
            chain.append(step)
            step = (following[step] or [None])[0]
        assert chain == ["infra", "images", "migrate", "deploy"]


# --- surveys against the roles -------------------------------------------------------------------------------


def _load(path):
    return yaml.safe_load(path.read_text()) or {}


def _role_names(node):
    """The shipyard.aws roles a play or task list names (roles:, include_role, import_role), at any depth."""
    if isinstance(node, list):
        for item in node:
            yield from _role_names(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in INCLUDE_KEYS and isinstance(value, dict):
                yield value["name"]
            elif key == "roles":
                for role in value:
                    yield role["role"] if isinstance(role, dict) else role
            else:
                yield from _role_names(value)


def playbook_roles_and_vars(playbook):
    """The roles a playbook runs (imports, roles including roles) and its plays' own variables."""
    roles, play_vars = set(), set()
    for play in _load(REPO_ROOT / "playbooks" / playbook):
        if "ansible.builtin.import_playbook" in play:
            more_roles, more_vars = playbook_roles_and_vars(play["ansible.builtin.import_playbook"])
            roles |= more_roles
            play_vars |= more_vars
            continue
        play_vars |= set(play.get("vars", {}))
        roles |= {name.rsplit(".", 1)[-1] for name in _role_names(play)}
    pending = list(roles)
    while pending:
        for path in (REPO_ROOT / "roles" / pending.pop() / "tasks").glob("*.yml"):
            for name in {n.rsplit(".", 1)[-1] for n in _role_names(_load(path))} - roles:
                roles.add(name)
                pending.append(name)
    return roles, play_vars


def role_options(role):
    """Every option of every entry point of the role's meta/argument_specs.yml."""
    specs = _load(REPO_ROOT / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]
    return {name: spec for entry in specs.values() for name, spec in entry.get("options", {}).items()}


def role_default_inputs(role):
    """Short names a role's defaults read when given (confirm_destroy, deploy_digests): `name | default(`."""
    text = (REPO_ROOT / "roles" / role / "defaults" / "main.yml").read_text()
    names = re.findall(r"\{\{\s*([a-z][a-z0-9_]*)\s*\|\s*default\(", text)
    return {name for name in names if not name.startswith("shipyard_")}  # the inventory's own variables


def answer(question, value):
    """A survey answer as AWX hands it to the playbook: multiselect a list, integer and float numbers."""
    if question["type"] == "multiselect":
        return [line for line in value.split("\n") if line] if isinstance(value, str) else list(value)
    if question["type"] == "integer":
        return int(value)
    if question["type"] == "float":
        return float(value)
    return value


def playbook_allowed_values(playbook, variable):
    """The values a playbook's own check accepts for one of its play variables (`power in ['stopped', 'started']`)."""
    match = re.search(rf"\b{variable} in \[([^\]]*)\]", (REPO_ROOT / "playbooks" / playbook).read_text())
    return {value.strip().strip("'\"") for value in match.group(1).split(",")} if match else None


def _surveys(rendered):
    for template in rendered["job_template"]:
        for question in template.get("survey_spec", {}).get("spec", []):
            yield template, question


def test_every_survey_variable_is_an_input_of_the_playbook_or_its_roles(rendered):
    checked = 0
    for template, question in _surveys(rendered):
        roles, play_vars = playbook_roles_and_vars(template["playbook"].split("/")[-1])
        options = {name for role in roles for name in role_options(role)}
        inputs = {name for role in roles for name in role_default_inputs(role)}
        assert question["variable"] in options | play_vars | inputs, (template["name"], question["variable"], roles)
        checked += 1
    assert checked >= 10 * len(ENVIRONMENTS)


def test_every_survey_answer_offered_is_valid_for_the_role_option_it_sets(rendered):
    validated = 0
    for template, question in _surveys(rendered):
        roles = playbook_roles_and_vars(template["playbook"].split("/")[-1])[0]
        specs = [role_options(role)[question["variable"]] for role in roles if question["variable"] in role_options(role)]
        values = []
        if question["type"] == "multiplechoice":
            values = list(question["choices"])
            assert question["default"] in question["choices"] or (not question["required"] and question["default"] == "")
        elif question["type"] == "multiselect":
            values = [answer(question, question["choices"])]
        if question.get("default") not in (None, "") or not question["required"]:
            values.append(answer(question, question.get("default", "")))
        if question["type"] == "text" and question.get("default"):
            assert question.get("min", 0) <= len(question["default"]) <= question.get("max", 1024)
        allowed = playbook_allowed_values(template["playbook"].split("/")[-1], question["variable"])
        if allowed is not None:
            assert set(values) <= allowed, (template["name"], question["variable"], values, allowed)
            validated += 1
        for spec in specs:
            validator = ArgumentSpecValidator({question["variable"]: spec})
            for value in values:
                result = validator.validate({question["variable"]: value})
                assert not result.error_messages, (template["name"], question["variable"], value, result.error_messages)
                validated += 1
    assert validated > 0


def test_power_and_destroy_surveys_follow_the_environment(rendered):
    questions = {(t["name"], q["variable"]): q for t, q in _surveys(rendered)}
    assert questions[("shipyard.aws production power", "power")]["choices"] == ["started", "stopped"]
    # production is protected (terraform_stack_protected in its inventory): its name must be typed in.
    protected = _load(REPO_ROOT / "inventories/production/group_vars/all/environment.yml")["terraform_stack_protected"]
    assert protected is True
    assert questions[("shipyard.aws production destroy", "confirm_destroy")]["required"] is True
    assert questions[("shipyard.aws local destroy", "confirm_destroy")]["required"] is False
    assert "edge" in questions[("shipyard.aws production infra", "terraform_stack_only")]["choices"]
    assert "edge" not in questions[("shipyard.aws staging infra", "terraform_stack_only")]["choices"]
    assert questions[("shipyard.aws local deploy", "ecs_deploy_version")]["default"] == "0.1.0"
    assert questions[("shipyard.aws staging deploy", "ecs_deploy_version")]["required"] is True


def test_the_playbook_passes_syntax_check():
    run = run_playbook("playbooks/awx_configure.yml", "--syntax-check", json_report=False)
    assert run.rc == 0, run.output[-2000:]


def test_an_unknown_environment_is_refused_before_any_controller_call(tmp_path):
    target = tmp_path / "objects.json"
    run = run_playbook("playbooks/awx_configure.yml", extra_vars={"awx_configure_environments": ["qa"],
                                                                  "awx_configure_render_to": str(target)})
    assert run.rc != 0
    assert "awx_configure_environments names qa" in run.failure_message()
    assert not target.exists()
