"""Erasing a person: their statements are pseudonymized and their evidence, identifiers and records removed.

Statements stay in the LRS, because other people's statements may refer to them, but every agent of the
person inside them becomes one pseudonymous account agent, the same in all their statements. Evidence rows
stay as retracted tombstones with their raw values cleared, because the evidence feed's "retracted" entries
point at them. Their earlier feed entries are deleted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from xapi.agents import agent_ifi

from ..jsonutil import dumps, loads
from ..models import (
    Employment,
    Evidence,
    EvidenceChange,
    IdentityConflict,
    Person,
    PersonIdentifier,
    ScimGroup,
    ScimGroupMember,
    ScimUser,
    ScimUserEmail,
    Statement,
    StatementAgent,
    utcnow,
)
from .feed import record_changes
from .identity import ERASED, active_person, agent_identifiers, conflicts_of, record_audit

log = logging.getLogger(__name__)

STATEMENT_BATCH_SIZE = 500
ERASED_RETRACTION_REASON = "erased"


@dataclass
class ErasureResult:
    person_ids: list[int]
    statements: int
    evidence: int
    identifiers: int
    documents: int | None


def erase_person(session: Session, person_id: int, public_url: str, account_homepages: Mapping[str, str],
                 credential_key: str | None) -> ErasureResult:
    """Erase a person and every person merged into them, and write an audit entry without personal data.

    Erasing an erased person again changes nothing. Raises NotFound for an unknown person and Conflict for
    one that was merged into another.
    """
    person = session.get(Person, person_id)
    if person is not None and person.status == ERASED and person.merged_into_id is None:
        return ErasureResult([person_id], 0, 0, 0, 0)
    active_person(session, person_id)
    person_ids = _people_behind(session, person_id)
    identifiers = list(session.execute(select(PersonIdentifier.kind, PersonIdentifier.value)
                                       .where(PersonIdentifier.person_id.in_(person_ids))).all())

    pseudonym = {"objectType": "Agent",
                 "account": {"homePage": f"{public_url.rstrip('/')}/erased", "name": str(uuid.uuid4())}}
    ifis = agent_ifi_keys(identifiers, account_homepages)
    statements = pseudonymize_statements(session, ifis, set(identifiers), pseudonym, account_homepages)
    documents = erase_person_documents(session, sorted(ifis))
    evidence = _retract_evidence(session, person_ids)

    _delete_scim_users(session, [value for kind, value in identifiers if kind == "hris:scim"])
    removed = session.execute(delete(PersonIdentifier).where(PersonIdentifier.person_id.in_(person_ids))).rowcount
    session.execute(delete(Employment).where(Employment.person_id.in_(person_ids)))
    session.execute(delete(IdentityConflict).where(conflicts_of(person_ids)))
    session.execute(update(Person).where(Person.id.in_(person_ids)).values(
        display_name=None, given_name=None, family_name=None, status=ERASED, updated_at=utcnow()))

    result = ErasureResult(person_ids, statements, evidence, removed, documents)
    record_audit(session, credential_key, "person.erased", f"person:{person_id}", {
        "person_ids": person_ids, "statements_pseudonymized": statements, "evidence_retracted": evidence,
        "identifiers_deleted": removed, "documents_deleted": documents,
    })
    log.info("person erased: person_id=%s people=%d statements=%d evidence=%d", person_id, len(person_ids),
             statements, evidence)
    return result


def _people_behind(session: Session, person_id: int) -> list[int]:
    """Return the person and everyone merged into them, directly or through other merges."""
    people = [person_id]
    frontier = [person_id]
    while frontier:
        frontier = list(session.scalars(select(Person.id).where(Person.merged_into_id.in_(frontier))))
        frontier = [pid for pid in frontier if pid not in people]
        people += frontier
    return sorted(people)


# ---------------------------------------------------------------------------------------------------------
# Statements


def agent_ifi_keys(identifiers: Iterable[tuple[str, str]], account_homepages: Mapping[str, str]) -> set[str]:
    """Return the statement_agents IFI strings (see hub.services.statements.ifi_key) that the identifiers match.

    An "email" gives its mbox in lower case; statements with other letter cases are found by
    _statement_agent_rows. Identifiers without an xAPI form, such as HR system ids, give none.
    """
    homepages_by_kind: dict[str, list[str]] = {}
    for homepage, kind in account_homepages.items():
        homepages_by_kind.setdefault(kind, []).append(homepage)

    keys = set()
    for kind, value in identifiers:
        if kind == "email":
            keys.add(f"mbox:mailto:{value}")
        elif kind == "email_sha1":
            keys.add(f"mbox_sha1sum:{value}")
        elif kind == "openid":
            keys.add(f"openid:{value}")
        elif kind == "account":
            homepage, _, name = value.partition("|")
            keys.update({f"account:{homepage}|{name}", f"account:{homepage}/|{name}"})
        for homepage in homepages_by_kind.get(kind, ()):
            keys.update({f"account:{homepage}|{value}", f"account:{homepage}/|{value}"})
    return keys


def pseudonymize_statements(session: Session, ifis: set[str], identifiers: set[tuple[str, str]],
                            pseudonym: dict, account_homepages: Mapping[str, str]) -> int:
    """Replace the person's agents in every statement that names them; return how many statements changed."""
    rows = _statement_agent_rows(session, ifis)
    if not rows:
        return 0

    pseudonym_key = f"account:{pseudonym['account']['homePage']}|{pseudonym['account']['name']}"
    statement_pks = sorted({statement_pk for statement_pk, _ in rows})
    matched_ifis = sorted({ifi for _, ifi in rows})

    changed = 0
    for start in range(0, len(statement_pks), STATEMENT_BATCH_SIZE):
        batch = statement_pks[start:start + STATEMENT_BATCH_SIZE]
        for statement in session.scalars(select(Statement).where(Statement.pk.in_(batch))):
            payload = loads(statement.payload)
            if _replace_agents(payload, identifiers, pseudonym, account_homepages):
                statement.payload = dumps(payload)
                changed += 1

        session.execute(update(StatementAgent).where(
            StatementAgent.statement_pk.in_(batch), StatementAgent.ifi.in_(matched_ifis)).values(ifi=pseudonym_key))
    session.flush()
    return changed


