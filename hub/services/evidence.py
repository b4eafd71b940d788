"""Turning stored statements into skill evidence, and reading evidence back as profiles and rankings."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..jsonutil import loads
from ..models import Evidence, PendingMapping, Person, Skill, Statement, utcnow
from .feed import record_changes
from .identity import agent_identifiers, create_agent_people, find_people, resolve_agent

log = logging.getLogger(__name__)

# How much each kind of source counts when evidence is combined into a level.
SOURCE_WEIGHTS = {
    "certification": 1.0,
    "assessment": 0.9,
    "manager_rating": 0.8,
    "completion": 0.6,
    "self_rating": 0.4,
    "activity": 0.3,
}
# Evidence counts half as much after this many days.
HALF_LIFE_DAYS = 365.0


def schedule_mapping(runtime, statement_pks: list[int]) -> None:
    """Queue the evidence mapping of freshly stored (or voided) statements."""
    if not statement_pks:
        return
    from ..jobs import JobQueueError, map_statements_job

    try:
        runtime.jobs.enqueue(map_statements_job, statement_pks)
    except JobQueueError:
        # The statements are committed already, so the request succeeds and the sweeper maps them later.
        log.warning("mapping left to the sweeper: statements=%d", len(statement_pks))


def map_statements(session: Session, mappings, statement_pks: list[int], homepages: dict[str, str]) -> int:
    """Map the given statements that are still pending; return how many evidence rows were created.

    A job costs a fixed number of queries plus one identity lookup per new actor. The statements are read as
    plain rows and the known actors of matching statements are looked up together. The evidence goes in with
    one insert, and one delete takes the statements off the mapping queue.
    """
    query = (select(Statement.pk, Statement.statement_id, Statement.payload, Statement.source, Statement.voided)
             .join(PendingMapping, PendingMapping.statement_pk == Statement.pk)
             .where(PendingMapping.statement_pk.in_(statement_pks))
             .order_by(Statement.pk))
    if session.get_bind().dialect.name == "postgresql":
        # Two jobs for the same statements must not both map them.
        query = query.with_for_update(of=PendingMapping, skip_locked=True)

    rows = session.execute(query).all()
    if not rows:
        log.info("statements mapped: statements=0 evidence_created=0")
        return 0

    skill_ids = ensure_skills(session, mappings)
    evaluated = [(row, *_evaluate(session, mappings, row)) for row in rows]
    evaluated = _without_mapped_before(session, evaluated)

    people = _PeopleCache(session, homepages)
    people.prefetch([statement["actor"] for _, statement, candidates in evaluated if candidates])
    evidence_rows = []
    for row, statement, candidates in evaluated:
        evidence_rows.extend(_evidence_rows(skill_ids, people, row, statement, candidates))
    created = _insert_evidence(session, evidence_rows)

    session.execute(delete(PendingMapping).where(PendingMapping.statement_pk.in_([row.pk for row in rows])))
    log.info("statements mapped: statements=%d evidence_created=%d", len(rows), created)
    return created


def _without_mapped_before(session: Session, evaluated: list[tuple]) -> list[tuple]:
    """Drop the candidates of statements that already have live evidence, so mapping one twice adds nothing.

    No code path queues a mapped statement again unless it was voided, but an operator may re-queue rows by
    hand, and evidence must not be counted twice.
    """
    candidate_ids = [row.statement_id for row, _, candidates in evaluated if candidates]
    if not candidate_ids:
        return evaluated

    mapped = set(session.scalars(select(Evidence.statement_id).where(
        Evidence.statement_id.in_(candidate_ids), Evidence.retracted_at.is_(None))))
    if mapped:
        log.warning("statements mapped before, no new evidence: count=%d", len(mapped))
    return [(row, statement, [] if row.statement_id in mapped else candidates)
            for row, statement, candidates in evaluated]


def map_pending_statements(sessions: sessionmaker, mappings, homepages: dict[str, str], batch_size: int) -> int:
    """Map every pending statement in batches, each batch in its own transaction.

    On PostgreSQL the statements that a running job has locked are skipped and left to that job, so the
    loop ends instead of selecting them again and again.
    """
    total = 0
    while True:
        with sessions.begin() as session:
            query = select(PendingMapping.statement_pk).order_by(PendingMapping.statement_pk).limit(batch_size)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            pks = list(session.scalars(query))
            if not pks:
                return total
            total += map_statements(session, mappings, pks, homepages)


def _evaluate(session: Session, mappings, row) -> tuple[dict | None, list]:
    """Return a statement row's statement and its evidence candidates; a voided one retracts its evidence instead."""
    if row.voided:
        retract_statement_evidence(session, row.statement_id, reason="voided")
        return None, []

    try:
        statement = loads(row.payload)
        return statement, mappings.evaluate(statement, source=row.source)
    except (ValueError, TypeError, KeyError, OverflowError) as error:
        # One statement the rules cannot read must not hold back the rest of its batch forever.
        log.error("statement not mapped, marked mapped without evidence: statement_id=%s error=%r",
                  row.statement_id, error)
        return None, []


