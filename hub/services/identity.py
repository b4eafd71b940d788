"""Identity resolution: which person is behind an xAPI agent or an HR record.

Identifiers are normalized to (kind, value) pairs; see PersonIdentifier for the kinds. A person first seen as
a statement actor is created on the spot (origin "xapi") and merged into the HR person once an identifier
matches, so no evidence waits for the HR system.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Iterable, Mapping

from sqlalchemy import insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from ..errors import BadRequest, Conflict, NotFound
from ..jsonutil import loads
from ..models import (
    AuditEntry,
    Employment,
    Evidence,
    IdentityConflict,
    Person,
    PersonIdentifier,
    Statement,
    utcnow,
)
from .feed import record_changes

log = logging.getLogger(__name__)

# Person.status of an erased person; see hub/services/erasure.py.
ERASED = "erased"
# Statements loaded per query while a split decides which evidence moves.
SPLIT_BATCH_SIZE = 500
# The length of the people.display_name column; a longer xAPI agent name is cut to it.
DISPLAY_NAME_LENGTH = Person.display_name.type.length


def email_identifiers(email: str) -> list[tuple[str, str]]:
    email = email.strip().lower()
    sha1 = hashlib.sha1(f"mailto:{email}".encode()).hexdigest()
    return [("email", email), ("email_sha1", sha1)]


def agent_identifiers(agent: dict, account_homepages: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return the (kind, value) identifiers an xAPI agent carries, or [] for one without an IFI."""
    if agent.get("mbox"):
        return email_identifiers(agent["mbox"].removeprefix("mailto:"))
    if agent.get("mbox_sha1sum"):
        return [("email_sha1", agent["mbox_sha1sum"].lower())]
    if agent.get("openid"):
        return [("openid", agent["openid"])]

    account = agent.get("account")
    if account:
        homepage = account["homePage"].rstrip("/")
        kind = account_homepages.get(homepage)
        if kind:
            return [(kind, account["name"])]
        return [("account", f"{homepage}|{account['name']}")]
    return []


