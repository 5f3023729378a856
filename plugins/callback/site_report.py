# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: site_report
type: aggregate
short_description: A report of every site.yml run (JSON and a timeline page) and a summary at its end
version_added: 0.1.0
description:
  - Records, for each run of a playbook named in O(playbooks), its phases (the plays of each imported playbook, named
    by the play variable C(shipyard_site_phase)), how long each took, and the components the roles report (Terraform
    components from C(terraform_stack_results), images from C(ecr_images_digests), migrations from C(db_migrate),
    service rollouts from C(ecs_deploy_result)) with when they started and how long they took.
  - At the end of the run it writes C(site-<environment>-<UTC time>.json) and C(.html) (a self-contained page with an SVG
    timeline) under O(reports_dir), copies them to C(site-<environment>-latest.*), and prints a summary (the ALB's DNS
    name, image digests, migrations applied, schedules with their next runs and savings, seconds per phase and component).
  - Reads only results that are not C(no_log), and keeps no module output but the figures above.
author: shipyard.aws maintainers (@shipyard-aws)
requirements:
  - enabled in C(callbacks_enabled) (the collection's ansible.cfg does it)
options:
  reports_dir:
    description: Where the reports go. By default the C(reports) folder beside the playbook's folder.
    type: path
    env:
      - name: SHIPYARD_REPORTS_DIR
    ini:
      - section: shipyard_site_report
        key: reports_dir
  playbooks:
    description: The playbook file names whose runs get a report.
    type: list
    elements: str
    default: [site.yml]
    env:
      - name: SHIPYARD_REPORT_PLAYBOOKS
    ini:
      - section: shipyard_site_report
        key: playbooks
"""

import os
import time

from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.shipyard.aws.plugins.plugin_utils import site_report, site_timeline


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "shipyard.aws.site_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.report = None
        self.phase = None
        self.playbook_path = None

    def v2_playbook_on_start(self, playbook):
        path = getattr(playbook, "_file_name", "") or ""
        if os.path.basename(path) not in (self.get_option("playbooks") or []):
            return
        self.playbook_path = os.path.abspath(path)
        self.report = site_report.new_report(os.path.basename(path), None, context.CLIARGS.get("check", False), time.time())

    def v2_playbook_on_play_start(self, play):
        if self.report is None:
            return
        play_vars = play.get_vars()
        if self.report["environment"] is None:
            self.report["environment"] = self._environment(play)
        name = str(play_vars.get("shipyard_site_phase") or play.get_name())
        self.phase = site_report.start_phase(self.report, name, play.get_name(), time.time())

    def v2_runner_on_ok(self, result):
        if self.phase is None:
            return
        outcome = result._result
        site_report.count_result(self.phase, "ok", outcome.get("changed", False))
        if outcome.get("censored"):
            return
        site_report.take_facts(self.report, self.phase, outcome.get("ansible_facts") or {}, time.time())
        if result._task.action in site_report.MIGRATE_ACTIONS:
            site_report.take_migrations(self.phase, outcome, time.time())

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if self.phase is not None and not ignore_errors:
            site_report.count_result(self.phase, "failed")

    def v2_runner_on_unreachable(self, result):
        self.v2_runner_on_failed(result)

    def v2_runner_on_skipped(self, result):
        if self.phase is not None:
            site_report.count_result(self.phase, "skipped")

    def v2_playbook_on_stats(self, stats):
        if self.report is None:
            return
        failed = any(stats.failures.values()) or any(stats.dark.values())
        report = site_report.finish(self.report, time.time(), failed)
        report["environment"] = report["environment"] or "unknown"
        report["summary_lines"] = site_report.summary_lines(report)
        folder = self.get_option("reports_dir") or os.path.join(os.path.dirname(os.path.dirname(self.playbook_path)), "reports")
        try:
            paths = site_report.write(report, folder, site_timeline.render(report))
        except OSError as error:
            self._display.warning(f"shipyard.aws.site_report: could not write the report under {folder}: {error}")
            paths = {}
        self._display.banner("SITE SUMMARY")
        for line in report["summary_lines"]:
            self._display.display(line)
        for kind, path in paths.items():
            self._display.display(f"report ({kind}): {path}")
        self.report = self.phase = None

    @staticmethod
    def _environment(play):
        """shipyard_env from the inventory, else the inventory folder's name (inventories/<env>)."""
        try:
            manager = play.get_variable_manager()
            hosts = manager._inventory.get_hosts(play.hosts)
            value = manager.get_vars(play=play, host=hosts[0], include_hostvars=False).get("shipyard_env") if hosts else None
            if isinstance(value, str) and value and "{" not in value:
                return value
        except Exception:  # pylint: disable=broad-except  # the name is cosmetic; never fail a run over it
            pass
        sources = context.CLIARGS.get("inventory") or ()
        return os.path.basename(os.path.normpath(sources[0])) if sources else None
