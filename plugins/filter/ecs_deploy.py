# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the role ecs_deploy: what a deploy was asked to roll out, as one digest per service."""

from __future__ import annotations

import json
import re

from ansible.errors import AnsibleFilterError

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_HOW = ("give a digest sha256:<64 hex>, an image URI ending in @sha256:<64 hex>, or an entry of ecr_images_digests; "
        "to deploy a tag, use ecs_deploy_tags or ecs_deploy_version")


def _parse(value, setting):
    """A mapping as given: a dict, JSON text, or "web=sha256:...,api=sha256:..." (what `-e name=value` gives)."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                parsed = json.loads(text)
            except ValueError as error:
                raise AnsibleFilterError(f"{setting} is not valid JSON ({error}): {_HOW}.") from error
            if isinstance(parsed, dict):
                return parsed
        pairs = [part.strip() for part in text.split(",") if part.strip()]
        if pairs and all("=" in pair for pair in pairs):
            return dict(pair.split("=", 1) for pair in pairs)
    raise AnsibleFilterError(
        f"{setting} must map service keys to images, as a dict, JSON or web=<digest>,api=<digest>: {_HOW}."
    )


def _known_services(mapping, services, setting):
    unknown = sorted(str(key) for key in mapping if key not in services)
    if unknown:
        raise AnsibleFilterError(
            f"{setting} names {', '.join(unknown)}, which is not a service of this environment "
            f"(its services: {', '.join(services)})."
        )
    return mapping


def _digest_of(entry, setting):
    if isinstance(entry, dict):
        entry = entry.get("digest") or entry.get("image_uri") or ""
    text = str(entry).strip()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    if not _DIGEST.match(text):
        raise AnsibleFilterError(f"{setting} is {str(entry)!r}, not an image digest: {_HOW}.")
    return text


def ecs_deploy_digests(value, services, setting="ecs_deploy_digests"):
    """{service key: "sha256:..."} from what the user or images.yml gave; every key must be a service."""
    mapping = _known_services(_parse(value, setting), services, setting)
    return {key: _digest_of(entry, f"{setting}.{key}") for key, entry in mapping.items()}


def ecs_deploy_tags(value, services, version="", setting="ecs_deploy_tags"):
    """{service key: tag}: ecs_deploy_version for every service, then the tags given per service."""
    tags = dict.fromkeys(services, version) if version else {}
    given = _known_services(_parse(value, setting), services, setting)
    tags.update({key: str(tag) for key, tag in given.items()})
    bad = sorted(key for key, tag in tags.items() if not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", tag))
    if bad:
        raise AnsibleFilterError(
            f"{setting}: {', '.join(f'{key}={tags[key]!r}' for key in bad)} is not an image tag "
            "(letters, digits, _ . -, at most 128 characters, not starting with . or -)."
        )
    return tags


class FilterModule:
    def filters(self):
        return {
            "ecs_deploy_digests": ecs_deploy_digests,
            "ecs_deploy_tags": ecs_deploy_tags,
        }
