"""Error types that carry data, and the one place that maps errors to HTTP responses."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from xapi.errors import UnsupportedVersion, ValidationError

from .jsonutil import json_response

log = logging.getLogger(__name__)


class HubError(Exception):
    """Base error: ``status`` is the HTTP status; ``field`` names the input at fault, when there is one."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers or {}


class BadRequest(HubError):
    status = 400
    code = "bad_request"


class Unauthorized(HubError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "Missing or invalid credentials: send HTTP Basic with a key and secret"):
        super().__init__(message, headers={"WWW-Authenticate": 'Basic realm="skillwire"'})


class Forbidden(HubError):
    status = 403
    code = "forbidden"


class NotFound(HubError):
    status = 404
    code = "not_found"


class Conflict(HubError):
    status = 409
    code = "conflict"


class PreconditionFailed(HubError):
    status = 412
    code = "precondition_failed"


class PayloadTooLarge(HubError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(HubError):
    status = 415
    code = "unsupported_media_type"


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HubError, _handle_hub_error)
    app.register_error_handler(ValidationError, _handle_validation_error)
    app.register_error_handler(UnsupportedVersion, _handle_unsupported_version)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(OperationalError, _handle_operational_error)
    app.register_error_handler(Exception, _handle_unexpected)


def _handle_hub_error(error: HubError) -> Response:
    return _error_response(error.status, error.code, error.message, error.field, error.headers)


def _handle_validation_error(error: ValidationError) -> Response:
    return _error_response(400, "invalid_statement", str(error), error.path or None, {})


def _handle_unsupported_version(error: UnsupportedVersion) -> Response:
    return _error_response(400, "unsupported_version", str(error), "X-Experience-API-Version", {})


def _handle_http_exception(error: HTTPException) -> Response:
    if isinstance(error, RequestEntityTooLarge):
        return _handle_hub_error(_body_too_large())

    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    return _error_response(status, code, error.description or error.name, None, {})


def _body_too_large() -> PayloadTooLarge:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return PayloadTooLarge(f"request body exceeds the limit of {limit} bytes set by SKILLWIRE_MAX_BODY_BYTES; "
                           "send a smaller body (fewer statements per batch) or raise SKILLWIRE_MAX_BODY_BYTES",
                           field="body")


def _handle_operational_error(error: OperationalError) -> Response:
    """Return 503 when SQLite's write lock stayed busy past its timeout. Any other database error is a 500."""
    if "database is locked" not in str(error.orig):
        return _handle_unexpected(error)
    log.warning("database busy: method=%r path=%r", request.method, request.path)
    return _error_response(503, "database_busy", "the database is busy with another write; retry in a few seconds",
                           None, {"Retry-After": "5"})


def _handle_unexpected(error: Exception) -> Response:
    error_id = uuid.uuid4().hex
    # The path comes from the client, so %r escapes any line breaks and control characters in it.
    log.exception("unexpected error: error_id=%s method=%r path=%r", error_id, request.method, request.path)
    return _error_response(500, "internal_error", f"Internal error; quote error id {error_id} to the operator",
                           None, {}, error_id=error_id)


def _error_response(status: int, code: str, message: str, field: str | None, headers: dict[str, str],
                    error_id: str | None = None) -> Response:
    error_id = error_id or uuid.uuid4().hex
    if status < 500:
        # A field can be a parameter name the client chose, so %r escapes line breaks and control characters.
        log.info("request rejected: error_id=%s status=%s code=%s field=%r request_id=%s",
                 error_id, status, code, field, g.get("request_id"))

    body = {"error": {"id": error_id, "status": status, "code": code, "message": message}}
    if field:
        body["error"]["field"] = field

    response = json_response(body, status=status)
    for name, value in headers.items():
        response.headers[name] = value
    return response
