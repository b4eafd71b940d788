"""Storing xAPI statements: the LRS pipeline between the HTTP layer and the database.

Reading them back is in statement_queries.py.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from xapi.agents import agent_ifi
from xapi.canonical import statements_equivalent
from xapi.multipart import AttachmentPart, attachments_with_paths
from xapi.normalize import normalize_statement
from xapi.timestamps import format_timestamp, parse_timestamp

from ..db import upsert_insert
from ..errors import BadRequest, Conflict
from ..jsonutil import dumps, loads
from ..models import (AttachmentData, PendingMapping, Statement, StatementActivity, StatementAgent,
                      StatementRefTarget, utcnow)
from .activities import load_activity_definitions, record_activity_definitions

log = logging.getLogger(__name__)

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

# The statement "version" the LRS records when a client sends none, per the request's xAPI version.
DEFAULT_STATEMENT_VERSION = {"1.0.3": "1.0.0", "2.0.0": "2.0.0"}

# Longest StatementRef chain followed by the query filters; it bounds the rows written for a chain or a cycle.
MAX_REF_CHAIN_DEPTH = 32

# Attempts at storing a batch that conflicts with concurrent writers. Before attempt n + 1, a retry waits a random
# time of up to RETRY_BASE_SECONDS * 2**n.
STORE_ATTEMPTS = 8
RETRY_BASE_SECONDS = 0.01
# PostgreSQL deadlock_detected and serialization_failure: the transaction failed only because of another one.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


@dataclass
class StoreResult:
    """Outcome of storing a batch: ids in request order, and the rows this call inserted."""

    ids: list[str]
    inserted_pks: list[int] = field(default_factory=list)
    # Rows of earlier statements that this batch voided; their evidence must be retracted.
    voided_pks: list[int] = field(default_factory=list)
    unchanged_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Writer:
    """The writer of a batch: the credential id (None for command-line imports) and its authority."""

    credential_id: int | None
    authority: dict
    source: str = "xapi"
    # Whether the statements may change canonical activity definitions: the "define" or "all" scope.
    may_define: bool = False


# ---------------------------------------------------------------------------------------------------------
# Storing


def store_statements(session: Session, statements: list[dict], version: str, writer: Writer,
                     attachments: Mapping[str, AttachmentPart] | None = None) -> StoreResult:
    """Store a validated batch all-or-nothing and return the ids in request order.

    A statement whose id is already stored with equivalent content is accepted and changes nothing; one with
    different content raises Conflict, and so does the whole batch. ``attachments`` is the attachment data
    received with the batch, by lower-case sha2; the data of new statements' attachments is stored.
    """
    stored = _now_in_milliseconds()
    prepared = [_prepare(statement, stored, version, writer) for statement in statements]
    ids = [statement["id"] for statement in prepared]

    existing = _load_existing_payloads(session, ids)
    new = _drop_already_stored(prepared, statements, existing)
    if not new:
        return StoreResult(ids=ids, unchanged_ids=ids)

    _check_voiding_targets(session, new)

    pks = _insert_statements(session, new, stored, writer)
    _insert_ref_targets(session, new, pks)
    _store_attachment_data(session, new, attachments or {}, stored)
    voided_pks = _apply_voiding(session, new)
    record_activity_definitions(session, new, writer.may_define)

    result = StoreResult(ids=ids, inserted_pks=pks, voided_pks=voided_pks,
                         unchanged_ids=[i for i in ids if i in existing])
    log.info("statements stored: count=%d unchanged=%d source=%s credential_id=%s",
             len(pks), len(result.unchanged_ids), writer.source, writer.credential_id)
    return result


def store_statements_with_retry(sessions: sessionmaker, statements: list[dict], version: str, writer: Writer,
                                attachments: Mapping[str, AttachmentPart] | None = None) -> StoreResult:
    """Store a batch with store_statements in a transaction of its own, retried when a concurrent writer interfered.

    A concurrent batch with some of the same statement ids makes the insert fail with a unique violation once it
    commits, and on PostgreSQL two transactions can deadlock or fail serialization. The retry then finds the other
    batch's statements stored and compares them like any stored statement, so equal content is accepted.
    """
    attempt = 1
    while True:
        try:
            with sessions.begin() as session:
                return store_statements(session, statements, version, writer, attachments)
        except Exception as error:
            if attempt == STORE_ATTEMPTS or not _is_concurrency_failure(error):
                raise
            delay = random.uniform(0, RETRY_BASE_SECONDS * 2**attempt)
            log.info("statement store conflicted with a concurrent writer; retrying: attempt=%d delay_ms=%d "
                     "error=%s", attempt, delay * 1000, type(error).__name__)
            time.sleep(delay)
            attempt += 1


def _is_concurrency_failure(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    # The COPY path raises psycopg errors unwrapped; SQLAlchemy wraps the rest and keeps the driver error as orig.
    driver_error = getattr(error, "orig", None) or error
    return getattr(driver_error, "sqlstate", None) in RETRYABLE_SQLSTATES


def _now_in_milliseconds() -> datetime:
    """Return the current time cut to the millisecond precision of the "stored" text clients see.

    The column and the payload then hold the same instant, so a client's since=STORED excludes that statement.
    """
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _prepare(statement: dict, stored: datetime, version: str, writer: Writer) -> dict:
    """Return a copy in stored form (see xapi.normalize) with the properties the LRS sets: id, stored,
    timestamp, authority and version."""
    prepared = normalize_statement(statement, version)
    prepared["id"] = prepared.get("id") or str(uuid.uuid4())
    prepared["id"] = prepared["id"].lower()
    prepared["stored"] = format_timestamp(stored)
    prepared.setdefault("timestamp", prepared["stored"])
    # xAPI 1.0.3 data, section 2.4.9: the LRS should overwrite the authority with the one of the credential.
    prepared["authority"] = writer.authority
    prepared.setdefault("version", DEFAULT_STATEMENT_VERSION[version])
    return prepared


def _load_existing_payloads(session: Session, ids: list[str]) -> dict[str, dict]:
    rows = session.execute(select(Statement.statement_id, Statement.payload).where(Statement.statement_id.in_(ids)))
    return {statement_id: loads(payload) for statement_id, payload in rows}


def _drop_already_stored(prepared: list[dict], received: list[dict], existing: dict[str, dict]) -> list[dict]:
    if not existing:
        return prepared

    new = []
    for statement, original in zip(prepared, received):
        stored = existing.get(statement["id"])
        if stored is None:
            new.append(statement)
        elif not statements_equivalent(original, stored):
            raise Conflict(f"statement id {statement['id']} is already stored with different content; "
                           "statements are immutable, so send a new id", field="id")
    return new


def _check_voiding_targets(session: Session, statements: list[dict]) -> None:
    """Reject a statement that voids a voiding statement (xAPI 1.0.3 data, section 2.3.2)."""
    targets = [target for target in map(_voided_target, statements) if target]
    if not targets:
        return

    voiding_in_batch = {s["id"] for s in statements if _voided_target(s)}
    stored_voiding = set(session.scalars(
        select(Statement.statement_id).where(Statement.statement_id.in_(targets),
                                             Statement.voids_statement_id.is_not(None))))

    for target in targets:
        if target in stored_voiding or target in voiding_in_batch:
            raise BadRequest(f"statement {target} is itself a voiding statement and cannot be voided",
                             field="object.id")


def _voided_target(statement: dict) -> str | None:
    if statement["verb"]["id"] != VOIDED_VERB:
        return None
    return statement["object"]["id"].lower()


def _insert_statements(session: Session, statements: list[dict], stored: datetime, writer: Writer) -> list[int]:
    """Insert the statement rows and their agent and activity index rows; return the new keys in batch order."""
    already_voided = _ids_voided_earlier(session, [s["id"] for s in statements])
    rows = [_statement_row(s, stored, writer, s["id"] in already_voided) for s in statements]

    if session.get_bind().dialect.name == "postgresql":
        return _copy_statement_rows(session, statements, rows, stored)

    # Core inserts skip the ORM's per-row bookkeeping, since nothing reads these rows as objects. SQLite runs an
    # INSERT ... RETURNING once per row, so one executemany and one key lookup by statement id replace it.
    connection = session.connection()
    connection.execute(insert(Statement.__table__), rows)
    ids = [row["statement_id"] for row in rows]
    pk_by_id = dict(connection.execute(select(Statement.statement_id, Statement.pk)
                                       .where(Statement.statement_id.in_(ids))).all())
    pks = [pk_by_id[statement_id] for statement_id in ids]
    agent_rows, activity_rows = _index_rows(pks, statements, stored)
    if agent_rows:
        connection.execute(insert(StatementAgent.__table__),
                           [dict(zip(INDEX_ROW_COLUMNS[StatementAgent], row)) for row in agent_rows])
    if activity_rows:
        connection.execute(insert(StatementActivity.__table__),
                           [dict(zip(INDEX_ROW_COLUMNS[StatementActivity], row)) for row in activity_rows])
    connection.execute(insert(PendingMapping.__table__), [{"statement_pk": pk} for pk in pks])
    return pks


INDEX_ROW_COLUMNS = {StatementAgent: ("statement_pk", "stored", "ifi", "relation"),
                     StatementActivity: ("statement_pk", "stored", "activity_id", "relation")}


def _index_rows(pks: list[int], statements: list[dict], stored: datetime) -> tuple[list[tuple], list[tuple]]:
    """Return the agent and activity index rows of a batch, in the order of INDEX_ROW_COLUMNS."""
    agent_rows, activity_rows = [], []
    for pk, statement in zip(pks, statements):
        agent_rows.extend((pk, stored, ifi, relation) for ifi, relation in _agent_refs(statement))
        activity_rows.extend((pk, stored, activity_id, relation)
                             for activity_id, relation in _activity_refs(statement))
    return agent_rows, activity_rows


def _copy_statement_rows(session: Session, statements: list[dict], rows: list[dict], stored: datetime) -> list[int]:
    """Insert a batch with COPY on PostgreSQL, in the session's transaction.

    For a batch of 100, COPY took about 5 ms of client CPU against 17 ms for SQLAlchemy's multi-row INSERTs,
    and less database time (measured on 2 cores). The keys come from the table's sequence first, because COPY
    has no RETURNING. A duplicate statement id raises IntegrityError, as an INSERT would.
    """
    import psycopg

    connection = session.connection()
    pks = list(connection.execute(
        text("SELECT nextval(pg_get_serial_sequence('statements', 'pk')) FROM generate_series(1, :count)"),
        {"count": len(rows)}).scalars())

    columns = ("pk", *rows[0])
    # Rows go in statement id order, so two batches with common ids wait on each other's unique index entries in
    # the same order instead of deadlocking on them.
    id_column = columns.index("statement_id")
    statement_rows = sorted(((pk, *row.values()) for pk, row in zip(pks, rows)), key=lambda row: row[id_column])
    agent_rows, activity_rows = _index_rows(pks, statements, stored)

    driver_connection = connection.connection.driver_connection
    try:
        with driver_connection.cursor() as cursor:
            _copy(cursor, Statement.__tablename__, columns, statement_rows)
            _copy(cursor, StatementAgent.__tablename__, INDEX_ROW_COLUMNS[StatementAgent], agent_rows)
            _copy(cursor, StatementActivity.__tablename__, INDEX_ROW_COLUMNS[StatementActivity], activity_rows)
            _copy(cursor, PendingMapping.__tablename__, ("statement_pk",), [(pk,) for pk in pks])
    except psycopg.IntegrityError as error:
        raise IntegrityError(f"COPY {Statement.__tablename__}", None, error) from error
    return pks


def _copy(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _ids_voided_earlier(session: Session, ids: list[str]) -> set[str]:
    """Ids of new statements whose voiding statement arrived before them."""
    return set(session.scalars(select(Statement.voids_statement_id).where(Statement.voids_statement_id.in_(ids))))


def _statement_row(statement: dict, stored: datetime, writer: Writer, voided: bool) -> dict:
    context = statement.get("context") or {}
    registration = context.get("registration")
    voids = _voided_target(statement)
    return {
        "statement_id": statement["id"],
        "stored": stored,
        "timestamp": parse_timestamp(statement["timestamp"], "timestamp"),
        "verb_id": statement["verb"]["id"],
        "registration": registration.lower() if registration else None,
        "voids_statement_id": voids,
        # xAPI 1.0.3 Data 2.3.2: a voiding statement cannot be voided, so a voiding statement that arrives after a
        # statement voiding its id stays valid, and that earlier statement voids nothing.
        "voided": voided and voids is None,
        "version": statement["version"],
        "credential_id": writer.credential_id,
        "source": writer.source,
        "payload": dumps(statement),
    }


def _apply_voiding(session: Session, statements: list[dict]) -> list[int]:
    """Mark stored targets voided and pending, so the mapping job retracts their evidence."""
    targets = [target for target in map(_voided_target, statements) if target]
    if not targets:
        return []

    voided = list(session.scalars(
        update(Statement)
        .where(Statement.statement_id.in_(targets), Statement.voids_statement_id.is_(None))
        .values(voided=True)
        .returning(Statement.pk)
    ))
    if voided:
        queue_for_mapping(session, voided)
    return voided


def queue_for_mapping(session: Session, pks: list[int]) -> None:
    """Add statements to the mapping queue; one already queued stays queued once.

    The conflict clause updates rather than does nothing, because only an update waits for the row lock of a
    mapping job that is reading the statement right now. Once that job deletes its queue row and commits, the
    insert goes ahead, so a statement voided during its mapping is mapped again and its evidence retracted.
    """
    statement = upsert_insert(session, PendingMapping)
    session.execute(statement.on_conflict_do_update(index_elements=["statement_pk"],
                                                    set_={"statement_pk": statement.excluded.statement_pk}),
                    [{"statement_pk": pk} for pk in pks])


# ---------------------------------------------------------------------------------------------------------
# StatementRef chains and attachment data


def _insert_ref_targets(session: Session, statements: list[dict], pks: list[int]) -> None:
    """Record the chain of statements each new StatementRef statement targets, for the query filters.

    A chain is followed through statements stored earlier and through this batch. Rows written before their
    target arrived get the target's columns now, and when that target is itself a StatementRef statement, the
    statements targeting it get its chain too.
    """
    # NOTE: a target and a statement targeting it stored by concurrent transactions do not see each other's rows,
    # so that targeting statement then matches the filters only by its own properties.
    new = {s["id"]: _ref_target_columns(pk, s) for pk, s in zip(pks, statements)}
    direct = {s["id"]: (pk, target) for pk, s in zip(pks, statements) if (target := _statement_ref_target(s))}

    waiting = session.execute(
        select(StatementRefTarget.id, StatementRefTarget.statement_pk, Statement.statement_id,
               StatementRefTarget.target_statement_id, StatementRefTarget.depth)
        .join(Statement, Statement.pk == StatementRefTarget.statement_pk)
        .where(StatementRefTarget.target_statement_id.in_(new), StatementRefTarget.target_pk.is_(None))).all()
    if waiting:
        session.execute(update(StatementRefTarget), [{"id": row.id, **new[row.target_statement_id]}
                                                     for row in waiting])
    if not direct:
        return

    chains = _ref_chains(session, direct)
    depths = {(pk, target): depth for statement_id, (pk, _) in direct.items() for target, depth in chains[statement_id]}
    for row in waiting:
        for ancestor, ancestor_depth in chains.get(row.target_statement_id, ()):
            total = row.depth + ancestor_depth
            if ancestor != row.statement_id and total <= MAX_REF_CHAIN_DEPTH:
                depths[(row.statement_pk, ancestor)] = min(total, depths.get((row.statement_pk, ancestor), total))

    known = {**_stored_ref_target_columns(session, {target for _, target in depths} - new.keys()), **new}
    empty = {"target_pk": None, "target_verb_id": None, "target_registration": None}
    session.execute(insert(StatementRefTarget), [
        {"statement_pk": pk, "target_statement_id": target, "depth": depth, **known.get(target, empty)}
        for (pk, target), depth in depths.items()
    ])


def _ref_target_columns(pk: int, statement: dict) -> dict:
    registration = (statement.get("context") or {}).get("registration")
    return {"target_pk": pk, "target_verb_id": statement["verb"]["id"],
            "target_registration": registration.lower() if registration else None}


def _stored_ref_target_columns(session: Session, statement_ids: set[str]) -> dict[str, dict]:
    if not statement_ids:
        return {}
    rows = session.execute(select(Statement.statement_id, Statement.pk, Statement.verb_id, Statement.registration)
                           .where(Statement.statement_id.in_(statement_ids)))
    return {statement_id: {"target_pk": pk, "target_verb_id": verb_id, "target_registration": registration}
            for statement_id, pk, verb_id, registration in rows}


def _ref_chains(session: Session, direct: dict[str, tuple[int, str]]) -> dict[str, list[tuple[str, int]]]:
    """Return, for each new StatementRef statement, the ids along its chain with their depth (1 = direct)."""
    outside = {target for _, target in direct.values() if target not in direct}
    stored_chains: dict[str, list[tuple[str, int]]] = {}
    if outside:
        rows = session.execute(
            select(Statement.statement_id, StatementRefTarget.target_statement_id, StatementRefTarget.depth)
            .join(StatementRefTarget, StatementRefTarget.statement_pk == Statement.pk)
            .where(Statement.statement_id.in_(outside)))
        for statement_id, target, depth in rows:
            stored_chains.setdefault(statement_id, []).append((target, depth))

    def chain(statement_id: str, visited: frozenset) -> dict[str, int]:
        target = direct[statement_id][1]
        if target in direct and target not in visited:
            rest = chain(target, visited | {target}).items()
        else:
            rest = stored_chains.get(target, [])

        found = {target: 1}
        for ancestor, depth in rest:
            if depth + 1 <= MAX_REF_CHAIN_DEPTH and ancestor not in found:
                found[ancestor] = depth + 1
        return found

    return {
        statement_id: [(target, depth) for target, depth in chain(statement_id, frozenset({statement_id})).items()
                       if target != statement_id]
        for statement_id in direct
    }


def _statement_ref_target(statement: dict) -> str | None:
    target = statement["object"]
    if target.get("objectType") != "StatementRef":
        return None
    return target["id"].lower()


def _store_attachment_data(session: Session, statements: list[dict], parts: Mapping[str, AttachmentPart],
                           stored: datetime) -> None:
    """Store the received data of the new statements' attachments, once per sha2."""
    if not parts:
        return

    content_types: dict[str, str] = {}
    for statement in statements:
        for _, attachment in attachments_with_paths(statement):
            sha2 = attachment["sha2"].lower()
            if sha2 in parts:
                content_types.setdefault(sha2, attachment["contentType"])
    if not content_types:
        return

    known = set(session.scalars(select(AttachmentData.sha2).where(AttachmentData.sha2.in_(content_types))))
    # Sorted by key, like the statement rows, so two batches with common attachments do not deadlock on that key.
    rows = [{"sha2": sha2, "content_type": content_type, "length": len(parts[sha2].data),
             "data": parts[sha2].data, "stored": stored}
            for sha2, content_type in sorted(content_types.items()) if sha2 not in known]
    if rows:
        session.execute(insert(AttachmentData), rows)