def _evidence_rows(skill_ids: dict[str, int], people: "_PeopleCache", row, statement: dict | None,
                   candidates: list) -> list[dict]:
    if not candidates:
        return []

    return [
        _evidence_row(person_id, skill_ids[candidate.skill_uri], row.statement_id, candidate)
        for person_id in people.for_actor(statement["actor"])
        for candidate in candidates
    ]


def _insert_evidence(session: Session, evidence_rows: list[dict]) -> int:
    if not evidence_rows:
        return 0
    ids = list(session.scalars(insert(Evidence).returning(Evidence.id, sort_by_parameter_order=True), evidence_rows))
    record_changes(session, ids, "created")
    return len(ids)


class _PeopleCache:
    """The people behind statement actors, resolved once per agent within one mapping job."""

    def __init__(self, session: Session, homepages):
        self.session = session
        self.homepages = homepages
        self._by_identifiers: dict[tuple, int | None] = {}

    def prefetch(self, actors: list[dict]) -> None:
        """Resolve the agents among ``actors`` with one lookup, and create the people of new agents together.

        An agent whose identifiers all belong to one known person resolves to that person. An agent with no
        known identifier gets a new person, unless another agent here shares one of its identifiers. The rest,
        an agent with a new identifier or a conflict, go through resolve_agent when for_actor meets them.
        """
        agents = {}
        for actor in actors:
            for agent in _agents(actor):
                identifiers = tuple(agent_identifiers(agent, self.homepages))
                if identifiers and identifiers not in self._by_identifiers:
                    agents.setdefault(identifiers, agent)
        found = find_people(self.session, {identifier for identifiers in agents for identifier in identifiers})

        new = []
        for identifiers in agents:
            holders = {found.get(identifier) for identifier in identifiers}
            if holders == {None}:
                new.append(identifiers)
            elif len(holders) == 1:
                self._by_identifiers[identifiers] = holders.pop()

        alone = _without_shared_identifiers(new)
        self._by_identifiers.update(create_agent_people(self.session, {ids: agents[ids] for ids in alone}))

    def for_actor(self, actor: dict) -> list[int]:
        """Return the people behind the actor: the agent itself, or each identified member of a group."""
        people = [self._resolve(agent) for agent in _agents(actor)]
        return sorted({person for person in people if person is not None})

    def _resolve(self, agent: dict) -> int | None:
        identifiers = tuple(agent_identifiers(agent, self.homepages))
        if identifiers not in self._by_identifiers:
            self._by_identifiers[identifiers] = resolve_agent(self.session, agent, self.homepages)
        return self._by_identifiers[identifiers]


