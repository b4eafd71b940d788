"""Importing HR records into people, identifiers and effective-dated employment records."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.records import PersonRecord, RecordError

from ..models import Employment, Person, SyncRun, utcnow
from .identity import add_identifiers, email_identifiers, find_people, merge_people, record_identifier_conflict

log = logging.getLogger(__name__)

# Employment fields whose change closes the current record and opens a new one.
EMPLOYMENT_FIELDS = ("job_title", "department", "location", "manager_source_id", "status", "start_date", "end_date")


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    # Records that failed, and identifiers that were not attached because another person holds them.
    errors: list[dict] = field(default_factory=list)


def import_records(session: Session, records: Iterable[PersonRecord | RecordError]) -> ImportCounts:
    """Upsert every record; a bad record is counted and described, and the rest go on."""
    counts = ImportCounts()
    for record in records:
        if isinstance(record, RecordError):
            _count_error(counts, record.source_id, record.line, record.field, record.message)
            continue

        with session.begin_nested():
            outcome, conflicts = upsert_person(session, record)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        for message in conflicts:
            _record_conflict(counts, record, message)
    return counts


def _count_error(counts: ImportCounts, source_id, line, field_name, message: str) -> None:
    counts.failed += 1
    counts.errors.append({"source_id": source_id, "line": line, "field": field_name, "message": message})
    log.warning("person record rejected: source_id=%s line=%s field=%s message=%s",
                source_id, line, field_name, message)


def _record_conflict(counts: ImportCounts, record: PersonRecord, message: str) -> None:
    counts.errors.append({"source_id": record.source_id, "line": None, "field": "identifier", "message": message})
    log.warning("identity conflict: source=%s source_id=%s message=%s", record.source, record.source_id, message)


def upsert_person(session: Session, record: PersonRecord) -> tuple[str, list[str]]:
    """Create or update the person behind an HR record.

    Returns "created", "updated" or "unchanged", and a message for each identifier left out because another
    person from an HR system holds it: such a conflict is recorded, never merged silently.
    """
    hris_id = (f"hris:{record.source}", record.source_id)
    identifiers = [hris_id, *record.identifiers]
    if record.email:
        identifiers += email_identifiers(record.email)

    found = find_people(session, identifiers)
    origins = _origins(session, set(found.values()))
    person_id = found.get(hris_id) or _learner_match(found, origins)
    created = person_id is None

    if created:
        person = Person(origin="hris")
        session.add(person)
        session.flush()
        person_id = person.id
    else:
        person = session.get(Person, person_id)

    conflicts = _merge_learners(session, person_id, found, origins, record)
    add_identifiers(session, person_id, [i for i in identifiers if i not in found], source=record.source)

    changed = _update_person(person, record)
    changed = _update_employment(session, person_id, record) or changed
    if created:
        outcome = "created"
    else:
        outcome = "updated" if changed else "unchanged"
    return outcome, conflicts


def _origins(session: Session, person_ids: set[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    return dict(session.execute(select(Person.id, Person.origin).where(Person.id.in_(person_ids))).all())


def _learner_match(found: dict, origins: dict[int, str]) -> int | None:
    """Return a person first seen as a statement actor who matches the record, to become its HR person."""
    learners = sorted(pid for pid in set(found.values()) if origins[pid] == "xapi")
    return learners[0] if learners else None


def _merge_learners(session: Session, person_id: int, found: dict, origins: dict[int, str],
                    record: PersonRecord) -> list[str]:
    """Merge other learner-only matches into the person; return a conflict message per HR person in the way."""
    conflicts = []
    for other in sorted({pid for pid in found.values() if pid != person_id}):
        if origins[other] == "hris":
            held = sorted(identifier for identifier, owner in found.items() if owner == other)
            for kind, value in held:
                record_identifier_conflict(session, kind, value, other, person_id, record.source, record.source_id)
            kinds = sorted({kind for kind, _ in held})
            conflicts.append(f"identifier {', '.join(kinds)} of {record.source} record {record.source_id} already "
                             f"belongs to person {other}; not attached. Fix the duplicate in the source system "
                             "or merge the people")
            continue
        merge_people(session, person_id, other, reason=f"identifier from {record.source} record {record.source_id}")
    return conflicts


def _update_person(person: Person, record: PersonRecord) -> bool:
    display_name = record.display_name or " ".join(filter(None, [record.first_name, record.last_name])) or None
    values = {
        "origin": "hris",
        "display_name": display_name or person.display_name,
        "given_name": record.first_name,
        "family_name": record.last_name,
        "status": record.status,
    }
    changed = False
    for name, value in values.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    return changed


def _update_employment(session: Session, person_id: int, record: PersonRecord) -> bool:
    """Close the current employment record and add a new one when any employment field changed."""
    current = session.scalar(select(Employment).where(
        Employment.person_id == person_id, Employment.source == record.source, Employment.valid_to.is_(None)))
    values = {name: getattr(record, name) for name in EMPLOYMENT_FIELDS}

    if current is not None and all(getattr(current, name) == value for name, value in values.items()):
        return False

    now = utcnow()
    if current is not None:
        current.valid_to = now
    session.add(Employment(person_id=person_id, source=record.source, source_id=record.source_id,
                           valid_from=now, **values))
    return True


def start_run(session: Session, connector: str, cursor: str | None) -> SyncRun:
    run = SyncRun(connector=connector, status="running", cursor_before=cursor, started_at=utcnow())
    session.add(run)
    session.flush()
    log.info("sync run started: run_id=%s connector=%s", run.id, connector)
    return run


def finish_run(run: SyncRun, counts: ImportCounts, cursor: str | None, status: str = "succeeded") -> None:
    run.status = status
    run.finished_at = utcnow()
    run.created, run.updated, run.unchanged, run.failed = counts.created, counts.updated, counts.unchanged, counts.failed
    run.errors = counts.errors[:1000]
    run.cursor_after = cursor
    log.info("sync run finished: run_id=%s connector=%s status=%s created=%d updated=%d unchanged=%d failed=%d",
             run.id, run.connector, status, counts.created, counts.updated, counts.unchanged, counts.failed)


def run_summary(run: SyncRun) -> dict:
    return {
        "id": run.id, "connector": run.connector, "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "created": run.created, "updated": run.updated, "unchanged": run.unchanged, "failed": run.failed,
        "errors": run.errors, "cursor_after": run.cursor_after,
    }
