"""Importing HR records into people, identifiers and effective-dated employment records."""

from __future__ import annotations

import itertools
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors.normalize import MAX_LENGTHS, InvalidField, check_record, printable_id
from connectors.records import PersonRecord, RecordError

from ..models import Employment, Person, PersonIdentifier, SyncRun, utcnow
from .identity import email_identifiers, merge_people, record_identifier_conflict

log = logging.getLogger(__name__)

# Employment fields whose change closes the current record and opens a new one.
EMPLOYMENT_FIELDS = ("job_title", "department", "location", "manager_source_id", "status", "start_date", "end_date")

# Records per transaction in import_run, and per lookup of stored identifiers in import_records. Each batch
# is a short transaction, so other writers get SQLite's write lock between batches.
IMPORT_BATCH_SIZE = 200
# SQLite has no queue for its write lock. A waiting writer retries after sleeps that grow to 100 ms (the
# default busy handler), so it rarely hits the moment between two batches, and this pause lets it in.
SQLITE_BATCH_PAUSE_SECONDS = 0.02
# Values per IN list of a lookup query, well below the number of bound parameters SQLite allows.
LOOKUP_CHUNK_SIZE = 500

T = TypeVar("T")


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    # Records that failed, and identifiers that were not attached because another person owns them.
    errors: list[dict] = field(default_factory=list)

    def add(self, other: ImportCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.errors.extend(other.errors)


def import_run(sessions: sessionmaker, connector: str, records: Iterable[PersonRecord | RecordError]) -> dict:
    """Import records as one sync run that commits every IMPORT_BATCH_SIZE records, and return the run summary.

    No transaction spans the whole import, so a large file never keeps the database locked while it runs.
    When a batch fails with an unexpected error, the batches before it stay imported, the run is finished
    as failed and the error is raised again.
    """
    with sessions.begin() as session:
        run_id = start_run(session, connector, None).id

    counts = ImportCounts()
    try:
        for batch in _batches(records, IMPORT_BATCH_SIZE):
            with sessions.begin() as session:
                counts.add(import_records(session, batch))
                on_sqlite = session.get_bind().dialect.name == "sqlite"
            if on_sqlite:
                time.sleep(SQLITE_BATCH_PAUSE_SECONDS)
    except Exception as error:
        log.exception("people import failed: run_id=%s connector=%s", run_id, connector)
        counts.errors.insert(0, {"source_id": None, "line": None, "field": None,
                                 "message": f"import stopped by an internal error ({type(error).__name__}); "
                                            "the records before it were imported"})
        _finish_failed_run(sessions, run_id, counts)
        raise

    with sessions.begin() as session:
        run = session.get(SyncRun, run_id)
        finish_run(run, counts, None)
        return run_summary(run)


def _finish_failed_run(sessions: sessionmaker, run_id: int, counts: ImportCounts) -> None:
    try:
        with sessions.begin() as session:
            finish_run(session.get(SyncRun, run_id), counts, None, status="failed")
    except SQLAlchemyError:
        log.exception("sync run not finished: run_id=%s; it stays running", run_id)


def import_records(session: Session, records: Iterable[PersonRecord | RecordError]) -> ImportCounts:
    """Upsert every record, each in a savepoint. A bad record is counted and described, and the rest go on.

    Stored identifiers, people and employment records are looked up IMPORT_BATCH_SIZE records at a time with
    a few queries, so the time an import takes grows in proportion to the number of records.
    """
    counts = ImportCounts()
    for batch in _batches(records, IMPORT_BATCH_SIZE):
        storable = [record for record in batch if _is_storable(record, counts)]
        known = KnownPeople(session, storable)
        for record in storable:
            _import_record(session, record, known, counts)
    return counts


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _is_storable(record: PersonRecord | RecordError, counts: ImportCounts) -> bool:
    """Count a RecordError, or a record with a value the database cannot store, as failed."""
    if isinstance(record, RecordError):
        _count_error(counts, record.source_id, record.line, record.field, record.message)
        return False

    try:
        check_record(record)
    except InvalidField as error:
        source_id = printable_id(record.source_id)
        message = f"{record.source} record {source_id}: {error.field} {error.message}"
        _count_error(counts, source_id, None, error.field, message)
        return False
    return True


def _import_record(session: Session, record: PersonRecord, known: KnownPeople, counts: ImportCounts) -> None:
    try:
        with session.begin_nested():
            outcome, conflicts = upsert_person(session, record, known)
    except DBAPIError as error:
        known.discard()
        if not _is_rejected_value(error):
            raise
        # The checks in connectors.normalize catch such values first, so this is a last resort that keeps the
        # rest of the import going.
        source_id = printable_id(record.source_id)
        log.warning("person record rejected by the database: source=%s source_id=%s error=%s",
                    record.source, source_id, str(error.orig).splitlines()[0] if str(error.orig) else error)
        message = (f"{record.source} record {source_id}: the database rejected a value "
                   f"({type(error.orig).__name__}); the hub log has the details")
        _count_error(counts, source_id, None, None, message)
        return

    known.keep()
    setattr(counts, outcome, getattr(counts, outcome) + 1)
    for message in conflicts:
        _record_conflict(counts, record, message)


def _is_rejected_value(error: DBAPIError) -> bool:
    """Tell whether the database rejected the record's values, rather than failing for every record."""
    if isinstance(error, (DataError, IntegrityError)):
        return True
    # PostgreSQL class 54 "program limit exceeded", such as an index row larger than a B-tree allows.
    return (getattr(error.orig, "sqlstate", None) or "").startswith("54")


def _count_error(counts: ImportCounts, source_id, line, field_name, message: str) -> None:
    counts.failed += 1
    counts.errors.append({"source_id": source_id, "line": line, "field": field_name, "message": message})
    log.warning("person record rejected: source_id=%s line=%s field=%s message=%s",
                source_id, line, field_name, message)


def _record_conflict(counts: ImportCounts, record: PersonRecord, message: str) -> None:
    counts.errors.append({"source_id": record.source_id, "line": None, "field": "identifier", "message": message})
    log.warning("identity conflict: source=%s source_id=%s message=%s", record.source, record.source_id, message)


def record_identifiers(record: PersonRecord) -> list[tuple[str, str]]:
    """Return the identifiers of an HR record: its HR system id first, then its own, then its email's."""
    identifiers = [(f"hris:{record.source}", record.source_id), *record.identifiers]
    if record.email:
        identifiers += email_identifiers(record.email)
    return identifiers


class KnownPeople:
    """The stored identifiers, people and current employment records that a batch of records refers to.

    They are loaded with a few queries for the whole batch instead of several per record, and kept current
    as the batch is upserted. What one record changes takes effect for the next records with keep(), called
    once its savepoint is released, and discard() drops it after a rollback.
    """

    def __init__(self, session: Session, records: list[PersonRecord]):
        identifiers = {identifier for record in records for identifier in record_identifiers(record)}
        self._holders = _load_holders(session, identifiers)
        person_ids = set(self._holders.values())
        # Held here so that the session's identity map keeps them and session.get needs no query.
        self._people = _load_by_id(session, Person, person_ids)
        self._employments = _load_current_employments(session, person_ids)
        self._employments_loaded = person_ids
        self._pending_holders: dict[tuple[str, str], int] = {}
        self._pending_employments: dict[tuple[int, str], Employment] = {}
        self._pending_loaded: set[int] = set()

    def find(self, session: Session, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Return the person id (after merges) that has each of the identifiers found."""
        found: dict[tuple[str, str], int] = {}
        canonical: dict[int, int] = {}
        for identifier in identifiers:
            holder = self._pending_holders.get(identifier) or self._holders.get(identifier)
            if holder is None:
                continue
            if holder not in canonical:
                canonical[holder] = _canonical_person_id(session, holder)
            found[identifier] = canonical[holder]
        return found

    def attach(self, identifiers: Iterable[tuple[str, str]], person_id: int) -> None:
        for identifier in identifiers:
            self._pending_holders[identifier] = person_id

    def created(self, person_id: int) -> None:
        """Note a new person, who has no employment records yet."""
        self._pending_loaded.add(person_id)

    def forget_employments(self, person_id: int) -> None:
        """Forget the employment records of a person who received another's in a merge, to query them again."""
        self._employments_loaded.discard(person_id)
        self._pending_loaded.discard(person_id)
        for key in [key for key in self._employments if key[0] == person_id]:
            del self._employments[key]
        for key in [key for key in self._pending_employments if key[0] == person_id]:
            del self._pending_employments[key]

    def current_employment(self, session: Session, person_id: int, source: str) -> Employment | None:
        key = (person_id, source)
        if key in self._pending_employments:
            return self._pending_employments[key]
        if person_id in self._employments_loaded or person_id in self._pending_loaded:
            return self._employments.get(key)
        return session.scalar(select(Employment).where(
            Employment.person_id == person_id, Employment.source == source, Employment.valid_to.is_(None)))

    def set_current_employment(self, employment: Employment) -> None:
        self._pending_employments[(employment.person_id, employment.source)] = employment

    def keep(self) -> None:
        self._holders.update(self._pending_holders)
        self._employments.update(self._pending_employments)
        self._employments_loaded |= self._pending_loaded
        self.discard()

    def discard(self) -> None:
        self._pending_holders = {}
        self._pending_employments = {}
        self._pending_loaded = set()


def _load_holders(session: Session, identifiers: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    # One query per kind, because "kind = ? AND value IN (...)" uses the unique index on SQLite, where a
    # row-value "(kind, value) IN (...)" scans the whole table.
    values_by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in identifiers:
        values_by_kind[kind].append(value)

    holders = {}
    for kind, values in values_by_kind.items():
        for chunk in _batches(values, LOOKUP_CHUNK_SIZE):
            rows = session.execute(select(PersonIdentifier.value, PersonIdentifier.person_id).where(
                PersonIdentifier.kind == kind, PersonIdentifier.value.in_(chunk)))
            holders.update({(kind, value): person_id for value, person_id in rows})
    return holders


def _load_by_id(session: Session, model, ids: set[int]) -> list:
    loaded = []
    for chunk in _batches(sorted(ids), LOOKUP_CHUNK_SIZE):
        loaded += session.scalars(select(model).where(model.id.in_(chunk)))
    return loaded


def _load_current_employments(session: Session, person_ids: set[int]) -> dict[tuple[int, str], Employment]:
    current = {}
    for chunk in _batches(sorted(person_ids), LOOKUP_CHUNK_SIZE):
        rows = session.scalars(select(Employment).where(Employment.person_id.in_(chunk),
                                                        Employment.valid_to.is_(None)))
        current.update({(row.person_id, row.source): row for row in rows})
    return current


def _canonical_person_id(session: Session, person_id: int) -> int:
    """Follow merges to the person an id now belongs to, reading people from the session where it has them."""
    seen = set()
    while person_id not in seen:
        seen.add(person_id)
        person = session.get(Person, person_id)
        if person is None or person.merged_into_id is None:
            return person_id
        person_id = person.merged_into_id
    return person_id


def upsert_person(session: Session, record: PersonRecord, known: KnownPeople | None = None) -> tuple[str, list[str]]:
    """Create or update the person behind an HR record.

    Returns "created", "updated" or "unchanged", and a message for each identifier left out because another
    person from an HR system owns it. Such a conflict is recorded, never merged silently. ``known`` contains
    what import_records loaded for the record's batch; without it the record's own are loaded.
    """
    known = known or KnownPeople(session, [record])
    hris_id = (f"hris:{record.source}", record.source_id)
    identifiers = record_identifiers(record)

    found = known.find(session, identifiers)
    origins = {person_id: session.get(Person, person_id).origin for person_id in set(found.values())}
    person_id = found.get(hris_id) or _learner_match(found, origins)
    created = person_id is None

    if created:
        person = Person(origin="hris")
        # Filled in before the INSERT, so that no UPDATE follows it.
        _update_person(person, record)
        session.add(person)
        session.flush()
        person_id = person.id
        known.created(person_id)
    else:
        person = session.get(Person, person_id)

    conflicts = _merge_learners(session, person_id, found, origins, record, known)
    new_identifiers = [identifier for identifier in identifiers if identifier not in found]
    _add_identifiers(session, person_id, new_identifiers, record.source)
    known.attach(new_identifiers, person_id)

    changed = _update_person(person, record)
    changed = _update_employment(session, person_id, record, known) or changed
    if created:
        outcome = "created"
    else:
        outcome = "updated" if changed else "unchanged"
    return outcome, conflicts


def _add_identifiers(session: Session, person_id: int, identifiers: list[tuple[str, str]], source: str) -> None:
    if identifiers:
        session.execute(insert(PersonIdentifier), [
            {"person_id": person_id, "kind": kind, "value": value, "source": source, "created_at": utcnow()}
            for kind, value in identifiers
        ])


def _learner_match(found: dict, origins: dict[int, str]) -> int | None:
    """Return a person first seen as a statement actor who matches the record, to become its HR person."""
    learners = sorted(pid for pid in set(found.values()) if origins[pid] == "xapi")
    return learners[0] if learners else None


def _merge_learners(session: Session, person_id: int, found: dict, origins: dict[int, str],
                    record: PersonRecord, known: KnownPeople) -> list[str]:
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
        known.forget_employments(person_id)
    return conflicts


def _update_person(person: Person, record: PersonRecord) -> bool:
    # A name joined from first and last name can exceed the display name column, so it is cut to fit.
    joined_name = " ".join(filter(None, [record.first_name, record.last_name]))[:MAX_LENGTHS["display_name"]]
    display_name = record.display_name or joined_name or None
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


def _update_employment(session: Session, person_id: int, record: PersonRecord, known: KnownPeople) -> bool:
    """Close the current employment record and add a new one when any employment field changed."""
    current = known.current_employment(session, person_id, record.source)
    values = {name: getattr(record, name) for name in EMPLOYMENT_FIELDS}

    if current is not None and all(getattr(current, name) == value for name, value in values.items()):
        return False

    now = utcnow()
    if current is not None:
        current.valid_to = now
    employment = Employment(person_id=person_id, source=record.source, source_id=record.source_id,
                            valid_from=now, **values)
    session.add(employment)
    known.set_current_employment(employment)
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
