# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one base class every shipyard.aws module is built on.

It is amazon.aws' AnsibleAWSModule with the collection's name and version in the botocore
user agent (``APN/1.0 Ansible/<core> shipyard.aws/<version>``), exactly as community.aws does
for its own modules, so requests made by this collection can be told apart in CloudTrail.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.common import set_collection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

SHIPYARD_AWS_COLLECTION_NAME = "shipyard.aws"
# Kept equal to galaxy.yml's version; tests/unit/test_collection_metadata.py checks it.
SHIPYARD_AWS_COLLECTION_VERSION = "0.1.0"


class ShipyardAWSModule(AnsibleAWSModule):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        set_collection_info(
            collection_name=SHIPYARD_AWS_COLLECTION_NAME,
            collection_version=SHIPYARD_AWS_COLLECTION_VERSION,
        )
