"""EcrRepository's push against a stand-in ECR client that answers as ECR does where the emulator does not:
the image digest is the SHA-256 of the manifest bytes, the part size comes from InitiateLayerUpload, and an
immutable tag that exists fails with ImageTagAlreadyExistsException."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from botocore.exceptions import ClientError
from oci_layout import Layout

from ansible_collections.shipyard.aws.plugins.module_utils.ecr_push import (
    EcrRepository,
    PushError,
    RemoteImage,
    TagConflict,
    tag_is_immutable,
)
from ansible_collections.shipyard.aws.plugins.module_utils.oci import OCI_MANIFEST, open_image


def _error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} (stand-in)"}}, operation)


class StandInEcr:
    """The ECR API calls of a push, with ECR's answers."""

    def __init__(self, part_size=4, immutable=False, layers=None, together=1):
        self.part_size = part_size
        self.immutable = immutable
        self.layers = dict(layers or {})
        self.uploads = {}
        self.images = {}  # digest -> (manifest, media type)
        self.tags = {}  # tag -> digest
        self.parts = []
        self.puts = []
        self.initiated = 0
        self._lock = threading.Lock()
        # The first `together` uploads wait for each other: they only all start if they run at the same time.
        self._together = threading.Barrier(together, timeout=5) if together > 1 else None

    def batch_check_layer_availability(self, aws_retry, repositoryName, layerDigests):
        assert aws_retry is True
        return {"layers": [{"layerDigest": d, "layerAvailability": "AVAILABLE"} for d in layerDigests if d in self.layers],
                "failures": [{"layerDigest": d, "failureCode": "MissingLayerDigest"} for d in layerDigests if d not in self.layers]}

    def initiate_layer_upload(self, aws_retry, repositoryName):
        with self._lock:
            self.initiated += 1
            upload_id = f"upload-{self.initiated}"
            self.uploads[upload_id] = b""
            together = self._together if self._together and self.initiated <= self._together.parties else None
        if together:
            together.wait()
        return {"uploadId": upload_id, "partSize": self.part_size}

    def upload_layer_part(self, aws_retry, repositoryName, uploadId, partFirstByte, partLastByte, layerPartBlob):
        with self._lock:
            assert partFirstByte == len(self.uploads[uploadId]), "parts arrive in order, without gaps"
            assert partLastByte - partFirstByte + 1 == len(layerPartBlob) <= self.part_size
            self.uploads[uploadId] += layerPartBlob
            self.parts.append((uploadId, len(layerPartBlob)))
        return {"lastByteReceived": partLastByte}

    def complete_layer_upload(self, aws_retry, repositoryName, uploadId, layerDigests):
        with self._lock:
            data = self.uploads.pop(uploadId)
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            if digest != layerDigests[0]:
                raise _error("InvalidLayerException", "CompleteLayerUpload")
            if digest in self.layers:
                raise _error("LayerAlreadyExistsException", "CompleteLayerUpload")
            self.layers[digest] = len(data)
        return {"layerDigest": digest}

    def put_image(self, aws_retry, repositoryName, imageManifest, imageManifestMediaType, imageTag):
        digest = "sha256:" + hashlib.sha256(imageManifest.encode()).hexdigest()
        self.puts.append(imageTag)
        if self.tags.get(imageTag) == digest:
            raise _error("ImageAlreadyExistsException", "PutImage")
        if imageTag in self.tags and self.immutable:
            raise _error("ImageTagAlreadyExistsException", "PutImage")
        self.images[digest] = (imageManifest, imageManifestMediaType)
        self.tags[imageTag] = digest
        return {"image": {"imageId": {"imageDigest": digest, "imageTag": imageTag}}}

    def batch_get_image(self, aws_retry, repositoryName, imageIds, acceptedMediaTypes):
        digest = self.tags.get(imageIds[0].get("imageTag")) or imageIds[0].get("imageDigest")
        if digest not in self.images:
            return {"images": [], "failures": [{"imageId": imageIds[0], "failureCode": "ImageNotFound"}]}
        manifest, media_type = self.images[digest]
        return {"images": [{"imageId": {"imageDigest": digest}, "imageManifest": manifest,
                            "imageManifestMediaType": media_type}], "failures": []}


