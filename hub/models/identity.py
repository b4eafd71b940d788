"""Identity conflicts: two people claim one identifier, and an operator decides whether to merge them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime, utcnow


class IdentityConflict(Base):
    """``claimant_person_id`` was given an identifier that already belongs to ``holder_person_id``.

    ``source`` and ``source_id`` name the record that made the claim, such as ("bamboohr", "40"), or
    ("xapi", None) for a statement actor. ``status`` is "open" until a merge or split of the two people
    sets it to "resolved".
    """

    __tablename__ = "identity_conflicts"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    holder_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    claimant_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[str | None] = mapped_column(String(32))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_identity_conflicts_status", "status", "id"),
        Index("ix_identity_conflicts_holder", "holder_person_id"),
        Index("ix_identity_conflicts_claimant", "claimant_person_id"),
    )
