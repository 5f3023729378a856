# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The content digest of an image build's inputs, and the ``ctx-<16 hex>`` tag made from it.

The digest covers exactly what decides the image: every file, directory and symlink of the build context that
the build can see (``.dockerignore`` applied as Docker applies it; the Dockerfile and the ignore file are always
seen), with its path, permission bits and content (never its timestamps or owner), plus the Dockerfile's
content, the build arguments, the target stage, the platform and the labels. Two builds with the same digest
produce equivalent images, so an image tagged with it can be reused instead of building again.

The ignore file is the Dockerfile-specific ``<Dockerfile>.dockerignore`` next to the Dockerfile when there is
one (as BuildKit does), otherwise ``.dockerignore`` at the root of the context; the builders are given the same
file, so the digest and the build see the same files.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field

from ansible_collections.shipyard.aws.plugins.module_utils.dockerignore import DockerIgnore

CONTEXT_TAG_PREFIX = "ctx-"
_DIGEST_FORMAT = "shipyard.aws ecr_image build inputs v1"
_READ_CHUNK = 1024 * 1024


class BuildContextError(ValueError):
    """The context or the Dockerfile cannot be read."""


@dataclass
class BuildInputs:
    context: str
    dockerfile: str
    build_args: dict = field(default_factory=dict)
    target: str = ""
    platform: str = "linux/amd64"
    labels: dict = field(default_factory=dict)

    @classmethod
    def resolve(cls, context: str, dockerfile: str, **options) -> "BuildInputs":
        """Absolute paths; the Dockerfile is relative to the context unless absolute. Fails on a missing path."""
        context = os.path.abspath(os.path.expanduser(context))
        if not os.path.isdir(context):
            what = "is not a directory" if os.path.exists(context) else "does not exist"
            raise BuildContextError(f"build context {context} {what}")
        dockerfile = os.path.expanduser(dockerfile)
        if not os.path.isabs(dockerfile):
            dockerfile = os.path.join(context, dockerfile)
        dockerfile = os.path.abspath(dockerfile)
        if not os.path.isfile(dockerfile):
            raise BuildContextError(f"Dockerfile {dockerfile} does not exist (dockerfile is relative to the context {context})")
        return cls(context=context, dockerfile=dockerfile, **options)

    @property
    def ignore_file(self) -> str | None:
        for candidate in (self.dockerfile + ".dockerignore", os.path.join(self.context, ".dockerignore")):
            if os.path.isfile(candidate):
                return candidate
        return None

    def inside_context(self, path: str) -> str | None:
        relative = os.path.relpath(path, self.context).replace(os.sep, "/")
        return None if relative == ".." or relative.startswith("../") else relative


def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(_READ_CHUNK), b""):
                digest.update(chunk)
    except OSError as e:
        raise BuildContextError(f"cannot read {path}: {e.strerror}") from e
    return digest.hexdigest()


def visible_entries(context: str, ignore: DockerIgnore, always: frozenset = frozenset()):
    """(relative path, os.DirEntry) of everything in ``context`` the build sees, depth first in name order."""
    pending = [""]
    while pending:
        directory = pending.pop()
        try:
            entries = sorted(os.scandir(os.path.join(context, directory) if directory else context), key=lambda e: e.name)
        except OSError as e:
            raise BuildContextError(f"cannot read {os.path.join(context, directory)}: {e.strerror}") from e
        below = []
        for entry in entries:
            relative = f"{directory}/{entry.name}" if directory else entry.name
            is_dir = entry.is_dir(follow_symlinks=False)
            excluded = relative not in always and ignore.excluded(relative)
            if not excluded:
                yield relative, entry
            # An excluded directory is still searched when a "!" exception could bring back something inside it.
            if is_dir and (not excluded or ignore.has_exceptions):
                below.append(relative)
        pending.extend(reversed(below))


def _entry_record(relative: str, entry) -> bytes | None:
    info = entry.stat(follow_symlinks=False)
    mode = f"{stat.S_IMODE(info.st_mode):o}"
    if stat.S_ISDIR(info.st_mode):
        parts = ("dir", mode)
    elif stat.S_ISLNK(info.st_mode):
        parts = ("symlink", os.readlink(entry.path))
    elif stat.S_ISREG(info.st_mode):
        parts = ("file", mode, str(info.st_size), _file_sha256(entry.path))
    else:
        return None  # sockets, pipes and devices are not copied into images
    return b"\0".join([os.fsencode(relative)] + [os.fsencode(part) for part in parts]) + b"\n"


def context_digest(inputs: BuildInputs) -> dict:
    """The digest of the build's inputs -> {"digest": 64 hex, "tag": "ctx-<16 hex>", "files": n, "bytes": n}."""
    ignore_path = inputs.ignore_file
    ignore_text = ""
    if ignore_path:
        try:
            with open(ignore_path, encoding="utf-8", errors="surrogateescape") as handle:
                ignore_text = handle.read()
        except OSError as e:
            raise BuildContextError(f"cannot read {ignore_path}: {e.strerror}") from e
    try:
        ignore = DockerIgnore.from_text(ignore_text)
    except ValueError as e:
        raise BuildContextError(f"{ignore_path}: {e}") from e
    always = frozenset(p for p in (inputs.inside_context(inputs.dockerfile),
                                   inputs.inside_context(ignore_path) if ignore_path else None,
                                   ".dockerignore") if p)
    header = {
        "format": _DIGEST_FORMAT,
        "dockerfile": _file_sha256(inputs.dockerfile),
        "ignore_file": hashlib.sha256(os.fsencode(ignore_text)).hexdigest() if ignore_path else None,
        "build_args": {str(k): str(v) for k, v in (inputs.build_args or {}).items()},
        "target": inputs.target or "",
        "platform": inputs.platform,
        "labels": {str(k): str(v) for k, v in (inputs.labels or {}).items()},
    }
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode() + b"\n")
    files = size = 0
    for relative, entry in visible_entries(inputs.context, ignore, always):
        try:
            record = _entry_record(relative, entry)
        except OSError as e:
            raise BuildContextError(f"cannot read {entry.path}: {e.strerror}") from e
        if record is None:
            continue
        digest.update(record)
        if entry.is_file(follow_symlinks=False):
            files += 1
            size += entry.stat(follow_symlinks=False).st_size
    hexdigest = digest.hexdigest()
    return {"digest": hexdigest, "tag": CONTEXT_TAG_PREFIX + hexdigest[:16], "files": files, "bytes": size}
