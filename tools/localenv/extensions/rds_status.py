"""RDS statuses for stopping and starting databases: a status set by the test, and stops and starts that take a while
(see the package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import time

from localenv.extensions.helpers import NotFound

RDS_STATUS_PATH = "/_shipyard/rds/status"
RDS_TRANSITIONS_PATH = "/_shipyard/rds/transitions"
# What AWS shows while a stop or start is under way, by the status moto sets at once.
_ON_THE_WAY = {"stopped": "stopping", "available": "starting"}


def validate_rds_request(request: dict, value: str) -> dict:
    """The body of ``PUT /_shipyard/rds/status`` (value "status") or ``/transitions`` (value "seconds"):
    exactly one of "instance" and "cluster", and the value; ValueError (the 400) says what is wrong."""
    known = {"instance", "cluster", value}
    unknown = sorted(set(request) - known)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}")
    kinds = [kind for kind in ("instance", "cluster") if request.get(kind)]
    if len(kinds) != 1:
        raise ValueError('give exactly one of "instance" and "cluster" (an identifier)')
    if value == "status" and not (isinstance(request.get("status"), str) and request["status"]):
        raise ValueError('"status" (a string, such as "backing-up") is required')
    if value == "seconds":
        seconds = request.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError('"seconds" (a number, 0 or more) is required')
    return {"kind": kinds[0], "identifier": str(request[kinds[0]]), value: request[value]}


def set_rds_status(kind: str, identifier: str, status: str) -> dict:
    """Put a DB instance or cluster in ``status`` now (a cluster's member instances too). Call with moto's lock held."""
    resource = _find(kind, identifier)
    resource.shipyard_settle = None
    _set_status(kind, resource, status)
    return {kind: identifier, "status": status}


def set_rds_transition(kind: str, identifier: str, seconds: float) -> dict:
    """Make every later stop and start of the DB instance or cluster pass through stopping / starting for
    ``seconds``. Kept on moto's model, so a reset forgets it. Call with moto's lock held."""
    _find(kind, identifier).shipyard_transition_seconds = float(seconds)
    return {kind: identifier, "seconds": seconds}


def patch_rds_stop_start() -> None:
    """moto 5 stops and starts a DB instance or cluster at once (straight to stopped / available) and leaves an
    Aurora cluster's member instances available while the cluster is stopped; on AWS a stop takes minutes through
    ``stopping``, a start through ``starting``, and the members follow their cluster. So nothing that waits for a
    stop could be tested. A resource given a transition time (``set_rds_transition``) now stays ``stopping`` or
    ``starting`` that long after Stop*/Start*, settled lazily when DescribeDBInstances or DescribeDBClusters look;
    members of a cluster always follow its status. Without a transition time moto's immediate answer is kept."""
    from moto.rds.models import RDSBackend

    if getattr(RDSBackend, "shipyard_stop_start_patched", False):
        return

    def through(kind, original):
        def patched(self, *args, **kwargs):
            answer = original(self, *args, **kwargs)
            identifier = args[0] if args else kwargs.get("db_instance_identifier", kwargs.get("cluster_identifier"))
            resource = self.databases[identifier] if kind == "instance" else self.clusters[identifier]
            final = resource.status
            seconds = getattr(resource, "shipyard_transition_seconds", 0)
            if seconds and final in _ON_THE_WAY:
                resource.shipyard_settle = (final, time.monotonic() + seconds)
                final = _ON_THE_WAY[final]
            _set_status(kind, resource, final)
            return answer

        return patched

    def settling(original, collection):
        def patched(self, *args, **kwargs):
            for resource in list(getattr(self, collection).values()):
                _settle(resource)
            return original(self, *args, **kwargs)

        return patched

    RDSBackend.stop_db_instance = through("instance", RDSBackend.stop_db_instance)
    RDSBackend.start_db_instance = through("instance", RDSBackend.start_db_instance)
    RDSBackend.stop_db_cluster = through("cluster", RDSBackend.stop_db_cluster)
    RDSBackend.start_db_cluster = through("cluster", RDSBackend.start_db_cluster)
    RDSBackend.describe_db_instances = settling(RDSBackend.describe_db_instances, "databases")
    RDSBackend.describe_db_clusters = settling(RDSBackend.describe_db_clusters, "clusters")
    RDSBackend.shipyard_stop_start_patched = True


def _settle(resource) -> None:
    from moto.rds.models import DBCluster

    pending = getattr(resource, "shipyard_settle", None)
    if pending and time.monotonic() >= pending[1]:
        resource.shipyard_settle = None
        _set_status("cluster" if isinstance(resource, DBCluster) else "instance", resource, pending[0])


def _set_status(kind: str, resource, status: str) -> None:
    resource.status = status
    if kind == "cluster":
        for member in resource.backend.databases.values():
            if member.db_cluster_identifier == resource.db_cluster_identifier:
                member.status = status


def _backends():
    from moto.rds.models import rds_backends

    for account in list(dict.values(rds_backends)):
        yield from list(dict.values(account))


def _find(kind: str, identifier: str):
    for backend in _backends():
        found = (backend.databases if kind == "instance" else backend.clusters).get(identifier)
        if found is not None:
            return found
    raise NotFound(f"no such DB {kind}: {identifier}")
