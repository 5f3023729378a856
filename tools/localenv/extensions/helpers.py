"""What several of the emulator extensions share: the /_shipyard/ endpoints' 404 and 403, the exceptions moto
raises for an AWS error answer, and ECS's clock (see the package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations


class NotFound(Exception):
    """A /_shipyard/ endpoint's 404: the thing asked for does not exist."""


class Forbidden(Exception):
    """A /_shipyard/ endpoint's 403."""


def _moto_errors() -> tuple[type[Exception], ...]:
    """What moto raises for an AWS error answer (its JSON services' and its older REST errors)."""
    from moto.core.exceptions import ServiceException
    from werkzeug.exceptions import HTTPException

    return ServiceException, HTTPException


def _ecs_now():
    from moto.core.utils import utcnow

    return utcnow()
