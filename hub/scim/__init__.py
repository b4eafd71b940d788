"""The SCIM 2.0 service provider under /scim/v2, where identity providers push Users and Groups."""

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from ..errors import HubError
from .errors import ScimError, handle_hub_error

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")


@bp.errorhandler(HubError)
def _scim_error(error: HubError):
    return handle_hub_error(error)


@bp.errorhandler(HTTPException)
def _scim_http_error(error: HTTPException):
    status = error.code or 500
    return handle_hub_error(ScimError(status, None, error.description or error.name))


from . import views  # noqa: E402,F401  (routes register on bp)
