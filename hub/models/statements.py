"""Stored xAPI statements and the index rows that serve the statement query filters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime


class Statement(Base):
    """One statement as the LRS stored it; ``payload`` is the exact JSON returned to clients."""

    __tablename__ = "statements"

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    stored: Mapped[datetime] = mapped_column(UTCDateTime)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    verb_id: Mapped[str] = mapped_column(Text)
    registration: Mapped[str | None] = mapped_column(String(36))
    # The statement id this one voids, when its verb is http://adlnet.gov/expapi/verbs/voided.
    voids_statement_id: Mapped[str | None] = mapped_column(String(36), index=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[str] = mapped_column(String(16))
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id"))
    # Where the statement came from: "xapi" for the HTTP API, "import" for bulk files, a connector name otherwise.
    source: Mapped[str] = mapped_column(String(64), default="xapi")
    payload: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_statements_stored_pk", "stored", "pk"),
        Index("ix_statements_verb_stored", "verb_id", "stored", "pk"),
        Index("ix_statements_registration_stored", "registration", "stored", "pk"),
        Index("ix_statements_credential_stored", "credential_id", "stored", "pk"),
    )


class PendingMapping(Base):
    """A statement waiting for the evidence mapping job: stored and not mapped yet, or voided and not retracted.

    The queue is a table of its own so that mapping deletes a narrow row here instead of updating the
    statement. On PostgreSQL such an update writes a new copy of the whole row and of every index entry.
    """

    __tablename__ = "pending_mappings"

    statement_pk: Mapped[int] = mapped_column(BigKey, ForeignKey("statements.pk", ondelete="CASCADE"),
                                              primary_key=True, autoincrement=False)


class StatementAgent(Base):
    """An agent or group IFI that appears in a statement, with where it appears.

    ``relation`` is "actor", "object", "authority", "context" (instructor, team, 2.0 context agents and
    groups) or "sub" (inside a SubStatement), so ``agent`` and ``related_agents`` filters are one lookup.
    """

    __tablename__ = "statement_agents"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    statement_pk: Mapped[int] = mapped_column(ForeignKey("statements.pk", ondelete="CASCADE"))
    # A copy of the statement's "stored", so a filter reads its matches newest first and stops after one page.
    stored: Mapped[datetime] = mapped_column(UTCDateTime)
    ifi: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_statement_agents_ifi_stored", "ifi", "stored", "statement_pk", "relation"),
        Index("ix_statement_agents_statement", "statement_pk"),
    )


class StatementActivity(Base):
    """An activity id that appears in a statement: as its "object", in "context" or in a "sub" statement."""

    __tablename__ = "statement_activities"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    statement_pk: Mapped[int] = mapped_column(ForeignKey("statements.pk", ondelete="CASCADE"))
    # A copy of the statement's "stored", as in StatementAgent.
    stored: Mapped[datetime] = mapped_column(UTCDateTime)
    activity_id: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_statement_activities_activity_stored", "activity_id", "stored", "statement_pk", "relation"),
        Index("ix_statement_activities_statement", "statement_pk"),
    )
