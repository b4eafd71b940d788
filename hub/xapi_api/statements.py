"""The statements resource: POST, PUT, GET and HEAD on /xapi/statements.

Requests carry statements as application/json or, with attachment data, as multipart/mixed (xAPI 1.0.3
Communication 1.5). GET returns a statement or a StatementResult in the requested format, as multipart/mixed
with the stored attachment data when attachments=true. Flask sends HEAD responses with the GET headers and no
body.
"""

from __future__ import annotations

import logging

from flask import current_app, g, request
from werkzeug.http import http_date

from xapi import strict_json
from xapi.errors import json_type_name
from xapi.formats import format_statement, parse_accept_language
from xapi.multipart import AttachmentPart, build_multipart, match_attachment_parts, parse_statement_request
from xapi.query import StatementQuery, parse_statement_query
from xapi.signatures import check_signatures
from xapi.timestamps import format_timestamp
from xapi.validation import validate_statements
from xapi.validation.primitives import item_path

from ..auth import require_scope
from ..errors import BadRequest, PayloadTooLarge
from ..jsonutil import dumps, json_response, loads
from ..models import utcnow
from ..services import statement_queries as queries
from ..services import statements as service
from ..services.evidence import schedule_mapping
from . import bp, read_request_body, reject_repeated_parameters

log = logging.getLogger(__name__)

WRITE_SCOPES = ("statements/write",)
READ_SCOPES = ("statements/read", "statements/read/mine", "all/read")
# Scopes that let stored statements change canonical activity definitions (xAPI 1.0.3 Communication 4.2).
DEFINE_SCOPES = frozenset({"define", "all"})

JSON_MEDIA_TYPE = "application/json"
MULTIPART_MEDIA_TYPE = "multipart/mixed"


@bp.post("/statements")
@require_scope(*WRITE_SCOPES)
def post_statements():
    _check_parameters(allowed=())
    body, parts = _read_statement_request()

    statements = validate_statements(body, g.xapi_version)
    _check_batch_size(statements)
    attachments = _check_attachments(statements, parts)

    result = _store(statements, attachments)
    return json_response(result.ids)


@bp.put("/statements")
@require_scope(*WRITE_SCOPES)
def put_statement():
    _check_parameters(allowed=("statementId",))
    statement_id = request.args.get("statementId")
    if not statement_id:
        raise BadRequest("statementId parameter is missing; PUT needs ?statementId=UUID", field="statementId")

    body, parts = _read_statement_request()
    if not isinstance(body, dict):
        raise BadRequest("PUT takes a single statement object, not a list", field="body")
    _check_body_id(body, statement_id)

    statements = validate_statements({**body, "id": statement_id}, g.xapi_version)
    attachments = _check_attachments(statements, parts)

    _store(statements, attachments)
    return "", 204


def _check_body_id(body: dict, statement_id: str) -> None:
    """Reject a statement whose own id differs from the statementId parameter; an absent id takes the parameter."""
    if "id" not in body:
        return

    body_id = body["id"]
    if type(body_id) is not str:
        raise BadRequest(f"statement id must be a UUID string equal to statementId {statement_id!r}, not "
                         f"{json_type_name(body_id)}; send the same id or leave it out", field="id")
    if body_id.lower() != statement_id.lower():
        raise BadRequest(f"statement id {body_id!r} does not match statementId {statement_id!r}", field="id")


@bp.get("/statements")
@require_scope(*READ_SCOPES)
def get_statements():
    runtime = current_app.extensions["skillwire"]
    mine = _read_mine_only()
    reject_repeated_parameters()

    if "more" in request.args:
        return _get_more_page(runtime, mine)

    query = parse_statement_query(request.args, g.xapi_version)
    if query.statement_id or query.voided_statement_id:
        return _get_single(runtime, query, mine)

    return _get_page(runtime, query, mine, after=None)


# ---------------------------------------------------------------------------------------------------------
# Reading


def _get_single(runtime, query: StatementQuery, mine: int | None):
    voided = query.voided_statement_id is not None
    statement_id = query.voided_statement_id if voided else query.statement_id

    with runtime.sessions() as session:
        row = queries.get_statement(session, statement_id, voided, mine)
        if query.format == "exact" and not query.attachments:
            body, attachments = row.payload.encode(), []
        else:
            statement = loads(row.payload)
            formatted = _formatted(session, [statement], query)[0]
            body = dumps(formatted).encode()
            attachments = service.load_attachments(session, [statement]) if query.attachments else []

    response = _statement_response(body, attachments, query.attachments)
    response.headers["Last-Modified"] = http_date(row.stored)
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(utcnow())
    return response


def _get_more_page(runtime, mine: int | None):
    if len(request.args) > 1:
        raise BadRequest("a 'more' request takes no other parameters; use the more URL exactly as returned",
                         field="more")

    state, after = queries.decode_more(request.args["more"])
    params = {key: _param_text(value) for key, value in state.items() if value not in (None, False)}
    query = parse_statement_query(params, g.xapi_version)
    return _get_page(runtime, query, mine, after)


def _param_text(value) -> str:
    if value is True:
        return "true"
    if isinstance(value, dict):
        return dumps(value)
    return str(value)


