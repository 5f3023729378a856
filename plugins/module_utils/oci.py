# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading one image out of an OCI image layout: a directory (``oci:`` in buildah/skopeo) or an uncompressed tar
of one (``oci-archive:``, ``podman save --format oci-archive``, ``docker save`` since Docker 25).

``index.json`` -> the manifest (its exact bytes and media type; an image index is resolved to the manifest of the
requested platform) -> the config blob and the layer blobs, each checked for presence and size. Blobs are opened
one reader at a time, so several can be uploaded at once; nothing is extracted or copied.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from dataclasses import dataclass

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
INDEX_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST)


class OciError(ValueError):
    """The layout or archive cannot be pushed as it is (missing, corrupt, ambiguous or for another platform)."""


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def parse_platform(platform: str) -> tuple[str, str, str]:
    """``os/arch[/variant]`` -> (os, arch, variant or "")."""
    parts = platform.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise OciError(f"platform {platform!r} is not os/arch or os/arch/variant (for example linux/amd64)")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def platform_matches(described: dict | None, platform: str) -> bool:
    if not described:
        return False
    wanted_os, wanted_arch, wanted_variant = parse_platform(platform)
    return (described.get("os") == wanted_os and described.get("architecture") == wanted_arch
            and (not wanted_variant or described.get("variant", "") == wanted_variant))


def platform_name(described: dict) -> str:
    return "/".join(part for part in (described.get("os"), described.get("architecture"), described.get("variant")) if part)


@dataclass(frozen=True)
class Blob:
    digest: str
    size: int
    media_type: str


class _BlobReader:
    """A file-like view of ``size`` bytes of ``path`` starting at ``offset``; its own file handle."""

    def __init__(self, path: str, offset: int, size: int):
        self._file = open(path, "rb")  # pylint: disable=consider-using-with  # closed by close()/__exit__
        self._file.seek(offset)
        self._left = size

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self._left:
            size = self._left
        data = self._file.read(size)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class _LayoutDirectory:
    def __init__(self, root: str):
        self.root = root
        self.description = f"OCI layout {root}"

    def _path(self, name: str) -> str:
        return os.path.join(self.root, *name.split("/"))

    def size(self, name: str) -> int | None:
        try:
            return os.stat(self._path(name)).st_size
        except FileNotFoundError:
            return None

    def open(self, name: str) -> _BlobReader:
        return _BlobReader(self._path(name), 0, os.stat(self._path(name)).st_size)


class _LayoutArchive:
    """An uncompressed tar; each member is read in place at its data offset."""

    def __init__(self, path: str):
        self.path = path
        self.description = f"OCI archive {path}"
        with open(path, "rb") as handle:
            magic = handle.read(6)
        if magic[:2] == b"\x1f\x8b" or magic[:3] == b"BZh" or magic == b"\xfd7zXZ\x00" or magic[:4] == b"\x28\xb5\x2f\xfd":
            raise OciError(f"{path} is compressed; an OCI archive is a plain tar (decompress it first, e.g. gunzip)")
        try:
            with tarfile.open(path, "r:") as archive:
                self._members = {os.path.normpath(member.name).lstrip("/"): member for member in archive.getmembers()}
        except tarfile.TarError as e:
            raise OciError(f"{path} is not a tar archive: {e}") from e

    def _member(self, name: str):
        member = self._members.get(name)
        if member is not None and not member.isfile():
            raise OciError(f"{name} in {self.path} is not a regular file (links in OCI archives are not supported)")
        return member

    def size(self, name: str) -> int | None:
        member = self._member(name)
        return None if member is None else member.size

    def open(self, name: str) -> _BlobReader:
        member = self._member(name)
        return _BlobReader(self.path, member.offset_data, member.size)


def _blob_name(digest: str) -> str:
    algorithm, unused_sep, encoded = digest.partition(":")
    if algorithm != "sha256" or len(encoded) != 64 or any(c not in "0123456789abcdef" for c in encoded):
        raise OciError(f"unsupported blob digest {digest!r} (only sha256 is supported)")
    return f"blobs/sha256/{encoded}"


