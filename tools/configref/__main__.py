"""Write (or check) docs/configuration.md, the configuration reference.

    python -m configref            rewrite docs/configuration.md
    python -m configref --check    exit 1 when docs/configuration.md is out of date (make lint runs this)

It is generated from every role's meta/argument_specs.yml (entry point main) and the group_vars of
inventories/local, staging and production.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from configref.markdown import document
from configref.specs import REPO_ROOT, environment_files, environment_values, playbooks_running, read_if_set, roles

TARGET = "docs/configuration.md"


def generate(root: Path = REPO_ROOT) -> str:
    found = roles(root)
    runners = {role.name: playbooks_running(role.name, root) for role in found}
    return document(found, environment_values(root), environment_files(root), read_if_set(root), runners)


def main(argv=None, root: Path = REPO_ROOT) -> int:
    parser = argparse.ArgumentParser(prog="python -m configref", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that docs/configuration.md is current")
    args = parser.parse_args(argv)
    path = root / TARGET
    wanted = generate(root)
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == wanted:
        print(f"{TARGET} is current")
        return 0
    if args.check:
        print(f"out of date: {TARGET}; run `make docs` and commit the result", file=sys.stderr)
        return 1
    path.write_text(wanted, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
