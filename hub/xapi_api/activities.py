"""GET /xapi/activities: the canonical Activity object for an activity id (HEAD comes with GET)."""

from __future__ import annotations

from flask import current_app, request

from xapi.documents import check_parameter_names, parse_activity_id
from xapi.errors import ValidationError

from ..auth import require_scope
from ..errors import BadRequest
from ..jsonutil import json_response
from ..services.activities import get_activity
from . import bp, reject_repeated_parameters

READ_SCOPES = ("all/read", "statements/read", "statements/read/mine", "define", "profile", "state")


@bp.get("/activities")
@require_scope(*READ_SCOPES)
def get_activity_object():
    activity_id = _parse_activity_id_param()
    runtime = current_app.extensions["skillwire"]

    with runtime.sessions() as session:
        activity = get_activity(session, activity_id)
    return json_response(activity)


def _parse_activity_id_param() -> str:
    reject_repeated_parameters()
    try:
        check_parameter_names(request.args, frozenset({"activityId"}), "activities")
        if "activityId" not in request.args:
            raise ValidationError("missing required parameter 'activityId'", "activityId")
        return parse_activity_id(request.args["activityId"])
    except ValidationError as error:
        raise BadRequest(error.message, field=error.path or None) from None