def find_people(session: Session, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return the person id (after merges) that owns each of the identifiers found."""
    identifiers = list(identifiers)
    if not identifiers:
        return {}

    # One query per kind: SQLite cannot use the (kind, value) index for a row-value IN list and scans the table.
    values_by_kind: dict[str, list[str]] = {}
    for kind, value in identifiers:
        values_by_kind.setdefault(kind, []).append(value)

    holders = {}
    for kind, values in values_by_kind.items():
        rows = session.execute(select(PersonIdentifier.value, PersonIdentifier.person_id)
                               .where(PersonIdentifier.kind == kind, PersonIdentifier.value.in_(values)))
        for value, person_id in rows:
            holders[(kind, value)] = person_id

    canonical = canonical_person_ids(session, set(holders.values()))
    return {identifier: canonical[person_id] for identifier, person_id in holders.items()}


def canonical_person_id(session: Session, person_id: int) -> int:
    """Follow merges to the person an id now belongs to."""
    return canonical_person_ids(session, {person_id})[person_id]


def canonical_person_ids(session: Session, person_ids: set[int]) -> dict[int, int]:
    """Follow merges to the person each id now belongs to, one query per step of the longest merge chain."""
    current = {person_id: person_id for person_id in person_ids}
    pending = set(person_ids)
    seen: set[int] = set()
    while pending:
        seen |= pending
        merged_into = dict(session.execute(select(Person.id, Person.merged_into_id)
                                           .where(Person.id.in_(pending), Person.merged_into_id.is_not(None))).all())
        # A merge cycle cannot come from merge_people, but stops here rather than looping forever.
        moved = {person_id: target for person_id, target in merged_into.items() if target not in seen}
        for start, person_id in current.items():
            if person_id in moved:
                current[start] = moved[person_id]
        pending = set(moved.values())
    return current


def resolve_agent(session: Session, agent: dict, account_homepages: Mapping[str, str]) -> int | None:
    """Return the person behind an agent, creating a person of origin "xapi" when no person matches."""
    identifiers = agent_identifiers(agent, account_homepages)
    if not identifiers:
        return None

    found = find_people(session, identifiers)
    people = sorted(set(found.values()))
    if len(people) > 1:
        # The lowest person id wins until an operator merges the people or splits the identifiers.
        log.warning("identity conflict: identifiers=%s people=%s", [kind for kind, _ in identifiers], people)
        for (kind, value), holder in found.items():
            if holder != people[0]:
                record_identifier_conflict(session, kind, value, holder, people[0], source="xapi")

    if people:
        person_id = people[0]
    else:
        person = Person(origin="xapi", display_name=_display_name(agent), status="unknown")
        session.add(person)
        session.flush()
        person_id = person.id

    add_identifiers(session, person_id, [i for i in identifiers if i not in found], source="xapi")
    return person_id


def create_agent_people(session: Session, agents: Mapping[tuple[tuple[str, str], ...], dict]) -> dict[tuple, int]:
    """Create one person of origin "xapi" per agent, with its identifiers, in two inserts; return their ids.

    ``agents`` maps each agent's identifiers to the agent. The caller makes sure that no identifier is stored
    yet and that no two agents share one, so this is what resolve_agent would do for each of them.
    """
    if not agents:
        return {}

    rows = [{"origin": "xapi", "display_name": _display_name(agent), "status": "unknown"} for agent in agents.values()]
    person_ids = list(session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), rows))
    created = dict(zip(agents, person_ids))

    session.execute(insert(PersonIdentifier), [
        {"person_id": person_id, "kind": kind, "value": value, "source": "xapi"}
        for identifiers, person_id in created.items() for kind, value in identifiers
    ])
    log.info("people created from statement actors: count=%d", len(created))
    return created


def _display_name(agent: dict) -> str | None:
    name = agent.get("name")
    return name[:DISPLAY_NAME_LENGTH] if isinstance(name, str) else None


def add_identifiers(session: Session, person_id: int, identifiers: Iterable[tuple[str, str]], source: str) -> None:
    for kind, value in identifiers:
        session.add(PersonIdentifier(person_id=person_id, kind=kind, value=value, source=source))
    session.flush()


@dataclass
class MergeResult:
    identifiers_moved: int
    evidence_moved: int
    employments_moved: int


def merge_people(session: Session, target_id: int, source_id: int, reason: str) -> MergeResult:
    """Move every identifier, evidence row and employment record of ``source_id`` to ``target_id``.

    The source is marked merged, and open conflicts between the two people are resolved. A current
    employment record of the source from a system that also has one for the target is closed, so each person
    keeps at most one current record per source system.
    """
    identifiers = session.execute(update(PersonIdentifier).where(PersonIdentifier.person_id == source_id)
                                  .values(person_id=target_id))

    moved = list(session.scalars(update(Evidence).where(Evidence.person_id == source_id)
                                 .values(person_id=target_id).returning(Evidence.id)))
    record_changes(session, moved, "updated")

    employments = _move_employments(session, target_id, source_id)
    session.execute(update(Person).where(Person.id == source_id).values(merged_into_id=target_id))
    if session.scalar(select(Person.origin).where(Person.id == source_id)) == "hris":
        # A person from an HR system keeps origin "hris" after a merge, whichever side the operator merged into.
        session.execute(update(Person).where(Person.id == target_id).values(origin="hris"))
    resolve_conflicts(session, {target_id, source_id}, "merged")

    log.info("people merged: source_person_id=%s target_person_id=%s evidence_moved=%d reason=%s",
             source_id, target_id, len(moved), reason)
    return MergeResult(identifiers.rowcount, len(moved), employments)


def _move_employments(session: Session, target_id: int, source_id: int) -> int:
    target_sources = set(session.scalars(select(Employment.source).where(
        Employment.person_id == target_id, Employment.valid_to.is_(None))))
    if target_sources:
        session.execute(update(Employment).where(
            Employment.person_id == source_id, Employment.valid_to.is_(None),
            Employment.source.in_(target_sources)).values(valid_to=utcnow()))

    result = session.execute(update(Employment).where(Employment.person_id == source_id)
                             .values(person_id=target_id))
    return result.rowcount


# ---------------------------------------------------------------------------------------------------------
# Conflicts


def record_identifier_conflict(session: Session, kind: str, value: str, holder_person_id: int,
                               claimant_person_id: int, source: str, source_id: str | None = None) -> bool:
    """Record that ``claimant_person_id`` was given an identifier that ``holder_person_id`` already has.

    Returns False when the same open conflict is already recorded, so repeated imports add no duplicates.
    """
    existing = session.scalar(select(IdentityConflict.id).where(
        IdentityConflict.kind == kind, IdentityConflict.value == value, IdentityConflict.status == "open",
        IdentityConflict.holder_person_id == holder_person_id,
        IdentityConflict.claimant_person_id == claimant_person_id).limit(1))
    if existing is not None:
        return False

    session.add(IdentityConflict(kind=kind, value=value, holder_person_id=holder_person_id,
                                 claimant_person_id=claimant_person_id, source=source, source_id=source_id,
                                 status="open"))
    session.flush()
    log.info("identity conflict recorded: kind=%s holder_person_id=%s claimant_person_id=%s source=%s",
             kind, holder_person_id, claimant_person_id, source)
    return True


def resolve_conflicts(session: Session, person_ids: set[int], resolution: str) -> int:
    """Mark open conflicts whose holder and claimant are both in ``person_ids`` resolved."""
    person_ids = sorted(person_ids)
    result = session.execute(update(IdentityConflict).where(
        IdentityConflict.status == "open",
        IdentityConflict.holder_person_id.in_(person_ids),
        IdentityConflict.claimant_person_id.in_(person_ids),
    ).values(status="resolved", resolution=resolution, resolved_at=utcnow()))
    return result.rowcount


def list_conflicts(session: Session, status: str | None, after_id: int, limit: int) -> list[IdentityConflict]:
    """Return conflicts with an id above ``after_id`` in id order; ``status`` None means every status."""
    query = select(IdentityConflict).where(IdentityConflict.id > after_id)
    if status is not None:
        query = query.where(IdentityConflict.status == status)
    return list(session.scalars(query.order_by(IdentityConflict.id).limit(limit)))


def conflicts_of(person_ids: Iterable[int]):
    """Return the condition matching conflicts in which any of ``person_ids`` takes part."""
    person_ids = list(person_ids)
    return or_(IdentityConflict.holder_person_id.in_(person_ids), IdentityConflict.claimant_person_id.in_(person_ids))


# ---------------------------------------------------------------------------------------------------------
# Audit trail


def record_audit(session: Session, credential_key: str | None, action: str, subject: str, detail: dict) -> None:
    """Append an audit entry. ``detail`` contains ids and counts only, never names or identifier values."""
    session.add(AuditEntry(credential_key=credential_key, action=action, subject=subject, detail=detail))
    log.info("audit: action=%s subject=%s credential_key=%s", action, subject, credential_key)


# ---------------------------------------------------------------------------------------------------------
# Operator merge and split


def active_person(session: Session, person_id: int) -> Person:
    """Return a person that is neither merged nor erased, or raise NotFound or Conflict."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} not found", field="person_id")
    if person.merged_into_id is not None:
        canonical = canonical_person_id(session, person_id)
        raise Conflict(f"person {person_id} was merged into person {canonical}; use person {canonical}",
                       field="person_id")
    if person.status == ERASED:
        raise Conflict(f"person {person_id} was erased", field="person_id")
    return person


