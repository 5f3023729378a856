"""Writing OCI image layouts byte by byte for the unit tests (test_oci.py, test_ecr_push.py)."""

from __future__ import annotations

import hashlib
import json

from ansible_collections.shipyard.aws.plugins.module_utils.oci import OCI_MANIFEST


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI layout directory under construction."""

    def __init__(self, root):
        self.root = root
        (root / "blobs" / "sha256").mkdir(parents=True)
        (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')

    def blob(self, data: bytes, media_type: str) -> dict:
        (self.root / "blobs" / "sha256" / digest_of(data).split(":")[1]).write_bytes(data)
        return {"mediaType": media_type, "digest": digest_of(data), "size": len(data)}

    def image(self, arch="amd64", layers=(b"layer one", b"layer two")) -> tuple[dict, bytes]:
        config = self.blob(json.dumps({"architecture": arch, "os": "linux", "rootfs": {"type": "layers"}}).encode(),
                           "application/vnd.oci.image.config.v1+json")
        layer_descriptors = [self.blob(data, "application/vnd.oci.image.layer.v1.tar+gzip") for data in layers]
        # Unusual spacing and key order: what is pushed must be these exact bytes.
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": layer_descriptors,
                               "config": config}, indent=3).encode()
        descriptor = self.blob(manifest, OCI_MANIFEST)
        return descriptor, manifest

    def index(self, *descriptors) -> None:
        (self.root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": list(descriptors)}))
