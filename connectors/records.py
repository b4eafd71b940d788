"""Records that HRIS connectors produce: plain values, no database access."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

PERSON_STATUSES = ("active", "pending", "inactive", "terminated")


@dataclass(frozen=True)
class PersonRecord:
    """One employee as a source system reports it, normalized to Skillwire's fields."""

    source: str
    source_id: str
    email: str | None
    first_name: str | None
    last_name: str | None
    display_name: str | None
    job_title: str | None
    department: str | None
    location: str | None
    manager_source_id: str | None
    manager_name: str | None
    status: str
    start_date: date | None
    end_date: date | None
    identifiers: tuple[tuple[str, str], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.status not in PERSON_STATUSES:
            raise ValueError(f"invalid status {self.status!r}, expected one of {', '.join(PERSON_STATUSES)}")


@dataclass(frozen=True)
class RecordError:
    """A source record that could not be turned into a PersonRecord, and why."""

    source: str
    source_id: str | None
    line: int | None
    field: str | None
    message: str
