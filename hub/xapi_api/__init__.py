"""The xAPI resources under ``/xapi``: the request version check and the response headers every resource shares."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length, get_input_stream

from xapi.timestamps import format_timestamp
from xapi.versions import SUPPORTED_VERSIONS, resolve_version

from ..errors import BadRequest
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


def read_body(environ: dict, max_bytes: int | None) -> bytes:
    """Read a request body of at most ``max_bytes``; raise RequestEntityTooLarge for a longer one.

    Werkzeug 3.1 stops reading a body without Content-Length (a chunked one) at the limit and returns its first
    ``max_bytes`` bytes as if that were all of it, so one more read from the server's stream distinguishes the two cases.
    """
    body = get_input_stream(environ, max_content_length=max_bytes).read()
    if max_bytes is not None and len(body) >= max_bytes and get_content_length(environ) is None:
        if environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    return body


def read_request_body() -> bytes:
    """Read the current request's body, limited to SKILLWIRE_MAX_BODY_BYTES (Flask's MAX_CONTENT_LENGTH)."""
    return read_body(request.environ, request.max_content_length)


def reject_repeated_parameters() -> None:
    """Reject a query parameter given more than once, since each xAPI parameter takes one value."""
    repeated = [name for name, values in request.args.lists() if len(values) > 1]
    if repeated:
        raise BadRequest(f"parameter {repeated[0]!r} is given more than once; send it once", field=repeated[0])


from . import about, statements  # noqa: E402,F401  (routes register on bp)
from . import activities, agents, alternate_syntax, cors, documents  # noqa: E402,F401  (hooks after the version check)
