"""Running the collection's playbooks the way users do, and reading what they did."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET_ENV = ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
              "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ENDPOINT_URL")


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str
    report: dict = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def stats(self) -> dict:
        return self.report.get("stats", {}).get("localhost", {})

    def task_results(self):
        """(task name, result) for every task that ran on localhost, in order."""
        for play in self.report.get("plays", []):
            for task in play.get("tasks", []):
                result = task.get("hosts", {}).get("localhost")
                if result is not None:
                    yield task["task"]["name"], result

    def result_of(self, task_name: str) -> dict:
        """The result of the last task whose name is ``task_name`` (role tasks carry a "role : " prefix)."""
        matches = [result for name, result in self.task_results() if name.rsplit(" : ", maxsplit=1)[-1] == task_name]
        assert matches, f"no task named {task_name!r} ran"
        return matches[-1]

    def failure(self) -> dict:
        failed = [result for name, result in self.task_results() if result.get("failed")]
        assert failed, f"expected a failed task; rc={self.rc}\n{self.output[-3000:]}"
        return failed[-1]

    def failure_message(self) -> str:
        """The failed task's message, with its failed items' messages for a loop, on one line."""
        assert self.rc != 0, self.output[-3000:]
        failed = self.failure()
        parts = [failed.get("msg", "")] + [item.get("msg", "") for item in failed.get("results", []) if item.get("failed")]
        return " ".join(" ".join(parts).split())

    def fact(self, name: str):
        for unused_name, result in self.task_results():
            facts = result.get("ansible_facts", {})
            if name in facts:
                return facts[name]
        raise AssertionError(f"no task set the fact {name}")


def ansible_env(aws_port: int | None = None, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    env.update(
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT / "tools"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    if aws_port is not None:
        env["SHIPYARD_LOCAL_AWS_PORT"] = str(aws_port)
    env.update(extra or {})
    return env


def run_playbook(playbook: str | Path, *args: str, inventory: str | Path = "inventories/local",
                 extra_vars: dict | None = None, aws_port: int | None = None, json_report: bool = True,
                 env: dict | None = None, timeout: int = 600) -> PlaybookRun:
    """Run ansible-playbook from the repository root, as a user would after `make setup`."""
    command = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), *args]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    run_env = ansible_env(aws_port, env)
    if json_report:
        run_env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    proc = subprocess.run(command, cwd=REPO_ROOT, env=run_env, capture_output=True, text=True,  # noqa: S603
                          timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, json_reports(proc.stdout) if json_report else {})


def json_reports(stdout: str) -> dict:
    """The JSON callback's report. With several playbooks in one run it prints one after each, each holding the
    plays and stats so far: the last one is the whole run."""
    decoder, last, end = json.JSONDecoder(), {}, 0
    for match in re.finditer(r"^\{", stdout, re.MULTILINE):
        if match.start() < end:
            continue  # inside the report just read
        try:
            last, end = decoder.raw_decode(stdout, match.start())
        except ValueError:
            continue
    return last
