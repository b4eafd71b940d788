"""SCIM 2.0 resources pushed by identity providers: Users, their emails, Groups and group members.

A SCIM User belongs to the person with the identifier ("hris:scim", user id), so merges and splits of
people need no change here. Columns beside ``resource`` copy the attributes that filters may use.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime, utcnow


class ScimUser(Base):
    __tablename__ = "scim_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(300))
    # The lower-cased userName, unique because userName is case-insensitive. NULL once the user is deleted.
    user_name_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(300), index=True)
    display_name: Mapped[str | None] = mapped_column(String(300))
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    employee_number: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The attributes as the client last wrote them, under their canonical names, without password.
    resource: Mapped[dict] = mapped_column(JSON)
    # meta.version counter: the ETag is W/"<version>".
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScimUserEmail(Base):
    """One value of a SCIM User's "emails", kept in rows so that filters on emails can use SQL."""

    __tablename__ = "scim_user_emails"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("scim_users.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(64))
    primary: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_scim_user_emails_value", "value"),)


class ScimGroup(Base):
    __tablename__ = "scim_groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(300))
    external_id: Mapped[str | None] = mapped_column(String(300), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ScimGroupMember(Base):
    """A member of a SCIM Group: the id of a SCIM User or of another Group."""

    __tablename__ = "scim_group_members"

    group_id: Mapped[str] = mapped_column(ForeignKey("scim_groups.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_type: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_scim_group_members_member", "member_id"),)
