"""The content digest of a build's inputs: stable for the same inputs, changed by whatever the build sees."""

from __future__ import annotations

import os
import re

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.build_context import (
    BuildContextError,
    BuildInputs,
    context_digest,
    visible_entries,
)
from ansible_collections.shipyard.aws.plugins.module_utils.dockerignore import DockerIgnore


def make_context(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def context(tmp_path):
    return make_context(tmp_path / "app", {
        "Dockerfile": "FROM scratch\nCOPY . /srv/\n",
        ".dockerignore": "node_modules\n*.log\nsecrets/\n!secrets/public.pem\n",
        "src/index.js": "console.log(1)\n",
        "src/lib/util.js": "export {}\n",
        "node_modules/dep/index.js": "dep\n",
        "debug.log": "log\n",
        "secrets/key.pem": "private\n",
        "secrets/public.pem": "public\n",
    })


def digest(context, **options):
    dockerfile = options.pop("dockerfile", "Dockerfile")
    return context_digest(BuildInputs.resolve(str(context), dockerfile, **options))


def test_the_tag_is_ctx_and_16_hex_of_the_digest(context):
    result = digest(context)
    assert re.fullmatch(r"ctx-[0-9a-f]{16}", result["tag"]) and result["digest"].startswith(result["tag"][4:])
    assert result["files"] == 5  # Dockerfile, .dockerignore, src/index.js, src/lib/util.js, secrets/public.pem


def test_what_the_build_sees(context):
    ignore = DockerIgnore.from_text((context / ".dockerignore").read_text())
    seen = [path for path, entry in visible_entries(str(context), ignore, frozenset({".dockerignore"}))]
    assert sorted(seen) == [".dockerignore", "Dockerfile", "secrets/public.pem", "src", "src/index.js",
                            "src/lib", "src/lib/util.js"]


def test_stable_and_blind_to_timestamps(context):
    first = digest(context)
    os.utime(context / "src" / "index.js", (0, 0))
    (context / "src" / "index.js").write_text("console.log(1)\n")
    assert digest(context) == first


def test_the_same_files_give_the_same_digest_wherever_they_are(tmp_path, context):
    other = make_context(tmp_path / "elsewhere", {
        name: (context / name).read_text() for name in
        ["src/lib/util.js", "src/index.js", "secrets/public.pem", ".dockerignore", "Dockerfile"]
    })
    assert digest(other)["digest"] == digest(context)["digest"]


@pytest.mark.parametrize("change", [
    lambda c: (c / "src" / "index.js").write_text("console.log(2)\n"),
    lambda c: (c / "src" / "new.js").write_text(""),
    lambda c: (c / "src" / "index.js").rename(c / "src" / "main.js"),
    lambda c: (c / "src" / "index.js").chmod(0o755),
    lambda c: (c / "src" / "empty").mkdir(),
    lambda c: (c / "src" / "link").symlink_to("index.js"),
    lambda c: (c / "secrets" / "public.pem").write_text("another key\n"),
    lambda c: (c / "Dockerfile").write_text("FROM scratch\nCOPY src /srv/\n"),
    lambda c: (c / ".dockerignore").write_text("node_modules\n*.log\nsecrets/\n"),
], ids=["content", "new file", "rename", "mode", "empty dir", "symlink", "re-included file", "dockerfile", "ignore file"])
def test_whatever_the_build_sees_changes_the_digest(context, change):
    before = digest(context)["digest"]
    change(context)
    assert digest(context)["digest"] != before


@pytest.mark.parametrize("change", [
    lambda c: (c / "debug.log").write_text("more log\n"),
    lambda c: (c / "node_modules" / "dep" / "index.js").write_text("dep 2\n"),
    lambda c: (c / "node_modules" / "other.js").write_text(""),
    lambda c: (c / "secrets" / "key.pem").write_text("rotated\n"),
], ids=["ignored file", "ignored dir", "new ignored file", "excluded despite exceptions nearby"])
def test_what_dockerignore_leaves_out_does_not(context, change):
    before = digest(context)["digest"]
    change(context)
    assert digest(context)["digest"] == before


def test_the_dockerfile_and_ignore_file_count_even_when_ignored(tmp_path):
    context = make_context(tmp_path / "app", {"Dockerfile": "FROM scratch\n", ".dockerignore": "Dockerfile\n.dockerignore\n"})
    before = digest(context)
    assert before["files"] == 2
    (context / "Dockerfile").write_text("FROM scratch\nLABEL a=b\n")
    assert digest(context)["digest"] != before["digest"]


def test_a_dockerfile_outside_the_context(tmp_path, context):
    outside = tmp_path / "web.Dockerfile"
    outside.write_text("FROM scratch\n")
    before = digest(context, dockerfile=str(outside))["digest"]
    outside.write_text("FROM scratch\nCOPY src /srv/\n")
    assert digest(context, dockerfile=str(outside))["digest"] != before


def test_a_dockerfile_specific_ignore_file_wins(context):
    (context / "web.Dockerfile").write_text("FROM scratch\n")
    (context / "web.Dockerfile.dockerignore").write_text("src/lib\n")
    inputs = BuildInputs.resolve(str(context), "web.Dockerfile")
    assert inputs.ignore_file == str(context / "web.Dockerfile.dockerignore")
    before = context_digest(inputs)["digest"]
    (context / "src" / "lib" / "util.js").write_text("ignored by web.Dockerfile.dockerignore\n")
    assert context_digest(inputs)["digest"] == before
    (context / "debug.log").write_text("seen: only .dockerignore leaves *.log out\n")
    assert context_digest(inputs)["digest"] != before


@pytest.mark.parametrize("options", [
    {"build_args": {"VERSION": "2"}},
    {"target": "runtime"},
    {"platform": "linux/arm64"},
    {"labels": {"org.opencontainers.image.version": "1.0"}},
])
def test_build_options_change_the_digest(context, options):
    assert digest(context, **options)["digest"] != digest(context)["digest"]


def test_build_arg_order_does_not_matter(context):
    assert (digest(context, build_args={"A": "1", "B": "2"})["digest"]
            == digest(context, build_args={"B": "2", "A": "1"})["digest"])


def test_missing_context_or_dockerfile(tmp_path, context):
    with pytest.raises(BuildContextError, match="build context .*/nowhere does not exist"):
        BuildInputs.resolve(str(tmp_path / "nowhere"), "Dockerfile")
    with pytest.raises(BuildContextError, match="Dockerfile .*/Containerfile does not exist"):
        BuildInputs.resolve(str(context), "Containerfile")
