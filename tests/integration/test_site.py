"""playbooks/site.yml on the local inventory: a whole environment in one run (bootstrap, infra, images, migrate,
deploy, schedule), the report it leaves under reports/, its summary, and a second run that changes nothing and,
at -vvv, prints no secret.

The first run is conftest's `local_site` (one per session, shared with test_platform_local.py and
test_awx_job_templates.py); these tests run first, in file order.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import boto3
import pytest

from helpers import REPO_ROOT

pytestmark = pytest.mark.slow

PREFIX = "bookmark-manager-local"
PHASES = ["bootstrap", "infra", "images", "migrate", "deploy", "schedule"]
MIGRATIONS = sorted(p.name for p in (REPO_ROOT / "examples/bookmark-manager/prisma/migrations").iterdir() if p.is_dir())


def client(site, service):
    return boto3.client(service, endpoint_url=site.emulator.endpoint, region_name="ap-northeast-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def latest_report(site):
    return json.loads((Path(site.reports_dir) / "site-local-latest.json").read_text())


def test_site_runs_every_phase_in_order(local_site):
    assert local_site.first.rc == 0, local_site.first.output[-5000:]
    assert (Path(local_site.reports_dir) / "site-local-latest.json").exists(), local_site.first.stderr[-5000:]
    report = latest_report(local_site)
    assert [phase["name"] for phase in report["phases"]] == PHASES
    assert report["result"] == "ok" and report["environment"] == "local"
    assert all(phase["tasks"]["failed"] == 0 for phase in report["phases"])
    starts = [phase["started"] for phase in report["phases"]]
    assert starts == sorted(starts)
    assert sum(phase["seconds"] for phase in report["phases"]) == pytest.approx(report["seconds"], abs=1.0)


def test_the_summary_names_what_aws_and_the_database_hold(local_site):
    summary = latest_report(local_site)["summary"]
    balancers = client(local_site, "elbv2").describe_load_balancers()["LoadBalancers"]
    assert summary["alb_dns_name"] in {lb["DNSName"] for lb in balancers}

    ecr = client(local_site, "ecr")
    for name, digest in summary["images"].items():
        images = ecr.describe_images(repositoryName=f"{PREFIX}-{name}", imageIds=[{"imageDigest": digest}])["imageDetails"]
        assert images, f"{name}: {digest} is not in its repository"
    ecs = client(local_site, "ecs")
    cluster = ecs.list_clusters()["clusterArns"][0]
    for service in ecs.describe_services(cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"])["services"]:
        image = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]["image"]
        assert image.rsplit("@", 1)[-1] in summary["images"].values(), f"{service['serviceName']} runs {image}"
    assert set(summary["rollouts"].values()) == {"COMPLETED"}

    assert summary["migrations"]["applied"] == MIGRATIONS
    assert summary["migrations"]["current"] == MIGRATIONS[-1]

    names = {s["Name"] for s in client(local_site, "scheduler").list_schedules(MaxResults=100)["Schedules"]}
    assert any(name.startswith(PREFIX) for name in names), names
    by_what = {schedule["what"]: schedule for schedule in summary["schedules"]}
    assert set(by_what) == {"ECS services", "database"}
    assert by_what["ECS services"]["next"]["stop"] and by_what["ECS services"]["next"]["start"]
    assert 0 < by_what["ECS services"]["saved_percent"] < 100

    lines = local_site.first.output
    assert "SITE SUMMARY" in lines
    assert f"ALB: {summary['alb_dns_name']}" in lines


def test_the_timeline_shows_each_wave_side_by_side(local_site):
    report = latest_report(local_site)
    infra = next(phase for phase in report["phases"] if phase["name"] == "infra")
    terraform = [c for c in infra["components"] if c["kind"] == "terraform"]
    assert {c["name"] for c in terraform} >= {"ecr", "network", "storage", "security", "compute", "database"}
    first_wave = [c for c in terraform if c["wave"] == 1]
    assert len(first_wave) > 1
    for one in first_wave:
        for other in first_wave:
            assert one["started"] < other["started"] + other["seconds"], "the first wave's components overlap in time"
    images = [c for c in report["phases"][PHASES.index("images")]["components"] if c["kind"] == "image"]
    assert {c["name"] for c in images} == {"web", "api"}
    assert all(c["result"] == "built" and c["seconds"] > 0 for c in images), images
    later = [c for c in terraform if c["wave"] > 1]
    assert min(c["started"] for c in later) >= max(c["started"] for c in first_wave)

    page = (Path(local_site.reports_dir) / "site-local-latest.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page, "self-contained, nothing to fetch"
    bars = re.findall(r'<rect class="(\w+)"[^>]* data-start="([0-9.]+)" data-seconds="([0-9.]+)"', page)
    assert [kind for kind, *unused in bars].count("phase") == len(PHASES)
    assert [kind for kind, *unused in bars].count("terraform") == len([c for p in report["phases"] for c in p["components"]
                                                                       if c["kind"] == "terraform"])
    assert {"image", "migration", "service"} <= {kind for kind, *unused in bars}


def secrets(site):
    """What must never be printed: the database's master password and a DSN with it, the application's parameters,
    and an ECR registry token."""
    ssm, sm = client(site, "ssm"), client(site, "secretsmanager")
    secret_arn = ssm.get_parameter(Name="/bookmark-manager/local/DB_SECRET_ARN")["Parameter"]["Value"]
    password = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])["password"]
    user = ssm.get_parameter(Name="/bookmark-manager/local/DB_USER")["Parameter"]["Value"]
    token = client(site, "ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    found = {"database password": password, "DSN": f"postgresql://{user}:{password}",
             "registry token": token, "registry password": base64.b64decode(token).decode().split(":", 1)[1],
             "JWT_SECRET": "local-only-jwt-secret"}
    assert all(len(value) >= 8 for value in found.values())
    return found


def test_a_second_run_changes_nothing_and_its_vvv_output_holds_no_secret(local_site):
    again = local_site.play("playbooks/site.yml", "-vvv")
    assert again.rc == 0, again.output[-5000:]
    plays = again.report["plays"]
    assert len(plays) >= len(PHASES)
    for play in plays:
        changed = [task["task"]["name"] for task in play["tasks"] if task["hosts"].get("localhost", {}).get("changed")]
        assert changed == [], f"{play['play']['name']}: {changed}"
    assert again.stats["changed"] == 0

    report = latest_report(local_site)
    assert report["changed"] == 0
    assert {c["result"] for p in report["phases"] for c in p["components"] if c["kind"] == "terraform"} == {"unchanged"}
    assert report["summary"]["migrations"]["applied"] == []

    written = "".join(path.read_text() for path in Path(local_site.reports_dir).iterdir())
    for what, value in secrets(local_site).items():
        assert value not in again.output, f"the {what} is in the -vvv output"
        assert value not in local_site.first.output, f"the {what} is in the first run's output"
        assert value not in written, f"the {what} is in a report"
