"""execution-environment.yml: `ansible-builder create` writes the AWX execution environment's build context."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from helpers import BIN, REPO_ROOT


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    target = tmp_path_factory.mktemp("ee") / "context"
    proc = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", str(target),  # noqa: S603
                           "--output-filename", "Containerfile"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


def test_the_containerfile_installs_pinned_checked_terraform_and_session_manager_plugin(context):
    containerfile = (context / "Containerfile").read_text()
    versions = dict(re.findall(r"^ARG (TERRAFORM_VERSION|SESSION_MANAGER_PLUGIN_VERSION)=(\S+)$", containerfile, re.MULTILINE))
    sums = dict(re.findall(r"^ARG (TERRAFORM_SHA256|SESSION_MANAGER_PLUGIN_SHA256)=([0-9a-f]{64})$", containerfile, re.MULTILINE))
    assert set(sums) == {"TERRAFORM_SHA256", "SESSION_MANAGER_PLUGIN_SHA256"}
    # S3 native state locking (use_lockfile) needs Terraform 1.10 or later.
    assert tuple(int(part) for part in versions["TERRAFORM_VERSION"].split(".")[:2]) >= (1, 10)
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", versions["SESSION_MANAGER_PLUGIN_VERSION"])
    assert "releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_amd64.zip" in containerfile
    assert "session-manager-downloads/plugin/${SESSION_MANAGER_PLUGIN_VERSION}/" in containerfile
    # Each download is checked before it is unpacked, in the same step.
    for download, checksum, unpack in (("/tmp/terraform.zip", "${TERRAFORM_SHA256}", "unzip"),
                                       ("/tmp/session-manager-plugin.deb", "${SESSION_MANAGER_PLUGIN_SHA256}", "bsdtar")):
        (step,) = [line for line in containerfile.splitlines() if line.startswith("RUN") and download in line]
        assert step.index(f'echo "{checksum}  {download}" | sha256sum --check --strict') < step.index(unpack)
    assert "ansible-core==2.19.14" in containerfile


def test_the_context_holds_the_collection_its_dependencies_and_requirements(context):
    build = context / "_build"
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())["collections"]
    (own,) = [c for c in galaxy if c.get("type") == "dir"]
    collection = build / own["source"]
    assert yaml.safe_load((collection / "galaxy.yml").read_text())["name"] == "aws"
    for path in ("meta/runtime.yml", "plugins/modules/ecr_image.py", "roles/terraform_stack/tasks/main.yml", "playbooks/site.yml"):
        assert (collection / path).is_file(), path
    wanted = {c["name"]: c["version"] for c in yaml.safe_load((REPO_ROOT / "requirements.yml").read_text())["collections"]}
    wanted.update(yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())["dependencies"])
    assert {c["name"]: c["version"] for c in galaxy if "name" in c} == wanted
    assert (build / "requirements.txt").read_text() == (REPO_ROOT / "requirements.txt").read_text()
    bindep = (build / "bindep.txt").read_text()
    for package in ("buildah", "postgresql", "git"):
        assert re.search(rf"^{package} \[platform:rpm\]$", bindep, re.MULTILINE), package


def test_the_copied_collection_installs(context, tmp_path):
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--no-deps", "--force", "-p", str(tmp_path),  # noqa: S603
                           str(context / "_build" / "shipyard_aws")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = tmp_path / "ansible_collections" / "shipyard" / "aws"
    assert (installed / "MANIFEST.json").is_file()
    assert (installed / "roles" / "db_migrations" / "meta" / "argument_specs.yml").is_file()
