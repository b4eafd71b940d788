"""The hub's own read and write API under /api/v1: evidence, people, skills and sync runs."""

from flask import Blueprint, request

from ..errors import NotFound
from .schemas import MAX_ID

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def reject_ids_beyond_64_bits() -> None:
    """Raise NotFound for an id in the path that no BIGINT column can store, before a query overflows on it.

    A route converter with a maximum cannot do this, because Werkzeug returns 405 when another method's
    rule has the same path.
    """
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and value > MAX_ID:
            raise NotFound(f"{name} {value} not found", field=name)


from . import evidence, identity, people, sync  # noqa: E402,F401  (routes register on bp)
