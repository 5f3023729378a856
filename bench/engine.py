"""Benchmark of the Terraform engine (make bench): infra.yml versus a hand-written loop of terraform commands.

Against a fresh local emulator, medians of runs:
  cold:  infra.yml on an empty environment   vs  `terraform init && terraform apply -auto-approve` per component,
                                                 in topological order, outputs passed on by hand
  no-op: infra.yml on a converged environment vs  `terraform plan` per component
on two graphs: the diamond (tests/integration/terraform/diamond, --repeat runs) and the real local stack
(inventories/local, terraform/components, --stack-repeat runs; 0 leaves it out). The loop gets exactly the variables
infra.yml gives each component (a .tfvars.json file). Writes bench/results/engine-<UTC time>.json and the ratio
tables into docs/benchmarks.md.
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
from sections import replace_section  # noqa: E402

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


def engine_run(emulator, work_dir, extra_vars):
    def run():
        result = run_playbook("playbooks/infra.yml", aws_port=emulator.port, timeout=3600,
                              extra_vars={"terraform_stack_work_dir": str(work_dir), **extra_vars})
        assert result.rc == 0, result.output[-3000:]
    return run


def loop_run(emulator, work_dir, cli_config, command, graph, root, common):
    """The by-hand baseline: one component after the other, outputs copied from one to the next."""
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "TF_IN_AUTOMATION": "1"}

    def terraform(component, *args):
        env["TF_DATA_DIR"] = str(work_dir / component["name"])
        result = subprocess.run(["terraform", *args], cwd=Path(root) / component["path"], env=env,  # noqa: S603,S607
                                capture_output=True, text=True, check=False)
        assert result.returncode in (0, 2), result.stderr[-2000:]
        return result.stdout

    def run():
        outputs = {}
        for component in graph:
            backend = work_dir / f"{component['name']}.hcl"
            backend.write_text(
                f'bucket = "{PREFIX}-tfstate"\nkey = "local/{component["name"]}/terraform.tfstate"\n'
                f'region = "ap-northeast-1"\nuse_lockfile = true\nuse_path_style = true\n'
                f'endpoints = {{ s3 = "{emulator.endpoint}", sts = "{emulator.endpoint}" }}\n')
            values = {**common, **(component.get("inputs") or {})}
            for var, ref in (component.get("inputs_from") or {}).items():
                source, output = ref.split(".", 1)
                values[var] = outputs[source].get(output)
            variables = work_dir / f"{component['name']}.tfvars.json"
            variables.write_text(json.dumps({k: v for k, v in values.items() if v is not None}))
            if command == "apply":
                terraform(component, "init", "-input=false", f"-backend-config={backend}")
                terraform(component, "apply", "-input=false", "-auto-approve", f"-var-file={variables}")
            else:
                terraform(component, "plan", "-input=false", "-detailed-exitcode", f"-var-file={variables}")
            outputs[component["name"]] = {k: v["value"] for k, v in json.loads(terraform(component, "output", "-json")).items()}
    return run


def local_stack(emulator, scratch):
    """The local inventory's components and common inputs, rendered as infra.yml renders them."""
    dump = scratch / "stack.json"
    result = run_playbook(REPO / "bench" / "stack_components.yml", aws_port=emulator.port, json_report=False,
                          extra_vars={"dump": str(dump)})
    assert result.rc == 0, result.output[-3000:]
    return json.loads(dump.read_text())


def measure(emulator, scratch, cli_config, times, label, rounds, graph, root, common, engine_vars):
    for round_number in range(rounds):
        for kind in ("engine", "loop"):
            fresh_environment(emulator)
            work_dir = scratch / f"{label}-{kind}-{round_number}"
            (work_dir / "terraform").mkdir(parents=True)
            shutil.copy(cli_config, work_dir / "terraform" / "cli.tfrc")
            if kind == "engine":
                run = engine_run(emulator, work_dir / "terraform", engine_vars)
                times[f"{label}_engine_cold"].append(timed(run))
                times[f"{label}_engine_noop"].append(timed(run))
            else:
                times[f"{label}_loop_cold"].append(timed(loop_run(emulator, work_dir, cli_config, "apply", graph, root, common)))
                times[f"{label}_loop_noop"].append(timed(loop_run(emulator, work_dir, cli_config, "plan", graph, root, common)))
            print(f"{label} round {round_number + 1} {kind}: "
                  + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in times.items() if v and k.startswith(label)), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="rounds on the diamond graph")
    parser.add_argument("--stack-repeat", type=int, default=3, help="rounds on the real local stack (0: leave it out)")
    args = parser.parse_args()
    mirror = os.environ.get("TF_PROVIDER_MIRROR") or subprocess.run(
        [str(REPO / "tools" / "find-provider-mirror")], capture_output=True, text=True, check=False).stdout.strip()

    scratch = Path(tempfile.mkdtemp(prefix="shipyard-bench-"))
    scratch.chmod(0o755)
    emulator = Emulator(net.free_port(), scratch)
    emulator.start()
    cli_config = terraform_cli.write_config(base=scratch, mirror=mirror or None)
    graphs = {"diamond": args.repeat, "stack": args.stack_repeat}
    times = {f"{label}_{key}": [] for label, rounds in graphs.items() if rounds
             for key in ("engine_cold", "engine_noop", "loop_cold", "loop_noop")}
    try:
        stack = local_stack(emulator, scratch)
        if args.repeat:
            measure(emulator, scratch, cli_config, times, "diamond", args.repeat, GRAPH, DIAMOND, stack["common"],
                    {"terraform_stack_components_root": str(DIAMOND), "terraform_stack_components": GRAPH})
        if args.stack_repeat:
            measure(emulator, scratch, cli_config, times, "stack", args.stack_repeat, stack["components"], stack["root"],
                    stack["common"], {})
    finally:
        emulator.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    medians = {key: round(statistics.median(values), 1) for key, values in times.items()}
    ratios = {f"{label}_{kind}": round(medians[f"{label}_engine_{kind}"] / medians[f"{label}_loop_{kind}"], 2)
              for label, rounds in graphs.items() if rounds for kind in ("cold", "noop")}
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    report = {"when": stamp, "rounds": graphs, "cores": os.cpu_count(), "seconds": times, "medians": medians,
              "ratios": ratios, "components": {"diamond": len(GRAPH), "stack": len(stack["components"])}}
    (results_dir / f"engine-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n")
    write_docs(report)
    print(json.dumps(report["medians"]), json.dumps(ratios))


TITLES = {"diamond": "diamond graph a -> b, a -> c, b + c -> d", "stack": "the real local stack, inventories/local"}


def write_docs(report):
    medians, ratios = report["medians"], report["ratios"]
    lines = [f"`make bench`, {report['when']}, {report['cores']} cores, against the local emulator; medians of the rounds given.", "",
             "| graph | rounds | run | infra.yml | terraform loop | ratio | target |",
             "|---|---|---|---|---|---|---|"]
    for label, rounds in report["rounds"].items():
        if not rounds:
            continue
        title = f"{TITLES[label]} ({report['components'][label]} components)"
        lines.append(f"| {title} | {rounds} | cold (empty environment) | {medians[label + '_engine_cold']} s | "
                     f"{medians[label + '_loop_cold']} s (init + apply per component) | {ratios[label + '_cold']} | <= 0.8 |")
        lines.append(f"| {title} | {rounds} | no-op (converged) | {medians[label + '_engine_noop']} s | "
                     f"{medians[label + '_loop_noop']} s (plan per component) | {ratios[label + '_noop']} | <= 1.0 |")
    replace_section("Terraform engine", lines)


if __name__ == "__main__":
    main()