def load_attachments(session: Session, statements: Iterable[dict]) -> list[AttachmentPart]:
    """Return the stored data of the statements' attachments, once per sha2; fileUrl-only ones have none.

    Data is stored once per sha2, with the content type of the first statement that sent it. Each part takes
    the contentType of the first statement here that names its sha2 instead, so a statement read alone gets
    its own attachment's type.
    """
    content_types: dict[str, str] = {}
    for statement in statements:
        for _, attachment in attachments_with_paths(statement):
            content_types.setdefault(attachment["sha2"].lower(), attachment["contentType"])
    if not content_types:
        return []

    rows = session.execute(select(AttachmentData.sha2, AttachmentData.data)
                           .where(AttachmentData.sha2.in_(content_types)))
    by_sha2 = {sha2: AttachmentPart(sha2=sha2, content_type=content_types[sha2], data=data) for sha2, data in rows}
    return [by_sha2[sha2] for sha2 in content_types if sha2 in by_sha2]


def canonical_definitions(session: Session, statements: Iterable[dict]) -> Mapping[str, dict]:
    """Return the LRS's canonical definition of each activity in the statements that has one."""
    activity_ids = {activity_id for statement in statements for activity_id, _ in _activity_refs(statement)}
    return load_activity_definitions(session, activity_ids)


