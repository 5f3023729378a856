"""Module shipyard.aws.ecr_image through ansible-playbook: images built with real buildah (FROM scratch, offline),
pushed to the emulator's ECR through the ECR API, and read back with boto3.

The builders are found through PATH: a `buildah` wrapper that records each invocation and runs the real buildah
(vfs storage, chroot isolation), and `docker` / `podman` stand-ins that fail as on a machine without a Docker
daemon, so `builder: auto` picks buildah on every machine and the tests can count builder invocations.

Emulator difference (moto): ECR reports the SHA-256 of the manifest bytes as an image's digest; moto reports the
SHA-256 of the concatenated layer digests. The module follows the registry's digest (image_uri uses it), returns
the manifest's own SHA-256 as manifest_digest and warns. The tests assert both. moto refuses an action IAM does not
allow with HTTP 403 and an XML body that botocore cannot read for ECR's JSON protocol (error code "403"); ECR answers
AccessDeniedException. The module takes either as access denied.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tarfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from helpers import BIN, REPO_ROOT, ansible_env, run_playbook

PLAYBOOK = "tests/integration/playbooks/ecr_image.yml"
TASK = "Push the image"
REPO = "shipyard-web"
UPLOADS = {"InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload"}
WRITES = UPLOADS | {"PutImage"}

DOCKERFILE = """\
FROM scratch
ARG VARIANT=a
COPY site/ /srv/site/
COPY variant-${VARIANT}.txt /srv/variant.txt
"""


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Builders:
    """A PATH with a recording buildah and failing docker/podman; the environment for the playbook runs."""

    def __init__(self, root: Path):
        real = shutil.which("buildah")
        assert real, "buildah is not installed: run `make setup` (it installs the system packages the tests need)"
        self.bin = root / "bin"
        self.bin.mkdir()
        self.log = root / "builder-calls.log"
        self.log.touch()
        self.tmp = root / "tmp"
        self.tmp.mkdir()
        (self.bin / "buildah").write_text(f'#!/bin/sh\necho "buildah $*" >> "{self.log}"\nexec "{real}" "$@"\n')
        for name in ("docker", "podman"):
            (self.bin / name).write_text(
                f'#!/bin/sh\necho "{name} $*" >> "{self.log}"\n'
                f'echo "Cannot connect to the {name} service. Is the daemon running?" >&2\nexit 1\n'
            )
        for script in self.bin.iterdir():
            script.chmod(0o755)
        self.env = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "STORAGE_DRIVER": "vfs",
            "BUILDAH_ISOLATION": "chroot",
            "TMPDIR": str(self.tmp),
        }

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()

    def clear(self) -> None:
        self.log.write_text("")

    def leftovers(self) -> list[str]:
        return [p.name for p in self.tmp.iterdir() if p.name.startswith("shipyard-ecr-image-")]


@pytest.fixture
def builders(tmp_path):
    return Builders(tmp_path)


@pytest.fixture
def ecr(boto):
    client = boto("ecr")
    client.create_repository(repositoryName=REPO)
    return client


def write_context(root: Path, dockerfile: str = DOCKERFILE) -> Path:
    files = {
        "Dockerfile": dockerfile,
        ".dockerignore": "notes/\n*.log\n",
        "site/index.html": "<h1>bookmarks</h1>\n",
        "site/app.js": "console.log('hi')\n",
        "variant-a.txt": "a\n",
        "variant-b.txt": "b\n",
        "notes/todo.md": "- ship it\n",
        "debug.log": "nothing yet\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def context(tmp_path):
    root = tmp_path / "context"
    root.mkdir()
    return write_context(root)


def push(aws, builders, *args, extra: dict | None = None, **image):
    image.setdefault("repository", REPO)
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, env=builders.env, extra_vars={"image": image, **(extra or {})})


def succeeded(run) -> dict:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)


def stored(ecr, tag: str, repository: str = REPO):
    """(digest, manifest text) of the image a tag points at, or None."""
    images = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
    return (images[0]["imageId"]["imageDigest"], images[0]["imageManifest"]) if images else None


def blob_digests(manifest: str) -> list[str]:
    document = json.loads(manifest)
    return [document["config"]["digest"]] + [layer["digest"] for layer in document["layers"]]


def availability(ecr, digests: list[str], repository: str = REPO) -> dict:
    response = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=digests)
    return {layer["layerDigest"]: layer["layerAvailability"] for layer in response["layers"]}


def operations(aws) -> list[str]:
    return [request["operation"] for request in aws.requests() if request["service"] == "ecr"]


def buildah(*args: str) -> None:
    subprocess.run(["buildah", "--storage-driver", "vfs", *args], check=True, capture_output=True)


def prebuilt(root: Path, layers: int, destination: str) -> Path:
    """An image with ``layers`` layers built by buildah itself and exported to ``destination`` (oci-archive:/oci:)."""
    context = root / f"prebuilt-{uuid.uuid4().hex[:8]}"
    context.mkdir()
    lines = ["FROM scratch"]
    for number in range(layers):
        (context / f"part{number}.txt").write_text(f"part {number}\n" * (200 * (number + 1)))
        lines.append(f"COPY part{number}.txt /srv/")
    (context / "Dockerfile").write_text("\n".join(lines) + "\n")
    name = f"localhost/shipyard-prebuilt-{uuid.uuid4().hex[:8]}:1"
    buildah("bud", "--layers", "--isolation", "chroot", "--platform", "linux/amd64", "-t", name, str(context))
    try:
        buildah("push", "--quiet", name, destination)
    finally:
        buildah("rmi", "--force", name)
    return Path(destination.split(":", 1)[1])


def archive_manifest(path: Path) -> bytes:
    with tarfile.open(path) as archive:
        index = json.load(archive.extractfile("index.json"))
        return archive.extractfile("blobs/sha256/" + index["manifests"][0]["digest"].split(":")[1]).read()


def test_check_mode_then_build_push_read_back_then_nothing_to_do(aws, builders, ecr, context):
    run = push(aws, builders, "--check", "--diff", context=str(context), tags=["v1", "stable"])
    result = succeeded(run)
    assert result["changed"] is True and result["build_required"] is True and result["built"] is False
    assert result["digest"] == "" and result["diff"]["before"] == {"v1": None, "stable": None, result["context_tag"]: None}
    assert builders.calls() == [], "check mode never runs a builder"
    assert not WRITES & set(operations(aws)) and ecr.list_images(repositoryName=REPO)["imageIds"] == []

    aws.clear_requests()
    run = push(aws, builders, "--diff", context=str(context), tags=["v1", "stable"])
    result = succeeded(run)
    context_tag = result["context_tag"]
    assert context_tag.startswith("ctx-") and len(context_tag) == 20
    assert result["changed"] is True and result["built"] is True and result["builder"] == "buildah"
    assert result["tags"] == ["v1", "stable", context_tag]
    assert result["diff"]["after"] == dict.fromkeys(["v1", "stable", context_tag], result["digest"])
    # Every tag resolves to the same image, whose blobs are all in the repository.
    images = {tag: stored(ecr, tag) for tag in result["tags"]}
    assert {digest for digest, unused_manifest in images.values()} == {result["digest"]}
    manifest = images["v1"][1]
    assert result["image_uri"] == f"{result['repository_uri']}@{result['digest']}"
    assert set(availability(ecr, blob_digests(manifest)).values()) == {"AVAILABLE"}
    document = json.loads(manifest)
    assert result["pushed_bytes"] == document["config"]["size"] + sum(layer["size"] for layer in document["layers"])
    assert result["skipped_blobs"] == 0
    # moto's digest is not the manifest's SHA-256 (ECR's is): the module follows the registry and says so.
    assert result["manifest_digest"] == sha256(manifest.encode())
    assert result["digest"] != result["manifest_digest"]
    assert any("computes its own" in warning for warning in result.get("warnings", [])), result.get("warnings")
    calls = builders.calls()
    assert [call.split()[0] for call in calls[:3]] == ["docker", "podman", "buildah"], "auto tries docker, podman, buildah"
    assert any(" bud " in f" {call} " or " build " in f" {call} " for call in calls)
    assert all("--storage-driver vfs" in call for call in calls if call.startswith("buildah"))
    assert builders.leftovers() == [], "the export directory is removed"
    assert "GetAuthorizationToken" not in operations(aws), "no registry login"

    builders.clear()
    aws.clear_requests()
    run = push(aws, builders, "--diff", context=str(context), tags=["v1", "stable"])
    result = succeeded(run)
    assert result["changed"] is False and result["built"] is False and result["pushed_bytes"] == 0
    assert result["skipped_blobs"] == len(blob_digests(manifest))
    assert builders.calls() == [], "an unchanged context runs no builder"
    assert not WRITES & set(operations(aws)), "nothing uploaded, nothing tagged"
    assert result["diff"]["before"] == result["diff"]["after"]

    run = push(aws, builders, "--check", context=str(context), tags=["v1", "stable"])
    assert succeeded(run)["changed"] is False


def test_only_what_the_build_sees_decides_a_rebuild(aws, builders, ecr, context):
    first = succeeded(push(aws, builders, context=str(context), tags=["v1"]))

    # Files .dockerignore leaves out (notes/, *.log) change: same inputs, nothing built.
    (context / "notes" / "todo.md").write_text("- changed\n")
    (context / "debug.log").write_text("a lot happened\n")
    builders.clear()
    again = succeeded(push(aws, builders, context=str(context), tags=["v1"]))
    assert again["changed"] is False and again["built"] is False and again["context_tag"] == first["context_tag"]
    assert builders.calls() == []

    # A file the build copies changes: a new image, v1 moves to it, the old content tag stays where it was.
    (context / "site" / "index.html").write_text("<h1>bookmarks v2</h1>\n")
    second = succeeded(push(aws, builders, "--diff", context=str(context), tags=["v1"]))
    assert second["changed"] is True and second["built"] is True
    assert second["context_tag"] != first["context_tag"] and second["digest"] != first["digest"]
    assert stored(ecr, "v1")[0] == second["digest"]
    assert stored(ecr, first["context_tag"])[0] == first["digest"]
    assert second["diff"]["before"]["v1"] == first["digest"] and second["diff"]["after"]["v1"] == second["digest"]


def test_a_build_arg_change_builds_a_new_image(aws, builders, ecr, context):
    first = succeeded(push(aws, builders, context=str(context), tags=["v1"]))
    second = succeeded(push(aws, builders, context=str(context), tags=["v1"], build_args={"VARIANT": "b"}))
    assert second["built"] is True and second["changed"] is True
    assert second["context_tag"] != first["context_tag"] and second["digest"] != first["digest"]
    assert stored(ecr, "v1")[0] == second["digest"]


def test_push_a_prebuilt_oci_archive_and_layout(aws, builders, ecr, tmp_path):
    archive = prebuilt(tmp_path, 2, f"oci-archive:{tmp_path / 'web.oci.tar'}")
    run = push(aws, builders, source="oci_archive", path=str(archive), tags=["v1"])
    result = succeeded(run)
    assert result["changed"] is True and result["built"] is False and result["context_tag"] == ""
    digest, manifest = stored(ecr, "v1")
    assert manifest.encode() == archive_manifest(archive), "the exact manifest bytes"
    assert result["digest"] == digest and result["manifest_digest"] == sha256(manifest.encode())
    assert set(availability(ecr, blob_digests(manifest)).values()) == {"AVAILABLE"}
    assert result["pushed_bytes"] > 0 and builders.calls() == []

    aws.clear_requests()
    result = succeeded(push(aws, builders, source="oci_archive", path=str(archive), tags=["v1"]))
    assert result["changed"] is False and result["pushed_bytes"] == 0
    assert not WRITES & set(operations(aws))

    # Check mode for one more tag: the blobs are all there, only the tag would be added.
    result = succeeded(push(aws, builders, "--check", source="oci_archive", path=str(archive), tags=["v1", "v1.0"]))
    assert result["changed"] is True and result["pushed_bytes"] == 0 and stored(ecr, "v1.0") is None

    layout = prebuilt(tmp_path, 1, f"oci:{tmp_path / 'api-layout'}")
    result = succeeded(push(aws, builders, source="oci_layout", path=str(layout), tags=["api"]))
    assert result["changed"] is True and stored(ecr, "api")[0] == result["digest"] != digest


def test_immutable_repository_keeps_its_tags(aws, builders, boto, context):
    ecr = boto("ecr")
    ecr.create_repository(repositoryName=REPO, imageTagMutability="IMMUTABLE")
    first = succeeded(push(aws, builders, context=str(context), tags=["v1"]))
    assert stored(ecr, "v1")[0] == first["digest"]

    aws.clear_requests()
    again = succeeded(push(aws, builders, context=str(context), tags=["v1"]))
    assert again["changed"] is False and not WRITES & set(operations(aws))

    (context / "site" / "app.js").write_text("console.log('changed')\n")
    builders.clear()
    message = push(aws, builders, context=str(context), tags=["v1"]).failure_message()
    assert f"tag v1 of the immutable ECR repository {REPO} already points at {first['digest']}" in message
    assert "use a new tag" in message
    assert builders.calls() == [], "the conflict is found before building"
    assert stored(ecr, "v1")[0] == first["digest"]


def start_playbook(aws, builders, log: Path, **image) -> subprocess.Popen:
    """ansible-playbook in a session of its own, so the whole process tree can be killed."""
    image.setdefault("repository", REPO)
    command = [str(BIN / "ansible-playbook"), "-i", "inventories/local", PLAYBOOK, "-e", json.dumps({"image": image})]
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=ansible_env(aws.port, builders.env), stdout=output,  # noqa: S603
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def kill_processes_with(marker: str) -> list[str]:
    """SIGKILL every process whose environment contains ``marker``; returns their command lines."""
    killed = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if int(proc.name) != os.getpid() and marker.encode() in (proc / "environ").read_bytes():
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                os.kill(int(proc.name), signal.SIGKILL)
                killed.append(command)
    return killed


def test_a_push_killed_between_blobs_is_finished_by_the_next_run(aws, builders, ecr, tmp_path):
    archive = prebuilt(tmp_path, 5, f"oci-archive:{tmp_path / 'big.oci.tar'}")
    blobs = blob_digests(archive_manifest(archive))
    assert len(blobs) == 6
    # Each upload waits 3 s to start; four at once. A fifth InitiateLayerUpload means a first blob is complete.
    aws.delay("InitiateLayerUpload", 3)
    process = start_playbook(aws, builders, tmp_path / "killed.log", source="oci_archive", path=str(archive), tags=["v1"])
    try:
        deadline = time.monotonic() + 60
        while operations(aws).count("InitiateLayerUpload") < 5:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "killed.log").read_text()[-3000:]
            time.sleep(0.05)
    finally:
        # Ansible's workers start sessions of their own: the module process is found by its environment.
        killed = kill_processes_with(str(builders.tmp))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        aws.clear_delays()
    assert any("AnsiballZ_ecr_image" in command for command in killed), killed
    time.sleep(0.5)  # requests already sent when the run was killed are still answered

    present = availability(ecr, blobs)
    missing = [digest for digest in blobs if digest not in present]
    assert present and len(missing) >= 2, "killed between blobs: some uploaded, some not"
    assert stored(ecr, "v1") is None

    aws.clear_requests()
    result = succeeded(push(aws, builders, source="oci_archive", path=str(archive), tags=["v1"]))
    sizes = blob_sizes(archive)
    assert result["changed"] is True and result["skipped_blobs"] == len(present)
    assert result["pushed_bytes"] == sum(sizes[digest] for digest in missing), "only what was missing"
    assert operations(aws).count("CompleteLayerUpload") == len(missing)
    assert stored(ecr, "v1")[0] == result["digest"]
    assert set(availability(ecr, blobs).values()) == {"AVAILABLE"}


def blob_sizes(archive: Path) -> dict:
    document = json.loads(archive_manifest(archive))
    return {item["digest"]: item["size"] for item in [document["config"]] + document["layers"]}


def test_blobs_uploaded_beforehand_are_skipped_and_an_abandoned_upload_is_redone(aws, builders, ecr, tmp_path):
    archive = prebuilt(tmp_path, 2, f"oci-archive:{tmp_path / 'web.oci.tar'}")
    sizes = blob_sizes(archive)
    config, first_layer, second_layer = list(sizes)
    with tarfile.open(archive) as tar:
        content = {digest: tar.extractfile("blobs/sha256/" + digest.split(":")[1]).read() for digest in sizes}
    for digest in (config, first_layer):
        upload = ecr.initiate_layer_upload(repositoryName=REPO)["uploadId"]
        ecr.upload_layer_part(repositoryName=REPO, uploadId=upload, partFirstByte=0,
                              partLastByte=len(content[digest]) - 1, layerPartBlob=content[digest])
        ecr.complete_layer_upload(repositoryName=REPO, uploadId=upload, layerDigests=[digest])
    # An upload started and never completed (a run that died in the middle of a blob).
    upload = ecr.initiate_layer_upload(repositoryName=REPO)["uploadId"]
    ecr.upload_layer_part(repositoryName=REPO, uploadId=upload, partFirstByte=0, partLastByte=9,
                          layerPartBlob=content[second_layer][:10])

    result = succeeded(push(aws, builders, source="oci_archive", path=str(archive), tags=["v1"]))
    assert result["skipped_blobs"] == 2 and result["pushed_bytes"] == sizes[second_layer]
    assert set(availability(ecr, list(sizes)).values()) == {"AVAILABLE"}
    assert stored(ecr, "v1")[0] == result["digest"]


@pytest.mark.parametrize("image, expected", [
    ({"context": "/nonexistent/app"}, "build context /nonexistent/app does not exist"),
    ({"dockerfile": "web.Dockerfile"}, "web.Dockerfile does not exist (dockerfile is relative to the context"),
    ({"tags": ["v 1"]}, "tag 'v 1' is not a valid image tag"),
    ({"tags": ["ctx-0123"]}, "tags starting with ctx- are the module's content tags"),
    ({"source": "oci_archive", "path": "/nonexistent.tar", "context": None}, "source=oci_archive needs at least one tag"),
    ({"repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"}, "is in region us-east-1, but the module runs against ap-northeast-1"),
], ids=["context", "dockerfile", "tag", "reserved-tag", "oci-without-tags", "uri-region"])
def test_bad_input_fails_before_any_aws_call(aws, builders, context, image, expected):
    options = {"context": str(context), **image}
    options = {key: value for key, value in options.items() if value is not None}
    message = push(aws, builders, **options).failure_message()
    assert expected in message
    assert operations(aws) == [] and builders.calls() == []


def test_a_missing_repository_points_to_infra(aws, builders, context):
    message = push(aws, builders, context=str(context), tags=["v1"]).failure_message()
    assert f"ECR repository {REPO} does not exist in ap-northeast-1" in message
    assert "playbooks/infra.yml" in message
    assert builders.calls() == []


def test_no_builder_names_the_ones_tried_and_how_to_install_one(aws, builders, ecr, context):
    (builders.bin / "buildah").unlink()
    builders.env["PATH"] = f"{builders.bin}{os.pathsep}{path_without_builders(builders.bin.parent / 'system')}"
    message = push(aws, builders, context=str(context), tags=["v1"]).failure_message()
    assert "no image builder works on this machine" in message
    assert "docker: Cannot connect to the docker service" in message
    assert "podman: Cannot connect to the podman service" in message
    assert "buildah: not installed" in message
    assert "install one: buildah" in message and "source=oci_archive" in message


def path_without_builders(root: Path) -> str:
    """A directory with every command of this machine's PATH but docker, podman and buildah."""
    root.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            target = root / name
            if name not in ("docker", "podman", "buildah") and not target.exists():
                target.symlink_to(os.path.join(directory, name))
    return str(root)


