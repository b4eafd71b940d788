"""Evidence out: the incremental feed, person skill profiles and expert rankings."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from ..auth import require_scope
from ..errors import NotFound
from ..models import Evidence, EvidenceChange, Person, Skill
from ..services.evidence import person_skill_levels, skill_experts
from ..services.identity import canonical_person_id
from . import bp
from .output import list_response, wants_csv
from .schemas import ExpertArgs, FeedArgs, FormatArgs, load_args

READ_SCOPES = ("evidence/read", "all/read")

FEED_COLUMNS = ["seq", "change", "id", "person_id", "skill_uri", "skill_label", "source_kind", "raw_value",
                "raw_scale", "level", "confidence", "observed_at", "expires_at", "statement_id", "rule_id",
                "created_at", "retracted_at"]
FEED_EVIDENCE_COLUMNS = [Evidence.id, Evidence.person_id, Evidence.source_kind, Evidence.raw_value,
                         Evidence.raw_scale, Evidence.level, Evidence.confidence, Evidence.observed_at,
                         Evidence.expires_at, Evidence.statement_id, Evidence.rule_id, Evidence.created_at,
                         Evidence.retracted_at]
TIME_COLUMNS = ("observed_at", "expires_at", "created_at", "retracted_at")


@bp.get("/evidence")
@require_scope(*READ_SCOPES)
def evidence_feed():
    """Return evidence changes after ``cursor`` in commit order; a retraction comes as a tombstone entry."""
    args = load_args(FeedArgs(), request.args)
    runtime = current_app.extensions["skillwire"]

    # Plain columns rather than ORM objects: a page holds up to 5,000 entries, and building three objects
    # per entry and dumping them through marshmallow took most of the request time.
    query = (select(EvidenceChange.seq, EvidenceChange.change, *FEED_EVIDENCE_COLUMNS,
                    Skill.uri.label("skill_uri"), Skill.label.label("skill_label"))
             .join(Evidence, Evidence.id == EvidenceChange.evidence_id)
             .join(Skill, Skill.id == Evidence.skill_id)
             .where(EvidenceChange.seq > args["cursor"]))
    if args["since"]:
        query = query.where(EvidenceChange.changed_at >= args["since"])

    with runtime.sessions() as session:
        rows = session.execute(query.order_by(EvidenceChange.seq).limit(args["limit"] + 1)).all()

    has_more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    entries = [_feed_entry(row._mapping) for row in rows]
    next_cursor = rows[-1].seq if rows else args["cursor"]
    return list_response(entries, FEED_COLUMNS, {"next_cursor": next_cursor, "has_more": has_more},
                         wants_csv(args["format"]))


def _feed_entry(row) -> dict:
    """Return one feed entry: the evidence as it is now, or a tombstone with its ids for a retraction."""
    if row["change"] == "retracted":
        return {"seq": row["seq"], "change": "retracted", "id": row["id"], "person_id": row["person_id"],
                "skill_uri": row["skill_uri"], "statement_id": row["statement_id"],
                "retracted_at": _iso(row["retracted_at"])}

    entry = {name: row[name] for name in FEED_COLUMNS}
    for name in TIME_COLUMNS:
        entry[name] = _iso(entry[name])
    return entry


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@bp.get("/people/<int:person_id>/skills")
@require_scope(*READ_SCOPES)
def person_skills(person_id: int):
    """Return the person's current level per skill, with the evidence each level rests on."""
    args = load_args(FormatArgs(), request.args)
    runtime = current_app.extensions["skillwire"]

    with runtime.sessions() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound(f"person {person_id} not found", field="person_id")
        person_id = canonical_person_id(session, person_id)
        levels = person_skill_levels(session, person_id)
        skills = _skills_by_id(session, [level.skill_id for level in levels])

    rows = [{"skill_uri": skills[level.skill_id].uri, "skill_label": skills[level.skill_id].label,
             "level": level.level, "confidence": level.confidence,
             "last_observed_at": level.last_observed_at.isoformat(), "evidence_ids": level.evidence_ids}
            for level in levels]
    columns = ["skill_uri", "skill_label", "level", "confidence", "last_observed_at", "evidence_ids"]
    return list_response(rows, columns, {"person_id": person_id}, wants_csv(args["format"]))


@bp.get("/skills/<int:skill_id>/experts")
@require_scope(*READ_SCOPES)
def experts(skill_id: int):
    """Return people ranked by their combined level in the skill."""
    args = load_args(ExpertArgs(), request.args)
    runtime = current_app.extensions["skillwire"]

    with runtime.sessions() as session:
        skill = session.get(Skill, skill_id)
        if skill is None:
            raise NotFound(f"skill {skill_id} not found; list skills at /api/v1/skills", field="skill_id")
        ranked = skill_experts(session, skill_id, args["limit"], args["min_confidence"])

    rows = [{"rank": rank, "person_id": person.id, "display_name": person.display_name, "status": person.status,
             "level": level.level, "confidence": level.confidence, "evidence_count": len(level.evidence_ids)}
            for rank, (person, level) in enumerate(ranked, start=1)]
    columns = ["rank", "person_id", "display_name", "status", "level", "confidence", "evidence_count"]
    return list_response(rows, columns, {"skill_uri": skill.uri}, wants_csv(args["format"]))


@bp.get("/skills")
@require_scope(*READ_SCOPES)
def list_skills():
    args = load_args(FormatArgs(), request.args)
    runtime = current_app.extensions["skillwire"]

    with runtime.sessions() as session:
        skills = session.scalars(select(Skill).order_by(Skill.id)).all()

    rows = [{"id": s.id, "uri": s.uri, "label": s.label, "description": s.description,
             "broader": s.broader, "related": s.related} for s in skills]
    return list_response(rows, ["id", "uri", "label", "description"], {}, wants_csv(args["format"]))


def _skills_by_id(session, skill_ids: list[int]) -> dict[int, Skill]:
    return {skill.id: skill for skill in session.scalars(select(Skill).where(Skill.id.in_(skill_ids)))}
