"""GET /xapi/about: the versions this LRS speaks; open to every client, no credentials needed."""

from __future__ import annotations

from xapi.versions import SUPPORTED_VERSIONS

from ..jsonutil import json_response
from . import bp


@bp.get("/about")
def about():
    return json_response({
        "version": list(SUPPORTED_VERSIONS),
        "extensions": {"https://skillwire.dev/xapi/extensions/server": {"name": "Skillwire"}},
    })
