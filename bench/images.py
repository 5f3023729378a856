"""Benchmark of the container image path (make bench, after engine.py), against a fresh local emulator:

  re-run:  playbooks/images.yml (inventories/local: the two example images, buildah with vfs) run again with
           nothing changed, against its cold run (both images built and pushed into empty repositories);
           also the same playbook with no image at all, the fixed cost of starting Ansible and the role.
  upload:  shipyard.aws.ecr_image pushing an OCI layout with one ~200 MB layer of random bytes (its `push` phase:
           BatchCheckLayerAvailability, the multipart upload, PutImage), against computing SHA-256 over the same
           bytes read from the same file (the floor: the module hashes every byte it uploads).

Medians of --repeat rounds. Writes bench/results/images-<UTC time>.json and the `## Container images` section
of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tools"), str(REPO / "tests"), str(REPO / "tests" / "unit"), str(REPO / ".shipyard" / "collections")]

from helpers import run_playbook  # noqa: E402
from localenv import net  # noqa: E402
from localenv.emulator import Emulator  # noqa: E402
from oci_layout import Layout  # noqa: E402
from sections import replace_section  # noqa: E402

PREFIX = "bookmark-manager-local"
IMAGES = ("web", "api")
UPLOAD_REPOSITORY = "bench-upload"
LAYER_MB = 200
BUILDER = {"ecr_images_builder": "buildah"}


def ecr(emulator):
    return boto3.client("ecr", endpoint_url=emulator.endpoint, region_name="ap-northeast-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def timed_playbook(emulator, env, playbook, extra_vars):
    start = time.monotonic()
    result = run_playbook(playbook, aws_port=emulator.port, env=env, extra_vars=extra_vars, timeout=3600)
    seconds = time.monotonic() - start
    assert result.rc == 0, result.output[-3000:]
    return seconds, result


def images_round(emulator, env, times):
    emulator.reset()
    client = ecr(emulator)
    for image in IMAGES:
        client.create_repository(repositoryName=f"{PREFIX}-{image}")
    cold, first = timed_playbook(emulator, env, "playbooks/images.yml", BUILDER)
    assert all(entry["built"] for entry in first.fact("ecr_images_digests").values())
    rerun, second = timed_playbook(emulator, env, "playbooks/images.yml", BUILDER)
    assert second.stats["changed"] == 0, "the re-run changed something"
    empty, unused_result = timed_playbook(emulator, env, "playbooks/images.yml", {**BUILDER, "ecr_images_list": []})
    times["images_cold"].append(cold)
    times["images_rerun"].append(rerun)
    times["images_empty"].append(empty)


def upload_round(emulator, env, layout, blob, times):
    emulator.reset()
    ecr(emulator).create_repository(repositoryName=UPLOAD_REPOSITORY)
    image = {"repository": UPLOAD_REPOSITORY, "source": "oci_layout", "path": str(layout), "tags": ["bench"]}
    unused_seconds, result = timed_playbook(emulator, env, "tests/integration/playbooks/ecr_image.yml", {"image": image})
    pushed = result.result_of("Push the image")
    assert pushed["pushed_bytes"] >= blob.stat().st_size, pushed
    start = time.monotonic()
    digest = hashlib.sha256()
    with blob.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    times["sha256"].append(time.monotonic() - start)
    times["upload"].append(pushed["seconds"]["push"])
    times["boto3_loop"].append(bare_upload(ecr(emulator), blob))


def bare_upload(client, blob):
    """The same bytes through the same ECR API calls with nothing else: plain boto3, one part after the other.
    What the API's encoding costs by itself (JSON with the part in base64, SigV4's hash of that body)."""
    client.create_repository(repositoryName=UPLOAD_REPOSITORY + "-bare")
    start = time.monotonic()
    upload = client.initiate_layer_upload(repositoryName=UPLOAD_REPOSITORY + "-bare")
    digest, first = hashlib.sha256(), 0
    with blob.open("rb") as handle:
        while part := handle.read(upload["partSize"]):
            digest.update(part)
            client.upload_layer_part(repositoryName=UPLOAD_REPOSITORY + "-bare", uploadId=upload["uploadId"],
                                     partFirstByte=first, partLastByte=first + len(part) - 1, layerPartBlob=part)
            first += len(part)
    client.complete_layer_upload(repositoryName=UPLOAD_REPOSITORY + "-bare", uploadId=upload["uploadId"],
                                 layerDigests=["sha256:" + digest.hexdigest()])
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each measurement")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="shipyard-bench-images-"))
    scratch.chmod(0o755)
    env = {"TMPDIR": str(scratch)}
    layout = scratch / "layout"
    oci = Layout(layout)
    descriptor, manifest = oci.image(layers=[os.urandom(LAYER_MB * 2**20)])
    oci.index(descriptor)
    blob = layout / "blobs" / "sha256" / json.loads(manifest)["layers"][0]["digest"].split(":")[1]

    emulator = Emulator(net.free_port(), scratch)
    emulator.start()
    times = {key: [] for key in ("images_cold", "images_rerun", "images_empty", "upload", "sha256", "boto3_loop")}
    try:
        for round_number in range(args.repeat):
            images_round(emulator, env, times)
            upload_round(emulator, env, layout, blob, times)
            print(f"round {round_number + 1}: " + ", ".join(f"{key} {values[-1]:.2f}s" for key, values in times.items()), flush=True)
    finally:
        emulator.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    medians = {key: round(statistics.median(values), 2) for key, values in times.items()}
    size = LAYER_MB * 2**20
    report = {
        "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "rounds": args.repeat, "cores": os.cpu_count(), "seconds": times, "medians": medians, "layer_bytes": size,
        "ratios": {"rerun_vs_cold": round(medians["images_rerun"] / medians["images_cold"], 2),
                   "upload_vs_sha256": round(medians["sha256"] / medians["upload"], 3),
                   "upload_vs_boto3_loop": round(medians["boto3_loop"] / medians["upload"], 2)},
        "throughput_mb_s": {"upload": round(size / 1e6 / medians["upload"], 1),
                            "sha256": round(size / 1e6 / medians["sha256"], 1),
                            "boto3_loop": round(size / 1e6 / medians["boto3_loop"], 1)},
    }
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"images-{report['when']}.json").write_text(json.dumps(report, indent=2) + "\n")
    write_docs(report)
    print(json.dumps(medians), json.dumps(report["ratios"]))


def write_docs(report):
    medians, ratios, throughput = report["medians"], report["ratios"], report["throughput_mb_s"]
    replace_section("Container images", [
        f"`make bench` (bench/images.py), {report['when']}, {report['cores']} cores, against the local emulator; "
        f"medians of {report['rounds']} rounds.", "",
        "| measurement | this | against | ratio | target |",
        "|---|---|---|---|---|",
        f"| `images.yml` re-run, the two example images unchanged | {medians['images_rerun']} s | "
        f"{medians['images_cold']} s (cold: both built and pushed) | {ratios['rerun_vs_cold']} | <= 0.10 |",
        f"| upload of a {report['layer_bytes'] // 2**20} MiB random layer (the module's push phase) | "
        f"{medians['upload']} s ({throughput['upload']} MB/s) | {medians['sha256']} s ({throughput['sha256']} MB/s): "
        f"SHA-256 over the same bytes | {ratios['upload_vs_sha256']} | >= 0.3 |",
        f"| the same upload | {medians['upload']} s | {medians['boto3_loop']} s ({throughput['boto3_loop']} MB/s): the same "
        f"API calls from a bare boto3 loop | {ratios['upload_vs_boto3_loop']} | (reference) |", "",
        f"`images.yml` with no image at all (starting Ansible and the role, no AWS call) takes {medians['images_empty']} s "
        "of each run: the example images are a few kB, so both runs are mostly that fixed cost. The upload goes to the "
        "emulator (moto in one process on loopback, one request at a time), not to ECR. The ECR API carries each part "
        "as base64 inside a JSON body that SigV4 hashes again, and the emulator decodes it in Python: the bare boto3 loop "
        "shows what that costs before the module does anything.",
    ])


if __name__ == "__main__":
    main()
