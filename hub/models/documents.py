"""xAPI documents (state, activity profile and agent profile) and the canonical activity definitions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime, utcnow


class XapiDocument(Base):
    """One document of the State, Activity Profile or Agent Profile resource, stored byte for byte.

    ``kind`` is "state", "activity_profile" or "agent_profile". A document lives in a context: the activity id,
    the agent IFI and the registration that apply to its kind. Lookups go through SHA-256 keys of that context
    rather than the raw columns, because activity ids, IFIs and document ids are unbounded client text that a
    B-tree index on PostgreSQL cannot hold past about 2,700 bytes.
    """

    __tablename__ = "xapi_documents"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # SHA-256 hex of kind, activity id, agent IFI and registration: every document of one id list.
    context_key: Mapped[str] = mapped_column(String(64), index=True)
    # SHA-256 hex of the context key and the document id: one document.
    document_key: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[str | None] = mapped_column(Text)
    # The agent's IFI as "kind:value", such as "mbox:mailto:ana@example.com", so erasure can find documents.
    agent_ifi: Mapped[str | None] = mapped_column(Text)
    registration: Mapped[str | None] = mapped_column(String(36))
    # The stateId or profileId the client chose.
    document_id: Mapped[str] = mapped_column(Text)
    # The Content-Type header the document was stored with, returned as is.
    content_type: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # Lower-case hex SHA-1 of ``content``; the ETag header is this value in double quotes.
    etag: Mapped[str] = mapped_column(String(40))
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActivityDefinition(Base):
    """The LRS's canonical Activity object: its id and the definition merged from stored statements.

    ``definition`` stays NULL for an activity seen only in statements from credentials without the "define"
    scope, because xAPI 1.0.3 communication section 4.2 keeps those from changing the canonical definition.
    """

    __tablename__ = "activity_definitions"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    # SHA-256 hex of the activity id, unique; the id itself is unbounded client text.
    activity_key: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
