"""Reading an image out of OCI layouts and OCI archives written here byte by byte."""

from __future__ import annotations

import gzip
import json
import tarfile

import pytest
from oci_layout import Layout

from ansible_collections.shipyard.aws.plugins.module_utils.oci import OCI_INDEX, OCI_MANIFEST, OciError, open_image


def platform(descriptor: dict, arch: str) -> dict:
    return dict(descriptor, platform={"os": "linux", "architecture": arch})


@pytest.fixture
def layout(tmp_path):
    return Layout(tmp_path / "layout")


def archive_of(layout: Layout, path) -> str:
    with tarfile.open(path, "w") as tar:
        tar.add(layout.root, arcname=".")
    return str(path)


def test_a_layout_directory(layout):
    descriptor, manifest = layout.image()
    layout.index(descriptor)
    image = open_image(str(layout.root), "linux/amd64")
    assert image.manifest == manifest and image.digest == descriptor["digest"] and image.media_type == OCI_MANIFEST
    assert [blob.size for blob in image.blobs][1:] == [len(b"layer one"), len(b"layer two")]
    assert image.size == sum(blob.size for blob in image.blobs)
    with image.open_blob(image.layers[1]) as reader:
        assert reader.read() == b"layer two"


def test_an_archive_reads_members_in_place_with_independent_readers(layout, tmp_path):
    descriptor, manifest = layout.image(layers=(b"A" * 5000, b"B" * 7000))
    layout.index(descriptor)
    image = open_image(archive_of(layout, tmp_path / "image.tar"), "linux/amd64")
    assert image.manifest == manifest
    first, second = image.open_blob(image.layers[0]), image.open_blob(image.layers[1])
    try:
        assert first.read(10) == b"A" * 10 and second.read(10) == b"B" * 10
        assert first.read() == b"A" * 4990 and second.read() == b"B" * 6990
        assert first.read() == b""
    finally:
        first.close()
        second.close()


def test_a_shared_blob_is_listed_once(layout):
    descriptor, unused_manifest = layout.image(layers=(b"same", b"same"))
    layout.index(descriptor)
    image = open_image(str(layout.root), "linux/amd64")
    assert len(image.layers) == 2 and len(image.blobs) == 2


def test_the_platform_is_chosen_from_an_image_index(layout):
    amd64, amd64_manifest = layout.image("amd64")
    arm64, arm64_manifest = layout.image("arm64", layers=(b"arm layer",))
    attestation = dict(layout.blob(b"{}", OCI_MANIFEST), platform={"os": "unknown", "architecture": "unknown"},
                       annotations={"vnd.docker.reference.type": "attestation-manifest"})
    nested = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX,
                         "manifests": [platform(amd64, "amd64"), platform(arm64, "arm64"), attestation]}).encode()
    layout.index(layout.blob(nested, OCI_INDEX))
    assert open_image(str(layout.root), "linux/amd64").manifest == amd64_manifest
    assert open_image(str(layout.root), "linux/arm64").manifest == arm64_manifest
    with pytest.raises(OciError, match="no single manifest for linux/s390x .*amd64.*arm64"):
        open_image(str(layout.root), "linux/s390x")


def test_two_images_without_platforms_are_ambiguous(layout):
    first, unused_first = layout.image(layers=(b"one",))
    second, unused_second = layout.image(layers=(b"two",))
    layout.index(first, second)
    with pytest.raises(OciError, match="index.json in OCI layout .* has no single manifest for linux/amd64"):
        open_image(str(layout.root), "linux/amd64")


def test_an_image_for_another_platform_is_refused(layout):
    descriptor, unused_manifest = layout.image("arm64")
    layout.index(descriptor)
    with pytest.raises(OciError, match="is for linux/arm64, not linux/amd64"):
        open_image(str(layout.root), "linux/amd64")


def test_a_missing_blob(layout):
    descriptor, manifest = layout.image()
    layout.index(descriptor)
    layer = json.loads(manifest)["layers"][0]["digest"]
    (layout.root / "blobs" / "sha256" / layer.split(":")[1]).unlink()
    with pytest.raises(OciError, match=f"blob {layer} of manifest .* is missing"):
        open_image(str(layout.root), "linux/amd64")


def test_a_blob_of_the_wrong_size(layout):
    descriptor, manifest = layout.image()
    layout.index(descriptor)
    layer = json.loads(manifest)["layers"][1]["digest"]
    (layout.root / "blobs" / "sha256" / layer.split(":")[1]).write_bytes(b"short")
    with pytest.raises(OciError, match=f"blob {layer} in OCI layout .* has 5 bytes, its manifest says 9"):
        open_image(str(layout.root), "linux/amd64")


def test_a_corrupt_manifest(layout):
    descriptor, manifest = layout.image()
    layout.index(descriptor)
    (layout.root / "blobs" / "sha256" / descriptor["digest"].split(":")[1]).write_bytes(manifest + b" ")
    with pytest.raises(OciError, match="does not match its digest"):
        open_image(str(layout.root), "linux/amd64")


def test_not_a_layout(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(OciError, match="has no index.json"):
        open_image(str(tmp_path / "empty"), "linux/amd64")
    with pytest.raises(OciError, match="does not exist"):
        open_image(str(tmp_path / "nowhere.tar"), "linux/amd64")


def test_a_compressed_archive_is_refused_with_the_fix(layout, tmp_path):
    descriptor, unused_manifest = layout.image()
    layout.index(descriptor)
    archive_of(layout, tmp_path / "image.tar")
    (tmp_path / "image.tar.gz").write_bytes(gzip.compress((tmp_path / "image.tar").read_bytes()))
    with pytest.raises(OciError, match="is compressed; .*gunzip"):
        open_image(str(tmp_path / "image.tar.gz"), "linux/amd64")


def test_a_bad_platform_string(layout):
    descriptor, unused_manifest = layout.image()
    layout.index(descriptor)
    with pytest.raises(OciError, match="is not os/arch"):
        open_image(str(layout.root), "amd64")