def merge_person(session: Session, target_id: int, source_id: int, credential_key: str | None) -> dict:
    """Merge ``source_id`` into ``target_id`` on an operator's request and write an audit entry."""
    if target_id == source_id:
        raise BadRequest("source_person_id must differ from the person merged into", field="source_person_id")
    active_person(session, target_id)
    source = session.get(Person, source_id)
    if source is None:
        raise NotFound(f"source person {source_id} not found", field="source_person_id")
    active_person(session, source_id)

    result = merge_people(session, target_id, source_id, reason="operator")
    detail = {"target_person_id": target_id, "source_person_id": source_id,
              "identifiers_moved": result.identifiers_moved, "evidence_moved": result.evidence_moved,
              "employments_moved": result.employments_moved}
    record_audit(session, credential_key, "person.merged", f"person:{target_id}", detail)
    return detail


def split_person(session: Session, person_id: int, identifiers: list[tuple[str, str]], credential_key: str | None,
                 account_homepages: Mapping[str, str]) -> dict:
    """Move identifiers, and the evidence whose statement actors carry them, from a person to a new person.

    Moving ("email", X) also moves ("email_sha1", SHA-1 of mailto:X) when the person has it, because an
    mbox actor carries both. Evidence moves when its statement's actor (or a member of a Group actor)
    carries a moved identifier and none that stays. Employment records of a moved "hris:SOURCE" id move too.
    """
    active_person(session, person_id)
    moving = _identifiers_to_move(session, person_id, identifiers)
    staying = {(row.kind, row.value) for row in _identifier_rows(session, person_id)} - moving
    if not staying:
        raise BadRequest("a split must leave the person at least one identifier; merge or erase instead",
                         field="identifiers")

    new_person = Person(origin="hris" if any(kind.startswith("hris:") for kind, _ in moving) else "xapi",
                        status="unknown")
    session.add(new_person)
    session.flush()

    session.execute(update(PersonIdentifier).where(
        PersonIdentifier.person_id == person_id,
        tuple_(PersonIdentifier.kind, PersonIdentifier.value).in_(list(moving))).values(person_id=new_person.id))
    evidence = _move_split_evidence(session, person_id, new_person.id, moving, staying, account_homepages)
    employments = _move_split_employments(session, person_id, new_person.id, moving)
    session.execute(update(IdentityConflict).where(
        IdentityConflict.holder_person_id == person_id,
        tuple_(IdentityConflict.kind, IdentityConflict.value).in_(list(moving))).values(holder_person_id=new_person.id))

    detail = {"person_id": person_id, "new_person_id": new_person.id,
              "identifier_kinds": sorted({kind for kind, _ in moving}), "identifiers_moved": len(moving),
              "evidence_moved": evidence, "employments_moved": employments}
    record_audit(session, credential_key, "person.split", f"person:{person_id}", detail)
    log.info("person split: person_id=%s new_person_id=%s identifiers_moved=%d evidence_moved=%d",
             person_id, new_person.id, len(moving), evidence)
    return detail


