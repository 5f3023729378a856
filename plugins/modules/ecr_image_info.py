#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_image_info
short_description: Resolve image tags to digests in an ECR repository
version_added: 0.1.0
description:
  - Looks up images of an existing ECR repository by tag (O(tags)) and by digest (O(digests)) and returns, for each
    image found, its digest, its C(<repository URI>@sha256:...) reference, its tags, when it was pushed, its size and
    its manifest media type.
  - Used to deploy a version tag (C(1.4.2)) as the immutable digest it holds now, so a task definition keeps
    pointing at the same image even when the tag is moved later.
  - With neither O(tags) nor O(digests), every image of the repository is returned.
  - A requested tag or digest the repository does not hold fails the task (O(must_exist=true), the default) or is
    reported in RV(missing) (O(must_exist=false)).
  - Reads only; the result never reports a change.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  repository:
    description:
      - The ECR repository, by name (C(bookmark-manager-staging-web)) or URI
        (C(123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-web)), without a tag.
      - It must exist (C(playbooks/infra.yml) creates the environment's repositories); a URI's region must be the module's region.
    type: str
    required: true
  tags:
    description:
      - The tags to resolve, for example a version C(1.4.2). RV(digests) maps each one found to its image's digest.
      - When empty and O(digests) is empty too, every image of the repository is returned.
    type: list
    elements: str
    default: []
  digests:
    description:
      - Image digests (C(sha256:) and 64 hex digits) to look up as well, for example to check that an image a
        task definition names is still in the repository.
    type: list
    elements: str
    default: []
  must_exist:
    description:
      - Whether a requested tag or digest that the repository does not hold fails the task. The message names each
        missing one.
      - When V(false), they are listed in RV(missing) and the task succeeds.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode returns the same result as a normal run.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - "IAM permissions: C(ecr:DescribeRepositories) and C(ecr:DescribeImages) on the repository."
  - The digests are the ones the registry reports. On ECR that is the SHA-256 of the manifest bytes; an emulator
    may compute its own (moto does), and the module returns whatever the registry reports, which is what pulls
    from that registry resolve against.
seealso:
  - module: shipyard.aws.ecr_image
  - name: Container images with shipyard.aws
    description: Building, pushing and resolving images (docs/images.md).
    link: https://github.com/shipyard-aws/shipyard.aws/blob/main/docs/images.md
"""

EXAMPLES = r"""
- name: Resolve the version to deploy to the digest it holds now
  shipyard.aws.ecr_image_info:
    repository: bookmark-manager-staging-web
    tags: ["1.4.2"]
  register: web_image

- name: Deploy by digest, not by a tag that can move
  ansible.builtin.debug:
    msg: "{{ web_image.repository_uri }}@{{ web_image.digests['1.4.2'] }}"

- name: Which of these versions have been pushed? (does not fail on missing ones)
  shipyard.aws.ecr_image_info:
    repository: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-production-api
    tags: ["1.4.2", "1.5.0"]
    must_exist: false
  register: api_versions

- name: Every image of the repository, newest first
  shipyard.aws.ecr_image_info:
    repository: bookmark-manager-staging-api
  register: api_images

- name: Is the image the running task definition names still there?
  shipyard.aws.ecr_image_info:
    repository: bookmark-manager-staging-api
    digests: ["sha256:4f6b1c0e5d0b2f1d8c3a2b9e7f6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e"]
    must_exist: false
  register: running_image
"""

RETURN = r"""
repository_uri:
  description: The repository's URI.
  returned: success
  type: str
  sample: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-web
images:
  description:
    - The images found, newest first, each once even when several requested tags point at it.
    - Every image of the repository when neither O(tags) nor O(digests) is given.
  returned: success
  type: list
  elements: dict
  contains:
    digest:
      description: The image digest the registry reports.
      type: str
      sample: sha256:4f6b1c0e5d0b2f1d8c3a2b9e7f6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e
    image_uri:
      description: The image by digest, C(<repository URI>@sha256:...), for a task definition.
      type: str
      sample: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-web@sha256:4f6b...
    tags:
      description: Every tag that points at the image (not only the requested ones); empty for an untagged image.
      type: list
      elements: str
      sample: ["1.4.2", "stable"]
    pushed_at:
      description: When the image was pushed, ISO 8601 with the time zone.
      type: str
      sample: "2026-03-02T09:15:27.123000+00:00"
    size_bytes:
      description: The image's size in the registry as the registry reports it (compressed layers); V(null) when not reported.
      type: int
      sample: 31457280
    media_type:
      description: The media type of the image's manifest; empty when not reported.
      type: str
      sample: application/vnd.oci.image.manifest.v1+json
digests:
  description: Each requested tag found, mapped to the digest of the image it points at. Empty when O(tags) is empty.
  returned: success
  type: dict
  sample: {"1.4.2": "sha256:4f6b1c0e5d0b2f1d8c3a2b9e7f6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e"}
missing:
  description: The requested tags and digests the repository does not hold, in the order requested (only with O(must_exist=false); otherwise the task fails).
  returned: success
  type: list
  elements: str
  sample: ["1.5.0"]
"""

from datetime import datetime, timezone

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule
from ansible_collections.shipyard.aws.plugins.module_utils.ecr_reference import (
    check_digest,
    check_tag,
    is_access_denied,
    parse_repository,
)

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

PERMISSIONS = "ecr:DescribeRepositories and ecr:DescribeImages"
DESCRIBE_BATCH = 100  # DescribeImages takes at most 100 image ids
NOT_FOUND = ("ImageNotFound", "ImageNotFoundException", "ImageTagDoesNotMatchDigest")


def unique(values: list) -> list:
    return list(dict.fromkeys(values))


def validate(params: dict, region: str | None) -> dict:
    """Every option checked before any AWS call; returns the request."""
    name, registry = parse_repository(params["repository"], region)
    tags = unique(str(tag).strip() for tag in params["tags"])
    digests = unique(str(digest).strip() for digest in params["digests"])
    for tag in tags:
        check_tag(tag)
    for digest in digests:
        check_digest(digest)
    return dict(name=name, registry=registry, tags=tags, digests=digests)


class Images:
    """DescribeRepositories / DescribeImages on one repository."""

    def __init__(self, client, name: str, registry: str | None):
        self.client = client
        self.name = name
        self.registry = registry

    def _params(self, **kwargs) -> dict:
        params = dict(kwargs)
        if self.registry:
            params["registryId"] = self.registry
        return params

    def repository_uri(self) -> str:
        response = self.client.describe_repositories(aws_retry=True, **self._params(repositoryNames=[self.name]))
        return response["repositories"][0]["repositoryUri"]

    def every_image(self) -> list:
        paginator = self.client.get_paginator("describe_images")

        @AWSRetry.jittered_backoff()
        def read_all() -> dict:
            return paginator.paginate(**self._params(repositoryName=self.name)).build_full_result()

        return read_all().get("imageDetails") or []

    def _describe(self, image_ids: list) -> list:
        """The details of the images of at most DESCRIBE_BATCH ids that exist.

        ECR refuses the whole call with ImageNotFoundException when one id is missing, so the batch is halved
        until each missing id stands alone; missing ids listed as failures in an answer are taken as well."""
        try:
            response = self.client.describe_images(aws_retry=True, **self._params(repositoryName=self.name, imageIds=image_ids))
        except is_boto3_error_code("ImageNotFoundException"):
            if len(image_ids) == 1:
                return []
            middle = len(image_ids) // 2
            return self._describe(image_ids[:middle]) + self._describe(image_ids[middle:])
        for failure in response.get("failures") or []:
            if failure.get("failureCode") not in NOT_FOUND:
                raise LookupError(f"DescribeImages {failure.get('imageId')}: {failure.get('failureCode')} "
                                  f"{failure.get('failureReason', '')}".strip())
        return response.get("imageDetails") or []

    def lookup(self, image_ids: list) -> list:
        details = []
        for start in range(0, len(image_ids), DESCRIBE_BATCH):
            details += self._describe(image_ids[start:start + DESCRIBE_BATCH])
        return details


def image_entry(detail: dict, repository_uri: str) -> dict:
    pushed = detail.get("imagePushedAt")
    return dict(
        digest=detail["imageDigest"],
        image_uri=f"{repository_uri}@{detail['imageDigest']}",
        tags=list(detail.get("imageTags") or []),
        pushed_at=iso8601(pushed),
        size_bytes=detail.get("imageSizeInBytes"),
        media_type=detail.get("imageManifestMediaType") or "",
    )


def iso8601(pushed) -> str:
    """botocore's datetime (in the local time zone) as ISO 8601 in UTC."""
    if isinstance(pushed, datetime):
        return (pushed.astimezone(timezone.utc) if pushed.tzinfo else pushed.replace(tzinfo=timezone.utc)).isoformat()
    return str(pushed) if pushed else ""


def newest_first(details: list) -> list:
    """By push time, newest first; images pushed at the same time in the reverse of the registry's order."""
    by_digest = {}
    for detail in details:
        by_digest.setdefault(detail["imageDigest"], detail)
    ordered = list(reversed(list(by_digest.values())))
    return sorted(ordered, key=lambda detail: pushed_key(detail.get("imagePushedAt")), reverse=True)


def pushed_key(pushed) -> float:
    if hasattr(pushed, "timestamp"):
        return pushed.timestamp()
    try:
        return float(pushed)
    except (TypeError, ValueError):
        return 0.0


def describe_images(images: Images, request: dict) -> dict:
    repository_uri = images.repository_uri()
    requested = [{"imageTag": tag} for tag in request["tags"]] + [{"imageDigest": digest} for digest in request["digests"]]
    details = images.lookup(requested) if requested else images.every_image()
    digests = {}
    for detail in details:
        for tag in detail.get("imageTags") or []:
            if tag in request["tags"]:
                digests.setdefault(tag, detail["imageDigest"])
    found = {detail["imageDigest"] for detail in details}
    missing = [tag for tag in request["tags"] if tag not in digests]
    missing += [digest for digest in request["digests"] if digest not in found]
    return dict(
        repository_uri=repository_uri,
        images=[image_entry(detail, repository_uri) for detail in newest_first(details)],
        digests={tag: digests[tag] for tag in request["tags"] if tag in digests},
        missing=missing,
    )


def missing_message(where: str, request: dict, missing: list) -> str:
    tags = [value for value in missing if value in request["tags"]]
    digests = [value for value in missing if value not in tags]
    parts = []
    if tags:
        parts.append(f"tag{'s' if len(tags) > 1 else ''} {', '.join(tags)}")
    if digests:
        parts.append(f"digest{'s' if len(digests) > 1 else ''} {', '.join(digests)}")
    return (f"{where} holds no image for {' and '.join(parts)}: push {'them' if len(missing) > 1 else 'it'} with "
            "playbooks/images.yml first (or check the version requested), or set must_exist: false to report "
            "missing images instead of failing")


def main():
    argument_spec = dict(
        repository=dict(type="str", required=True),
        tags=dict(type="list", elements="str", default=[]),
        digests=dict(type="list", elements="str", default=[]),
        must_exist=dict(type="bool", default=True),
    )
    module = ShipyardAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    try:
        request = validate(module.params, module.region)
    except ValueError as e:
        module.fail_json(msg=str(e))

    images = Images(module.client("ecr", retry_decorator=AWSRetry.jittered_backoff()), request["name"], request["registry"])
    where = f"ECR repository {request['name']}"
    try:
        result = describe_images(images, request)
    except is_boto3_error_code("RepositoryNotFoundException"):
        module.fail_json(msg=f"{where} does not exist in {module.region}"
                             f"{' (registry ' + request['registry'] + ')' if request['registry'] else ''}: "
                             "create it with playbooks/infra.yml (Terraform component ecr)")
    except LookupError as e:
        module.fail_json(msg=f"{where}: {e}")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        if is_access_denied(e):
            module.fail_json_aws(e, msg=f"Access denied by AWS ({e.operation_name}) on {where}: the credentials in use "
                                        f"need {PERMISSIONS} on it")
        module.fail_json_aws(e, msg=f"Failed to read the images of {where}")

    if result["missing"] and module.params["must_exist"]:
        module.fail_json(msg=missing_message(where, request, result["missing"]), **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