def test_a_failed_build_shows_the_builder_output_and_leaves_nothing_behind(aws, builders, ecr, context):
    (context / "Dockerfile").write_text("FROM scratch\nCOPY missing.txt /\n")
    run = push(aws, builders, context=str(context), tags=["v1"])
    message = run.failure_message()
    assert "buildah build failed (exit code" in message
    assert 'STEP 2/2: COPY missing.txt /' in message and "no such file or directory" in message
    assert len(run.failure()["msg"].splitlines()) <= 51
    assert builders.leftovers() == []
    assert any(" rmi " in call for call in builders.calls()), "the local image is removed"
    assert ecr.list_images(repositoryName=REPO)["imageIds"] == []


def test_access_denied_names_the_permissions(aws, builders, ecr, boto, tmp_path):
    archive = prebuilt(tmp_path, 1, f"oci-archive:{tmp_path / 'web.oci.tar'}")
    iam = boto("iam")
    iam.create_user(UserName="image-reader")
    iam.put_user_policy(UserName="image-reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["ecr:DescribeRepositories", "ecr:BatchGetImage"], "Resource": "*"}],
    }))
    key = iam.create_access_key(UserName="image-reader")["AccessKey"]
    enforce_iam(aws, True)
    try:
        run = push(aws, builders, source="oci_archive", path=str(archive), tags=["v1"],
                   extra={"shipyard_aws_access_key": key["AccessKeyId"], "shipyard_aws_secret_key": key["SecretAccessKey"]})
    finally:
        enforce_iam(aws, False)
    message = run.failure_message()
    assert f"Access denied by AWS (BatchCheckLayerAvailability) on ECR repository {REPO}" in message
    assert "ecr:InitiateLayerUpload" in message and "ecr:PutImage" in message
    assert key["SecretAccessKey"] not in run.output


def enforce_iam(aws, on: bool) -> None:
    """moto checks IAM policies only when told to (its reset-auth endpoint); off again afterwards."""
    request = urllib.request.Request(f"{aws.endpoint}/moto-api/reset-auth", data=b"0" if on else b"inf", method="POST",
                                     headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
