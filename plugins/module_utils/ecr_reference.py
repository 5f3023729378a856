# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the ECR modules share about naming things in ECR: a repository given by name or by URI, image tags and
digests as ECR accepts them, and telling an access refusal apart from other errors."""

from __future__ import annotations

import re

REPOSITORY_NAME = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
REPOSITORY_URI = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<name>[^:@]+)$"
)
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
ACCESS_DENIED = ["AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnauthorizedAccess"]


def parse_repository(value: str, region: str | None) -> tuple[str, str | None]:
    """A repository name or URI -> (name, registry id or None)."""
    value = value.strip()
    match = REPOSITORY_URI.match(value)
    if match:
        if region and match["region"] != region:
            raise ValueError(f"repository {value} is in region {match['region']}, but the module runs against {region}: "
                             f"set region: {match['region']}")
        name, registry = match["name"], match["registry"]
    elif "." in value.split("/", 1)[0] or ":" in value:
        raise ValueError(f"repository {value!r} is neither an ECR repository name nor an ECR repository URI "
                         "(<account>.dkr.ecr.<region>.amazonaws.com/<name>, without a tag)")
    else:
        name, registry = value, None
    if not 2 <= len(name) <= 256 or not REPOSITORY_NAME.match(name):
        raise ValueError(f"repository name {name!r} is not a valid ECR repository name "
                         "(lowercase letters, digits, '.', '_', '-' and '/' between them)")
    return name, registry


def check_tag(tag: str) -> None:
    if not TAG.match(tag):
        raise ValueError(f"tag {tag!r} is not a valid image tag (letters, digits, '_', '.', '-'; at most 128; "
                         "not starting with '.' or '-')")


def check_digest(digest: str) -> None:
    if not DIGEST.match(digest):
        raise ValueError(f"digest {digest!r} is not an image digest (sha256: followed by 64 lowercase hex digits)")


def is_access_denied(error) -> bool:
    """AccessDeniedException (ECR), or any other refusal answered with HTTP 403."""
    response = getattr(error, "response", None) or {}
    return (response.get("Error", {}).get("Code") in ACCESS_DENIED
            or response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403)
