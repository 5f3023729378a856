# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Resource naming: the one place ``{service}-{env}[-<thing>]`` is computed and checked."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

_LABEL = re.compile(r"[a-z](?:[a-z0-9-]*[a-z0-9])?")
# S3 bucket names are at most 63 characters; leave room for the longest suffix the collection adds.
_MAX_PREFIX_LENGTH = 40

_WHAT = {
    "service": ("service name", "shipyard_service"),
    "env": ("environment name", "shipyard_env"),
    "thing": ("resource suffix", None),
}


def _check(part, kind):
    what, variable = _WHAT[kind]
    where = f" (set by {variable} in inventories/<env>/group_vars)" if variable else ""
    if not isinstance(part, str) or not part:
        raise AnsibleFilterError(f"the {what} is empty or not a string ({part!r}){where}")
    if not _LABEL.fullmatch(part):
        raise AnsibleFilterError(
            f"the {what} {part!r} is not a valid name{where}: use lowercase letters, digits and hyphens, "
            "starting with a letter and not ending with a hyphen (no spaces, no capitals), "
            "because it becomes part of S3 bucket, ECR repository and IAM names"
        )
    return part


def resource_prefix(service, env):
    prefix = f"{_check(service, 'service')}-{_check(env, 'env')}"
    if len(prefix) > _MAX_PREFIX_LENGTH:
        raise AnsibleFilterError(
            f"the resource prefix {prefix!r} is {len(prefix)} characters long; keep service + environment "
            f"within {_MAX_PREFIX_LENGTH} so every derived S3 bucket name stays within 63"
        )
    return prefix


def resource_name(service, env, thing=None):
    prefix = resource_prefix(service, env)
    if thing is None or thing == "":
        return prefix
    return f"{prefix}-{_check(thing, 'thing')}"


class FilterModule:
    def filters(self):
        return {
            "resource_name": resource_name,
            "resource_prefix": resource_prefix,
        }
