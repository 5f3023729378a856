# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pushing an OCI image to an ECR repository through the ECR API: no Docker, no registry login, no credentials on disk.

* BatchCheckLayerAvailability says which blobs (config and layers) the repository already holds;
* only the missing ones are uploaded, several at once (a small thread pool), each with InitiateLayerUpload,
  UploadLayerPart in parts of the size ECR returns, and CompleteLayerUpload; each blob's SHA-256 is checked
  while it is read, so a corrupt layout fails before CompleteLayerUpload;
* PutImage stores the manifest with its exact bytes and media type under a tag; more tags (or an existing image
  tagged again) are PutImage calls with the same manifest, read back with BatchGetImage.

ECR answers "already there" with LayerAlreadyExistsException and ImageAlreadyExistsException: both are success.
On an immutable repository PutImage of a tag that exists fails with ImageTagAlreadyExistsException; that is an
error only when the tag holds another image (``TagConflict``).
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.shipyard.aws.plugins.module_utils.oci import DOCKER_MANIFEST, OCI_MANIFEST, sha256_digest

DEFAULT_PART_SIZE = 10 * 1024 * 1024
UPLOAD_WORKERS = 4
_CHECK_BATCH = 100  # BatchCheckLayerAvailability takes at most 100 digests


class PushError(RuntimeError):
    """The registry did not end up holding what was pushed."""


class TagConflict(PushError):
    def __init__(self, repository: str, tag: str, current: str, wanted: str | None):
        self.tag = tag
        self.current = current
        wanted_text = f"this image ({wanted})" if wanted else "the image these inputs build"
        super().__init__(
            f"tag {tag} of the immutable ECR repository {repository} already points at {current}, not at {wanted_text}; "
            "an immutable tag cannot move: use a new tag (a version or git SHA), or make the repository mutable"
        )


def tag_is_immutable(repository: dict, tag: str) -> bool:
    """Whether ``tag`` cannot move in ``repository`` (a DescribeRepositories entry): IMMUTABLE, or one of the
    ``*_WITH_EXCLUSION`` settings whose wildcard filters turn the tag's mutability around."""
    mutability = repository.get("imageTagMutability") or "MUTABLE"
    excluded = any(
        re.fullmatch(".*".join(re.escape(part) for part in item.get("filter", "").split("*")), tag)
        for item in repository.get("imageTagMutabilityExclusionFilters") or []
    )
    if mutability.endswith("_WITH_EXCLUSION"):
        return mutability.startswith("IMMUTABLE") != excluded
    return mutability == "IMMUTABLE"


@dataclass(frozen=True)
class RemoteImage:
    """An image in the repository: its registry digest and its manifest as stored."""

    digest: str
    manifest: str
    media_type: str

    @property
    def manifest_digest(self) -> str:
        return sha256_digest(self.manifest.encode("utf-8"))

    def same_as(self, other: "RemoteImage | None") -> bool:
        """The same image: the same manifest bytes. (Not the digest alone: an emulator's own digest can be equal
        for two images, moto's is the hash of the layer digests only.)"""
        if other is None:
            return False
        if self.manifest and other.manifest:
            return self.manifest == other.manifest
        return self.digest == other.digest


