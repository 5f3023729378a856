"""Every job template of the local environment (awx/, playbooks/awx_configure.yml), run by ansible-runner - the
engine AWX runs jobs with - from a private data directory laid out as AWX lays it out: project/ (the repository),
inventory/ (the SCM inventory source as AWX imports it and hands it to the job: a script printing its JSON),
env/extravars (the survey's answers: its defaults, or those in ANSWERS), env/envvars (what AWX's "Amazon Web
Services" credential injects: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SECURITY_TOKEN), env/settings and
artifacts/.

They run against the environment site.yml converged (`local_site`, shared with test_site.py and
test_platform_local.py; this file runs last of them), destroy last; the site template gets a syntax check only
(SYNTAX_CHECK_ONLY says why). The emulator's request log proves that with only AWS_SECURITY_TOKEN set, boto3 in the
collection's modules, amazon.aws/community.aws and Terraform all signed with the session token. No `aws`/`boto`
fixture here: they reset the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import ansible_runner
import boto3
import pytest

from helpers import BIN, REPO_ROOT, ansible_env, run_playbook

REGION = "ap-northeast-1"
PREFIX = "bookmark-manager-local"
# What AWX's AWS credential holds: temporary keys. The emulator accepts any; what matters is what travels.
AWX_KEYS = {"AWS_ACCESS_KEY_ID": "ASIAAWXTEMPORARYKEY1", "AWS_SECRET_ACCESS_KEY": "awx-temporary-secret",
            "AWS_SECURITY_TOKEN": "awx-session-token-7f3c2a"}
# The order the templates run in: the whole path an environment takes, destroy last.
ORDER = ("bootstrap", "infra", "images", "migrate", "deploy", "schedule", "power", "tunnel", "site", "destroy")
# Answers a user gives instead of a survey's default. The infra job converges one chosen component: AWX passes a
# multiselect answer as a list, and the run must take it as terraform_stack_only.
ANSWERS = {"infra": {"terraform_stack_only": ["ecr"]}}
# site.yml is bootstrap, infra, images, migrate, deploy and schedule in one run. Each of those templates runs here in
# full and test_site.py runs site.yml itself twice, so a full site job would be one more pass in which every phase
# changes nothing (about 90 s of CPU). The site template gets a syntax check through ansible-runner instead: its
# playbook, its survey's answers and the private data directory load as AWX would hand them over.
SYNTAX_CHECK_ONLY = {"site"}

pytestmark = pytest.mark.slow

# Per job template: rc, seconds, and the user agents of the signed requests it made (read by the last test).
RUNS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    """The local environment's job templates as playbooks/awx_configure.yml would create them, by playbook."""
    target = tmp_path_factory.mktemp("awx") / "objects.json"
    run = run_playbook("playbooks/awx_configure.yml", extra_vars={"awx_configure_render_to": str(target),
                                                                  "awx_configure_environments": ["local"]},
                       json_report=False)
    assert run.rc == 0, run.output[-3000:]
    objects = json.loads(target.read_text())
    return {t["playbook"].split("/")[-1].removesuffix(".yml"): t for t in objects["job_template"]}