@pytest.fixture
def image(tmp_path):
    layout = Layout(tmp_path / "layout")
    descriptor, unused_manifest = layout.image(layers=(b"0123456789", b"abcdefghijklmnopq", b"XY"))
    layout.index(descriptor)
    return open_image(str(layout.root), "linux/amd64")


def test_only_missing_blobs_are_uploaded_in_parts_of_the_size_ecr_returns(image):
    have = {image.layers[0].digest: 10}
    ecr = StandInEcr(part_size=4, layers=have)
    stored, sent, skipped = EcrRepository(ecr, "web").push(image, "v1")
    assert skipped == 1 and sent == image.size - 10
    assert sorted(size for unused_id, size in ecr.parts) == sorted([4, 4, 4, 4, 1, 2] + chunks(image.config.size, 4))
    assert stored.digest == image.digest == stored.manifest_digest, "ECR's digest is the manifest's SHA-256"
    assert ecr.images[image.digest] == (image.manifest.decode(), OCI_MANIFEST), "the exact manifest bytes and type"


def chunks(size: int, part: int) -> list[int]:
    return [min(part, size - start) for start in range(0, size, part)]


def test_blobs_are_uploaded_several_at_once(image):
    ecr = StandInEcr(part_size=1024, together=3)
    unused_stored, sent, unused_skipped = EcrRepository(ecr, "web").push(image, "v1")
    assert sent == image.size


def test_a_layer_another_push_completed_meanwhile_is_fine(image):
    ecr = StandInEcr(part_size=1024)
    repository = EcrRepository(ecr, "web")
    ecr.layers[image.layers[1].digest] = image.layers[1].size  # appears after the availability check
    assert repository.upload_blob(image, image.layers[1]) == image.layers[1].size


def test_a_blob_that_changed_on_disk_is_caught_before_completing(image, tmp_path):
    blob = image.layers[1]
    (tmp_path / "layout" / "blobs" / "sha256" / blob.digest.split(":")[1]).write_bytes(b"ABCDEFGHIJKLMNOPQ")
    ecr = StandInEcr(part_size=1024)
    with pytest.raises(PushError, match=f"blob {blob.digest} read back .* corrupt"):
        EcrRepository(ecr, "web").upload_blob(image, blob)
    assert ecr.layers == {}


def test_tagging_again_what_a_tag_holds_is_success(image):
    ecr = StandInEcr(immutable=True)
    repository = EcrRepository(ecr, "web")
    stored, unused_sent, unused_skipped = repository.push(image, "v1")
    assert repository.put_manifest(stored.manifest, stored.media_type, "v1", wanted=stored) == stored
    assert ecr.puts == ["v1", "v1"]


def test_an_immutable_tag_holding_another_image_is_a_conflict(image):
    ecr = StandInEcr(immutable=True)
    repository = EcrRepository(ecr, "web")
    other = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {}, "layers": []})
    before = repository.put_manifest(other, OCI_MANIFEST, "v1")
    with pytest.raises(TagConflict, match=f"tag v1 of the immutable ECR repository web already points at {before.digest}"):
        repository.push(image, "v1")
    assert ecr.tags["v1"] == before.digest


def test_same_image_is_the_same_manifest():
    first = RemoteImage("sha256:aaa", '{"a": 1}', OCI_MANIFEST)
    assert first.same_as(RemoteImage("sha256:bbb", '{"a": 1}', OCI_MANIFEST))
    # moto gives two different manifests with the same layers the same digest: the digest alone proves nothing.
    assert not first.same_as(RemoteImage("sha256:aaa", '{"a": 2}', OCI_MANIFEST))
    assert not first.same_as(None)


@pytest.mark.parametrize("mutability, filters, tag, immutable", [
    ("MUTABLE", [], "v1", False),
    ("IMMUTABLE", [], "latest", True),
    ("IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "latest", False),
    ("IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "dev-42", False),
    ("IMMUTABLE_WITH_EXCLUSION", ["latest", "dev-*"], "v1", True),
    ("MUTABLE_WITH_EXCLUSION", ["release-*"], "release-1.0", True),
    ("MUTABLE_WITH_EXCLUSION", ["release-*"], "main", False),
])
def test_which_tags_are_immutable(mutability, filters, tag, immutable):
    repository = {"imageTagMutability": mutability,
                  "imageTagMutabilityExclusionFilters": [{"filterType": "WILDCARD", "filter": f} for f in filters]}
    assert tag_is_immutable(repository, tag) is immutable
