"""Command line of the local environment, used by the Makefile.

    python -m localenv up [--aws] [--postgres]      start (both when neither is given)
    python -m localenv down [--aws] [--postgres]    stop exactly what `up` started
    python -m localenv status
    python -m localenv terraform-config [--binary terraform|tofu]
"""

from __future__ import annotations

import argparse
import sys

from localenv import terraform_cli
from localenv.emulator import Emulator, EmulatorError, configured_port
from localenv.postgres import LocalPostgres, PostgresError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localenv", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "down", "status"):
        command = sub.add_parser(name)
        command.add_argument("--aws", action="store_true", help="only the AWS emulator")
        command.add_argument("--postgres", action="store_true", help="only PostgreSQL")
    tf = sub.add_parser("terraform-config", help="write the Terraform CLI config and print its path")
    tf.add_argument("--binary", default="terraform")
    args = parser.parse_args(argv)

    try:
        if args.command == "terraform-config":
            version = terraform_cli.check_version(args.binary)
            path = terraform_cli.write_config()
            print(f"{path}", file=sys.stdout)
            print(f"{args.binary} {version}; CLI config {path}", file=sys.stderr)
            return 0
        both = not (args.aws or args.postgres)
        targets = []
        if both or args.aws:
            targets.append(Emulator(configured_port()))
        if both or args.postgres:
            targets.append(LocalPostgres())
        action = {"up": "start", "down": "stop", "status": "status"}[args.command]
        for target in targets:
            print(getattr(target, action)())
    except (EmulatorError, PostgresError, terraform_cli.TerraformError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
