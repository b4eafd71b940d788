"""The hub's own read and write API under /api/v1: evidence, people, skills and sync runs."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, request

from ..errors import Forbidden, NotFound, UnsupportedMediaType
from .schemas import MAX_ID

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Endpoints whose body is not JSON, so each checks its media type itself. The CSV import takes text/csv or a
# multipart upload. The HiBob webhook is authenticated by an HMAC of its body, which no other web page can
# compute, and HiBob's set-up check posts the plain string "Ping test".
NON_JSON_ENDPOINTS = {"api.import_people_csv", "api.hibob_webhook"}


@bp.before_request
def reject_ids_beyond_64_bits() -> None:
    """Raise NotFound for an id in the path that no BIGINT column can store, before a query overflows on it.

    A route converter with a maximum cannot do this, because Werkzeug returns 405 when another method's
    rule has the same path.
    """
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and value > MAX_ID:
            raise NotFound(f"{name} {value} not found", field=name)


@bp.before_request
def require_json_content_type() -> None:
    """Raise UnsupportedMediaType for a POST, PUT or PATCH body that is not declared as JSON.

    Browsers send text/plain, form and multipart bodies to another origin without a CORS preflight, and may
    attach the Basic credentials they cached for the hub. A JSON body needs a preflight, which /api/v1 does
    not grant, so this check keeps other web pages from merging or splitting people with an operator's login.
    """
    if request.method not in ("POST", "PUT", "PATCH") or request.endpoint in NON_JSON_ENDPOINTS:
        return

    if not request.content_type:
        raise UnsupportedMediaType("Content-Type header is missing; send the JSON body as application/json",
                                   field="Content-Type")
    if not is_json_media_type(request.mimetype):
        raise UnsupportedMediaType(f"Content-Type '{request.content_type}' is not supported; send the JSON body "
                                   "as application/json", field="Content-Type")


@bp.before_request
def reject_cross_site_writes() -> None:
    """Raise Forbidden for a write that a browser sent on behalf of another site.

    The CSV import takes text/plain and multipart bodies, which browsers send to another origin without a
    preflight. Browsers mark such requests with Sec-Fetch-Site or an Origin of the other site, while HR
    systems, scripts and command-line clients send neither header, so their requests pass.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return

    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site in ("cross-site", "same-site") or (origin is not None and not _is_own_origin(origin)):
        raise Forbidden(f"{request.method} {request.path} from another web site is rejected; call the API from a "
                        "server or script, not from a page of another origin", field="Origin")


def _is_own_origin(origin: str) -> bool:
    """Return whether an Origin header names the host this request went to, or the hub's public URL."""
    public_url = current_app.extensions["skillwire"].settings.public_url
    hosts = {request.host.lower(), urlsplit(public_url).netloc.lower()}
    return urlsplit(origin).netloc.lower() in hosts


def is_json_media_type(mimetype: str) -> bool:
    """Return whether a lowercase media type without parameters is application/json or an application/*+json."""
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


from . import evidence, identity, people, sync  # noqa: E402,F401  (routes register on bp)
