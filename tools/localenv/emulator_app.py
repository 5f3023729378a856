"""The emulator process: moto's server application wrapped in the harness's extensions.

Run as ``python -m localenv.emulator_app --port N``; ``localenv.emulator`` starts and stops it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from werkzeug.serving import run_simple

from localenv.extensions import ShipyardExtensions, install_moto_patches
from localenv.net import LOOPBACK


def build_app():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    install_moto_patches()
    return ShipyardExtensions(DomainDispatcherApplication(create_backend_app))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default=LOOPBACK)
    args = parser.parse_args(argv)

    # IAM's AWS-managed policies (arn:aws:iam::aws:policy/...) so roles can attach them as in AWS.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ["MOTO_PORT"] = str(args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    from moto.moto_server.werkzeug_app import MotoRequestHandler

    run_simple(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