class EcrRepository:
    """One repository, reached with a boto3 ECR client (wrapped with amazon.aws' retry decorator)."""

    def __init__(self, client, name: str, registry_id: str | None = None):
        self.client = client
        self.name = name
        self.registry_id = registry_id

    def _ids(self, **kwargs) -> dict:
        ids = {"repositoryName": self.name, **kwargs}
        if self.registry_id:
            ids["registryId"] = self.registry_id
        return ids

    def describe(self) -> dict:
        params = {"repositoryNames": [self.name]}
        if self.registry_id:
            params["registryId"] = self.registry_id
        return self.client.describe_repositories(aws_retry=True, **params)["repositories"][0]

    def _get_image(self, image_id: dict) -> RemoteImage | None:
        response = self.client.batch_get_image(
            aws_retry=True, **self._ids(imageIds=[image_id], acceptedMediaTypes=[OCI_MANIFEST, DOCKER_MANIFEST])
        )
        for failure in response.get("failures") or []:
            if failure.get("failureCode") not in ("ImageNotFound", "ImageTagDoesNotMatchDigest"):
                raise PushError(f"BatchGetImage {image_id} in {self.name}: {failure.get('failureCode')} "
                                f"{failure.get('failureReason', '')}".strip())
        for image in response.get("images") or []:
            manifest = image.get("imageManifest")
            if manifest:
                media_type = image.get("imageManifestMediaType") or _media_type_of(manifest)
                return RemoteImage(image["imageId"]["imageDigest"], manifest, media_type)
        return None

    def image_for_tag(self, tag: str) -> RemoteImage | None:
        """The image a tag points at, or None."""
        return self._get_image({"imageTag": tag})

    def image_by_digest(self, digest: str) -> RemoteImage | None:
        return self._get_image({"imageDigest": digest})

    def missing_blobs(self, blobs: list) -> list:
        """The blobs (config and layers) the repository does not hold yet."""
        available = set()
        for start in range(0, len(blobs), _CHECK_BATCH):
            batch = blobs[start:start + _CHECK_BATCH]
            response = self.client.batch_check_layer_availability(
                aws_retry=True, **self._ids(layerDigests=[blob.digest for blob in batch])
            )
            available.update(layer["layerDigest"] for layer in response.get("layers") or []
                             if layer.get("layerAvailability") == "AVAILABLE")
        return [blob for blob in blobs if blob.digest not in available]

    def upload_blob(self, image, blob) -> int:
        """Upload one blob of ``image`` (an oci.OciImage); returns the bytes sent."""
        upload = self.client.initiate_layer_upload(aws_retry=True, **self._ids())
        upload_id = upload["uploadId"]
        part_size = int(upload.get("partSize") or DEFAULT_PART_SIZE)
        hasher = hashlib.sha256()
        sent = 0
        with image.open_blob(blob) as reader:
            while True:
                part = reader.read(part_size)
                if not part:
                    break
                hasher.update(part)
                self.client.upload_layer_part(aws_retry=True, **self._ids(
                    uploadId=upload_id, partFirstByte=sent, partLastByte=sent + len(part) - 1, layerPartBlob=part))
                sent += len(part)
        if sent != blob.size or "sha256:" + hasher.hexdigest() != blob.digest:
            raise PushError(f"blob {blob.digest} read back as {sent} bytes with another digest: the image is corrupt")
        try:
            completed = self.client.complete_layer_upload(aws_retry=True, **self._ids(
                uploadId=upload_id, layerDigests=[blob.digest]))
        except is_boto3_error_code("LayerAlreadyExistsException"):
            return sent
        if completed.get("layerDigest", blob.digest) != blob.digest:
            raise PushError(f"ECR stored blob {blob.digest} as {completed['layerDigest']}")
        return sent

    def upload_blobs(self, image, blobs: list, workers: int = UPLOAD_WORKERS) -> int:
        """Upload ``blobs`` several at a time; returns the bytes sent."""
        if not blobs:
            return 0
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(blobs))),
                                thread_name_prefix="ecr-upload") as pool:
            return sum(pool.map(lambda blob: self.upload_blob(image, blob), blobs))

    def put_manifest(self, manifest: str, media_type: str, tag: str, wanted: RemoteImage | None = None) -> RemoteImage:
        """Tag the manifest; returns the image as the registry holds it (its digest is the registry's)."""
        try:
            response = self.client.put_image(aws_retry=True, **self._ids(
                imageManifest=manifest, imageManifestMediaType=media_type, imageTag=tag))
            return RemoteImage(response["image"]["imageId"]["imageDigest"], manifest, media_type)
        except is_boto3_error_code(["ImageAlreadyExistsException", "ImageTagAlreadyExistsException"]):
            current = self.image_for_tag(tag)
        candidate = RemoteImage(wanted.digest if wanted else "", manifest, media_type)
        if current is None or not candidate.same_as(current):
            raise TagConflict(self.name, tag, current.digest if current else "another image", wanted.digest if wanted else None)
        return current

    def push(self, image, tag: str) -> tuple[RemoteImage, int, int]:
        """Upload what the repository lacks of ``image`` and tag its manifest.
        Returns (the image as stored, bytes uploaded, blobs skipped because the repository had them)."""
        blobs = image.blobs
        missing = self.missing_blobs(blobs)
        sent = self.upload_blobs(image, missing)
        stored = self.put_manifest(image.manifest.decode("utf-8"), image.media_type, tag)
        return stored, sent, len(blobs) - len(missing)


def _media_type_of(manifest: str) -> str:
    try:
        return json.loads(manifest).get("mediaType") or OCI_MANIFEST
    except ValueError:
        return OCI_MANIFEST
