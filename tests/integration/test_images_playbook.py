"""playbooks/images.yml (role ecr_images) with the local inventory: the two example images
(examples/bookmark-manager/{web,api}) built with real buildah (FROM scratch, offline) and pushed to the emulator's
ECR, read back with boto3.

The repositories are created with boto3 (the ecr Terraform component is slow to apply; its names are the ones used
here, {service}-{env}-<image>). buildah is reached through a PATH wrapper that records each invocation, so a run can
be shown to start no builder. STORAGE_DRIVER comes from the local inventory (ecr_images_storage_driver: vfs), not
from the environment: the wrapper sees it as buildah's --storage-driver.
"""

from __future__ import annotations

import os
import shutil

import pytest

from helpers import run_playbook

PLAYBOOK = "playbooks/images.yml"
PREFIX = "bookmark-manager-local"
IMAGES = ("web", "api")
VERSION = "3.1.4"
WRITES = {"InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage"}
SUMMARY = "Summary, a line per image"


@pytest.fixture
def buildah(tmp_path, monkeypatch):
    """A PATH whose buildah logs its arguments and runs the real one; returns (environment, log file)."""
    real = shutil.which("buildah")
    assert real, "buildah is not installed: run `make setup` (it installs the system packages the tests need)"
    monkeypatch.delenv("STORAGE_DRIVER", raising=False)  # the role must set it
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "buildah.log"
    log.touch()
    wrapper = folder / "buildah"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "TMPDIR": str(tmp_path)}, log


@pytest.fixture
def repositories(boto):
    ecr = boto("ecr")
    for image in IMAGES:
        ecr.create_repository(repositoryName=f"{PREFIX}-{image}")
    return ecr


def images(aws, env, *args, **extra_vars):
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, env=env,
                        extra_vars={"ecr_images_builder": "buildah", "ecr_images_version": VERSION, **extra_vars})


def ecr_operations(aws) -> list[str]:
    return [request["operation"] for request in aws.requests() if request["service"] == "ecr"]


def digest_of(ecr, repository: str, tag: str) -> str:
    found = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
    assert found, f"{repository}:{tag} does not exist"
    return found[0]["imageId"]["imageDigest"]


def test_both_images_pushed_then_a_second_run_does_nothing(aws, buildah, repositories):
    env, log = buildah
    first = images(aws, env)
    assert first.rc == 0, first.output[-3000:]
    assert first.stats["changed"] >= 1
    digests = first.fact("ecr_images_digests")
    assert sorted(digests) == sorted(IMAGES)
    for image in IMAGES:
        repository = f"{PREFIX}-{image}"
        entry = digests[image]
        assert entry["built"] is True and entry["pushed_bytes"] > 0
        assert entry["image_uri"].endswith(f"/{repository}@{entry['digest']}")
        # the version, latest and the content tag all name the image the fact names
        assert VERSION in entry["tags"]
        assert {digest_of(repositories, repository, tag) for tag in (VERSION, "latest")} == {entry["digest"]}
        assert any(tag.startswith("ctx-") for tag in entry["tags"])
    calls = log.read_text().splitlines()
    assert sum(" build " in f" {call} " for call in calls) == 2, calls
    assert all("--storage-driver vfs" in call for call in calls), calls
    summary = first.result_of(SUMMARY)["msg"]
    assert [line.split(":")[0] for line in summary] == list(IMAGES)
    assert all("built and pushed" in line for line in summary), summary

    log.write_text("")
    aws.clear_requests()
    second = images(aws, env)
    assert second.rc == 0, second.output[-3000:]
    assert second.stats["changed"] == 0
    assert log.read_text() == ""  # no builder started at all
    assert not WRITES & set(ecr_operations(aws)), ecr_operations(aws)
    again = second.fact("ecr_images_digests")
    assert {image: again[image]["digest"] for image in IMAGES} == {image: digests[image]["digest"] for image in IMAGES}
    assert all(again[image]["built"] is False and again[image]["pushed_bytes"] == 0 for image in IMAGES)
    assert all("up to date" in line for line in second.result_of(SUMMARY)["msg"])


def test_check_mode_on_empty_repositories_builds_and_pushes_nothing(aws, buildah, repositories):
    env, log = buildah
    run = images(aws, env, "--check")
    assert run.rc == 0, run.output[-3000:]
    assert all("would be built and pushed" in line for line in run.result_of(SUMMARY)["msg"])
    assert log.read_text() == ""
    assert not WRITES & set(ecr_operations(aws))
    assert all(not repositories.list_images(repositoryName=f"{PREFIX}-{image}")["imageIds"] for image in IMAGES)


WEB = "examples/bookmark-manager/web"
BAD_LISTS = {
    "no context": ([{"name": "web"}], "missing required arguments: context"),
    "a name with capitals": ([{"name": "Web", "context": WEB}], 'Image name "Web" is not valid'),
    "a context that does not exist": ([{"name": "web", "context": "examples/nowhere"}],
                                      "examples/nowhere of image web is not a directory"),
    "an unknown key": ([{"name": "web", "context": WEB, "tag": "v1"}], "ecr_images_list.tag. Supported parameters include"),
    "a name twice": ([{"name": "web", "context": WEB}, {"name": "web", "context": WEB}], "names an image more than once"),
}


@pytest.mark.parametrize("images_list, message", BAD_LISTS.values(), ids=BAD_LISTS.keys())
def test_bad_input_fails_before_any_aws_call(aws, buildah, images_list, message):
    env, log = buildah
    run = images(aws, env, ecr_images_list=images_list)
    assert run.rc != 0
    assert message in run.failure_message()
    assert aws.requests() == []
    assert log.read_text() == ""


def test_a_missing_repository_fails_and_points_to_infra(aws, buildah, boto):
    env, log = buildah
    boto("ecr").create_repository(repositoryName=f"{PREFIX}-web")
    run = images(aws, env)
    assert run.rc != 0
    message = run.failure_message()
    assert message.startswith("api failed:"), message
    assert f"ECR repository {PREFIX}-api does not exist" in message
    assert "playbooks/infra.yml" in message
    assert log.read_text().count(" build ") <= 1  # web may still be built; api never is
