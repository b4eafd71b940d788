"""The xAPI 1.0.3 alternate request syntax: a form-encoded POST that carries another request.

xAPI 1.0.3 communication section 1.3 lets clients that cannot set headers or use PUT and DELETE (Internet
Explorer 8 and 9, long GET query strings) send ``POST /xapi/RESOURCE?method=PUT`` with a form-encoded body. The
form contains the content (field "content"), the headers Authorization, X-Experience-API-Version, Content-Type,
Content-Length, If-Match and If-None-Match, and the resource's query parameters.

A WSGI middleware rewrites such a request into the ordinary one before Flask routes it, so every resource
supports the syntax without code of its own. Requests it cannot rewrite keep a marker with the error, and a
blueprint hook raises that error after the version check. IEEE 9274.1.1 dropped the syntax, and the 2.0
conformance suite expects it rejected, so under 2.0 the hook rejects every rewritten request.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

from ..errors import BadRequest, HubError, PayloadTooLarge
from . import bp, read_body

log = logging.getLogger(__name__)

# The WSGI environ key of the marker the middleware leaves on every request it handled.
MARKER_KEY = "skillwire.alternate_syntax"
METHODS = ("GET", "PUT", "POST", "DELETE")
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
# The content of a PUT or POST that names no Content-Type: statements, the usual case, are JSON.
DEFAULT_CONTENT_TYPE = "application/json"

# Form fields read as headers (xAPI 1.0.3 communication section 1.3.s3.b6), matched case-insensitively like
# header names, with their WSGI environ keys.
HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
# These two describe the "content" field, not the form; the real length is recomputed from the content.
CONTENT_FIELDS = ("content-type", "content-length")


@dataclass
class AlternateRequest:
    """The middleware's record of one request: the method in the query string, and the error when the rewrite failed."""

    method: str
    error: HubError | None = None


class AlternateSyntaxMiddleware:
    """WSGI middleware that turns an alternate-syntax POST under ``prefix`` into the request it carries."""

    def __init__(self, app, prefix: str, max_body_bytes: int | None):
        self.app = app
        self.prefix = prefix
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ, start_response):
        if self._applies(environ):
            rewrite(environ, self.max_body_bytes)
        return self.app(environ, start_response)

    def _applies(self, environ) -> bool:
        if environ.get("REQUEST_METHOD") != "POST" or not environ.get("PATH_INFO", "").startswith(self.prefix):
            return False
        return any(name == "method" for name, _ in parse_qsl(environ.get("QUERY_STRING", ""),
                                                             keep_blank_values=True))


def rewrite(environ: dict, max_body_bytes: int | None) -> None:
    """Rewrite ``environ`` in place into the request the form carries, and leave an AlternateRequest marker."""
    query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    methods = [value for name, value in query if name == "method"]
    marker = AlternateRequest(method=methods[0].upper())
    environ[MARKER_KEY] = marker

    if len(methods) > 1 or marker.method not in METHODS:
        marker.error = BadRequest(f"invalid method parameter {methods!r} for the alternate request syntax; "
                                  f"use exactly one of {', '.join(METHODS)}", field="method")
        return

    # Routing to the requested method lets even a failed rewrite reach the resource's hooks and their 400.
    environ["REQUEST_METHOD"] = marker.method
    marker.error = _check_query(query) or _check_form_media_type(environ)
    if marker.error is not None:
        _replace_body(environ, b"")
        return

    try:
        fields = _read_form(environ, max_body_bytes)
    except HubError as error:
        marker.error = error
        _replace_body(environ, b"")
        return

    marker.error = _apply_form(environ, marker.method, fields)
    log.debug("alternate request syntax rewritten: method=%s path=%r", marker.method, environ.get("PATH_INFO"))


def _check_query(query: list[tuple[str, str]]) -> HubError | None:
    extra = [name for name, _ in query if name != "method"]
    if not extra:
        return None
    # xAPI 1.0.3 communication section 1.3.s3.b3; the 1.0.3 conformance suite expects 400 here.
    return BadRequest(f"the alternate request syntax takes only 'method' in the query string; send "
                      f"'{extra[0]}' as a form parameter instead", field=extra[0])


def _check_form_media_type(environ) -> HubError | None:
    media_type, _ = parse_options_header(environ.get("CONTENT_TYPE", ""))
    if media_type == FORM_MEDIA_TYPE:
        return None
    return BadRequest(f"the alternate request syntax (?method=...) needs a {FORM_MEDIA_TYPE} body, not "
                      f"'{environ.get('CONTENT_TYPE', '')}'", field="Content-Type")


def _read_form(environ, max_body_bytes: int | None) -> list[tuple[str, str]]:
    try:
        body = read_body(environ, max_body_bytes)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"the form exceeds the request size limit of {max_body_bytes} bytes; "
                              "raise SKILLWIRE_MAX_BODY_BYTES or send a smaller document",
                              field="body") from None

    try:
        # xAPI 1.0.3 communication section 1.3.s3.b5: the content is a UTF-8 string, also once percent-decoded.
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("the form body is not valid UTF-8", field="body") from None


def _apply_form(environ, method: str, fields: list[tuple[str, str]]) -> HubError | None:
    """Move the form's headers, query parameters and content into ``environ``; return an error, if any."""
    content = None
    headers: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    for name, value in fields:
        lower = name.lower()
        if name == "content":
            content = value if content is None else content
        elif lower in HEADER_FIELDS or lower in CONTENT_FIELDS:
            headers.setdefault(lower, value)
        else:
            params.append((name, value))

    environ["QUERY_STRING"] = urlencode(params)
    for field_name, environ_key in HEADER_FIELDS.items():
        # A header the client managed to send wins over the form field, as the 1.0.3 conformance suite expects.
        if field_name in headers and environ_key not in environ:
            environ[environ_key] = headers[field_name]

    if method in ("PUT", "POST") and content is None:
        _replace_body(environ, b"")
        return BadRequest(f"an alternate-syntax {method} needs its document or statements in the form parameter "
                          "'content'", field="content")
    if method in ("GET", "DELETE") and content:
        _replace_body(environ, b"")
        return BadRequest(f"an alternate-syntax {method} carries no content; remove the 'content' form parameter",
                          field="content")

    _replace_body(environ, (content or "").encode("utf-8"))
    if content is not None:
        environ["CONTENT_TYPE"] = headers.get("content-type") or DEFAULT_CONTENT_TYPE
    return None


def _replace_body(environ, body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    if not body:
        environ.pop("CONTENT_TYPE", None)


@bp.record_once
def _install_middleware(state) -> None:
    app = state.app
    app.wsgi_app = AlternateSyntaxMiddleware(app.wsgi_app, prefix=f"{bp.url_prefix}/",
                                             max_body_bytes=app.config.get("MAX_CONTENT_LENGTH"))


@bp.before_request
def check_alternate_syntax() -> None:
    """Raise the rewrite's error, or reject the syntax under xAPI 2.0; runs after the version check."""
    marker: AlternateRequest | None = request.environ.get(MARKER_KEY)
    if marker is None:
        return
    if marker.error is not None:
        raise marker.error
    if g.xapi_version != "1.0.3":
        raise BadRequest("the alternate request syntax (POST with ?method=...) is not part of xAPI 2.0; send the "
                         f"{marker.method} request with its own HTTP method and headers", field="method")
