"""The collection as Galaxy ships it: build, install into an empty collections path, document."""

from __future__ import annotations

import subprocess
import tarfile

import pytest

from helpers import BIN, REPO_ROOT, ansible_env


def tool(name, *args, cwd=REPO_ROOT, env=None):
    result = subprocess.run([str(BIN / name), *args], cwd=cwd, env=env or ansible_env(),  # noqa: S603
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{name} {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    tool("ansible-galaxy", "collection", "build", "--output-path", str(dist))
    tarball = next(dist.glob("shipyard-aws-*.tar.gz"))
    collections = tmp_path_factory.mktemp("collections")
    # Away from the repository and its ansible.cfg, which already links the working tree as shipyard.aws.
    env = ansible_env()
    env.pop("ANSIBLE_CONFIG")
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections)
    # --no-deps: the dependencies (amazon.aws, community.aws, community.general) come with the `ansible`
    # package here, and these machines cannot reach Galaxy.
    tool("ansible-galaxy", "collection", "install", "--no-deps", "-p", str(collections), str(tarball),
         cwd=collections, env=env)
    return {"tarball": tarball, "collections": collections, "env": env}


def test_tarball_holds_the_collection_and_nothing_local(installed):
    tarball = installed["tarball"]
    assert tarball.name == "shipyard-aws-0.1.0.tar.gz"
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "plugins/modules/dynamodb_table_protection.py" in names
    assert "roles/tfstate_backend/meta/argument_specs.yml" in names
    assert "meta/runtime.yml" in names
    for local in (".venv", ".shipyard", ".ansible", ".git", "tests/output"):
        assert not any(n == local or n.startswith(local + "/") for n in names), local


def test_installs_into_an_empty_path_and_lists_its_modules(installed):
    collections, env = installed["collections"], installed["env"]
    assert (collections / "ansible_collections" / "shipyard" / "aws" / "MANIFEST.json").is_file()
    listing = tool("ansible-doc", "-l", "shipyard.aws", cwd=collections, env=env)
    assert "shipyard.aws.dynamodb_table_protection" in listing


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("module", "shipyard.aws.dynamodb_table_protection", "point_in_time_recovery"),
        ("filter", "shipyard.aws.resource_name", "DNS-style label"),
        ("filter", "shipyard.aws.resource_prefix", "63-character"),
        ("role", "shipyard.aws.tfstate_backend", "tfstate_backend_noncurrent_days"),
    ],
)
def test_every_plugin_and_role_is_documented(installed, kind, name, expected):
    collections, env = installed["collections"], installed["env"]
    text = tool("ansible-doc", "-t", kind, name, cwd=collections, env=env)
    assert expected in text
