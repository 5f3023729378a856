#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: power_lambda_package
short_description: Write the power Lambda's deployment package, byte for byte the same while its code is
version_added: 0.1.0
description:
  - Writes a zip holding the collection's C(power.py) and C(power_lambda.py) (handler C(power_lambda.handler)), the code
    the roles R(shipyard.aws.ecs_schedule,ansible_collections.shipyard.aws.ecs_schedule_role) and
    R(shipyard.aws.aurora_schedule,ansible_collections.shipyard.aws.aurora_schedule_role) deploy as the function that
    stops and starts ECS services and databases.
  - The zip is deterministic - entries sorted, fixed timestamps and permissions - so unchanged code gives the same
    bytes and the same C(CodeSha256), and M(amazon.aws.lambda) updates the function only when the code changed.
  - The file is rewritten only when its content differs.
author:
  - shipyard.aws maintainers (@shipyard-aws)
options:
  dest:
    description: Where to write the zip (its folder must exist).
    type: path
    required: true
attributes:
  check_mode:
    support: full
    description: Computes the package and tells whether the file would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the package's SHA-256 before and after.
notes:
  - Runs where the package is needed, normally on the controller (C(delegate_to) C(localhost)).
seealso:
  - module: amazon.aws.lambda
"""

EXAMPLES = r"""
- name: Package the power function
  shipyard.aws.power_lambda_package:
    dest: "{{ playbook_dir }}/.shipyard/power-lambda.zip"
  register: package

- name: Deploy it
  amazon.aws.lambda:
    name: bookmark-manager-staging-power
    runtime: python3.12
    handler: power_lambda.handler
    role: "{{ lambda_role_arn }}"
    zip_file: "{{ package.path }}"
"""

RETURN = r"""
path:
  description: The zip's path.
  returned: always
  type: str
sha256:
  description: SHA-256 of the zip, hex.
  returned: always
  type: str
code_sha256:
  description: SHA-256 of the zip in base64, as Lambda reports it in C(CodeSha256).
  returned: always
  type: str
files:
  description: The files in the zip.
  returned: always
  type: list
  elements: str
  sample: [power.py, power_lambda.py]
"""

import base64
import hashlib
import io
import os
import pkgutil
import tempfile
import zipfile

from ansible.module_utils.basic import AnsibleModule

# Imported so that Ansible ships them with this module: their source is what the package holds.
from ansible_collections.shipyard.aws.plugins.module_utils import power  # noqa: F401 pylint: disable=unused-import
from ansible_collections.shipyard.aws.plugins.module_utils import power_lambda  # noqa: F401 pylint: disable=unused-import

PACKAGE = "ansible_collections.shipyard.aws.plugins.module_utils"
FILES = ("power.py", "power_lambda.py")
# Zip's earliest representable time: the same bytes on every machine and every run.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644 << 16


def package_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(FILES):
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.external_attr = FILE_MODE
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, source_of(name))
    return buffer.getvalue()


def source_of(name: str) -> bytes:
    # pkgutil reads through the module's own loader, so this works inside AnsiballZ's zip as from a checkout.
    data = pkgutil.get_data(PACKAGE, name)
    if data is None:
        raise FileNotFoundError(name)
    return data


def current_sha256(path: str) -> str | None:
    try:
        with open(path, "rb") as existing:
            return hashlib.sha256(existing.read()).hexdigest()
    except FileNotFoundError:
        return None


def write_atomically(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".power-lambda-")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main():
    module = AnsibleModule(argument_spec=dict(dest=dict(type="path", required=True)), supports_check_mode=True)
    dest = module.params["dest"]
    if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
        module.fail_json(msg=f"The folder of dest ({os.path.dirname(os.path.abspath(dest))}) does not exist: create it first.")
    try:
        data = package_bytes()
    except (FileNotFoundError, OSError) as error:
        module.fail_json(msg=f"Cannot read the power function's code from the collection ({error}); reinstall shipyard.aws.")
    digest = hashlib.sha256(data).hexdigest()
    before = current_sha256(dest)
    changed = before != digest
    if changed and not module.check_mode:
        write_atomically(dest, data)
    result = {"changed": changed, "path": dest, "sha256": digest, "files": sorted(FILES),
              "code_sha256": base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")}
    if module._diff:
        result["diff"] = {"before": {"sha256": before}, "after": {"sha256": digest}}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
