# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The image builders ecr_image drives (docker, podman, buildah) and how ``auto`` picks one.

Each builder builds the image under a throw-away local name, exports it as an OCI layout or OCI archive into a
directory the caller owns (and removes), and removes the local image again, also after a failure. Nothing is
pushed by the builders and no registry login happens: the upload goes through the ECR API (ecr_push.py).

Commands run through a ``run(args) -> (rc, stdout, stderr)`` callable (the module's run_command), never a shell.
"""

from __future__ import annotations

import os
import uuid

AUTO_ORDER = ("docker", "podman", "buildah")
INSTALL_HINT = (
    "install one: buildah (daemonless, works in AWX execution environments; Debian/Ubuntu: apt-get install buildah, "
    "RHEL/Fedora: dnf install buildah), podman, or Docker with a running daemon; or build elsewhere and push the "
    "result with source=oci_archive"
)
TAIL_LINES = 50


class BuilderError(RuntimeError):
    """A builder could not be found or did not produce an image."""


class NoBuilderError(BuilderError):
    def __init__(self, tried: list[str]):
        self.tried = tried
        super().__init__(f"no image builder works on this machine (tried {'; '.join(tried)}): {INSTALL_HINT}")


class BuildFailed(BuilderError):
    def __init__(self, builder: str, step: str, rc: int, output: str):
        self.tail = "\n".join(output.splitlines()[-TAIL_LINES:])
        super().__init__(f"{builder} {step} failed (exit code {rc}); its last {TAIL_LINES} lines:\n{self.tail}")


def output_of(stdout: str, stderr: str) -> str:
    return "\n".join(part.rstrip("\n") for part in (stdout, stderr) if part)


class Builder:
    name = ""
    export_name = "image.tar"

    def __init__(self, executable: str, run, environ: dict | None = None):
        self.executable = executable
        self.run = run
        self.environ = os.environ if environ is None else environ

    def global_args(self) -> list[str]:
        return []

    def command(self, *args: str) -> list[str]:
        return [self.executable, *self.global_args(), *args]

    def probe(self) -> list[str]:
        return self.command("info")

    def works(self) -> tuple[bool, str]:
        rc, out, err = self.run(self.probe())
        if rc == 0:
            return True, ""
        lines = output_of(out, err).strip().splitlines()
        return False, lines[-1] if lines else f"'{' '.join(self.probe())}' exited with {rc}"

    def build_args(self, inputs, image: str, ignore_file: str | None) -> list[str]:
        args = ["build", "--platform", inputs.platform, "-f", inputs.dockerfile, "-t", image]
        if inputs.target:
            args += ["--target", inputs.target]
        for key, value in sorted((inputs.build_args or {}).items()):
            args += ["--build-arg", f"{key}={value}"]
        for key, value in sorted((inputs.labels or {}).items()):
            args += ["--label", f"{key}={value}"]
        if ignore_file:
            args += ["--ignorefile", ignore_file]
        return args

    def export_args(self, image: str, destination: str) -> list[str]:
        raise NotImplementedError

    def remove_args(self, image: str) -> list[str]:
        return self.command("rmi", "--force", image)

    def _check(self, step: str, args: list[str]) -> None:
        rc, out, err = self.run(args)
        if rc != 0:
            raise BuildFailed(self.name, step, rc, output_of(out, err))

    def build(self, inputs, ignore_file: str | None, workdir: str) -> str:
        """Build ``inputs`` and export the image into ``workdir``; returns the OCI layout/archive path."""
        image = f"localhost/shipyard-ecr-image-{uuid.uuid4().hex[:12]}:build"
        destination = os.path.join(workdir, self.export_name)
        try:
            self._check("build", self.command(*self.build_args(inputs, image, ignore_file), inputs.context))
            self._check("export", self.export_args(image, destination))
        finally:
            self.run(self.remove_args(image))
        return destination


class Buildah(Builder):
    """Daemonless. ``STORAGE_DRIVER`` picks the storage driver (e.g. vfs where overlay is not available) and
    ``BUILDAH_ISOLATION`` the isolation, chroot by default (no runtime and no privileges needed, as in containers)."""

    name = "buildah"
    export_name = "oci-layout"

    def global_args(self) -> list[str]:
        driver = self.environ.get("STORAGE_DRIVER")
        return ["--storage-driver", driver] if driver else []

    def build_args(self, inputs, image, ignore_file):
        args = super().build_args(inputs, image, ignore_file)
        args[1:1] = ["--isolation", self.environ.get("BUILDAH_ISOLATION") or "chroot"]
        return args

    def export_args(self, image, destination):
        return self.command("push", "--quiet", image, f"oci:{destination}")


class Podman(Builder):
    name = "podman"

    def export_args(self, image, destination):
        return self.command("save", "--quiet", "--format", "oci-archive", "-o", destination, image)


class Docker(Builder):
    """``docker save`` writes an OCI layout archive (index.json) since Docker 25."""

    name = "docker"

    def probe(self):
        return self.command("info", "--format", "{{.ServerVersion}}")

    def build_args(self, inputs, image, ignore_file):
        # BuildKit finds <Dockerfile>.dockerignore and .dockerignore by itself; there is no --ignorefile.
        return super().build_args(inputs, image, None)

    def export_args(self, image, destination):
        return self.command("save", "-o", destination, image)


BUILDERS = {"docker": Docker, "podman": Podman, "buildah": Buildah}


def find_builder(choice: str, which, run, environ: dict | None = None) -> Builder:
    """The builder to use: ``choice`` itself, or for ``auto`` the first of docker, podman, buildah that works.
    ``which(name)`` finds an executable (None when absent)."""
    tried = []
    for name in AUTO_ORDER if choice == "auto" else (choice,):
        executable = which(name)
        if not executable:
            tried.append(f"{name}: not installed")
            continue
        builder = BUILDERS[name](executable, run, environ)
        ok, reason = builder.works()
        if ok:
            return builder
        tried.append(f"{name}: {reason}")
    raise NoBuilderError(tried)
