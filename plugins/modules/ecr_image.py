#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_image
short_description: Build a container image and push it to ECR, idempotent by content, without Docker or a registry login
version_added: 0.1.0
description:
  - Builds an image from a build context (with docker, podman or buildah, see O(builder)) or takes
    one built elsewhere as an OCI archive or OCI layout, uploads it to an existing ECR repository through the ECR API
    and points the requested tags at it.
  - B(Idempotent by content.) Before building, the module computes a digest of the build's inputs - the files of the
    context the build can see (C(.dockerignore) applied as Docker applies it), the Dockerfile, O(build_args),
    O(target), O(platform) and O(labels) - and tags the image C(ctx-<16 hex>) with it. When the repository already
    holds that tag, nothing is built or uploaded; the requested tags are only pointed at that image (PutImage with
    its manifest). When every tag already pointed there, the result is C(changed=false).
  - B(Push without Docker and without a login.) The image is exported as OCI and uploaded with
    BatchCheckLayerAvailability, then only the missing blobs (InitiateLayerUpload, UploadLayerPart in parts of the
    size ECR returns, several blobs at once, CompleteLayerUpload), then PutImage with the exact manifest bytes and
    media type. No registry credentials are requested, written to disk or printed, so it runs in AWX execution
    environments without a Docker daemon.
  - An interrupted push is resumed by running the module again; blobs the repository already holds are skipped.
  - In check mode nothing is built or uploaded; the result tells whether a build (RV(build_required)) and a push would happen.
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
  source:
    description:
      - Where the image comes from.
      - C(build) builds O(context) with a builder (O(builder)).
      - C(oci_archive) pushes the OCI archive (a tar, e.g. C(buildah push IMAGE oci-archive:image.tar),
        C(podman save --format oci-archive), C(docker save) since Docker 25) at O(path).
      - C(oci_layout) pushes the OCI image layout directory at O(path) (e.g. C(buildah push IMAGE oci:DIR)).
    type: str
    choices: [build, oci_archive, oci_layout]
    default: build
  context:
    description: The build context directory. Required with O(source=build), not used otherwise.
    type: path
  dockerfile:
    description:
      - The Dockerfile, relative to O(context) unless absolute.
      - A C(<Dockerfile>.dockerignore) file next to it takes precedence over C(.dockerignore) in the context, as in BuildKit.
    type: str
    default: Dockerfile
  build_args:
    description: Build arguments (C(--build-arg NAME=value)); part of the content digest.
    type: dict
    default: {}
  target:
    description: The build stage to build (C(--target)); part of the content digest.
    type: str
  platform:
    description:
      - The image's platform, C(os/arch[/variant]); part of the content digest.
      - With O(source=oci_archive) or O(source=oci_layout), the manifest for this platform is chosen from an image
        index, and an image for another platform is refused.
    type: str
    default: linux/amd64
  tags:
    description:
      - Tags to point at the image, for example a version, C(latest) and a git SHA. Tags that point elsewhere are
        moved; an immutable tag (repository setting C(IMMUTABLE), or its exclusion filters) that holds another
        image is an error, found before building.
      - The module adds the content tag C(ctx-<16 hex>) to builds; tags starting with C(ctx-) are reserved for it.
      - At least one is required with O(source=oci_archive) or O(source=oci_layout).
    type: list
    elements: str
    default: []
  labels:
    description: Image labels (C(--label NAME=value)); part of the content digest.
    type: dict
    default: {}
  builder:
    description:
      - The image builder. C(auto) takes the first of docker (with a reachable daemon), podman and buildah that works.
      - C(buildah) runs with C(--isolation chroot) (or C(BUILDAH_ISOLATION)) and the storage driver named by
        C(STORAGE_DRIVER) when set (for example C(vfs) where overlay is not available).
      - Only used when a build is needed; an unchanged context never runs a builder.
    type: str
    choices: [auto, docker, podman, buildah]
    default: auto
  path:
    description: The OCI archive or OCI layout directory. Required with O(source=oci_archive) or O(source=oci_layout).
    type: path
  force:
    description:
      - Build and push even when the repository already holds the content tag (for example after a base image was
        updated under the same name). Blobs the repository holds are still not uploaded again.
      - Has no effect with O(source=oci_archive) or O(source=oci_layout).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the repository and computes the content digest, but builds and uploads nothing.
  diff_mode:
    support: full
    description: Shows each tag's image digest before and after (C(null) for a tag that did not exist).
