"""The State, Activity Profile and Agent Profile resources: documents stored byte for byte, with ETags.

Concurrency follows xAPI 1.0.3 communication section 3.1 and IEEE 9274.1.1 section 4.1.4: If-Match and
If-None-Match are checked on PUT, POST and DELETE, and a failed precondition is 412 Precondition Failed. A PUT
without either header on an existing document is 409 Conflict when the caller says so (``require_precondition``),
because the two versions differ on the State resource.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from xapi.agents import agent_ifi
from xapi.documents import (document_etag, is_json_media_type, merge_json_documents, parse_json_document,
                            parse_json_object)
from xapi.errors import ValidationError

from ..errors import BadRequest, Conflict, PreconditionFailed
from ..models import XapiDocument, utcnow

log = logging.getLogger(__name__)

# Separates the parts of a hashed key; it cannot occur in an IRI, a UUID or an IFI string.
_KEY_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class DocumentContext:
    """The context of a set of documents: the resource kind and the activity, agent and registration that apply."""

    kind: str
    activity_id: str | None = None
    agent: dict | None = None
    registration: str | None = None

    @property
    def agent_ifi(self) -> str | None:
        """The agent's IFI as "kind:value", the form statement_agents rows use, or None without an agent."""
        ifi = agent_ifi(self.agent) if self.agent else None
        return f"{ifi[0]}:{ifi[1]}" if ifi else None

    @property
    def key(self) -> str:
        parts = (self.kind, self.activity_id or "", self.agent_ifi or "", self.registration or "")
        return _sha256(_KEY_SEPARATOR.join(parts))

    def document_key(self, document_id: str) -> str:
        return _sha256(self.key + _KEY_SEPARATOR + document_id)


@dataclass(frozen=True)
class ETagCondition:
    """A parsed If-Match or If-None-Match header: "*" (``any_tag``) or a set of entity tag values."""

    any_tag: bool = False
    tags: frozenset[str] = frozenset()

    def matches(self, etag: str | None) -> bool:
        if etag is None:
            return False
        return self.any_tag or etag in self.tags


