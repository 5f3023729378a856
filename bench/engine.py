"""Benchmark of the Terraform engine (make bench): infra.yml versus a hand-written loop of terraform commands.

On the diamond graph (tests/integration/terraform/diamond), against a fresh local emulator, medians of --repeat runs:
  cold:  infra.yml on an empty environment   vs  `terraform init && terraform apply -auto-approve` per component,
                                                 in topological order, outputs passed on by hand
  no-op: infra.yml on a converged environment vs  `terraform plan` per component
Writes bench/results/engine-<UTC time>.json and the ratio table into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tools"), str(REPO / "tests")]

from helpers import run_playbook  # noqa: E402
from localenv import net, terraform_cli  # noqa: E402
from localenv.emulator import Emulator  # noqa: E402

DIAMOND = REPO / "tests" / "integration" / "terraform" / "diamond"
GRAPH = [
    {"name": "a", "path": "a", "inputs": {"seed": "bench"}},
    {"name": "b", "path": "b", "depends_on": ["a"], "inputs_from": {"from_a": "a.value", "token": "a.token"}},
    {"name": "c", "path": "c", "depends_on": ["a"], "inputs_from": {"from_a": "a.value", "token": "a.token"}},
    {"name": "d", "path": "d", "depends_on": ["b", "c"], "inputs_from": {"from_b": "b.value", "from_c": "c.plain", "bucket": "a.bucket"}},
]
PREFIX = "bookmark-manager-local"


def timed(action):
    start = time.monotonic()
    action()
    return time.monotonic() - start


def fresh_environment(emulator):
    emulator.reset()
    boot = run_playbook("playbooks/bootstrap.yml", aws_port=emulator.port)
    assert boot.rc == 0, boot.output[-2000:]


def engine_run(emulator, work_dir):
    def run():
        result = run_playbook("playbooks/infra.yml", aws_port=emulator.port, extra_vars={
            "terraform_stack_components_root": str(DIAMOND), "terraform_stack_components": GRAPH,
            "terraform_stack_work_dir": str(work_dir)})
        assert result.rc == 0, result.output[-3000:]
    return run


def loop_run(emulator, work_dir, cli_config, command):
    """The by-hand baseline: one component after the other, outputs copied from one to the next."""
    endpoints = "{" + ",".join(f'{s}="{emulator.endpoint}"' for s in ("s3", "ssm", "sts", "iam")) + "}"
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "TF_IN_AUTOMATION": "1"}

    def terraform(component, *args):
        env["TF_DATA_DIR"] = str(work_dir / component["name"])
        result = subprocess.run(["terraform", *args], cwd=DIAMOND / component["path"], env=env,  # noqa: S603,S607
                                capture_output=True, text=True, check=False)
        assert result.returncode in (0, 2), result.stderr[-2000:]
        return result.stdout

    def run():
        outputs = {}
        for component in GRAPH:
            backend = work_dir / f"{component['name']}.hcl"
            backend.write_text(
                f'bucket = "{PREFIX}-tfstate"\nkey = "local/{component["name"]}/terraform.tfstate"\n'
                f'region = "ap-northeast-1"\nuse_lockfile = true\nuse_path_style = true\n'
                f'endpoints = {{ s3 = "{emulator.endpoint}", sts = "{emulator.endpoint}" }}\n')
            variables = ["-var", "aws_region=ap-northeast-1", "-var", f"aws_endpoints={endpoints}", "-var", f"prefix={PREFIX}",
                         "-var", "service=bookmark-manager", "-var", "environment=local"]
            values = dict(component.get("inputs", {}))
            values.update({var: outputs[ref.split(".")[0]][ref.split(".")[1]] for var, ref in component.get("inputs_from", {}).items()})
            for name, value in values.items():
                variables += ["-var", f"{name}={value}"]
            if command == "apply":
                terraform(component, "init", "-input=false", f"-backend-config={backend}")
                terraform(component, "apply", "-input=false", "-auto-approve", *variables)
            else:
                terraform(component, "plan", "-input=false", "-detailed-exitcode", *variables)
            outputs[component["name"]] = {k: v["value"] for k, v in json.loads(terraform(component, "output", "-json")).items()}
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mirror = os.environ.get("TF_PROVIDER_MIRROR") or subprocess.run(
        [str(REPO / "tools" / "find-provider-mirror")], capture_output=True, text=True, check=False).stdout.strip()

    scratch = Path(tempfile.mkdtemp(prefix="shipyard-bench-"))
    scratch.chmod(0o755)
    emulator = Emulator(net.free_port(), scratch)
    emulator.start()
    cli_config = terraform_cli.write_config(base=scratch, mirror=mirror or None)
    times = {"engine_cold": [], "engine_noop": [], "loop_cold": [], "loop_noop": []}
    try:
        for round_number in range(args.repeat):
            for kind in ("engine", "loop"):
                fresh_environment(emulator)
                work_dir = scratch / f"{kind}-{round_number}"
                (work_dir / "terraform").mkdir(parents=True)
                shutil.copy(cli_config, work_dir / "terraform" / "cli.tfrc")
                if kind == "engine":
                    times["engine_cold"].append(timed(engine_run(emulator, work_dir / "terraform")))
                    times["engine_noop"].append(timed(engine_run(emulator, work_dir / "terraform")))
                else:
                    times["loop_cold"].append(timed(loop_run(emulator, work_dir, cli_config, "apply")))
                    times["loop_noop"].append(timed(loop_run(emulator, work_dir, cli_config, "plan")))
                print(f"round {round_number + 1} {kind}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in times.items() if v), flush=True)
    finally:
        emulator.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    medians = {key: round(statistics.median(values), 1) for key, values in times.items()}
    ratios = {"cold": round(medians["engine_cold"] / medians["loop_cold"], 2),
              "noop": round(medians["engine_noop"] / medians["loop_noop"], 2)}
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    report = {"when": stamp, "repeat": args.repeat, "cores": os.cpu_count(), "seconds": times, "medians": medians, "ratios": ratios}
    (results_dir / f"engine-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    write_docs(report)
    print(json.dumps(report["medians"]), json.dumps(ratios))


def write_docs(report):
    medians, ratios = report["medians"], report["ratios"]
    section = "\n".join([
        "## Terraform engine (diamond graph a -> b, a -> c, b + c -> d)",
        "",
        f"`make bench`, {report['when']}, {report['cores']} cores, median of {report['repeat']} runs against the local emulator.",
        "",
        "| run | infra.yml | terraform loop | ratio | target |",
        "|---|---|---|---|---|",
        f"| cold (empty environment) | {medians['engine_cold']} s | {medians['loop_cold']} s (init + apply per component) | "
        f"{ratios['cold']} | <= 0.8 |",
        f"| no-op (converged) | {medians['engine_noop']} s | {medians['loop_noop']} s (plan per component) | "
        f"{ratios['noop']} | <= 1.0 |",
        "",
    ])
    path = REPO / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\nWritten by `make bench`; raw numbers in bench/results/.\n\n"
    start = text.find("## Terraform engine")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


if __name__ == "__main__":
    main()