notes:
  - Part of the action group C(shipyard.aws.aws), so C(module_defaults) for that group sets region, endpoint and credentials.
  - "IAM permissions: C(ecr:DescribeRepositories), C(ecr:BatchGetImage), C(ecr:BatchCheckLayerAvailability),
    C(ecr:InitiateLayerUpload), C(ecr:UploadLayerPart), C(ecr:CompleteLayerUpload) and C(ecr:PutImage) on the repository.
    C(ecr:GetAuthorizationToken) is not needed."
  - The builder exports the image into a private temporary directory that is removed afterwards, also after a
    failure, and the builder's local copy of the image is removed.
  - ECR reports the SHA-256 of the manifest bytes as the image digest. An emulator that reports another digest
    (moto does) is followed, with a warning and RV(manifest_digest) beside RV(digest).
seealso:
  - name: Container images with shipyard.aws
    description: How the content digest, the push and the errors work (docs/images.md).
    link: https://github.com/shipyard-aws/shipyard.aws/blob/main/docs/images.md
"""

EXAMPLES = r"""
- name: Build the API image and push it as a version, latest and the git SHA
  shipyard.aws.ecr_image:
    repository: bookmark-manager-staging-api
    context: "{{ playbook_dir }}/../examples/bookmark-manager/api"
    build_args:
      NODE_ENV: production
    tags: ["1.4.2", latest, "{{ git_sha }}"]
  register: api_image

- name: Use the digest, not a moving tag, in the task definition
  ansible.builtin.debug:
    msg: "{{ api_image.image_uri }}"

- name: Push an image a CI job built as an OCI archive
  shipyard.aws.ecr_image:
    repository: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-production-web
    source: oci_archive
    path: /builds/web.oci.tar
    tags: ["1.4.2"]
"""

RETURN = r"""
image_uri:
  description: The image by digest, C(<repository URI>@sha256:...). Empty in check mode when a build is needed.
  returned: success
  type: str
  sample: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-api@sha256:4f6b...
digest:
  description: The image digest the registry reports. Empty in check mode when a build is needed.
  returned: success
  type: str
  sample: sha256:4f6b1c0e5d0b2f1d8c3a2b9e7f6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e
manifest_digest:
  description: The SHA-256 of the manifest bytes; equal to RV(digest) on ECR.
  returned: success
  type: str
repository_uri:
  description: The repository's URI.
  returned: success
  type: str
  sample: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-api
tags:
  description: The tags that point at the image after the run, the content tag last.
  returned: success
  type: list
  elements: str
  sample: ["1.4.2", "latest", "ctx-9f2c4e1a7b3d5f60"]
context_tag:
  description: The content tag of the build inputs, C(ctx-<16 hex>). Empty with an OCI source.
  returned: success
  type: str
  sample: ctx-9f2c4e1a7b3d5f60
build_required:
  description: Whether the repository lacked an image for these inputs (or O(force) was set), so a build was (or in check mode would be) needed.
  returned: success
  type: bool
built:
  description: Whether an image was built in this run.
  returned: success
  type: bool
builder:
  description: The builder that built the image; empty when nothing was built.
  returned: success
  type: str
  sample: buildah
pushed_bytes:
  description: Bytes of blobs uploaded (in check mode with an OCI source, the bytes that would be uploaded).
  returned: success
  type: int
  sample: 0
