"""Canonical Activity objects: the definitions the LRS keeps for each activity id seen in stored statements.

xAPI 1.0.3 communication section 4.2: statements stored by a credential without the "define" scope save the
activity ids, but do not change the canonical definition. With "define" (or "all"), the definition in the newest
statement replaces the stored one property by property, and its language maps are merged, so a definition sent in
English and later in French keeps both names.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Iterable, Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import upsert_insert
from ..models import ActivityDefinition, utcnow

log = logging.getLogger(__name__)

LANGUAGE_MAP_PROPERTIES = ("name", "description")
# Interaction component lists (xAPI 1.0.3 data section 2.4.4.1.1); each component has an id and a description.
COMPONENT_LIST_PROPERTIES = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


def record_activity_definitions(session: Session, statements: Iterable[dict], may_define: bool) -> None:
    """Record every activity in a batch of stored statements, and merge their definitions when ``may_define``.

    Looks at the object, the context activities and those of a SubStatement. Runs in the caller's transaction:
    one unlocked read of what is stored, an insert for new ids only, then, with ``may_define``, a locked read
    and an update only for the definitions this batch changes. Most batches repeat known activities, so they
    take no locks here and concurrent batches do not wait on each other.
    """
    incoming = _definitions_by_id(statements)
    if not incoming:
        return

    stored = _stored_definitions(session, incoming)
    missing = {activity_id: definition for activity_id, definition in incoming.items() if activity_id not in stored}
    if missing:
        _insert_missing(session, missing)
    if not may_define:
        return

    changed = {activity_id: definition for activity_id, definition in incoming.items()
               if definition and merge_definitions(stored.get(activity_id), definition) != stored.get(activity_id)}
    if changed:
        _merge_into_stored(session, changed)


def get_activity(session: Session, activity_id: str) -> dict:
    """Return the canonical Activity object, or one with only the id when the LRS has no definition for it.

    xAPI 1.0.3 communication section 2.5.s2.b1: the Activities resource returns an Activity object even for an
    activity it does not know.
    """
    definition = session.scalar(select(ActivityDefinition.definition)
                                .where(ActivityDefinition.activity_key == activity_key(activity_id)))
    activity = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def load_activity_definitions(session: Session, activity_ids: Iterable[str]) -> dict[str, dict]:
    """Return the canonical definition of each activity id that has one, for the statements "canonical" format."""
    keys = {activity_key(activity_id): activity_id for activity_id in activity_ids}
    if not keys:
        return {}

    rows = session.execute(select(ActivityDefinition.activity_id, ActivityDefinition.definition)
                           .where(ActivityDefinition.activity_key.in_(keys)))
    return {activity_id: definition for activity_id, definition in rows if definition}


def activity_key(activity_id: str) -> str:
    return hashlib.sha256(activity_id.encode("utf-8")).hexdigest()


def merge_definitions(stored: dict | None, incoming: dict) -> dict:
    """Return ``stored`` updated with ``incoming``: language maps and extensions merge key by key, the rest is
    replaced, and interaction components keep the descriptions of earlier languages for the same component id."""
    merged = dict(stored or {})
    for name, value in incoming.items():
        previous = merged.get(name)
        if name in LANGUAGE_MAP_PROPERTIES or name == "extensions":
            merged[name] = {**previous, **value} if isinstance(previous, dict) else value
        elif name in COMPONENT_LIST_PROPERTIES and isinstance(previous, list):
            merged[name] = _merge_components(previous, value)
        else:
            merged[name] = value
    return merged


def _merge_components(previous: list[dict], incoming: list[dict]) -> list[dict]:
    descriptions = {component.get("id"): component.get("description") for component in previous}
    merged = []
    for component in incoming:
        earlier = descriptions.get(component.get("id"))
        if isinstance(earlier, dict) and isinstance(component.get("description"), dict):
            component = {**component, "description": {**earlier, **component["description"]}}
        merged.append(component)
    return merged


# ---------------------------------------------------------------------------------------------------------
# Collecting activities from statements


def _definitions_by_id(statements: Iterable[dict]) -> dict[str, dict | None]:
    """Return each activity id of the batch with its definitions merged in statement order."""
    found: dict[str, dict | None] = {}
    for statement in statements:
        for activity in _activities(statement):
            activity_id = activity["id"]
            definition = activity.get("definition")
            current = found.get(activity_id)
            found[activity_id] = merge_definitions(current, definition) if definition else current
    return found


def _activities(statement: dict) -> Iterator[dict]:
    target = statement.get("object") or {}
    if target.get("objectType", "Activity") == "Activity" and "id" in target:
        yield target
    yield from _context_activities(statement.get("context"))

    if target.get("objectType") == "SubStatement":
        yield from _activities(target)


def _context_activities(context: dict | None) -> Iterator[dict]:
    context_activities = (context or {}).get("contextActivities") or {}
    for kind in CONTEXT_ACTIVITY_KINDS:
        value = context_activities.get(kind)
        # xAPI 1.0.3 data section 2.4.6.2 allows a single Activity object in place of an array.
        for activity in ([value] if isinstance(value, dict) else value or ()):
            if isinstance(activity, dict) and "id" in activity:
                yield activity


# ---------------------------------------------------------------------------------------------------------
# Writing


def _stored_definitions(session: Session, incoming: dict[str, dict | None]) -> dict[str, dict | None]:
    """Return the stored definition (None when empty) of each activity id of the batch that is stored."""
    keys = {activity_key(activity_id): activity_id for activity_id in incoming}
    rows = session.execute(select(ActivityDefinition.activity_key, ActivityDefinition.definition)
                           .where(ActivityDefinition.activity_key.in_(keys)))
    return {keys[key]: definition for key, definition in rows}


def _insert_missing(session: Session, incoming: dict[str, dict | None]) -> None:
    """Insert a row for each activity id not stored yet; concurrent inserts of the same id are skipped."""
    now = utcnow()
    rows = [{"activity_key": activity_key(activity_id), "activity_id": activity_id, "updated_at": now}
            for activity_id in sorted(incoming)]
    statement = upsert_insert(session, ActivityDefinition).on_conflict_do_nothing(index_elements=["activity_key"])
    session.execute(statement, rows)


def _merge_into_stored(session: Session, defined: dict[str, dict]) -> None:
    keys = {activity_key(activity_id): activity_id for activity_id in defined}
    # Every batch locks rows in key order, which avoids lock-order deadlocks between concurrent batches.
    rows = session.execute(
        select(ActivityDefinition.id, ActivityDefinition.activity_key, ActivityDefinition.definition)
        .where(ActivityDefinition.activity_key.in_(sorted(keys)))
        .order_by(ActivityDefinition.activity_key)
        .with_for_update()
    ).all()

    now = utcnow()
    changed = 0
    for row_id, key, stored in rows:
        merged = merge_definitions(stored, defined[keys[key]])
        if merged != stored:
            session.execute(update(ActivityDefinition).where(ActivityDefinition.id == row_id)
                            .values(definition=merged, updated_at=now))
            changed += 1

    if changed:
        log.info("activity definitions updated: count=%d", changed)