# ---------------------------------------------------------------------------------------------------------
# Index rows for the query filters


def ifi_key(agent: dict) -> str | None:
    """Return the agent's IFI as one string, such as "mbox:mailto:ana@example.com", or None when it has none."""
    ifi = agent_ifi(agent)
    if ifi is None:
        return None
    return f"{ifi[0]}:{ifi[1]}"


def _agent_refs(statement: dict) -> set[tuple[str, str]]:
    refs: set[tuple[str, str]] = set()
    _add_agent(refs, statement["actor"], "actor")
    if statement["object"].get("objectType") in ("Agent", "Group"):
        _add_agent(refs, statement["object"], "object")
    _add_agent(refs, statement.get("authority"), "authority")
    _add_context_agents(refs, statement.get("context"), "context")

    sub = statement["object"]
    if sub.get("objectType") == "SubStatement":
        _add_agent(refs, sub["actor"], "sub")
        if sub["object"].get("objectType") in ("Agent", "Group"):
            _add_agent(refs, sub["object"], "sub")
        _add_context_agents(refs, sub.get("context"), "sub")
    return refs


def _add_context_agents(refs: set, context: dict | None, relation: str) -> None:
    if not context:
        return
    _add_agent(refs, context.get("instructor"), relation)
    _add_agent(refs, context.get("team"), relation)
    for entry in context.get("contextAgents") or ():
        _add_agent(refs, entry.get("agent"), relation)
    for entry in context.get("contextGroups") or ():
        _add_agent(refs, entry.get("group"), relation)


def _add_agent(refs: set, agent: dict | None, relation: str) -> None:
    if not agent:
        return
    key = ifi_key(agent)
    if key:
        refs.add((key, relation))
    # Members of a group match too, so a learner's statements sent as part of a team are found.
    for member in agent.get("member") or ():
        member_key = ifi_key(member)
        if member_key:
            refs.add((member_key, relation))


def _activity_refs(statement: dict) -> set[tuple[str, str]]:
    refs: set[tuple[str, str]] = set()
    target = statement["object"]
    if target.get("objectType", "Activity") == "Activity":
        refs.add((target["id"], "object"))
    _add_context_activities(refs, statement.get("context"), "context")

    if target.get("objectType") == "SubStatement":
        inner = target["object"]
        if inner.get("objectType", "Activity") == "Activity":
            refs.add((inner["id"], "sub"))
        _add_context_activities(refs, target.get("context"), "sub")
    return refs


def _add_context_activities(refs: set, context: dict | None, relation: str) -> None:
    activities = (context or {}).get("contextActivities") or {}
    for value in activities.values():
        for activity in value if isinstance(value, list) else [value]:
            refs.add((activity["id"], relation))