skipped_blobs:
  description: Blobs (config and layers) of the image not uploaded because the repository already held them.
  returned: success
  type: int
  sample: 2
seconds:
  description: Seconds spent per phase, C(inputs) (content digest or reading the OCI source), C(lookup), C(build), C(push), C(tag), C(total).
  returned: success
  type: dict
  sample: {"inputs": 0.004, "lookup": 0.05, "build": 0.0, "push": 0.0, "tag": 0.0, "total": 0.06}
"""

import json
import os
import shutil
import signal
import tempfile
import time
from contextlib import contextmanager

from ansible.module_utils.common.warnings import warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shipyard.aws.plugins.module_utils.aws import ShipyardAWSModule
from ansible_collections.shipyard.aws.plugins.module_utils.build_context import (
    CONTEXT_TAG_PREFIX,
    BuildInputs,
    context_digest,
)
from ansible_collections.shipyard.aws.plugins.module_utils.builders import BuilderError, find_builder
from ansible_collections.shipyard.aws.plugins.module_utils.ecr_push import (
    EcrRepository,
    PushError,
    RemoteImage,
    TagConflict,
    tag_is_immutable,
)
from ansible_collections.shipyard.aws.plugins.module_utils.ecr_reference import (
    check_tag,
    is_access_denied,
    parse_repository,
)
from ansible_collections.shipyard.aws.plugins.module_utils.oci import OciError, open_image, parse_platform

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

BUILD_ONLY = ("context", "build_args", "target", "labels")
PERMISSIONS = ("ecr:DescribeRepositories, ecr:BatchGetImage, ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, "
               "ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage")
NEW_IMAGE = "(new image)"


def validate(params: dict, region: str | None) -> dict:
    """Every option checked before any AWS call; returns the request."""
    name, registry = parse_repository(params["repository"], region)
    source = params["source"]
    if source == "build":
        if params["path"]:
            raise ValueError("path is only used with source=oci_archive or source=oci_layout; the build uses context")
    else:
        given = [option for option in BUILD_ONLY if params[option]]
        if params["dockerfile"] != "Dockerfile":
            given.append("dockerfile")
        if given:
            raise ValueError(f"{', '.join(given)} only apply to source=build; source={source} pushes the image at path")
        if not params["tags"]:
            raise ValueError(f"source={source} needs at least one tag (tags): ECR keeps an OCI image only under a tag")
    tags = [str(tag) for tag in params["tags"]]
    for tag in tags:
        check_tag(tag)
        if tag.startswith(CONTEXT_TAG_PREFIX):
            raise ValueError(f"tag {tag!r}: tags starting with {CONTEXT_TAG_PREFIX} are the module's content tags")
    duplicates = sorted({tag for tag in tags if tags.count(tag) > 1})
    if duplicates:
        raise ValueError(f"tags lists {', '.join(duplicates)} more than once")
    parse_platform(params["platform"])
    for option in ("build_args", "labels"):
        for key in params[option]:
            if not key or "=" in str(key):
                raise ValueError(f"{option} name {key!r} is empty or contains '='")
    return dict(name=name, registry=registry, source=source, tags=tags, platform=params["platform"],
                builder=params["builder"], force=params["force"] and source == "build")


def read_inputs(params: dict, request: dict) -> dict:
    """The local side, no AWS: the content digest of a build's inputs, or the image of an OCI source."""
    if request["source"] == "build":
        inputs = BuildInputs.resolve(
            params["context"], params["dockerfile"], build_args=params["build_args"], target=params["target"] or "",
            platform=request["platform"], labels=params["labels"],
        )
        return dict(inputs=inputs, context=context_digest(inputs), image=None)
    path = os.path.abspath(params["path"])
    layout = request["source"] == "oci_layout"
    if (os.path.isdir if layout else os.path.isfile)(path) is False:
        what = "OCI layout directory" if layout else "OCI archive"
        hint = " (it is a file: source=oci_archive?)" if layout else " (it is a directory: source=oci_layout?)"
        raise OciError(f"{what} {path} does not exist" + (hint if os.path.exists(path) else ""))
    return dict(inputs=None, context=None, image=open_image(path, request["platform"]))