def _without_shared_identifiers(agents: list[tuple]) -> list[tuple]:
    """Return the identifier tuples that share no identifier with another tuple of ``agents``."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for identifiers in agents:
        for identifier in identifiers:
            counts[identifier] += 1
    return [identifiers for identifiers in agents if all(counts[identifier] == 1 for identifier in identifiers)]


def _agents(actor: dict) -> list[dict]:
    """Return the agent itself, or the members of a group."""
    if actor.get("objectType") == "Group":
        return actor.get("member") or []
    return [actor]


def _evidence_row(person_id: int, skill_id: int, statement_id: str, candidate) -> dict:
    return {
        "person_id": person_id,
        "skill_id": skill_id,
        "statement_id": statement_id,
        "rule_id": candidate.rule_id,
        "source_kind": candidate.source_kind,
        "raw_value": candidate.raw_value,
        "raw_scale": candidate.raw_scale,
        "level": candidate.level,
        "confidence": candidate.confidence,
        "observed_at": candidate.observed_at,
        "expires_at": candidate.expires_at,
        "created_at": utcnow(),
    }


def retract_statement_evidence(session: Session, statement_id: str, reason: str) -> int:
    retracted = list(session.scalars(
        update(Evidence)
        .where(Evidence.statement_id == statement_id, Evidence.retracted_at.is_(None))
        .values(retracted_at=utcnow(), retraction_reason=reason)
        .returning(Evidence.id)
    ))
    record_changes(session, retracted, "retracted")
    if retracted:
        log.info("evidence retracted: statement_id=%s count=%d reason=%s", statement_id, len(retracted), reason)
    return len(retracted)


def ensure_skills(session: Session, mappings) -> dict[str, int]:
    """Insert the framework's skills that the database lacks and return every skill id by URI."""
    known = dict(session.execute(select(Skill.uri, Skill.id)).all())
    missing = [skill for uri, skill in mappings.skills.items() if uri not in known]
    if missing:
        session.execute(insert(Skill), [
            {"uri": skill.uri, "label": skill.label, "description": skill.description,
             "broader": list(skill.broader), "related": list(skill.related)}
            for skill in missing
        ])
        known = dict(session.execute(select(Skill.uri, Skill.id)).all())
    return known


# ---------------------------------------------------------------------------------------------------------
# Combining evidence


@dataclass
class SkillLevel:
    skill_id: int
    level: float
    confidence: float
    evidence_ids: list[int]
    last_observed_at: datetime


def combine(evidence: Iterable[Evidence], now: datetime) -> SkillLevel | None:
    """Combine one person's evidence for one skill into a level.

    The level is the mean of the evidence levels weighted by confidence, source weight and recency (half
    weight after HALF_LIFE_DAYS). Confidence is 1 - prod(1 - confidence * decay): independent pieces of
    evidence each add to it.
    """
    weighted_sum = weight_total = 0.0
    doubt = 1.0
    rows = []
    for row in evidence:
        if row.retracted_at is not None or (row.expires_at is not None and row.expires_at <= now):
            continue
        age_days = max((now - row.observed_at).total_seconds() / 86400.0, 0.0)
        decay = math.pow(0.5, age_days / HALF_LIFE_DAYS)
        weight = row.confidence * SOURCE_WEIGHTS.get(row.source_kind, 0.3) * decay
        weighted_sum += weight * row.level
        weight_total += weight
        doubt *= 1.0 - row.confidence * decay
        rows.append(row)

    if not rows or weight_total == 0.0:
        return None
    return SkillLevel(
        skill_id=rows[0].skill_id,
        level=round(weighted_sum / weight_total, 4),
        confidence=round(1.0 - doubt, 4),
        evidence_ids=[row.id for row in rows],
        last_observed_at=max(row.observed_at for row in rows),
    )


def person_skill_levels(session: Session, person_id: int, now: datetime | None = None) -> list[SkillLevel]:
    now = now or utcnow()
    rows = session.scalars(select(Evidence).where(Evidence.person_id == person_id,
                                                  Evidence.retracted_at.is_(None)))
    by_skill: dict[int, list[Evidence]] = defaultdict(list)
    for row in rows:
        by_skill[row.skill_id].append(row)

    levels = [combine(rows, now) for rows in by_skill.values()]
    return sorted((level for level in levels if level), key=lambda level: -level.level)


def skill_experts(session: Session, skill_id: int, limit: int, min_confidence: float = 0.0,
                  now: datetime | None = None) -> list[tuple[Person, SkillLevel]]:
    """Rank people by their combined level in one skill, then by confidence."""
    now = now or utcnow()
    rows = session.scalars(select(Evidence).where(Evidence.skill_id == skill_id, Evidence.retracted_at.is_(None)))
    by_person: dict[int, list[Evidence]] = defaultdict(list)
    for row in rows:
        by_person[row.person_id].append(row)

    ranked = []
    for person_id, evidence in by_person.items():
        level = combine(evidence, now)
        if level and level.confidence >= min_confidence:
            ranked.append((person_id, level))
    ranked.sort(key=lambda item: (-item[1].level, -item[1].confidence, item[0]))
    ranked = ranked[:limit]

    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_([pid for pid, _ in ranked])))}
    return [(people[person_id], level) for person_id, level in ranked]
