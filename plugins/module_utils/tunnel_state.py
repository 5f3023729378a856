# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where running tunnels are remembered: one JSON record per tunnel name in a private directory (mode 0700).

A record holds no secret (pid, session id, ports, target); the session token only ever reaches the plugin.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat

DEFAULT_DIRECTORY = "~/.shipyard/tunnels"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class StateError(Exception):
    """The state directory cannot be used safely; the message says why and what to do."""


def default_name(parts: list[str]) -> str:
    """A tunnel name derived from its target and ports, safe as a file name, at most 100 characters."""
    name = _UNSAFE.sub("-", "-".join(str(part) for part in parts if part not in (None, ""))).strip("-.") or "tunnel"
    if len(name) > 100:
        name = f"{name[:91]}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return name


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise StateError(f"name {name!r} is not usable as a tunnel name: use 1 to 100 letters, digits, '_', '.' or '-', "
                         "starting with a letter or digit")


def private_directory(path: str) -> str:
    """``path`` created if missing, owned by this user and closed to everyone else (0700)."""
    directory = os.path.abspath(os.path.expanduser(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode):
        raise StateError(f"state_dir {directory} is not a directory: choose another state_dir")
    if info.st_uid != os.geteuid():
        raise StateError(f"state_dir {directory} belongs to another user (uid {info.st_uid}): choose a directory of your own")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(directory, 0o700)
    return directory


def paths(directory: str, name: str) -> dict:
    base = os.path.join(directory, name)
    return {"record": f"{base}.json", "stdout": f"{base}.out", "stderr": f"{base}.err"}


def read(directory: str, name: str) -> dict | None:
    try:
        with open(paths(directory, name)["record"], encoding="utf-8") as record:
            data = json.load(record)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise StateError(f"the record of tunnel {name} ({paths(directory, name)['record']}) cannot be read ({e}): "
                         "remove it, and end a session-manager-plugin still running for it") from e
    return data if isinstance(data, dict) else None


def write(directory: str, name: str, record: dict) -> str:
    """Write ``record`` atomically, readable by this user only; returns the file's path."""
    target = paths(directory, name)["record"]
    temporary = f"{target}.{os.getpid()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2, sort_keys=True)
    os.replace(temporary, target)
    return target


def remove(directory: str, name: str) -> None:
    for path in paths(directory, name).values():
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def records(directory: str) -> dict:
    """name => record of every tunnel the directory holds (to say which tunnel holds a port)."""
    found = {}
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".json"):
            try:
                record = read(directory, entry[:-5])
            except StateError:
                continue
            if record:
                found[entry[:-5]] = record
    return found