class Phases:
    """Seconds per phase."""

    def __init__(self):
        self.started = time.monotonic()
        self.seconds = {name: 0.0 for name in ("inputs", "lookup", "build", "push", "tag")}

    @contextmanager
    def phase(self, name: str):
        start = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds[name] + time.monotonic() - start, 3)

    def report(self) -> dict:
        return dict(self.seconds, total=round(time.monotonic() - self.started, 3))


@contextmanager
def private_workdir():
    """A 0700 temporary directory for the builder's export, removed whatever happens."""
    path = tempfile.mkdtemp(prefix="shipyard-ecr-image-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def local_image(image) -> RemoteImage:
    """An OCI source's image as the registry would hold it (its digest computed from the manifest bytes)."""
    return RemoteImage(image.digest, image.manifest.decode("utf-8"), image.media_type)


def find_existing(repo: EcrRepository, request: dict, local: dict, before: dict) -> RemoteImage | None:
    """The image already in the repository for these inputs, or None."""
    if request["source"] == "build":
        return None if request["force"] else before[local["context"]["tag"]]
    mine = local_image(local["image"])
    for current in before.values():
        if mine.same_as(current):
            return current
    return repo.image_by_digest(mine.digest)


def check_immutable_tags(repo: EcrRepository, repository: dict, before: dict, wanted: RemoteImage | None) -> None:
    """An immutable tag may not move. ``wanted`` None means a new build (it differs from everything)."""
    for tag, current in before.items():
        if current is not None and (wanted is None or not wanted.same_as(current)) and tag_is_immutable(repository, tag):
            raise TagConflict(repo.name, tag, current.digest, wanted.digest if wanted else None)


def blob_count(manifest: str) -> int:
    document = json.loads(manifest)
    return 1 + len(document.get("layers") or [])


def ensure_image(module, repo: EcrRepository, request: dict, local: dict, phases: Phases):
    """Returns (changed, result, before, after)."""
    context_tag = local["context"]["tag"] if local["context"] else ""
    all_tags = request["tags"] + ([context_tag] if context_tag else [])
    with phases.phase("lookup"):
        repository = repo.describe()
        before = {tag: repo.image_for_tag(tag) for tag in all_tags}
        existing = find_existing(repo, request, local, before)
    build_required = request["source"] == "build" and existing is None
    wanted = existing or (local_image(local["image"]) if local["image"] else None)
    check_immutable_tags(repo, repository, before, wanted)

    result = dict(repository_uri=repository["repositoryUri"], context_tag=context_tag, tags=all_tags,
                  build_required=build_required, built=False, builder="", pushed_bytes=0, skipped_blobs=0)
    stored, first_tagged = existing, None
    if existing is not None:
        result["skipped_blobs"] = blob_count(existing.manifest)
    elif module.check_mode:
        stored = wanted  # an OCI source's image; None when a build is needed
        if local["image"] is not None:
            with phases.phase("push"):
                missing = repo.missing_blobs(local["image"].blobs)
            result.update(pushed_bytes=sum(blob.size for blob in missing),
                          skipped_blobs=len(local["image"].blobs) - len(missing))
    elif build_required:
        with private_workdir() as workdir:
            with phases.phase("build"):
                builder = find_builder(request["builder"], module.get_bin_path, module.run_command)
                result["builder"] = builder.name
                exported = builder.build(local["inputs"], local["inputs"].ignore_file, workdir)
                result["built"] = True
                image = open_image(exported, request["platform"])
            with phases.phase("push"):
                stored, result["pushed_bytes"], result["skipped_blobs"] = repo.push(image, context_tag)
        first_tagged = context_tag
    else:
        with phases.phase("push"):
            stored, result["pushed_bytes"], result["skipped_blobs"] = repo.push(local["image"], all_tags[0])
        first_tagged = all_tags[0]

    if stored is not None:
        if not module.check_mode:
            with phases.phase("tag"):
                for tag in all_tags:
                    if tag != first_tagged and not stored.same_as(before[tag]):
                        repo.put_manifest(stored.manifest, stored.media_type, tag, wanted=stored)
        result.update(digest=stored.digest, manifest_digest=stored.manifest_digest,
                      image_uri=f"{repository['repositoryUri']}@{stored.digest}")
        if stored.digest != stored.manifest_digest:
            # ansible's own warn(): AnsibleAWSModule.warn also passes `warnings` to exit_json, deprecated in ansible-core 2.19
            warn(f"the registry reports digest {stored.digest} for a manifest whose SHA-256 is "
                 f"{stored.manifest_digest}; ECR reports the SHA-256, an emulator (moto) computes its own: "
                 "image_uri uses the registry's digest")
    else:
        result.update(digest="", manifest_digest="", image_uri="")

    changed = stored is None or any(not stored.same_as(before[tag]) for tag in all_tags)
    before_digests = {tag: image.digest if image else None for tag, image in before.items()}
    after_digests = {tag: stored.digest if stored else NEW_IMAGE for tag in all_tags}
    return changed, result, before_digests, after_digests


def main():
    argument_spec = dict(
        repository=dict(type="str", required=True),
        source=dict(type="str", choices=["build", "oci_archive", "oci_layout"], default="build"),
        context=dict(type="path"),
        dockerfile=dict(type="str", default="Dockerfile"),
        build_args=dict(type="dict", default={}),
        target=dict(type="str"),
        platform=dict(type="str", default="linux/amd64"),
        tags=dict(type="list", elements="str", default=[]),
        labels=dict(type="dict", default={}),
        builder=dict(type="str", choices=["auto", "docker", "podman", "buildah"], default="auto"),
        path=dict(type="path"),
        force=dict(type="bool", default=False),
    )
    module = ShipyardAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("source", "build", ["context"]), ("source", "oci_archive", ["path"]), ("source", "oci_layout", ["path"])],
    )
    # A terminated run still removes its temporary export (the `finally` blocks run while the failure unwinds).
    signal.signal(signal.SIGTERM, lambda signum, frame: module.fail_json(msg="ecr_image was terminated (SIGTERM)"))

    phases = Phases()
    try:
        request = validate(module.params, module.region)
        with phases.phase("inputs"):
            local = read_inputs(module.params, request)
    except ValueError as e:  # includes the context's and the OCI source's errors
        module.fail_json(msg=str(e))

    repo = EcrRepository(module.client("ecr", retry_decorator=AWSRetry.jittered_backoff()), request["name"], request["registry"])
    where = f"ECR repository {request['name']}"
    try:
        changed, result, before, after = ensure_image(module, repo, request, local, phases)
    except is_boto3_error_code("RepositoryNotFoundException"):
        module.fail_json(msg=f"{where} does not exist in {module.region}"
                             f"{' (registry ' + request['registry'] + ')' if request['registry'] else ''}: create it first "
                             "with playbooks/infra.yml (the environment's ecr component), then run this again")
    except TagConflict as e:
        module.fail_json(msg=str(e), tag=e.tag, current_digest=e.current)
    except (BuilderError, OciError, PushError) as e:
        module.fail_json(msg=f"{where}: {e}")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        if is_access_denied(e):
            module.fail_json_aws(e, msg=f"Access denied by AWS ({e.operation_name}) on {where}: the credentials in use "
                                        f"need {PERMISSIONS} on it")
        module.fail_json_aws(e, msg=f"Failed to push to {where}")

    result.update(changed=changed, seconds=phases.report())
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
