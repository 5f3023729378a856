"""How ecr_image picks a builder and what it asks each one to do; commands go to a recording stand-in for
run_command (the integration tests run the real buildah)."""

from __future__ import annotations

import pytest

from ansible_collections.shipyard.aws.plugins.module_utils.build_context import BuildInputs
from ansible_collections.shipyard.aws.plugins.module_utils.builders import BuildFailed, NoBuilderError, find_builder


class Commands:
    """Answers commands by their first words; records every command."""

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.calls = []

    def __call__(self, args):
        self.calls.append(args)
        for words, answer in self.answers.items():
            if words in " ".join(args):
                return answer
        return 0, "", ""


def which(*installed):
    return lambda name: f"/usr/bin/{name}" if name in installed else None


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    return BuildInputs.resolve(str(tmp_path), "Dockerfile", build_args={"B": "2", "A": "1"}, target="runtime",
                               platform="linux/arm64", labels={"team": "web"})


def test_auto_takes_the_first_that_works():
    run = Commands({"docker info": (1, "", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n")})
    builder = find_builder("auto", which("docker", "podman", "buildah"), run, environ={})
    assert builder.name == "podman"
    assert [call[0] for call in run.calls] == ["/usr/bin/docker", "/usr/bin/podman"]


def test_none_works_names_each_and_how_to_install_one():
    run = Commands({"info": (125, "", "Error: cannot find newuidmap\n")})
    with pytest.raises(NoBuilderError) as failure:
        find_builder("auto", which("buildah"), run, environ={})
    message = str(failure.value)
    assert "docker: not installed; podman: not installed; buildah: Error: cannot find newuidmap" in message
    assert "apt-get install buildah" in message and "source=oci_archive" in message


def test_a_named_builder_is_the_only_one_tried():
    with pytest.raises(NoBuilderError, match=r"\(tried podman: not installed\)"):
        find_builder("podman", which("docker", "buildah"), Commands(), environ={})


def test_buildah_command_lines(inputs, tmp_path):
    run = Commands()
    builder = find_builder("buildah", which("buildah"), run, environ={"STORAGE_DRIVER": "vfs"})
    exported = builder.build(inputs, str(tmp_path / "Dockerfile.dockerignore"), str(tmp_path / "work"))
    build, push, remove = run.calls[1:]
    image = build[build.index("-t") + 1]
    assert build[:5] == ["/usr/bin/buildah", "--storage-driver", "vfs", "build", "--isolation"] and build[5] == "chroot"
    assert build[-1] == inputs.context
    for flag, value in [("--platform", "linux/arm64"), ("-f", inputs.dockerfile), ("--target", "runtime"),
                        ("--ignorefile", str(tmp_path / "Dockerfile.dockerignore"))]:
        assert build[build.index(flag) + 1] == value
    assert [build[i + 1] for i, word in enumerate(build) if word == "--build-arg"] == ["A=1", "B=2"]
    assert build[build.index("--label") + 1] == "team=web"
    assert push == ["/usr/bin/buildah", "--storage-driver", "vfs", "push", "--quiet", image, f"oci:{exported}"]
    assert remove == ["/usr/bin/buildah", "--storage-driver", "vfs", "rmi", "--force", image]


def test_buildah_isolation_from_the_environment(inputs, tmp_path):
    run = Commands()
    find_builder("buildah", which("buildah"), run, environ={"BUILDAH_ISOLATION": "oci"}).build(inputs, None, str(tmp_path))
    assert run.calls[1][1:4] == ["build", "--isolation", "oci"]


def test_docker_and_podman_export_archives(inputs, tmp_path):
    for name, export in [("docker", ["save", "-o"]), ("podman", ["save", "--quiet", "--format", "oci-archive", "-o"])]:
        run = Commands()
        exported = find_builder(name, which(name), run, environ={}).build(inputs, "/ctx/.dockerignore", str(tmp_path))
        build, save = run.calls[1:3]
        assert save[1:1 + len(export)] == export and exported == str(tmp_path / "image.tar")
        assert ("--ignorefile" in build) is (name == "podman"), "BuildKit finds the ignore file itself"


def test_a_failed_build_keeps_the_last_50_lines_and_removes_the_image(inputs, tmp_path):
    output = "\n".join(f"line {n}" for n in range(1, 81))
    run = Commands({" build ": (1, output, "Error: building at STEP 2: no such file")})
    builder = find_builder("buildah", which("buildah"), run, environ={})
    with pytest.raises(BuildFailed) as failure:
        builder.build(inputs, None, str(tmp_path))
    lines = failure.value.tail.splitlines()
    assert len(lines) == 50 and lines[0] == "line 32" and lines[-1] == "Error: building at STEP 2: no such file"
    assert "buildah build failed (exit code 1)" in str(failure.value)
    assert run.calls[-1][-3:-1] == ["rmi", "--force"], "the local image is removed after a failure too"
