"""ecr_image_info's lookups against a stand-in ECR client that answers DescribeImages as ECR does (at most 100 ids,
the whole call refused with ImageNotFoundException when one id is missing), and the shared repository parsing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from ansible_collections.shipyard.aws.plugins.module_utils.ecr_reference import (
    check_digest,
    is_access_denied,
    parse_repository,
)
from ansible_collections.shipyard.aws.plugins.modules.ecr_image_info import Images, describe_images, missing_message

URI = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shipyard-web"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=9)))


def digest(number: int) -> str:
    return f"sha256:{number:064x}"


class StandInEcr:
    def __init__(self, images: list[dict], failures: list | None = None):
        self.images = images
        self.failures = failures
        self.calls = []

    def describe_repositories(self, aws_retry, repositoryNames, registryId=None):
        return {"repositories": [{"repositoryUri": URI}]}

    def describe_images(self, aws_retry, repositoryName, imageIds, registryId=None):
        assert len(imageIds) <= 100, "DescribeImages takes at most 100 ids"
        self.calls.append(len(imageIds))
        found = []
        for image_id in imageIds:
            match = next((image for image in self.images
                          if image_id.get("imageTag") in image.get("imageTags", [])
                          or image_id.get("imageDigest") == image["imageDigest"]), None)
            if match is None and self.failures is None:
                raise ClientError({"Error": {"Code": "ImageNotFoundException", "Message": "not found"}}, "DescribeImages")
            if match is not None:
                found.append(match)
        response = {"imageDetails": found}
        if self.failures is not None:
            response["failures"] = self.failures
        return response


def image(number: int, *tags: str, minutes: int = 0) -> dict:
    return {"imageDigest": digest(number), "imageTags": list(tags), "imagePushedAt": T0 + timedelta(minutes=minutes),
            "imageSizeInBytes": 1000 + number, "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"}


def request(tags=(), digests=()):
    return {"name": "shipyard-web", "registry": None, "tags": list(tags), "digests": list(digests)}


def test_missing_ids_are_found_by_halving_and_batches_stay_under_100():
    client = StandInEcr([image(1, "1.4.2", "stable"), image(2, "1.4.3", minutes=5)])
    tags = [f"0.0.{number}" for number in range(150)] + ["1.4.2", "stable", "1.4.3"]
    result = describe_images(Images(client, "shipyard-web", None), request(tags, [digest(1), digest(9)]))
    assert result["digests"] == {"1.4.2": digest(1), "stable": digest(1), "1.4.3": digest(2)}
    assert result["missing"] == [f"0.0.{number}" for number in range(150)] + [digest(9)]
    assert [entry["digest"] for entry in result["images"]] == [digest(2), digest(1)]
    assert result["images"][1]["image_uri"] == f"{URI}@{digest(1)}"
    assert result["images"][1]["pushed_at"] == "2026-03-02T00:00:00+00:00"
    assert max(client.calls) == 100


def test_a_batch_with_nothing_missing_is_one_call():
    client = StandInEcr([image(1, "1.4.2", "stable")])
    result = describe_images(Images(client, "shipyard-web", None), request(["1.4.2", "stable"]))
    assert client.calls == [2] and result["missing"] == []


def test_missing_ids_answered_as_failures_are_reported():
    failures = [{"imageId": {"imageTag": "9.9.9"}, "failureCode": "ImageNotFound", "failureReason": "no"}]
    client = StandInEcr([image(1, "1.4.2")], failures=failures)
    result = describe_images(Images(client, "shipyard-web", None), request(["1.4.2", "9.9.9"]))
    assert result["missing"] == ["9.9.9"] and result["digests"] == {"1.4.2": digest(1)}


def test_other_failures_are_errors():
    failures = [{"imageId": {"imageTag": "1.4.2"}, "failureCode": "KmsError", "failureReason": "key disabled"}]
    client = StandInEcr([], failures=failures)
    with pytest.raises(LookupError, match="KmsError key disabled"):
        describe_images(Images(client, "shipyard-web", None), request(["1.4.2"]))


def test_missing_message_names_each_one_and_images_yml():
    message = missing_message("ECR repository web", request(["1.4.2", "2.0.0"], [digest(3)]), ["2.0.0", digest(3)])
    assert message.startswith(f"ECR repository web holds no image for tag 2.0.0 and digest {digest(3)}: push them with "
                              "playbooks/images.yml")


@pytest.mark.parametrize("value, expected", [
    ("shipyard-web", ("shipyard-web", None)),
    ("team/shipyard-web", ("team/shipyard-web", None)),
    (URI, ("shipyard-web", "123456789012")),
])
def test_parse_repository(value, expected):
    assert parse_repository(value, "ap-northeast-1") == expected


@pytest.mark.parametrize("value, message", [
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/web", "is in region us-east-1"),
    ("ghcr.io/web", "neither an ECR repository name nor an ECR repository URI"),
    ("Web", "not a valid ECR repository name"),
])
def test_parse_repository_refuses(value, message):
    with pytest.raises(ValueError, match=message):
        parse_repository(value, "ap-northeast-1")


def test_check_digest():
    check_digest(digest(1))
    with pytest.raises(ValueError, match="is not an image digest"):
        check_digest("sha256:ABC")


def test_access_denied_by_code_or_status():
    assert is_access_denied(ClientError({"Error": {"Code": "AccessDeniedException"}}, "DescribeImages"))
    assert is_access_denied(ClientError({"Error": {"Code": "403"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "X"))
    assert not is_access_denied(ClientError({"Error": {"Code": "RepositoryNotFoundException"}}, "X"))