@dataclass(frozen=True)
class Preconditions:
    """The request's If-Match and If-None-Match headers; None when a header is absent."""

    if_match: ETagCondition | None = None
    if_none_match: ETagCondition | None = None

    @property
    def present(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class DocumentIds:
    ids: list[str]
    # The most recent update among the listed documents, for the Last-Modified header; None for an empty list.
    last_modified: datetime | None


def get_document(session: Session, context: DocumentContext, document_id: str) -> XapiDocument | None:
    return session.scalar(select(XapiDocument).where(XapiDocument.document_key == context.document_key(document_id)))


def list_document_ids(session: Session, context: DocumentContext, since: datetime | None) -> DocumentIds:
    """Return the ids of the documents in a context, only those updated after ``since`` (exclusive) when given."""
    query = select(XapiDocument.document_id, XapiDocument.updated).where(XapiDocument.context_key == context.key)
    if since is not None:
        query = query.where(XapiDocument.updated > since)

    rows = session.execute(query.order_by(XapiDocument.document_id)).all()
    last_modified = max((updated for _, updated in rows), default=None)
    return DocumentIds(ids=[document_id for document_id, _ in rows], last_modified=last_modified)


def put_document(session: Session, context: DocumentContext, document_id: str, content: bytes, content_type: str,
                 preconditions: Preconditions, require_precondition: bool) -> XapiDocument:
    """Store a document in place of any existing one and return it.

    Raises PreconditionFailed for a failed If-Match or If-None-Match, Conflict when ``require_precondition`` is
    set and the document exists but the request has neither header, and BadRequest when an application/json
    document is not valid JSON.
    """
    _check_json_content(content, content_type)

    existing = _lock_document(session, context, document_id)
    check_preconditions(existing, preconditions)
    if existing is not None and require_precondition and not preconditions.present:
        raise Conflict("the document already exists and the request has neither If-Match nor If-None-Match: "
                       "GET the document to check its current state, then send If-Match with its ETag "
                       "to replace it", field="If-Match")

    return _save(session, context, document_id, existing, content, content_type)


def post_document(session: Session, context: DocumentContext, document_id: str, content: bytes, content_type: str,
                  preconditions: Preconditions) -> XapiDocument:
    """Store a new document, or merge a JSON object into an existing JSON object document, and return it.

    xAPI 1.0.3 communication section 2.2.s8 (IEEE 9274.1.1 section 4.1.6.2): when the document exists, both it
    and the posted one must be application/json objects, or the request is 400 Bad Request. A posted
    application/json document must be a JSON object even when nothing is stored yet, since only objects merge.
    """
    if is_json_media_type(content_type):
        _parse_or_reject(lambda: parse_json_object(content, "body", reject_repeated_keys=True))

    existing = _lock_document(session, context, document_id)
    check_preconditions(existing, preconditions)
    if existing is None:
        return _save(session, context, document_id, None, content, content_type)

    if not (is_json_media_type(existing.content_type) and is_json_media_type(content_type)):
        raise BadRequest(f"cannot merge into the stored document: POST merges only application/json documents, "
                         f"but the stored one is '{existing.content_type}' and the posted one is "
                         f"'{content_type}'; use PUT to replace it", field="Content-Type")

    merged = _parse_or_reject(lambda: merge_json_documents(existing.content, content))
    return _save(session, context, document_id, existing, merged, existing.content_type)


def delete_document(session: Session, context: DocumentContext, document_id: str,
                    preconditions: Preconditions) -> bool:
    """Delete one document and return whether it existed; raise PreconditionFailed for a failed precondition."""
    existing = _lock_document(session, context, document_id)
    check_preconditions(existing, preconditions)
    if existing is None:
        return False

    session.delete(existing)
    session.flush()
    log.info("document deleted: kind=%s document_pk=%s", context.kind, existing.id)
    return True


def delete_documents(session: Session, context: DocumentContext, since: datetime | None = None) -> int:
    """Delete every document of a context, or those updated after ``since``, and return how many went."""
    statement = delete(XapiDocument).where(XapiDocument.context_key == context.key)
    if since is not None:
        statement = statement.where(XapiDocument.updated > since)

    count = session.execute(statement).rowcount
    log.info("documents deleted: kind=%s count=%d", context.kind, count)
    return count


def check_preconditions(existing: XapiDocument | None, preconditions: Preconditions) -> None:
    """Apply If-Match and If-None-Match as RFC 7232 section 3 defines them for a state-changing request."""
    current = existing.etag if existing is not None else None

    if preconditions.if_match is not None and not preconditions.if_match.matches(current):
        if current is None:
            raise PreconditionFailed("If-Match failed: the document does not exist", field="If-Match")
        raise PreconditionFailed(f'If-Match failed: the document\'s current ETag is "{current}"; GET it again '
                                 "and retry with that ETag", field="If-Match")

    if preconditions.if_none_match is not None and preconditions.if_none_match.matches(current):
        raise PreconditionFailed("If-None-Match failed: the document already exists", field="If-None-Match")


def _lock_document(session: Session, context: DocumentContext, document_id: str) -> XapiDocument | None:
    # FOR UPDATE locks the row on PostgreSQL until commit, so two writers cannot both pass the same If-Match.
    # SQLite ignores it, but it allows one writer at a time anyway.
    query = select(XapiDocument).where(XapiDocument.document_key == context.document_key(document_id))
    return session.scalar(query.with_for_update())


def _save(session: Session, context: DocumentContext, document_id: str, existing: XapiDocument | None,
          content: bytes, content_type: str) -> XapiDocument:
    etag = document_etag(content)
    now = utcnow()

    if existing is None:
        document = XapiDocument(kind=context.kind, context_key=context.key,
                                document_key=context.document_key(document_id), activity_id=context.activity_id,
                                agent_ifi=context.agent_ifi, registration=context.registration,
                                document_id=document_id, content_type=content_type, content=content, etag=etag,
                                updated=now)
        session.add(document)
        session.flush()
        log.info("document created: kind=%s document_pk=%s bytes=%d", context.kind, document.id, len(content))
        return document

    # The etag condition turns a concurrent change that slipped past the row lock into a Conflict, never a lost
    # update.
    changed = session.execute(
        update(XapiDocument)
        .where(XapiDocument.id == existing.id, XapiDocument.etag == existing.etag)
        .values(content=content, content_type=content_type, etag=etag, updated=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict("the document changed while this request was processed; GET it and retry", field="body")

    session.refresh(existing)
    log.info("document updated: kind=%s document_pk=%s bytes=%d", context.kind, existing.id, len(content))
    return existing


def _check_json_content(content: bytes, content_type: str) -> None:
    # xAPI 1.0.3 communication section 3.2.s3.b6: reject content that does not match its Content-Type.
    if is_json_media_type(content_type):
        _parse_or_reject(lambda: parse_json_document(content, "body"))


def _parse_or_reject(parse):
    try:
        return parse()
    except ValidationError as error:
        raise BadRequest(str(error), field=error.path or "body") from None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def erase_agent_documents(session: Session, ifis: list[str]) -> int:
    """Delete every state and agent profile document of the given agents; return how many were deleted.

    ``ifis`` are "kind:value" strings. An mbox matches in any letter case, since erasure must not miss a
    document stored under "mailto:ANA@Example.com".
    """
    exact = [ifi for ifi in ifis if not ifi.startswith("mbox:")]
    mboxes = [ifi.lower() for ifi in ifis if ifi.startswith("mbox:")]

    conditions = []
    if exact:
        conditions.append(XapiDocument.agent_ifi.in_(exact))
    if mboxes:
        conditions.append(func.lower(XapiDocument.agent_ifi).in_(mboxes))
    if not conditions:
        return 0

    deleted = session.execute(delete(XapiDocument).where(or_(*conditions)))
    log.info("agent documents erased: count=%d", deleted.rowcount)
    return deleted.rowcount
