# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Wait for several async jobs at once; print a line per job as it finishes; remove the job files."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

ARGUMENT_SPEC = {
    "jobs": {"type": "list", "elements": "dict", "required": True},
    "labels": {"type": "list", "elements": "str"},
    "phase": {"type": "str", "default": "job"},
    "timeout": {"type": "int", "default": 3600},
    "poll_interval": {"type": "float", "default": 1},
    "cleanup": {"type": "bool", "default": True},
}


def job_label(job, default):
    item = job.get("item")
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return item["name"]
    return str(item) if isinstance(item, str) else default


def read_job_file(path):
    """A local job file, as async_status reads it: empty or half-written means still running."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.loads(handle.read())
    except FileNotFoundError:
        return {"failed": True, "finished": True, "msg": f"could not find the async job file {path}"}
    except ValueError:
        return {"finished": False}
    data["finished"] = "started" not in data or bool(data.get("finished"))
    return data


def progress_line(label, phase, result, seconds):
    if result.get("failed"):
        return f"{label}: {phase} FAILED after {seconds:.1f}s"
    return f"{label}: {phase} finished after {seconds:.1f}s"


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        jobs = args["jobs"]
        if args["labels"] and len(args["labels"]) != len(jobs):
            return {**result, "failed": True,
                    "msg": f"labels has {len(args['labels'])} entries but jobs has {len(jobs)}; give one label per job or none"}
        labels = args["labels"] or [job_label(job, str(job.get("ansible_job_id", index))) for index, job in enumerate(jobs)]

        async_dir = self._remote_expand_user(self.get_shell_option("async_dir", default="~/.ansible_async"))
        local = self._connection.transport in ("local", "ansible.builtin.local")
        pending = {}
        results = []
        for index, job in enumerate(jobs):
            if "ansible_job_id" not in job:
                results.append(dict(job))
                continue
            results.append(None)
            pending[index] = (labels[index], job)

        started = time.monotonic()
        while pending:
            for index, (label, job) in list(pending.items()):
                status = self._status(job["ansible_job_id"], async_dir, local, task_vars)
                if not status.get("finished"):
                    continue
                seconds = time.monotonic() - started
                results[index] = {"failed": False, **status, "item": job, "finished": True, "seconds": round(seconds, 1),
                                  "finished_at": round(time.time(), 3)}
                del pending[index]
                display.display(progress_line(label, args["phase"], status, seconds))
                if args["cleanup"]:
                    self._cleanup(job["ansible_job_id"], async_dir, local, task_vars)
            if not pending:
                break
            if time.monotonic() - started > args["timeout"]:
                for index, (label, job) in pending.items():
                    results[index] = {"failed": True, "finished": False, "item": job, "seconds": args["timeout"],
                                      "msg": f"{label}: still running after {args['timeout']}s (job {job['ansible_job_id']}); "
                                             "raise the timeout or look at the job with ansible.builtin.async_status"}
                    display.display(f"{label}: {args['phase']} still running after {args['timeout']}s, given up")
                break
            time.sleep(args["poll_interval"])

        failed_jobs = [labels[index] for index, entry in enumerate(results) if entry.get("failed")]
        # Not "results": Ansible treats that key as loop items and shows them even under no_log, secrets included.
        return {**result, "changed": False, "job_results": results, "failed_jobs": failed_jobs}

    def _status(self, jid, async_dir, local, task_vars):
        if local:
            return read_job_file(os.path.join(async_dir, jid))
        return self._execute_module(module_name="ansible.legacy.async_status", task_vars=task_vars,
                                    module_args={"jid": jid, "_async_dir": async_dir})

    def _cleanup(self, jid, async_dir, local, task_vars):
        if local:
            try:
                os.unlink(os.path.join(async_dir, jid))
            except FileNotFoundError:
                pass
            return
        self._execute_module(module_name="ansible.legacy.async_status", task_vars=task_vars,
                             module_args={"jid": jid, "mode": "cleanup", "_async_dir": async_dir})