def _get_page(runtime, query: StatementQuery, mine: int | None, after):
    settings = runtime.settings
    # xAPI 1.0.3 Communication 2.1.3: limit=0, the default, requests the most the server allows.
    page_size = settings.max_page_size if query.limit == 0 else min(query.limit, settings.max_page_size)
    consistent_through = utcnow()

    with runtime.sessions() as session:
        page = queries.query_statements(session, query, page_size, mine, after)
        if query.format == "exact" and not query.attachments:
            payloads, attachments = page.payloads, []
        else:
            statements = [loads(payload) for payload in page.payloads]
            payloads = [dumps(statement) for statement in _formatted(session, statements, query)]
            attachments = service.load_attachments(session, statements) if query.attachments else []

    more = f"{request.script_root}{bp.url_prefix}/statements?more={page.more_token}" if page.more_token else ""
    body = b'{"statements":[' + ",".join(payloads).encode() + b'],"more":"' + more.encode() + b'"}'

    response = _statement_response(body, attachments, query.attachments)
    response.headers["X-Experience-API-Consistent-Through"] = format_timestamp(consistent_through)
    if page.last_stored:
        response.headers["Last-Modified"] = http_date(page.last_stored)
    return response


def _formatted(session, statements: list[dict], query: StatementQuery) -> list[dict]:
    if query.format == "exact":
        return statements

    definitions = service.canonical_definitions(session, statements).get if query.format == "canonical" else None
    languages = parse_accept_language(request.headers.get("Accept-Language"))
    return [format_statement(statement, query.format, languages, definitions) for statement in statements]


def _statement_response(body: bytes, attachments: list[AttachmentPart], multipart: bool):
    """Return the JSON body alone, or as the first part of multipart/mixed when attachments=true."""
    if not multipart:
        return current_app.response_class(body, mimetype=JSON_MEDIA_TYPE)

    content_type, multipart_body = build_multipart(body, attachments)
    return current_app.response_class(multipart_body, content_type=content_type)


def _read_mine_only() -> int | None:
    """Return the credential id to restrict reads to, when the credential only has statements/read/mine."""
    broad = {"statements/read", "all/read", "all"}
    if g.scopes & broad:
        return None
    return g.credential.id


# ---------------------------------------------------------------------------------------------------------
# Writing


def _check_parameters(allowed: tuple[str, ...]) -> None:
    """Reject query parameters the method does not define (xAPI 1.0.3 Communication 3.2.s3.b7 and b8)."""
    reject_repeated_parameters()
    for name in request.args:
        if name in allowed:
            continue

        wrong_case = [known for known in allowed if known.lower() == name.lower()]
        if wrong_case:
            raise BadRequest(f"unknown parameter {name!r}: parameter names are case-sensitive, use "
                             f"{wrong_case[0]!r}", field=name)
        accepted = f"; {request.method} takes only {', '.join(allowed)}" if allowed else \
            f"; {request.method} takes no parameters"
        raise BadRequest(f"unknown parameter {name!r} for {request.method} statements{accepted}", field=name)


def _read_statement_request() -> tuple[object, dict[str, AttachmentPart]]:
    """Return the parsed statements and the attachment parts of a PUT or POST, by its Content-Type."""
    media_type = request.mimetype
    if not request.content_type:
        raise BadRequest("Content-Type header is missing; send application/json, or multipart/mixed to include "
                         "attachment data", field="Content-Type")
    if media_type not in (JSON_MEDIA_TYPE, MULTIPART_MEDIA_TYPE):
        raise BadRequest(f"Content-Type {request.content_type!r} is not supported; send application/json, or "
                         "multipart/mixed to include attachment data", field="Content-Type")

    data = read_request_body()
    if media_type == JSON_MEDIA_TYPE:
        return _parse_json(data), {}

    statements_json, parts = parse_statement_request(request.headers["Content-Type"], data)
    return _parse_json(statements_json), parts


def _parse_json(data: bytes):
    try:
        return strict_json.loads(data)
    except ValueError as error:
        raise BadRequest(f"request body is not valid JSON: {error}", field="body") from None


def _check_batch_size(statements: list) -> None:
    limit = current_app.extensions["skillwire"].settings.max_batch_statements
    if len(statements) > limit:
        raise PayloadTooLarge(f"batch of {len(statements)} statements exceeds the limit of {limit}; "
                              "split it or raise SKILLWIRE_MAX_BATCH_STATEMENTS", field="body")


def _check_attachments(statements: list[dict], parts: dict[str, AttachmentPart]) -> dict[str, AttachmentPart]:
    """Match the parts to the attachments and verify signatures; return the parts to store."""
    attachments = match_attachment_parts(statements, parts)
    for index, statement in enumerate(statements):
        check_signatures(statement, attachments, g.xapi_version, item_path("", index))
    return attachments


def _store(statements: list[dict], attachments: dict[str, AttachmentPart]) -> service.StoreResult:
    """Store a batch in one transaction, retried when concurrent writers of the same ids interfere."""
    runtime = current_app.extensions["skillwire"]
    writer = service.Writer(credential_id=g.credential.id, authority=authority_for(g.credential, runtime),
                            may_define=bool(g.scopes & DEFINE_SCOPES))

    result = service.store_statements_with_retry(runtime.sessions, statements, g.xapi_version, writer, attachments)
    schedule_mapping(runtime, result.inserted_pks + result.voided_pks)
    return result


def authority_for(credential, runtime) -> dict:
    return {
        "objectType": "Agent",
        "name": credential.name,
        "account": {"homePage": runtime.settings.public_url, "name": credential.key},
    }
