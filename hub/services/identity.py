"""Identity resolution: which person is behind an xAPI agent or an HR record.

Identifiers are normalized to (kind, value) pairs; see PersonIdentifier for the kinds. A person first seen as
a statement actor is created on the spot (origin "xapi") and merged into the HR person once an identifier
matches, so no evidence waits for the HR system.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Iterable, Mapping

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from ..models import Evidence, Person, PersonIdentifier
from .feed import record_changes

log = logging.getLogger(__name__)


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
    """Return the person id (after merges) that holds each of the identifiers found."""
    identifiers = list(identifiers)
    if not identifiers:
        return {}

    rows = session.execute(
        select(PersonIdentifier.kind, PersonIdentifier.value, PersonIdentifier.person_id)
        .where(tuple_(PersonIdentifier.kind, PersonIdentifier.value).in_(identifiers))
    )
    return {(kind, value): canonical_person_id(session, person_id) for kind, value, person_id in rows}


def canonical_person_id(session: Session, person_id: int) -> int:
    """Follow merges to the person an id now belongs to."""
    seen = set()
    while person_id not in seen:
        seen.add(person_id)
        merged_into = session.scalar(select(Person.merged_into_id).where(Person.id == person_id))
        if merged_into is None:
            return person_id
        person_id = merged_into
    return person_id


def resolve_agent(session: Session, agent: dict, account_homepages: Mapping[str, str]) -> int | None:
    """Return the person behind an agent, creating a person of origin "xapi" when nobody matches."""
    identifiers = agent_identifiers(agent, account_homepages)
    if not identifiers:
        return None

    found = find_people(session, identifiers)
    people = sorted(set(found.values()))
    if len(people) > 1:
        # NOTE: conflicting identifiers pick the lowest person id; conflicts are only logged so far.
        log.warning("identity conflict: identifiers=%s people=%s", [kind for kind, _ in identifiers], people)

    if people:
        person_id = people[0]
    else:
        person = Person(origin="xapi", display_name=agent.get("name"), status="unknown")
        session.add(person)
        session.flush()
        person_id = person.id

    add_identifiers(session, person_id, [i for i in identifiers if i not in found], source="xapi")
    return person_id


def add_identifiers(session: Session, person_id: int, identifiers: Iterable[tuple[str, str]], source: str) -> None:
    for kind, value in identifiers:
        session.add(PersonIdentifier(person_id=person_id, kind=kind, value=value, source=source))
    session.flush()


def merge_people(session: Session, target_id: int, source_id: int, reason: str) -> None:
    """Move every identifier and evidence row of ``source_id`` to ``target_id`` and mark the source merged."""
    session.execute(update(PersonIdentifier).where(PersonIdentifier.person_id == source_id)
                    .values(person_id=target_id))

    moved = list(session.scalars(update(Evidence).where(Evidence.person_id == source_id)
                                 .values(person_id=target_id).returning(Evidence.id)))
    record_changes(session, moved, "updated")

    session.execute(update(Person).where(Person.id == source_id).values(merged_into_id=target_id))
    log.info("people merged: source_person_id=%s target_person_id=%s evidence_moved=%d reason=%s",
             source_id, target_id, len(moved), reason)
