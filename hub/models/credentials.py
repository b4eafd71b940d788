"""API credentials: a public key, a hashed secret and the scopes it grants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, BigKey, UTCDateTime, utcnow


class Credential(Base):
    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(BigKey, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256 of the secret. Secrets are 256-bit random tokens, so a slow password hash adds nothing.
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
