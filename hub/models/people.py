"""People, the identifiers that point at them, and their effective-dated employment records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime, utcnow


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(300))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    # Either "hris" for people from an HR system, or "xapi" for learners first seen as a statement actor.
    origin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    # Set when this person was merged into another; the row stays so old ids still resolve.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PersonIdentifier(Base):
    """One identifier of a person, such as ("email", "ana@example.com") or ("hris:bamboohr", "40").

    Kinds: "email" (lower-cased address), "email_sha1" (the xAPI mbox_sha1sum of "mailto:" + email),
    "openid", "account" ("homePage|name" for account home pages not configured), a configured kind such
    as "lms_username", and "hris:SOURCE" for an HR system's employee id.
    """

    __tablename__ = "person_identifiers"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "value", name="uq_person_identifiers_kind_value"),)


class Employment(Base):
    """An employment record valid from ``valid_from`` until ``valid_to`` (NULL while current).

    A change of title, department, manager or status closes the current row and adds a new one.
    """

    __tablename__ = "employments"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(300))
    department: Mapped[str | None] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(300))
    manager_source_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_employments_person_current", "person_id", "valid_to"),)