def _identifier_rows(session: Session, person_id: int) -> list[PersonIdentifier]:
    return list(session.scalars(select(PersonIdentifier).where(PersonIdentifier.person_id == person_id)))


def _identifiers_to_move(session: Session, person_id: int, requested: list[tuple[str, str]]) -> set[tuple[str, str]]:
    held = {(row.kind, row.value) for row in _identifier_rows(session, person_id)}
    moving = set()
    for kind, value in requested:
        if kind == "email":
            value = value.strip().lower()
        if (kind, value) not in held:
            raise BadRequest(f"person {person_id} has no identifier of kind '{kind}' with the given value",
                             field="identifiers")
        moving.add((kind, value))
        if kind == "email":
            moving.update(i for i in email_identifiers(value) if i in held)
    return moving


def _move_split_evidence(session: Session, person_id: int, new_person_id: int, moving: set, staying: set,
                         account_homepages: Mapping[str, str]) -> int:
    rows = session.execute(select(Evidence.id, Evidence.statement_id).where(
        Evidence.person_id == person_id, Evidence.statement_id.is_not(None))).all()
    statement_ids = sorted({statement_id for _, statement_id in rows})

    moving_statements = set()
    for start in range(0, len(statement_ids), SPLIT_BATCH_SIZE):
        batch = statement_ids[start:start + SPLIT_BATCH_SIZE]
        for statement_id, payload in session.execute(
                select(Statement.statement_id, Statement.payload).where(Statement.statement_id.in_(batch))):
            carried = _actor_identifiers(loads(payload).get("actor") or {}, account_homepages)
            if carried & moving and not carried & staying:
                moving_statements.add(statement_id)

    evidence_ids = [evidence_id for evidence_id, statement_id in rows if statement_id in moving_statements]
    if evidence_ids:
        session.execute(update(Evidence).where(Evidence.id.in_(evidence_ids)).values(person_id=new_person_id))
        record_changes(session, evidence_ids, "updated")
    return len(evidence_ids)


def _actor_identifiers(actor: dict, account_homepages: Mapping[str, str]) -> set[tuple[str, str]]:
    if actor.get("objectType") == "Group":
        agents = actor.get("member") or []
    else:
        agents = [actor]
    found = set()
    for agent in agents:
        found.update(agent_identifiers(agent, account_homepages))
    return found


def _move_split_employments(session: Session, person_id: int, new_person_id: int, moving: set) -> int:
    moved = 0
    for kind, value in moving:
        if not kind.startswith("hris:"):
            continue
        result = session.execute(update(Employment).where(
            Employment.person_id == person_id, Employment.source == kind.removeprefix("hris:"),
            Employment.source_id == value).values(person_id=new_person_id))
        moved += result.rowcount
    return moved
