"""SCIM errors and their response bodies (RFC 7644 section 3.12)."""

from __future__ import annotations

import logging

from flask import Response, g

from ..errors import HubError, Unauthorized
from ..jsonutil import dumps

log = logging.getLogger(__name__)

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_CONTENT_TYPE = "application/scim+json"


class ScimError(HubError):
    """An error with a SCIM ``scimType`` such as invalidFilter, uniqueness, invalidValue or noTarget."""

    code = "scim_error"

    def __init__(self, status: int, scim_type: str | None, message: str, headers: dict[str, str] | None = None):
        super().__init__(message, headers=headers)
        self.status = status
        self.scim_type = scim_type


def scim_response(body: dict | None, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    data = dumps(body) if body is not None else ""
    return Response(data, status=status, headers=headers, content_type=SCIM_CONTENT_TYPE)


def handle_hub_error(error: HubError) -> Response:
    """Send any hub error raised under /scim/v2 as a SCIM Error body, with ``status`` as a string."""
    scim_type = getattr(error, "scim_type", None)
    headers = dict(error.headers)
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="skillwire", Basic realm="skillwire"'

    log.info("scim request rejected: status=%s scim_type=%s request_id=%s", error.status, scim_type,
             g.get("request_id"))
    body = {"schemas": [ERROR_SCHEMA], "status": str(error.status), "detail": error.message}
    if scim_type:
        body["scimType"] = scim_type
    return scim_response(body, status=error.status, headers=headers)
