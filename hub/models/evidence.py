"""Skills, the evidence that a person shows them, and the change log that feeds incremental readers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime, utcnow


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    uri: Mapped[str] = mapped_column(String(500), unique=True)
    label: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    broader: Mapped[list[str]] = mapped_column(JSON, default=list)
    related: Mapped[list[str]] = mapped_column(JSON, default=list)


class Evidence(Base):
    """One piece of evidence with its provenance: which rule turned which statement into it."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"))
    statement_id: Mapped[str | None] = mapped_column(String(36), index=True)
    rule_id: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[str] = mapped_column(String(32))
    raw_value: Mapped[str | None] = mapped_column(String(200))
    raw_scale: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retraction_reason: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_evidence_person_skill", "person_id", "skill_id"),
        Index("ix_evidence_skill_person", "skill_id", "person_id"),
    )


class EvidenceChange(Base):
    """An entry in the evidence feed: evidence was "created" or "retracted".

    ``seq`` is the feed cursor. Writers take a lock before inserting, so ``seq`` order is commit order and
    a reader that resumes after a cursor never skips a row committed later with a smaller ``seq``.
    """

    __tablename__ = "evidence_changes"

    seq: Mapped[int] = mapped_column(BigKey, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    change: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
