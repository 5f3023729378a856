"""The site.yml report (plugin_utils/site_report.py) and its timeline page (plugin_utils/site_timeline.py)."""

from __future__ import annotations

import datetime
import json
import re

from ansible_collections.shipyard.aws.plugins.plugin_utils import site_report, site_timeline

T0 = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.timezone.utc).timestamp()  # a Tuesday, 21:00 in Tokyo

ROWS = [
    {"name": "network", "wave": 1, "result": "applied", "started": T0 + 5, "seconds": 30.0, "counts": {"add": 18},
     "outputs": {"vpc_id": "vpc-1"}},
    {"name": "ecr", "wave": 1, "result": "unchanged", "started": T0 + 5, "seconds": 8.0, "counts": {}, "outputs": {}},
    {"name": "compute", "wave": 2, "result": "applied", "started": T0 + 36, "seconds": 20.0, "counts": {"add": 12},
     "outputs": {"alb_dns_name": "alb-1.elb.example"}},
    {"name": "edge", "wave": 3, "result": "not planned", "seconds": None},
]
PLAN = {"start_expression": "cron(0 9 ? * MON-FRI *)", "stop_expression": "cron(0 22 ? * MON-FRI *)",
        "timezone": "Asia/Tokyo", "holidays": ["2026-11-24"],
        "savings": {"saved_percent": 61.3, "weekly_running_hours": 65, "weekly_hours": 168}}


def a_run():
    report = site_report.new_report("site.yml", "local", False, T0)
    boot = site_report.start_phase(report, "bootstrap", "Bootstrap", T0)
    site_report.count_result(boot, "ok", changed=True)
    infra = site_report.start_phase(report, "infra", "Converge", T0 + 4)
    site_report.take_facts(report, infra, {"terraform_stack_results": ROWS}, T0 + 57)
    again = site_report.start_phase(report, "infra", "Make the emulated database real", T0 + 58)
    assert again is infra, "the second play of infra.yml continues its phase"
    images = site_report.start_phase(report, "images", "Images", T0 + 60)
    site_report.take_facts(report, images, {"ecr_images_digests": {
        "web": {"digest": "sha256:" + "a" * 64, "built": True, "changed": True, "seconds": {"total": 3.0}},
        "api": {"digest": "sha256:" + "b" * 64, "built": False, "changed": False, "seconds": {"total": 0.5}}}}, T0 + 64)
    migrate = site_report.start_phase(report, "migrate", "Migrate", T0 + 65)
    site_report.take_migrations(migrate, {"applied": [{"name": "m1", "seconds": 0.5}, {"name": "m2", "seconds": 1.5}]}, T0 + 68)
    site_report.take_facts(report, migrate, {"db_migrations_result": {
        "applied": [{"name": "m1", "seconds": 0.5}, {"name": "m2", "seconds": 1.5}], "current": "m2"}}, T0 + 68)
    schedule = site_report.start_phase(report, "schedule", "Schedule", T0 + 70)
    site_report.take_facts(report, schedule, {"ecs_schedule_plan": PLAN}, T0 + 75)
    return site_report.finish(report, T0 + 80, failed=False)


def test_phases_last_until_the_next_begins_and_add_up_to_the_run():
    report = a_run()
    assert [(p["name"], p["seconds"]) for p in report["phases"]] == [
        ("bootstrap", 4), ("infra", 56), ("images", 5), ("migrate", 5), ("schedule", 10)]
    assert report["seconds"] == 80 and report["result"] == "ok" and report["changed"] == 1
    assert "facts" not in report, "the facts the roles published are not kept, only the figures taken from them"


def test_terraform_components_keep_their_wave_and_start_and_unplanned_ones_are_left_out():
    infra = a_run()["phases"][1]
    assert [(c["name"], c["wave"], c["started"] - T0, c["seconds"]) for c in infra["components"]] == [
        ("network", 1, 5, 30), ("ecr", 1, 5, 8), ("compute", 2, 36, 20)]


def test_images_end_when_published_and_migrations_run_back_to_back():
    report = a_run()
    images = {c["name"]: c for c in report["phases"][2]["components"]}
    assert images["web"]["started"] == T0 + 61 and images["web"]["result"] == "built"
    assert images["api"]["result"] == "unchanged"
    migrations = report["phases"][3]["components"]
    assert [(c["name"], c["started"] - T0, c["seconds"]) for c in migrations] == [("m1", 66, 0.5), ("m2", 66.5, 1.5)]


def test_the_summary_skips_a_holiday_for_the_next_run():
    schedule = a_run()["summary"]["schedules"][0]
    # Tuesday 21:00 in Tokyo, a holiday: tonight's 22:00 stop is skipped; the next is Wednesday's.
    assert schedule["next"] == {"stop": "2026-11-25T22:00:00+09:00", "start": "2026-11-25T09:00:00+09:00"}
    assert schedule["saved_percent"] == 61.3


def test_summary_lines_name_the_alb_the_images_the_migrations_and_the_seconds_per_phase():
    report = a_run()
    lines = site_report.summary_lines(report)
    assert lines[0] == "site.yml on local: ok in 80.0 s, 1 task(s) changed"
    assert "ALB: alb-1.elb.example" in lines
    assert f"image web: sha256:{'a' * 64}" in lines
    assert "migrations: 2 applied (m1, m2), current m2" in lines
    assert any(line.startswith("schedule ECS services: next stop 2026-11-25T22:00:00+09:00") for line in lines)
    assert "infra: 56.0 s (network 30.0, ecr 8.0, compute 20.0)" in lines


def test_the_timeline_draws_parallel_components_at_the_same_start():
    report = a_run()
    page = site_timeline.render(report)
    bars = {label: (float(start), float(seconds)) for label, start, seconds in re.findall(
        r'<text[^>]*>([^<]+)</text><rect class="\w+"[^>]* data-start="([0-9.]+)" data-seconds="([0-9.]+)"', page)}
    assert bars["terraform network"] == (5.0, 30.0) and bars["terraform ecr"] == (5.0, 8.0)
    assert bars["terraform compute"] == (36.0, 20.0)
    assert bars["infra"] == (4.0, 56.0)
    assert "<script" not in page


def test_write_keeps_a_timestamped_pair_and_the_latest(tmp_path):
    report = a_run()
    paths = site_report.write(report, str(tmp_path / "reports"), "<html></html>")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "site-local-20261124T120000Z.html", "site-local-20261124T120000Z.json", "site-local-latest.html", "site-local-latest.json"]
    assert json.loads((tmp_path / "reports" / "site-local-latest.json").read_text())["seconds"] == 80
    assert paths["json"].endswith("site-local-20261124T120000Z.json")
