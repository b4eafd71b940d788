"""The xAPI resources under ``/xapi``: the request version check and the response headers every resource shares."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from xapi.timestamps import format_timestamp
from xapi.versions import SUPPORTED_VERSIONS, resolve_version

from ..models import utcnow

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

STATEMENT_ENDPOINTS = {"xapi.post_statements", "xapi.put_statement", "xapi.get_statements"}
# Resources a client may call without the X-Experience-API-Version header.
UNVERSIONED_ENDPOINTS = {"xapi.about"}


@bp.before_request
def check_version() -> None:
    # The default also labels the error response when the header is missing or invalid.
    g.xapi_version = SUPPORTED_VERSIONS[-1]
    if request.endpoint in UNVERSIONED_ENDPOINTS or request.method == "OPTIONS":
        return
    g.xapi_version = resolve_version(request.headers.get("X-Experience-API-Version"))


@bp.after_request
def add_version_header(response: Response) -> Response:
    response.headers["X-Experience-API-Version"] = g.get("xapi_version", SUPPORTED_VERSIONS[-1])
    # xAPI 1.0.3 communication, section 2.1.3: every statements resource response carries this header.
    if request.endpoint in STATEMENT_ENDPOINTS:
        response.headers.setdefault("X-Experience-API-Consistent-Through", format_timestamp(utcnow()))
    return response


from . import about, statements  # noqa: E402,F401  (routes register on bp)
from . import activities, agents, alternate_syntax, cors, documents  # noqa: E402,F401  (hooks after the version check)
