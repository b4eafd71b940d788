"""The xAPI resources under ``/xapi``: the request version check and the response headers every resource shares."""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from xapi.versions import SUPPORTED_VERSIONS, resolve_version

bp = Blueprint("xapi", __name__, url_prefix="/xapi")

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
    return response


from . import about, statements  # noqa: E402,F401  (routes register on bp)
