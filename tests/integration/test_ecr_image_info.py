"""Module shipyard.aws.ecr_image_info through ansible-playbook against the emulator's ECR.

Images are stored with boto3 put_image: a minimal OCI manifest per image (no blobs uploaded: DescribeImages does
not look at them). Each test image has its own layer digest, because of the emulator difference below.

Emulator difference (moto): ECR reports the SHA-256 of the manifest bytes as an image's digest; moto reports the
SHA-256 of the concatenated layer digests (so two manifests with the same layers would share a digest), and
reports the config blob's size as the image size. The module returns the registry's digest as reported, so
the tests compare with what boto3's describe_images reports, never with a digest computed here. moto's
DescribeImages refuses the whole call with ImageNotFoundException when one requested id is missing, as ECR does.
moto refuses an action IAM does not allow with HTTP 403 and a body botocore cannot read for ECR's JSON protocol;
the module takes that as access denied, as it takes ECR's AccessDeniedException.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.request
from datetime import datetime

import pytest

from helpers import run_playbook

PLAYBOOK = "tests/integration/playbooks/ecr_image_info.yml"
TASK = "Look up the images"
REPO = "shipyard-web"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
READS = {"DescribeRepositories", "DescribeImages"}


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def manifest(name: str) -> str:
    """A minimal OCI image manifest, its layer digest unique to ``name``."""
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(f"config {name}".encode()),
                   "size": 100 + len(name)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha256(f"layer {name}".encode()),
                    "size": 4096}],
    })


def put(ecr, name: str, *tags: str, repository: str = REPO) -> str:
    """Store image ``name`` under ``tags``; returns the digest the registry reports for it."""
    for tag in tags:
        ecr.put_image(repositoryName=repository, imageManifest=manifest(name), imageManifestMediaType=OCI_MANIFEST,
                      imageTag=tag)
    return registry_digest(ecr, tags[0], repository)


def registry_digest(ecr, tag: str, repository: str = REPO) -> str:
    details = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])["imageDetails"]
    return details[0]["imageDigest"]


@pytest.fixture
def ecr(boto):
    client = boto("ecr")
    client.create_repository(repositoryName=REPO)
    return client


@pytest.fixture
def pushed(ecr):
    """Two images: 1.4.2 and stable on one, 1.4.3 on a newer one (a second later: moto stores seconds)."""
    older = put(ecr, "web-1.4.2", "1.4.2", "stable")
    time.sleep(1.1)
    newer = put(ecr, "web-1.4.3", "1.4.3")
    assert older != newer
    return {"older": older, "newer": newer}


def look_up(aws, *args, extra: dict | None = None, **query):
    query.setdefault("repository", REPO)
    return run_playbook(PLAYBOOK, *args, aws_port=aws.port, extra_vars={"image_query": query, **(extra or {})})


def succeeded(run) -> dict:
    assert run.rc == 0, run.output[-3000:]
    return run.result_of(TASK)


def operations(aws) -> list[str]:
    return [request["operation"] for request in aws.requests() if request["service"] == "ecr"]


def test_tags_resolve_to_the_registry_digests_newest_first_and_check_mode_agrees(aws, ecr, pushed):
    aws.clear_requests()
    result = succeeded(look_up(aws, tags=["1.4.2", "stable", "1.4.3"]))
    assert result["changed"] is False and result["missing"] == []
    assert result["digests"] == {"1.4.2": pushed["older"], "stable": pushed["older"], "1.4.3": pushed["newer"]}
    assert result["digests"] == {tag: registry_digest(ecr, tag) for tag in ("1.4.2", "stable", "1.4.3")}
    uri = ecr.describe_repositories(repositoryNames=[REPO])["repositories"][0]["repositoryUri"]
    assert result["repository_uri"] == uri

    # Two tags on one image: the image is listed once, with both tags; the newer image first.
    newer, older = result["images"]
    assert [newer["digest"], older["digest"]] == [pushed["newer"], pushed["older"]]
    assert sorted(older["tags"]) == ["1.4.2", "stable"] and newer["tags"] == ["1.4.3"]
    assert older["image_uri"] == f"{uri}@{pushed['older']}"
    assert older["media_type"] == OCI_MANIFEST
    assert isinstance(older["size_bytes"], int) and older["size_bytes"] > 0
    pushed_at = [datetime.fromisoformat(image["pushed_at"]) for image in result["images"]]
    assert all(moment.utcoffset().total_seconds() == 0 for moment in pushed_at), result["images"]
    assert pushed_at[0] > pushed_at[1]
    assert set(operations(aws)) <= READS, "read-only"

    checked = succeeded(look_up(aws, "--check", "--diff", tags=["1.4.2", "stable", "1.4.3"]))
    assert {key: checked[key] for key in ("changed", "digests", "images", "missing", "repository_uri")} == \
        {key: result[key] for key in ("changed", "digests", "images", "missing", "repository_uri")}
    assert "diff" not in checked or not checked["diff"]


def test_a_missing_tag_fails_naming_it_and_images_yml(aws, ecr, pushed):
    run = look_up(aws, tags=["1.4.2", "9.9.9"], digests=[sha256(b"never pushed")])
    message = run.failure_message()
    assert f"ECR repository {REPO} holds no image for tag 9.9.9 and digest {sha256(b'never pushed')}" in message
    assert "playbooks/images.yml" in message and "must_exist: false" in message
    assert "1.4.2" not in message
    assert run.failure()["missing"] == ["9.9.9", sha256(b"never pushed")]


def test_must_exist_false_reports_what_is_missing(aws, ecr, pushed):
    missing_digest = sha256(b"never pushed")
    result = succeeded(look_up(aws, tags=["9.9.9", "1.4.2", "8.8.8"], digests=[missing_digest, pushed["newer"]],
                               must_exist=False))
    assert result["changed"] is False
    assert result["missing"] == ["9.9.9", "8.8.8", missing_digest]
    assert result["digests"] == {"1.4.2": pushed["older"]}
    assert [image["digest"] for image in result["images"]] == [pushed["newer"], pushed["older"]]


def test_only_missing_tags_give_no_images(aws, ecr, pushed):
    result = succeeded(look_up(aws, tags=["9.9.9"], must_exist=False))
    assert result["images"] == [] and result["digests"] == {} and result["missing"] == ["9.9.9"]


def test_digests_are_looked_up_too(aws, ecr, pushed):
    result = succeeded(look_up(aws, digests=[pushed["older"]]))
    assert result["missing"] == [] and result["digests"] == {}
    assert [image["digest"] for image in result["images"]] == [pushed["older"]]
    assert sorted(result["images"][0]["tags"]) == ["1.4.2", "stable"]


def test_no_tags_lists_every_image_newest_first(aws, ecr, pushed):
    time.sleep(1.1)
    untagged = ecr.put_image(repositoryName=REPO, imageManifest=manifest("web-untagged"),
                             imageManifestMediaType=OCI_MANIFEST)["image"]["imageId"]["imageDigest"]
    result = succeeded(look_up(aws))
    assert [image["digest"] for image in result["images"]] == [untagged, pushed["newer"], pushed["older"]]
    assert result["images"][0]["tags"] == []
    assert result["digests"] == {} and result["missing"] == []


def test_an_empty_repository_has_no_images(aws, ecr):
    result = succeeded(look_up(aws))
    assert result["images"] == [] and result["digests"] == {} and result["missing"] == []


def test_more_ids_than_one_describe_call_takes(aws, ecr, pushed):
    """DescribeImages takes 100 ids and fails the whole call for one missing id: batches, then halves."""
    tags = [f"0.0.{number}" for number in range(110)]
    tags[5], tags[104] = "1.4.2", "1.4.3"
    aws.clear_requests()
    result = succeeded(look_up(aws, tags=tags, must_exist=False))
    assert result["digests"] == {"1.4.2": pushed["older"], "1.4.3": pushed["newer"]}
    assert result["missing"] == [tag for tag in tags if tag not in ("1.4.2", "1.4.3")]
    assert [image["digest"] for image in result["images"]] == [pushed["newer"], pushed["older"]]
    assert set(operations(aws)) <= READS


def test_the_repository_uri_form_works(aws, ecr, pushed):
    uri = ecr.describe_repositories(repositoryNames=[REPO])["repositories"][0]["repositoryUri"]
    by_name = succeeded(look_up(aws, tags=["1.4.2"]))
    by_uri = succeeded(look_up(aws, repository=uri, tags=["1.4.2"]))
    assert by_uri["digests"] == by_name["digests"] == {"1.4.2": pushed["older"]}
    assert by_uri["images"] == by_name["images"]
    assert by_uri["repository_uri"] == uri


def test_a_missing_repository_points_to_infra(aws):
    message = look_up(aws, tags=["1.4.2"]).failure_message()
    assert f"ECR repository {REPO} does not exist in ap-northeast-1" in message
    assert "playbooks/infra.yml (Terraform component ecr)" in message


@pytest.mark.parametrize("query, expected", [
    ({"digests": ["sha256:abc"]}, "digest 'sha256:abc' is not an image digest"),
    ({"tags": ["v 1"]}, "tag 'v 1' is not a valid image tag"),
    ({"repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"}, "is in region us-east-1, but the module runs against ap-northeast-1"),
    ({"repository": "registry.example.com/web"}, "is neither an ECR repository name nor an ECR repository URI"),
], ids=["digest", "tag", "uri-region", "not-ecr"])
def test_bad_input_fails_before_any_aws_call(aws, query, expected):
    message = look_up(aws, **query).failure_message()
    assert expected in message
    assert operations(aws) == []


def test_access_denied_names_the_permissions(aws, ecr, boto, pushed):
    iam = boto("iam")
    iam.create_user(UserName="image-lister")
    iam.put_user_policy(UserName="image-lister", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["ecr:DescribeRepositories"], "Resource": "*"}],
    }))
    key = iam.create_access_key(UserName="image-lister")["AccessKey"]
    enforce_iam(aws, True)
    try:
        run = look_up(aws, tags=["1.4.2"],
                      extra={"shipyard_aws_access_key": key["AccessKeyId"], "shipyard_aws_secret_key": key["SecretAccessKey"]})
    finally:
        enforce_iam(aws, False)
    message = run.failure_message()
    assert f"Access denied by AWS (DescribeImages) on ECR repository {REPO}" in message
    assert "ecr:DescribeRepositories and ecr:DescribeImages" in message
    assert key["SecretAccessKey"] not in run.output


def enforce_iam(aws, on: bool) -> None:
    """moto checks IAM policies only when told to (its reset-auth endpoint); off again afterwards."""
    request = urllib.request.Request(f"{aws.endpoint}/moto-api/reset-auth", data=b"0" if on else b"inf", method="POST",
                                     headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
