"""The statements resource: POST, PUT, GET and HEAD on /xapi/statements."""

from __future__ import annotations

import logging

from flask import current_app, g, request
from sqlalchemy.exc import IntegrityError
from werkzeug.http import http_date

from xapi.query import parse_statement_query
from xapi.timestamps import format_timestamp
from xapi.validation import validate_statements

from ..auth import require_scope
from ..errors import BadRequest, PayloadTooLarge
from ..jsonutil import json_response, loads
from ..models import utcnow
from ..services import statements as service
from ..services.evidence import schedule_mapping
from . import bp

log = logging.getLogger(__name__)

WRITE_SCOPES = ("statements/write",)
READ_SCOPES = ("statements/read", "statements/read/mine", "all/read")


@bp.post("/statements")
@require_scope(*WRITE_SCOPES)
def post_statements():
    statements = validate_statements(_json_body(), g.xapi_version)
    _check_batch_size(statements)

    result = _store(statements)
    return json_response(result.ids)


@bp.put("/statements")
@require_scope(*WRITE_SCOPES)
def put_statement():
    statement_id = request.args.get("statementId")
    if not statement_id:
        raise BadRequest("statementId parameter is missing; PUT needs ?statementId=UUID", field="statementId")

    body = _json_body()
    if not isinstance(body, dict):
        raise BadRequest("PUT takes a single statement object, not a list", field="body")
    if "id" in body and str(body["id"]).lower() != statement_id.lower():
        raise BadRequest(f"statement id {body['id']} does not match statementId {statement_id}", field="id")

    body = {**body, "id": statement_id}
    validate_statements(body, g.xapi_version)

    _store([body])
    return "", 204


@bp.get("/statements")
@require_scope(*READ_SCOPES)
def get_statements():
    runtime = current_app.extensions["skillwire"]
    mine = _read_mine_only()

    if "more" in request.args:
        return _get_more_page(runtime, mine)

    query = parse_statement_query(request.args, g.xapi_version)
    if query.statement_id or query.voided_statement_id:
        return _get_single(runtime, query, mine)

    return _get_page(runtime, query, mine, after=None)


def _get_single(runtime, query, mine: int | None):
    voided = query.voided_statement_id is not None
    statement_id = query.voided_statement_id if voided else query.statement_id

    with runtime.sessions() as session:
        row = service.get_statement(session, statement_id, voided, mine)

    response = current_app.response_class(row.payload, mimetype="application/json")
    response.headers["Last-Modified"] = http_date(row.stored)
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(utcnow())
    return response


def _get_more_page(runtime, mine: int | None):
    if len(request.args) > 1:
        raise BadRequest("a 'more' request takes no other parameters; use the more URL exactly as returned",
                         field="more")

    state, after = service.decode_more(request.args["more"])
    params = {key: _param_text(value) for key, value in state.items() if value not in (None, False)}
    query = parse_statement_query(params, g.xapi_version)
    return _get_page(runtime, query, mine, after)


def _param_text(value) -> str:
    from ..jsonutil import dumps

    if value is True:
        return "true"
    if isinstance(value, dict):
        return dumps(value)
    return str(value)


def _get_page(runtime, query, mine: int | None, after):
    settings = runtime.settings
    page_size = settings.max_page_size if query.limit == 0 else min(query.limit or settings.page_size,
                                                                    settings.max_page_size)
    consistent_through = utcnow()

    with runtime.sessions() as session:
        page = service.query_statements(session, query, page_size, mine, after)

    more = f"{request.script_root}{bp.url_prefix}/statements?more={page.more_token}" if page.more_token else ""
    body = b'{"statements":[' + ",".join(page.payloads).encode() + b'],"more":"' + more.encode() + b'"}'

    response = current_app.response_class(body, mimetype="application/json")
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(consistent_through)
    if page.last_stored:
        response.headers["Last-Modified"] = http_date(page.last_stored)
    return response


def _read_mine_only() -> int | None:
    """Return the credential id to restrict reads to, when the credential only has statements/read/mine."""
    broad = {"statements/read", "all/read", "all"}
    if g.scopes & broad:
        return None
    return g.credential.id


def _json_body():
    mimetype = request.mimetype
    if mimetype != "application/json":
        raise BadRequest(f"Content-Type '{request.content_type}' is not supported; send application/json",
                         field="Content-Type")

    data = request.get_data(cache=False)
    try:
        return loads(data)
    except ValueError as error:
        raise BadRequest(f"request body is not valid JSON: {error}", field="body") from None


def _check_batch_size(statements: list) -> None:
    limit = current_app.extensions["skillwire"].settings.max_batch_statements
    if len(statements) > limit:
        raise PayloadTooLarge(f"batch of {len(statements)} statements exceeds the limit of {limit}; "
                              "split it or raise SKILLWIRE_MAX_BATCH_STATEMENTS", field="body")


def _store(statements: list[dict]) -> service.StoreResult:
    """Store a batch in one transaction; a concurrent insert of the same id is retried once as a lookup."""
    runtime = current_app.extensions["skillwire"]
    writer = service.Writer(credential_id=g.credential.id, authority=authority_for(g.credential, runtime))

    for attempt in (1, 2):
        try:
            with runtime.sessions.begin() as session:
                result = service.store_statements(session, statements, g.xapi_version, writer)
            break
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("statement insert raced with another writer; retrying once: request_id=%s",
                     g.get("request_id"))

    schedule_mapping(runtime, result.inserted_pks + result.voided_pks)
    return result


def authority_for(credential, runtime) -> dict:
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": runtime.settings.public_url, "name": credential.key},
    }
