# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The report of a site.yml run, built from what the roles publish (pure: the callback site_report feeds it).

A report is a dict: the run (playbook, environment, check mode, start, seconds, result), its phases (one per
imported playbook: seconds, task counts) and their components (a Terraform component, an image, a migration, a
service rollout: start, seconds, result), and a summary (the ALB's DNS name, image digests, migrations, schedules
with their next runs and savings). Times are Unix timestamps.
"""

from __future__ import annotations

import datetime
import json
import os

from ansible_collections.shipyard.aws.plugins.module_utils.schedule_expressions import next_runs

# The facts the roles publish that the report reads (each role's documented result).
FACTS = ("terraform_stack_results", "ecr_images_digests", "db_migrations_result", "ecs_deploy_result",
         "ecs_schedule_plan", "aurora_schedule_plan")
MIGRATE_ACTIONS = ("shipyard.aws.db_migrate", "db_migrate")


def new_report(playbook, environment, check_mode, started):
    return {"playbook": playbook, "environment": environment, "check_mode": bool(check_mode), "started": started,
            "seconds": 0.0, "result": "running", "phases": [], "summary": {}, "facts": {}}


def start_phase(report, name, play, at):
    """The phase a play belongs to: the current one when the play continues it (infra.yml has two plays)."""
    phases = report["phases"]
    if not phases or phases[-1]["name"] != name:
        phases.append({"name": name, "plays": [], "started": at, "seconds": 0.0,
                       "tasks": {"ok": 0, "changed": 0, "failed": 0, "skipped": 0}, "components": []})
    phases[-1]["plays"].append(play)
    return phases[-1]


def count_result(phase, status, changed=False):
    phase["tasks"][status] += 1
    if status == "ok" and changed:
        phase["tasks"]["changed"] += 1


def take_facts(report, phase, facts, at):
    """Components out of the facts a task set (``at``: when its result arrived)."""
    for name in FACTS:
        if name in facts:
            report["facts"][name] = facts[name]
            phase["components"] = [c for c in phase["components"] if c["source"] != name]
            phase["components"].extend(_components(name, facts[name], phase, at))


def take_migrations(phase, result, at):
    """db_migrate applies one migration after the other: lay them out back to back, ending when the task did."""
    applied = [m for m in result.get("applied") or [] if isinstance(m, dict)]
    moment = at - sum(float(m.get("seconds") or 0) for m in applied)
    for migration in applied:
        seconds = float(migration.get("seconds") or 0)
        phase["components"].append(_component("migration", migration.get("name", "?"), moment, seconds, "applied",
                                              "db_migrate"))
        moment += seconds


def _component(kind, name, started, seconds, result, source, **extra):
    return {"kind": kind, "name": name, "started": round(float(started), 3), "seconds": round(float(seconds or 0), 3),
            "result": result, "source": source, **extra}


def _components(fact, value, phase, at):
    if fact == "terraform_stack_results":
        return [_component("terraform", row["name"], row.get("started") or phase["started"], row.get("seconds") or 0,
                           row.get("result"), fact, wave=row.get("wave"), counts=row.get("counts") or {})
                for row in value or [] if row.get("seconds") is not None]
    if fact == "ecr_images_digests":
        # Built and pushed at the same time; each ends by the time the role published the digests.
        return [_component("image", name, at - _total(image), _total(image),
                           "built" if image.get("built") else ("retagged" if image.get("changed") else "unchanged"), fact)
                for name, image in sorted((value or {}).items())]
    if fact == "ecs_deploy_result":
        return [_component("service", key, at - float(row.get("seconds") or 0), row.get("seconds") or 0,
                           (row.get("rollout_state") or "not started").lower(), fact)
                for key, row in sorted((value or {}).items())]
    return []


def _total(image):
    seconds = image.get("seconds")
    return float(seconds.get("total") or 0) if isinstance(seconds, dict) else float(seconds or 0)


def finish(report, at, failed):
    """Close the run: each phase lasts until the next starts, the last until ``at``."""
    phases = report["phases"]
    for phase, following in zip(phases, phases[1:] + [None]):
        phase["seconds"] = round((following["started"] if following else at) - phase["started"], 3)
    report["seconds"] = round(at - report["started"], 3)
    report["result"] = "failed" if failed else "ok"
    report["changed"] = sum(phase["tasks"]["changed"] for phase in phases)
    report["summary"] = summary(report["facts"], now=at)
    del report["facts"]
    return report


def summary(facts, now=None):
    moment = datetime.datetime.fromtimestamp(now, datetime.timezone.utc) if now else None
    outputs = {}
    for row in facts.get("terraform_stack_results") or []:
        outputs.update(row.get("outputs") or {})
    images = {name: image.get("digest") for name, image in sorted((facts.get("ecr_images_digests") or {}).items())}
    migrations = facts.get("db_migrations_result") or {}
    schedules = [_schedule(label, facts[fact], moment) for fact, label in
                 (("ecs_schedule_plan", "ECS services"), ("aurora_schedule_plan", "database")) if facts.get(fact)]
    return {"alb_dns_name": outputs.get("alb_dns_name"), "images": images,
            "migrations": {"applied": [m.get("name") if isinstance(m, dict) else m for m in migrations.get("applied") or []],
                           "current": migrations.get("current")},
            "rollouts": {key: row.get("rollout_state") for key, row in sorted((facts.get("ecs_deploy_result") or {}).items())},
            "schedules": schedules}


def _schedule(label, plan, moment):
    holidays = set(plan.get("holidays") or [])
    runs = {}
    for action in ("stop", "start"):
        expression = plan.get(f"{action}_expression")
        if expression:
            upcoming = [run for run in next_runs(expression, plan.get("timezone") or "UTC", now=moment, count=10)
                        if run.date().isoformat() not in holidays]  # the function skips its work on a holiday
            runs[action] = upcoming[0].isoformat() if upcoming else None
    savings = plan.get("savings") or {}
    return {"what": label, "timezone": plan.get("timezone"), "next": runs,
            "saved_percent": savings.get("saved_percent"), "weekly_running_hours": savings.get("weekly_running_hours"),
            "weekly_hours": savings.get("weekly_hours")}


def summary_lines(report):
    """The summary the run ends with."""
    done = report["summary"]
    lines = [f"{report['playbook']} on {report['environment']}: {report['result']}"
             + (" (check mode)" if report["check_mode"] else "") + f" in {report['seconds']:.1f} s,"
             + f" {report['changed']} task(s) changed"]
    if done.get("alb_dns_name"):
        lines.append(f"ALB: {done['alb_dns_name']}")
    for name, digest in done["images"].items():
        lines.append(f"image {name}: {digest}")
    applied = done["migrations"]["applied"]
    lines.append(f"migrations: {len(applied)} applied" + (f" ({', '.join(applied)})" if applied else "")
                 + f", current {done['migrations']['current'] or '-'}")
    for key, state in done["rollouts"].items():
        lines.append(f"rollout {key}: {state or 'not started'}")
    for schedule in done["schedules"]:
        runs = ", ".join(f"next {action} {when}" for action, when in schedule["next"].items() if when)
        saved = (f"{schedule['saved_percent']}% of the week saved" if schedule["saved_percent"] is not None
                 else "stopped every scheduled night")
        lines.append(f"schedule {schedule['what']}: {runs} ({schedule['timezone']}); {saved}")
    for phase in report["phases"]:
        parts = ", ".join(f"{c['name']} {c['seconds']:.1f}" for c in phase["components"] if c["kind"] != "migration")
        lines.append(f"{phase['name']}: {phase['seconds']:.1f} s" + (f" ({parts})" if parts else ""))
    return lines


def write(report, folder, html):
    """reports/site-<env>-<UTC time>.json and .html, and the same as site-<env>-latest.*; returns the paths."""
    os.makedirs(folder, exist_ok=True)
    stamp = datetime.datetime.fromtimestamp(report["started"], datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = os.path.join(folder, f"site-{report['environment']}-{stamp}")
    latest = os.path.join(folder, f"site-{report['environment']}-latest")
    text = json.dumps(report, indent=2, sort_keys=True, default=str) + "\n"
    for path, content in ((base + ".json", text), (base + ".html", html), (latest + ".json", text), (latest + ".html", html)):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
    return {"json": base + ".json", "html": base + ".html"}
