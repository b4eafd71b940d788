"""Attachment data received with statements, and the StatementRef chains that the query filters follow."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime, utcnow


class AttachmentData(Base):
    """The raw data of a statement attachment, stored once per SHA-2 digest.

    Statements refer to attachments by their "sha2" property (xAPI 1.0.3 Communication 1.5.2), so statements that
    share an attachment share one row. Attachments known only by a fileUrl have no row.
    """

    __tablename__ = "attachments"

    # Lower-case hex SHA-2 digest (SHA-224, -256, -384 or -512) of ``data``.
    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    # The contentType of the first stored statement attachment with this digest.
    content_type: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatementRefTarget(Base):
    """A statement that a stored statement targets through a StatementRef object, directly or along a chain.

    xAPI 1.0.3 Communication 2.1.3 "Filter Conditions for StatementRefs": a statement whose object is a
    StatementRef also matches a query filter when the statement it targets matches, recursively. A statement has
    one row per statement on its chain, with ``depth`` 1 for the direct target. Each row copies the target's
    verb and registration and points at its row, so a query checks every filter on one row with no join. The
    target columns stay NULL until the target statement is stored.
    """

    __tablename__ = "statement_ref_targets"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    statement_pk: Mapped[int] = mapped_column(ForeignKey("statements.pk", ondelete="CASCADE"))
    target_statement_id: Mapped[str] = mapped_column(String(36))
    depth: Mapped[int] = mapped_column(Integer)
    target_pk: Mapped[int | None] = mapped_column(BigKey)
    target_verb_id: Mapped[str | None] = mapped_column(Text)
    target_registration: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (
        Index("ix_statement_ref_targets_target", "target_statement_id", "statement_pk"),
        Index("ix_statement_ref_targets_statement", "statement_pk"),
        Index("ix_statement_ref_targets_target_pk", "target_pk", "statement_pk"),
        Index("ix_statement_ref_targets_verb", "target_verb_id", "statement_pk"),
        Index("ix_statement_ref_targets_registration", "target_registration", "statement_pk"),
    )
