"""The evidence change log behind the incremental feed."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from ..models import EvidenceChange, utcnow

# Any constant works; it names the PostgreSQL advisory lock that orders evidence feed writers.
FEED_LOCK_KEY = 7_245_101


def record_changes(session: Session, evidence_ids: Iterable[int], change: str) -> None:
    """Append one feed entry per evidence id, in commit order.

    On PostgreSQL, a transaction-scoped advisory lock makes writers take turns from their first feed entry to
    their commit, so a reader resuming after a cursor never misses an entry that commits later with a smaller
    sequence number. SQLite writers are serialized by the database itself.
    """
    rows = [{"evidence_id": evidence_id, "change": change, "changed_at": utcnow()} for evidence_id in evidence_ids]
    if not rows:
        return

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})
    session.execute(insert(EvidenceChange), rows)
