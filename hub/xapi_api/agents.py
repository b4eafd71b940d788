"""GET /xapi/agents: the Person object for an agent (HEAD comes with GET)."""

from __future__ import annotations

from flask import current_app, g, request

from xapi.documents import check_parameter_names, parse_agent
from xapi.errors import ValidationError

from ..auth import require_scope
from ..errors import BadRequest
from ..jsonutil import json_response
from ..services.agents import person_object
from . import bp, reject_repeated_parameters

READ_SCOPES = ("all/read", "profile", "state", "define", "statements/read", "people/read")
# xAPI 1.0.3 communication section 2.4.s3.b1: the identifiers of the person behind an agent go only to
# credentials given that right explicitly. Other credentials get the Person built from the agent alone.
LINKED_IDENTIFIER_SCOPES = frozenset({"all", "all/read", "people/read"})


@bp.get("/agents")
@require_scope(*READ_SCOPES)
def get_agent_person():
    agent = _parse_agent_param()
    runtime = current_app.extensions["skillwire"]
    linked = bool(g.scopes & LINKED_IDENTIFIER_SCOPES)

    with runtime.sessions() as session:
        person = person_object(session, agent, runtime.settings.account_homepages, linked)
    return json_response(person)


def _parse_agent_param() -> dict:
    reject_repeated_parameters()
    try:
        check_parameter_names(request.args, frozenset({"agent"}), "agents")
        if "agent" not in request.args:
            raise ValidationError("missing required parameter 'agent'", "agent")
        return parse_agent(request.args["agent"])
    except ValidationError as error:
        raise BadRequest(error.message, field=error.path or None) from None
