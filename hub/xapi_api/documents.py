"""The document resources: /xapi/activities/state, /xapi/activities/profile and /xapi/agents/profile.

Each takes PUT, POST, GET (HEAD comes with GET) and DELETE. A GET with the document id returns the document as
stored, with its Content-Type, ETag and Last-Modified. A GET without it returns the JSON array of ids in the context.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from flask import current_app, g, request
from sqlalchemy.exc import IntegrityError
from werkzeug.http import http_date, parse_etags

from xapi.documents import (ACTIVITY_PROFILE, AGENT_PROFILE, DOCUMENT_ID_PARAMETERS, STATE, DocumentParams,
                            document_etag, parse_document_params)
from xapi.errors import ValidationError

from ..auth import require_scope
from ..errors import BadRequest, NotFound
from ..jsonutil import dumps
from ..services import documents as service
from . import bp, read_request_body, reject_repeated_parameters

log = logging.getLogger(__name__)

# RFC 2046 section 4.5.1: the type for arbitrary bytes, used when a client sends no Content-Type.
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class DocumentResource:
    kind: str
    path: str
    # The xAPI scope that grants reading and writing; "all" passes too, and "all/read" grants reading.
    scope: str

    def require_precondition_on_put(self, version: str) -> bool:
        """Return whether a PUT over an existing document needs If-Match or If-None-Match, or else is 409.

        xAPI 1.0.3 communication section 3.1.s3 exempts the State resource ("state conflicts are unlikely").
        IEEE 9274.1.1 section 4.1.4 lists the State resource among those under concurrency control and drops
        the exemption, so under 2.0 it applies to all three.
        """
        return self.kind != STATE or version != "1.0.3"


RESOURCES = (
    DocumentResource(kind=STATE, path="/activities/state", scope="state"),
    DocumentResource(kind=ACTIVITY_PROFILE, path="/activities/profile", scope="profile"),
    DocumentResource(kind=AGENT_PROFILE, path="/agents/profile", scope="profile"),
)


def _register(resource: DocumentResource) -> None:
    def read_document():
        return _read(resource)

    def change_document():
        return _change(resource)

    read_view = require_scope(resource.scope, "all/read")(read_document)
    change_view = require_scope(resource.scope)(change_document)
    bp.add_url_rule(resource.path, f"get_{resource.kind}", read_view, methods=["GET"])
    bp.add_url_rule(resource.path, f"change_{resource.kind}", change_view, methods=["PUT", "POST", "DELETE"])


# ---------------------------------------------------------------------------------------------------------
# GET and HEAD


def _read(resource: DocumentResource):
    params = _parse_params(resource, "GET")
    context = _context(resource, params)
    runtime = current_app.extensions["skillwire"]

    if params.document_id is None:
        with runtime.sessions() as session:
            listing = service.list_document_ids(session, context, params.since)
        return _id_list_response(listing)

    with runtime.sessions() as session:
        document = service.get_document(session, context, params.document_id)
    if document is None:
        id_name = DOCUMENT_ID_PARAMETERS[resource.kind]
        raise NotFound(f"no document with {id_name} '{params.document_id}' in this context", field=id_name)
    return _document_response(document)


def _document_response(document):
    if request.if_none_match.contains_weak(document.etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(document.content, content_type=document.content_type)

    response.set_etag(document.etag)
    response.headers["Last-Modified"] = http_date(document.updated)
    return response


def _id_list_response(listing: service.DocumentIds):
    body = dumps(listing.ids).encode()
    response = current_app.response_class(body, mimetype="application/json")
    # xAPI 1.0.3 communication section 3.1.s4.b1: every GET on these resources carries an ETag.
    response.set_etag(document_etag(body))
    if listing.last_modified is not None:
        response.headers["Last-Modified"] = http_date(listing.last_modified)
    return response


# ---------------------------------------------------------------------------------------------------------
# PUT, POST and DELETE


def _change(resource: DocumentResource):
    params = _parse_params(resource, request.method)
    context = _context(resource, params)
    preconditions = service.Preconditions(if_match=_etag_condition("If-Match", include_weak=False),
                                          if_none_match=_etag_condition("If-None-Match", include_weak=True))

    if request.method == "DELETE":
        _run_in_transaction(lambda session: _delete(session, context, params, preconditions))
        return "", 204

    content = read_request_body()
    content_type = _content_type()
    if request.method == "PUT":
        require_precondition = resource.require_precondition_on_put(g.xapi_version)
        _run_in_transaction(lambda session: service.put_document(
            session, context, params.document_id, content, content_type, preconditions, require_precondition))
    else:
        _run_in_transaction(lambda session: service.post_document(
            session, context, params.document_id, content, content_type, preconditions))
    return "", 204


def _delete(session, context: service.DocumentContext, params: DocumentParams,
            preconditions: service.Preconditions) -> None:
    if params.document_id is not None:
        service.delete_document(session, context, params.document_id, preconditions)
        return

    # Only the State resource gets here: a DELETE without stateId removes every state in the context.
    service.delete_documents(session, context, params.since)


def _run_in_transaction(work: Callable) -> None:
    """Run ``work(session)`` in one transaction, retrying once when a concurrent insert took the same document."""
    runtime = current_app.extensions["skillwire"]
    for attempt in (1, 2):
        try:
            with runtime.sessions.begin() as session:
                work(session)
            return
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("document insert raced with another writer; retrying once: request_id=%s",
                     g.get("request_id"))


def _content_type() -> str:
    content_type = request.headers.get("Content-Type") or DEFAULT_CONTENT_TYPE
    if any((ord(character) < 0x20 and character != "\t") or character == "\x7f" for character in content_type):
        raise BadRequest(f"Content-Type {content_type!r} contains a control character; send a media type such as "
                         "application/json", field="Content-Type")
    return content_type


def _etag_condition(header: str, include_weak: bool) -> service.ETagCondition | None:
    """Parse If-Match (strong comparison) or If-None-Match (weak comparison), as RFC 7232 section 3 defines them."""
    if header not in request.headers:
        return None

    etags = parse_etags(request.headers[header])
    if etags.star_tag:
        return service.ETagCondition(any_tag=True)
    return service.ETagCondition(tags=frozenset(etags.as_set(include_weak=include_weak)))


# ---------------------------------------------------------------------------------------------------------
# Parameters


def _parse_params(resource: DocumentResource, method: str) -> DocumentParams:
    reject_repeated_parameters()
    try:
        return parse_document_params(resource.kind, method, request.args, g.xapi_version)
    except ValidationError as error:
        raise BadRequest(error.message, field=error.path or None) from None


def _context(resource: DocumentResource, params: DocumentParams) -> service.DocumentContext:
    return service.DocumentContext(kind=resource.kind, activity_id=params.activity_id, agent=params.agent,
                                   registration=params.registration)


for _resource in RESOURCES:
    _register(_resource)