class OciImage:
    """One image (a single-platform manifest) of a layout: its exact manifest bytes and its blobs."""

    def __init__(self, store, manifest: bytes, media_type: str, platform: str):
        self._store = store
        self.manifest = manifest
        self.media_type = media_type
        self.digest = sha256_digest(manifest)
        try:
            document = json.loads(manifest)
            self.config = Blob(document["config"]["digest"], int(document["config"]["size"]),
                               document["config"].get("mediaType", ""))
            self.layers = [Blob(layer["digest"], int(layer["size"]), layer.get("mediaType", ""))
                           for layer in document.get("layers") or []]
        except (ValueError, KeyError, TypeError) as e:
            raise OciError(f"manifest {self.digest} in {store.description} is not an image manifest: {e}") from e
        for blob in self.blobs:
            actual = store.size(_blob_name(blob.digest))
            if actual is None:
                raise OciError(f"blob {blob.digest} of manifest {self.digest} is missing from {store.description}")
            if actual != blob.size:
                raise OciError(f"blob {blob.digest} in {store.description} has {actual} bytes, its manifest says {blob.size}")
        described = json.loads(self.read_blob(self.config))
        if not platform_matches(described, platform):
            raise OciError(f"the image in {store.description} is for {platform_name(described) or 'an unknown platform'}, "
                           f"not {platform}: set platform to push it anyway, or build it for {platform}")

    @property
    def blobs(self) -> list[Blob]:
        """The config and the layers, each once, config first."""
        seen, unique = set(), []
        for blob in [self.config] + self.layers:
            if blob.digest not in seen:
                seen.add(blob.digest)
                unique.append(blob)
        return unique

    @property
    def size(self) -> int:
        return sum(blob.size for blob in self.blobs)

    def open_blob(self, blob: Blob) -> _BlobReader:
        return self._store.open(_blob_name(blob.digest))

    def read_blob(self, blob: Blob) -> bytes:
        with self.open_blob(blob) as reader:
            data = reader.read()
        if sha256_digest(data) != blob.digest:
            raise OciError(f"blob {blob.digest} in {self._store.description} does not match its digest (corrupt)")
        return data


def _read_json(store, name: str, what: str) -> tuple[bytes, dict]:
    if store.size(name) is None:
        raise OciError(f"{store.description} has no {name}: it is not an OCI image layout ({what})")
    with store.open(name) as reader:
        data = reader.read()
    try:
        return data, json.loads(data)
    except ValueError as e:
        raise OciError(f"{name} in {store.description} is not JSON: {e}") from e


def _is_attestation(descriptor: dict) -> bool:
    annotations = descriptor.get("annotations") or {}
    return annotations.get("vnd.docker.reference.type") == "attestation-manifest"


def _choose(store, descriptors: list, platform: str, where: str) -> dict:
    """The one descriptor of an index to follow for ``platform``."""
    candidates = [d for d in descriptors if not _is_attestation(d)]
    if len(candidates) > 1:
        candidates = [d for d in candidates if platform_matches(d.get("platform"), platform)]
    if len(candidates) == 1:
        return candidates[0]
    listed = ", ".join(
        f"{d.get('digest')} ({platform_name(d.get('platform') or {}) or 'no platform'})" for d in descriptors
    ) or "none"
    raise OciError(f"{where} in {store.description} has no single manifest for {platform} (it lists: {listed})")


def _resolve(store, descriptor: dict, platform: str, depth: int = 0) -> OciImage:
    digest = descriptor.get("digest", "")
    name = _blob_name(digest)
    data, document = _read_json(store, name, f"manifest {digest}")
    if sha256_digest(data) != digest:
        raise OciError(f"manifest {digest} in {store.description} does not match its digest (corrupt)")
    media_type = document.get("mediaType") or descriptor.get("mediaType", "")
    if media_type in INDEX_TYPES or ("manifests" in document and "layers" not in document):
        if depth > 3:
            raise OciError(f"{store.description}: image indexes nested too deep")
        chosen = _choose(store, document.get("manifests") or [], platform, f"image index {digest}")
        return _resolve(store, chosen, platform, depth + 1)
    if media_type not in MANIFEST_TYPES:
        raise OciError(f"manifest {digest} in {store.description} has media type {media_type!r}, "
                       f"not one ECR stores ({', '.join(MANIFEST_TYPES)})")
    return OciImage(store, data, media_type, platform)


def open_image(path: str, platform: str) -> OciImage:
    """The image for ``platform`` in the OCI layout directory or OCI archive at ``path``."""
    if os.path.isdir(path):
        store = _LayoutDirectory(path)
    elif os.path.isfile(path):
        store = _LayoutArchive(path)
    else:
        raise OciError(f"{path} does not exist")
    unused_data, index = _read_json(store, "index.json", "index.json is missing")
    descriptor = _choose(store, index.get("manifests") or [], platform, "index.json")
    return _resolve(store, descriptor, platform)
