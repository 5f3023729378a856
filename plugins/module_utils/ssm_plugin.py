# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS's session-manager-plugin: finding it, its version, and the command line the AWS CLI gives it.

The argument contract is the one in aws/session-manager-plugin, src/sessionmanagerplugin/session/session.go
(ValidateInputAndStartSession): argv[1] the StartSession response, argv[2] the region, argv[3] the operation
``StartSession``, argv[4] the profile ("" for none), argv[5] the StartSession request parameters as JSON (the plugin
reads ``Target`` from it), argv[6] the SSM endpoint URL. The AWS CLI (awscli/customizations/sessionmanager.py,
StartSessionCaller) builds it the same way, and, for plugins newer than 1.2.497.0, passes argv[1] as the NAME of an
environment variable starting with ``AWS_SSM_START_SESSION_RESPONSE`` that holds the response JSON; the plugin reads it
and removes it from its environment. That keeps the session token out of the process list, so this module does it too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

PLUGIN = "session-manager-plugin"
INSTALL_HINT = (
    "install AWS's Session Manager plugin (https://docs.aws.amazon.com/systems-manager/latest/userguide/"
    "session-manager-working-with-install-plugin.html: the .deb or .rpm on Linux, "
    "'brew install --cask session-manager-plugin' on macOS; the collection's execution environment has it), "
    "or give its path with session_manager_plugin"
)
RESPONSE_VARIABLE = "AWS_SSM_START_SESSION_RESPONSE"
LAST_VERSION_WITHOUT_RESPONSE_VARIABLE = (1, 2, 497, 0)
_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")


class PluginError(Exception):
    """The plugin is missing or unusable; the message says how to fix it."""


def find(name_or_path: str) -> str:
    """The plugin's absolute path: a path as given, else looked up on PATH."""
    if os.sep in name_or_path:
        if os.path.isfile(name_or_path) and os.access(name_or_path, os.X_OK):
            return os.path.abspath(name_or_path)
        raise PluginError(f"{name_or_path} is not an executable file: {INSTALL_HINT}")
    found = shutil.which(name_or_path)
    if not found:
        raise PluginError(f"{name_or_path} was not found on PATH ({os.environ.get('PATH', '')}): {INSTALL_HINT}")
    return found


def version(path: str) -> tuple[int, ...] | None:
    """The plugin's version (``session-manager-plugin --version``), None when it prints none we can read."""
    try:
        answer = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise PluginError(f"{path} --version failed ({e}): {INSTALL_HINT}") from e
    text = re.sub(r"\s+", "", answer.stdout)
    if answer.returncode != 0 or not _VERSION.match(text):
        return None
    return tuple(int(part) for part in text.split("."))


def reads_response_from_environment(plugin_version: tuple[int, ...] | None) -> bool:
    if plugin_version is None:
        return False
    padded = plugin_version + (0,) * (4 - len(plugin_version))
    return padded > LAST_VERSION_WITHOUT_RESPONSE_VARIABLE


def command(path: str, plugin_version, response: dict, region: str, profile: str | None, request: dict,
            endpoint_url: str) -> tuple[list[str], dict]:
    """(argv, extra environment) to start the plugin for a StartSession ``response`` to ``request``."""
    session = json.dumps({key: response[key] for key in ("SessionId", "TokenValue", "StreamUrl")})
    environment = {}
    if reads_response_from_environment(plugin_version):
        environment[RESPONSE_VARIABLE] = session
        session = RESPONSE_VARIABLE
    argv = [path, session, region, "StartSession", profile or "", json.dumps(request), endpoint_url]
    return argv, environment
