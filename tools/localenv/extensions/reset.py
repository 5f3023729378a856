"""A faster moto reset, for the per-test reset of the test suite (see the package docstring)."""

from __future__ import annotations

import gc


def patch_reset_without_rebuilding() -> None:
    """Two costs of moto's reset (POST /moto-api/reset) that every test paid.

    * ``BackendDict.reset`` first resets every backend in use - which rebuilds it from scratch: IAM parses its ~1,600
      AWS-managed policies, EC2 builds a default VPC per region - and then throws every one of them away
      (``backend.clear()``); the next test builds them again on first use. A backend's reset here keeps what its own
      cleanup does (S3 closes its temporary files, Batch stops its job threads; they call this at their end) and
      skips the rebuild of an object about to be discarded.
    * The discarded backends are cyclic garbage, so the next full collection of Python's garbage collector - in the
      middle of some later request, about half a second - walks the whole heap: moto's and botocore's models, which
      live as long as the process. After a reset the garbage is collected at once and what survives is frozen
      (``gc.freeze``), so later collections only walk what the tests created since.
    """
    from moto.core.base_backend import BaseBackend
    from moto.moto_api._internal.models import MotoAPIBackend

    if getattr(BaseBackend, "shipyard_reset_patched", False):
        return
    original_api_reset = MotoAPIBackend.reset

    def reset(self) -> None:
        self.__dict__ = {"region_name": self.region_name, "account_id": self.account_id, "partition": self.partition}

    def api_reset(self) -> None:
        original_api_reset(self)
        gc.collect()
        gc.freeze()

    BaseBackend.reset = reset
    MotoAPIBackend.reset = api_reset
    BaseBackend.shipyard_reset_patched = True
