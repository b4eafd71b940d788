"""Reading stored statements: single lookups, filtered pages with keyset paging, and "more" tokens."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_, union
from sqlalchemy.orm import Session

from xapi.query import StatementQuery
from xapi.timestamps import format_timestamp, parse_timestamp

from ..errors import BadRequest, NotFound
from ..jsonutil import dumps, loads
from ..models import Statement, StatementActivity, StatementAgent, StatementRefTarget
from .statements import ifi_key


@dataclass
class Page:
    payloads: list[str]
    more_token: str | None
    last_stored: datetime | None


def get_statement(session: Session, statement_id: str, voided: bool, credential_id: int | None) -> Statement:
    """Return one statement by id; ``voided`` selects the voidedStatementId lookup."""
    query = select(Statement).where(Statement.statement_id == statement_id.lower(), Statement.voided.is_(voided))
    if credential_id is not None:
        query = query.where(Statement.credential_id == credential_id)

    row = session.scalar(query)
    if row is None:
        param = "voidedStatementId" if voided else "statementId"
        raise NotFound(f"no {'voided ' if voided else ''}statement with id {statement_id}", field=param)
    return row


def query_statements(session: Session, query: StatementQuery, page_size: int, credential_id: int | None,
                     after: tuple[datetime, int] | None = None) -> Page:
    """Return one page of statements matching ``query``, newest first unless ``query.ascending``.

    Paging is keyset paging on (stored, pk), so page fifty costs what page one costs. A statement whose object is
    a StatementRef also matches when a statement on its chain matches the filters (xAPI 1.0.3 Communication
    2.1.3.s3), even when that statement is voided (2.1.4.s1.b2). The time and paging limits apply to the returned
    statement.
    """
    window = _window_conditions(query, credential_id, after)
    order = (Statement.stored.asc(), Statement.pk.asc()) if query.ascending else (Statement.stored.desc(),
                                                                                   Statement.pk.desc())
    matches = _filter_conditions(query)

    if matches:
        select_query = _matching_with_ref_targets(query, window, matches, order, page_size + 1)
    else:
        select_query = select(Statement.pk, Statement.stored, Statement.payload).where(*window)

    rows = session.execute(select_query.order_by(*order).limit(page_size + 1)).all()
    has_more = len(rows) > page_size
    rows = rows[:page_size]

    more = encode_more(query, rows[-1].stored, rows[-1].pk) if has_more and rows else None
    last_stored = max((row.stored for row in rows), default=None)
    return Page(payloads=[row.payload for row in rows], more_token=more, last_stored=last_stored)


def _window_conditions(query: StatementQuery, credential_id: int | None, after: tuple[datetime, int] | None) -> list:
    """Return the conditions on the returned statement: not voided, the credential's own, time range, page start."""
    conditions = [Statement.voided.is_(False)]
    if credential_id is not None:
        conditions.append(Statement.credential_id == credential_id)
    if query.since:
        conditions.append(Statement.stored > query.since)
    if query.until:
        conditions.append(Statement.stored <= query.until)
    if after:
        position = tuple_(Statement.stored, Statement.pk)
        conditions.append(position > after if query.ascending else position < after)
    return conditions


def _filter_conditions(query: StatementQuery) -> list:
    """Return the conditions of the agent, verb, activity and registration filters on the statement itself."""
    conditions = []
    if query.verb:
        conditions.append(Statement.verb_id == query.verb)
    if query.registration:
        conditions.append(Statement.registration == query.registration.lower())
    if query.agent:
        conditions.append(Statement.pk.in_(_agent_subquery(query)))
    if query.activity:
        conditions.append(Statement.pk.in_(_activity_subquery(query)))
    return conditions


def _ref_target_conditions(query: StatementQuery) -> list:
    """Return the filter conditions on the target columns of StatementRefTarget rows, all on one target."""
    conditions = []
    if query.verb:
        conditions.append(StatementRefTarget.target_verb_id == query.verb)
    if query.registration:
        conditions.append(StatementRefTarget.target_registration == query.registration.lower())
    if query.agent:
        conditions.append(StatementRefTarget.target_pk.in_(_agent_subquery(query)))
    if query.activity:
        conditions.append(StatementRefTarget.target_pk.in_(_activity_subquery(query)))
    return conditions


def _matching_with_ref_targets(query: StatementQuery, window: list, matches: list, order: tuple, limit: int):
    """Select the statements that match themselves or through a StatementRef chain.

    Each branch is ordered and limited on its own, so both can use the (stored, pk) index before the union.
    """
    own = select(Statement.pk, Statement.stored).where(*window, *matches).order_by(*order).limit(limit)

    targeting = select(StatementRefTarget.statement_pk).where(*_ref_target_conditions(query))
    via_ref = (select(Statement.pk, Statement.stored).where(*window, Statement.pk.in_(targeting))
               .order_by(*order).limit(limit))

    matched = union(select(own.subquery()), select(via_ref.subquery())).subquery()
    return select(Statement.pk, Statement.stored, Statement.payload).join(matched, matched.c.pk == Statement.pk)


def _agent_subquery(query: StatementQuery):
    key = ifi_key(query.agent)
    if key is None:
        raise BadRequest("agent must have an inverse functional identifier (mbox, mbox_sha1sum, openid or account)",
                         field="agent")

    subquery = select(StatementAgent.statement_pk).where(StatementAgent.ifi == key)
    if not query.related_agents:
        subquery = subquery.where(StatementAgent.relation.in_(("actor", "object")))
    return subquery


def _activity_subquery(query: StatementQuery):
    subquery = select(StatementActivity.statement_pk).where(StatementActivity.activity_id == query.activity)
    if not query.related_activities:
        subquery = subquery.where(StatementActivity.relation == "object")
    return subquery


# ---------------------------------------------------------------------------------------------------------
# "more" tokens


def encode_more(query: StatementQuery, stored: datetime, pk: int) -> str:
    state = {
        "agent": query.agent, "verb": query.verb, "activity": query.activity,
        "registration": query.registration, "related_activities": query.related_activities,
        "related_agents": query.related_agents,
        "since": format_timestamp(query.since) if query.since else None,
        "until": format_timestamp(query.until) if query.until else None,
        "limit": query.limit, "format": query.format, "attachments": query.attachments,
        "ascending": query.ascending, "after": [format_timestamp(stored), pk],
    }
    return base64.urlsafe_b64encode(dumps(state).encode()).decode().rstrip("=")


# Statement keys are BIGINT, so a position outside this range cannot come from encode_more.
_MAX_PK = 2**63 - 1


def decode_more(token: str) -> tuple[dict, tuple[datetime, int]]:
    """Return the query state and the keyset position stored in a "more" token.

    Raises BadRequest for a token that encode_more cannot have made, and ValidationError for a timestamp in it
    that does not parse.
    """
    try:
        state = loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except ValueError as error:
        raise _invalid_more(str(error)) from None
    if type(state) is not dict:
        raise _invalid_more("it does not contain a JSON object")

    after = state.pop("after", None)
    if not (type(after) is list and len(after) == 2 and type(after[0]) is str and type(after[1]) is int
            and 0 < after[1] <= _MAX_PK):
        raise _invalid_more("its position is missing or malformed")
    return state, (parse_timestamp(after[0], "more"), after[1])


def _invalid_more(reason: str) -> BadRequest:
    return BadRequest(f"invalid 'more' token: {reason}; use the more URL exactly as returned", field="more")