@pytest.fixture(scope="module")
def awx_inventory(local_site, tmp_path_factory):
    """inventories/local as AWX's SCM inventory source imports it (ansible-inventory --list --export)."""
    proc = subprocess.run([str(BIN / "ansible-inventory"), "-i", "inventories/local", "--list", "--export"],  # noqa: S603
                          cwd=REPO_ROOT, env=ansible_env(local_site.emulator.port, local_site.env),
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(proc.stdout)


def survey_answers(template, chosen=None) -> dict:
    """The survey's answers as AWX passes them (a multiselect as a list, numbers as numbers): the defaults, and the
    `chosen` answers instead, each of which must be one the survey offers."""
    answers = {}
    for question in template.get("survey_spec", {}).get("spec", []):
        if question["variable"] in (chosen or {}):
            answer = chosen[question["variable"]]
            offered = question.get("choices") or []
            offered = offered.split("\n") if isinstance(offered, str) else offered
            given = answer if isinstance(answer, list) else [answer]
            assert not offered or set(given) <= set(offered), f"{answer} is not among {offered}"
            answers[question["variable"]] = answer
            continue
        default = question.get("default")
        if default is None:
            continue
        if question["type"] == "multiselect":
            default = [line for line in default.split("\n") if line]
        elif question["type"] == "integer":
            default = int(default)
        answers[question["variable"]] = default
    return answers


def private_data_dir(root, template, answers, local_site, inventory) -> dict:
    """Lay out the job's private data directory as AWX does; returns the extra vars written."""
    (root / "project").symlink_to(REPO_ROOT, target_is_directory=True)
    (root / "inventory").mkdir()
    script = root / "inventory" / "hosts"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({json.dumps(json.dumps(inventory))})\n")
    script.chmod(0o700)
    (root / "env").mkdir()
    (root / "artifacts").mkdir()
    extra_vars = {
        **survey_answers(template, answers),
        **local_site.extra_vars,
        # The inventory's own emulator keys step aside, so the credential's keys (the environment) are used.
        "shipyard_aws_access_key": "",
        "shipyard_aws_secret_key": "",
    }
    (root / "env" / "extravars").write_text(json.dumps(extra_vars))
    envvars = {
        **AWX_KEYS,
        **local_site.env,
        "SHIPYARD_LOCAL_AWS_PORT": str(local_site.emulator.port),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_FORCE_COLOR": "0",
    }
    (root / "env" / "envvars").write_text(json.dumps(envvars))
    (root / "env" / "settings").write_text(json.dumps({"job_timeout": 1800, "idle_timeout": 0, "pexpect_timeout": 5,
                                                       "suppress_ansible_output": True}))
    return extra_vars


def run_template(name, templates, local_site, inventory, tmp_path):
    template = templates[name]
    private_data_dir(tmp_path, template, ANSWERS.get(name), local_site, inventory)
    local_site.emulator.clear_requests()
    started = time.monotonic()
    runner = ansible_runner.run(private_data_dir=str(tmp_path), playbook=template["playbook"], quiet=True,
                                ident=name, cmdline="--syntax-check" if name in SYNTAX_CHECK_ONLY else None)
    seconds = time.monotonic() - started
    requests = [r for r in local_site.emulator.requests() if r["service"]]  # SigV4-signed: AWS API calls
    RUNS[name] = {"rc": runner.rc, "seconds": round(seconds, 1), "user_agents": {r["user_agent"] for r in requests}}
    output = (tmp_path / "artifacts" / name / "stdout").read_text() if (tmp_path / "artifacts" / name / "stdout").exists() else ""
    assert (runner.status, runner.rc) == ("successful", 0), output[-4000:]
    if name in SYNTAX_CHECK_ONLY:
        assert f"playbook: {template['playbook']}" in output, output[-4000:]
        assert requests == [], "a syntax check makes no AWS call"
        return runner
    assert requests, "the job made no AWS call"
    unsigned_with_token = [(r["user_agent"], r["operation"], r["path"]) for r in requests
                           if r["security_token"] != AWX_KEYS["AWS_SECURITY_TOKEN"]
                           or r["access_key"] != AWX_KEYS["AWS_ACCESS_KEY_ID"]]
    assert unsigned_with_token == [], f"{name}: requests without the credential's key and session token"
    return runner


def client(local_site, service):
    return boto3.client(service, endpoint_url=local_site.emulator.endpoint, region_name=REGION,
                        aws_access_key_id="shipyard-local-access-key", aws_secret_access_key="shipyard-local-secret-key")


def image_digest(local_site, name, tag):
    images = client(local_site, "ecr").describe_images(repositoryName=f"{PREFIX}-{name}", imageIds=[{"imageTag": tag}])
    return images["imageDetails"][0]["imageDigest"]


def stack_results(runner) -> list:
    """terraform_stack_results as the job's last report of it (the events ansible-runner recorded)."""
    published = [event["event_data"]["res"]["ansible_facts"]["terraform_stack_results"] for event in runner.events
                 if event["event"] == "runner_on_ok"
                 and "terraform_stack_results" in event["event_data"].get("res", {}).get("ansible_facts", {})]
    assert published, "the job published no terraform_stack_results"
    return published[-1]


def read_back(name, local_site, runner):
    """What each job leaves behind, read back with boto3."""
    if name == "infra":
        assert [(row["name"], row["result"]) for row in stack_results(runner)] == [("ecr", "unchanged")], \
            "only the component chosen in the survey ran"
    if name == "bootstrap":
        client(local_site, "s3").head_bucket(Bucket=f"{PREFIX}-tfstate")
    elif name in ("infra", "power"):
        services = client(local_site, "ecs").describe_services(cluster=f"{PREFIX}-cluster", services=[f"{PREFIX}-web", f"{PREFIX}-api"])
        assert [s["status"] for s in services["services"]] == ["ACTIVE", "ACTIVE"]
        if name == "power":  # started: the database is up and every service wants tasks
            assert all(s["desiredCount"] > 0 for s in services["services"])
            (db,) = client(local_site, "rds").describe_db_instances(DBInstanceIdentifier=f"{PREFIX}-postgres")["DBInstances"]
            assert db["DBInstanceStatus"] == "available"
    elif name == "images":
        for image in ("web", "api"):
            assert image_digest(local_site, image, "0.1.0").startswith("sha256:")
    elif name == "deploy":
        ecs = client(local_site, "ecs")
        for image in ("web", "api"):
            (service,) = ecs.describe_services(cluster=f"{PREFIX}-cluster", services=[f"{PREFIX}-{image}"])["services"]
            definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
            assert definition["containerDefinitions"][0]["image"].endswith("@" + image_digest(local_site, image, "0.1.0"))
    elif name == "schedule":
        schedules = client(local_site, "scheduler").list_schedules(GroupName=PREFIX)["Schedules"]
        assert {s["Name"] for s in schedules} >= {f"{PREFIX}-db-stop"}
    elif name == "destroy":
        clusters = client(local_site, "ecs").describe_clusters(clusters=[f"{PREFIX}-cluster"])["clusters"]
        assert [c["status"] for c in clusters if c["status"] == "ACTIVE"] == []
        client(local_site, "s3").head_bucket(Bucket=f"{PREFIX}-tfstate")  # the state bucket stays


@pytest.mark.parametrize("name", ORDER)
def test_the_local_job_template_runs_through_ansible_runner(name, templates, local_site, awx_inventory, tmp_path):
    assert local_site.first.rc == 0, local_site.first.output[-3000:]
    runner = run_template(name, templates, local_site, awx_inventory, tmp_path)
    if name not in SYNTAX_CHECK_ONLY:
        read_back(name, local_site, runner)


def test_boto3_amazon_aws_and_terraform_all_signed_with_the_awx_session_token():
    """Every signed request of every run above carried X-Amz-Security-Token (checked per run); here: all three kinds
    of client were among them."""
    assert set(RUNS) == set(ORDER), "the job templates must run first"
    agents = set().union(*(run["user_agents"] for run in RUNS.values()))
    assert any("Terraform/" in agent for agent in agents), agents
    assert any("amazon.aws/" in agent or "community.aws/" in agent for agent in agents), agents
    assert any("shipyard.aws/" in agent for agent in agents), agents
    print({name: run["seconds"] for name, run in RUNS.items()})
