"""tools/localenv/terraform_cli.py: the project's Terraform CLI configuration and version check."""

from __future__ import annotations

import os
import shlex
import stat

import pytest

from localenv.terraform_cli import TerraformError, check_version, parse_version, render, write_config

AWS = "registry.terraform.io/hashicorp/aws"


# --- render -------------------------------------------------------------------------------------------------


def test_render_always_disables_the_checkpoint_and_sets_the_plugin_cache(tmp_path):
    text = render(None, tmp_path / "cache")
    assert "disable_checkpoint = true" in text
    assert f'plugin_cache_dir   = "{tmp_path / "cache"}"' in text


def test_render_without_a_mirror_has_no_provider_installation(tmp_path):
    assert "provider_installation" not in render(None, tmp_path)
    assert "provider_installation" not in render("", tmp_path)


def test_render_with_a_mirror_takes_only_hashicorp_aws_from_it(tmp_path):
    text = render("/srv/mirror", tmp_path / "cache")
    assert "disable_checkpoint = true" in text
    assert "plugin_cache_dir" in text
    block = text[text.index("provider_installation {"):]
    mirror = block[block.index("filesystem_mirror {"):block.index("direct {")]
    direct = block[block.index("direct {"):]
    assert 'path    = "/srv/mirror"' in mirror
    assert f'include = ["{AWS}"]' in mirror
    assert f'exclude = ["{AWS}"]' in direct
    assert text.endswith("}\n")


# --- write_config -------------------------------------------------------------------------------------------


def _mirror(tmp_path):
    folder = tmp_path / "mirror"
    (folder / AWS).mkdir(parents=True)
    return str(folder)


def test_write_config_writes_cli_tfrc_and_creates_the_plugin_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)
    path = write_config(tmp_path)
    assert path == tmp_path / "terraform" / "cli.tfrc"
    assert (tmp_path / "terraform" / "plugin-cache").is_dir()
    assert path.read_text() == render(None, tmp_path / "terraform" / "plugin-cache")


def test_write_config_with_a_mirror_writes_the_provider_installation(tmp_path):
    mirror = _mirror(tmp_path)
    path = write_config(tmp_path / "state", mirror)
    assert f'path    = "{mirror}"' in path.read_text()


def test_write_config_reads_the_mirror_from_tf_provider_mirror(tmp_path, monkeypatch):
    mirror = _mirror(tmp_path)
    monkeypatch.setenv("TF_PROVIDER_MIRROR", mirror)
    assert f'path    = "{mirror}"' in write_config(tmp_path / "state").read_text()


def test_write_config_does_not_rewrite_an_unchanged_file(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)
    path = write_config(tmp_path)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # an old mtime, so any rewrite would show
    before = path.stat().st_mtime_ns
    write_config(tmp_path)
    assert path.stat().st_mtime_ns == before


def test_write_config_rewrites_a_changed_file(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_PROVIDER_MIRROR", raising=False)
    path = write_config(tmp_path)
    path.write_text("stale\n")
    write_config(tmp_path)
    assert "disable_checkpoint = true" in path.read_text()


def test_write_config_rejects_a_mirror_without_hashicorp_aws(tmp_path):
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    with pytest.raises(TerraformError, match="TF_PROVIDER_MIRROR") as info:
        write_config(tmp_path / "state", str(empty))
    assert AWS in str(info.value)
    assert not (tmp_path / "state" / "terraform" / "cli.tfrc").exists()


# --- parse_version ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.10.0", (1, 10, 0)),
        ("v1.11.4", (1, 11, 4)),
        ("1.10.0-rc1", (1, 10, 0)),
        ("1.9", (1, 9, 0)),
        (" 1.9.8\n", (1, 9, 8)),
    ],
)
def test_parse_version(text, expected):
    assert parse_version(text) == expected


def test_parsed_versions_compare_numerically_not_as_text():
    assert parse_version("1.10.0") > parse_version("1.9.8")


# --- check_version ------------------------------------------------------------------------------------------


def _fake_binary(folder, output, name="terraform"):
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = version ] && [ "$2" = -json ]; then\n'
        f"  printf '%s\\n' {shlex.quote(output)}\n"  # printf is a builtin: works with PATH narrowed
        "  exit 0\n"
        "fi\n"
        "echo unexpected arguments >&2\n"
        "exit 2\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def test_terraform_1_9_is_too_old_and_must_be_upgraded(tmp_path):
    script = _fake_binary(tmp_path / "bin", '{"terraform_version": "1.9.8"}')
    with pytest.raises(TerraformError) as info:
        check_version(str(script))
    message = str(info.value)
    assert "1.9.8" in message
    assert ">= 1.10" in message
    assert "upgrade" in message


@pytest.mark.parametrize("version", ["1.10.0", "1.11.4"])
def test_terraform_1_10_and_later_pass_and_return_the_version(tmp_path, version):
    script = _fake_binary(tmp_path / "bin", f'{{"terraform_version": "{version}", "platform": "linux_amd64"}}')
    assert check_version(str(script)) == version


def test_binary_is_looked_up_on_path(tmp_path, monkeypatch):
    _fake_binary(tmp_path / "bin", '{"terraform_version": "1.10.5"}', name="tofu")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert check_version("tofu") == "1.10.5"


def test_missing_binary_says_not_found_on_path_and_mentions_opentofu(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(TerraformError) as info:
        check_version("terraform")
    assert "terraform not found on PATH" in str(info.value)
    assert "OpenTofu" in str(info.value)


@pytest.mark.parametrize("output", ["Terraform v1.10.0 on linux_amd64", '{"version": "1.10.0"}'])
def test_unreadable_version_output_raises_could_not_read_the_version(tmp_path, output):
    script = _fake_binary(tmp_path / "bin", output)
    with pytest.raises(TerraformError, match="could not read the version") as info:
        check_version(str(script))
    assert str(script) in str(info.value)


def test_json_that_is_not_an_object_raises_terraform_error(tmp_path):
    script = _fake_binary(tmp_path / "bin", "null")
    with pytest.raises(TerraformError, match="could not read the version"):
        check_version(str(script))