def _statement_agent_rows(session: Session, ifis: set[str]) -> list[tuple[int, str]]:
    """Return (statement pk, IFI) rows for the IFIs; mbox IFIs match in any letter case.

    NOTE: the case-insensitive mbox match cannot use the IFI index, so it scans statement_agents.
    """
    if not ifis:
        return []
    mboxes = sorted(ifi.lower() for ifi in ifis if ifi.startswith("mbox:"))
    condition = StatementAgent.ifi.in_(sorted(ifis))
    if mboxes:
        condition = or_(condition, func.lower(StatementAgent.ifi).in_(mboxes))
    return list(session.execute(select(StatementAgent.statement_pk, StatementAgent.ifi).where(condition)).all())


def _replace_agents(root: dict, identifiers: set[tuple[str, str]], pseudonym: dict,
                    account_homepages: Mapping[str, str]) -> bool:
    """Replace, in place, every Agent or Group object below ``root`` that carries one of the identifiers.

    The walk uses a stack rather than recursion, so deeply nested extensions cannot exhaust the Python stack.
    """
    replaced = False
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        for key, child in children:
            if isinstance(child, dict) and _is_person_agent(child, identifiers, account_homepages):
                node[key] = _pseudonym_for(child, pseudonym)
                replaced = True
                # A replaced Group keeps its members, which may name the person too.
                if "member" in node[key]:
                    stack.append(node[key]["member"])
            elif isinstance(child, (dict, list)):
                stack.append(child)
    return replaced


def _is_person_agent(candidate: dict, identifiers: set[tuple[str, str]], account_homepages: Mapping[str, str]) -> bool:
    try:
        if agent_ifi(candidate) is None:
            return False
        return bool(set(agent_identifiers(candidate, account_homepages)) & identifiers)
    except (AttributeError, KeyError, TypeError):
        # Extension data can hold objects that look like agents but are not valid ones.
        return False


def _pseudonym_for(agent: dict, pseudonym: dict) -> dict:
    replacement = {"objectType": agent.get("objectType", "Agent"), "account": dict(pseudonym["account"])}
    if agent.get("objectType") == "Group" and agent.get("member"):
        replacement["member"] = agent["member"]
    return replacement


def erase_person_documents(session: Session, ifis: list[str]) -> int:
    """Delete the state and agent profile documents of the agents; return how many."""
    from .documents import erase_agent_documents

    return erase_agent_documents(session, ifis)


# ---------------------------------------------------------------------------------------------------------
# Evidence and SCIM records


def _retract_evidence(session: Session, person_ids: list[int]) -> int:
    now = utcnow()
    retracted = list(session.scalars(
        update(Evidence)
        .where(Evidence.person_id.in_(person_ids), Evidence.retracted_at.is_(None))
        .values(retracted_at=now, retraction_reason=ERASED_RETRACTION_REASON)
        .returning(Evidence.id)
    ))
    session.execute(update(Evidence).where(Evidence.person_id.in_(person_ids))
                    .values(raw_value=None, raw_scale=None))

    erased_evidence = select(Evidence.id).where(Evidence.person_id.in_(person_ids))
    session.execute(delete(EvidenceChange).where(EvidenceChange.evidence_id.in_(erased_evidence),
                                                 EvidenceChange.change != "retracted"))
    record_changes(session, retracted, "retracted")
    return len(retracted)


def _delete_scim_users(session: Session, user_ids: list[str]) -> None:
    """Delete the SCIM Users behind the person, their emails and group memberships."""
    if not user_ids:
        return
    groups = list(session.scalars(select(ScimGroupMember.group_id).where(ScimGroupMember.member_id.in_(user_ids))))
    session.execute(delete(ScimGroupMember).where(ScimGroupMember.member_id.in_(user_ids)))
    if groups:
        session.execute(update(ScimGroup).where(ScimGroup.id.in_(groups)).values(
            version=ScimGroup.version + 1, updated_at=utcnow()))
    session.execute(delete(ScimUserEmail).where(ScimUserEmail.user_id.in_(user_ids)))
    session.execute(delete(ScimUser).where(ScimUser.id.in_(user_ids)))
