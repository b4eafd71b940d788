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
    window = _Window(query, credential_id, after)

    if _has_filters(query):
        select_query = _matching_with_ref_targets(query, window, page_size + 1)
    else:
        select_query = select(Statement.pk, Statement.stored, Statement.payload).where(*window.on_statements())

    order = _page_order(Statement.stored, Statement.pk, query.ascending)
    rows = session.execute(select_query.order_by(*order).limit(page_size + 1)).all()
    has_more = len(rows) > page_size
    rows = rows[:page_size]

    more = encode_more(query, rows[-1].stored, rows[-1].pk) if has_more and rows else None
    last_stored = max((row.stored for row in rows), default=None)
    return Page(payloads=[row.payload for row in rows], more_token=more, last_stored=last_stored)


@dataclass
class _Window:
    """The conditions on the returned statement: not voided, the credential's own, time range, page start."""

    query: StatementQuery
    credential_id: int | None
    after: tuple[datetime, int] | None

    def on_statements(self) -> list:
        return self.flags() + self.position(Statement.stored, Statement.pk)

    def flags(self) -> list:
        conditions = [Statement.voided.is_(False)]
        if self.credential_id is not None:
            conditions.append(Statement.credential_id == self.credential_id)
        return conditions

    def position(self, stored, pk) -> list:
        """Return the time range and page start as conditions on the ``stored`` and ``pk`` columns given, of
        statements or of index rows."""
        conditions = []
        if self.query.since:
            conditions.append(stored > self.query.since)
        if self.query.until:
            conditions.append(stored <= self.query.until)
        if self.after:
            position = tuple_(stored, pk)
            conditions.append(position > self.after if self.query.ascending else position < self.after)
        return conditions


def _page_order(stored, pk, ascending: bool) -> tuple:
    return (stored.asc(), pk.asc()) if ascending else (stored.desc(), pk.desc())


def _has_filters(query: StatementQuery) -> bool:
    return bool(query.agent or query.verb or query.activity or query.registration)


def _filter_conditions(query: StatementQuery, leading=None) -> list:
    """Return the conditions of the filters on the statement itself, except the one of the ``leading`` index table.

    An agent or activity that does not lead is checked per statement with one exact lookup in its index.
    """
    conditions = []
    if query.verb:
        conditions.append(Statement.verb_id == query.verb)
    if query.registration:
        conditions.append(Statement.registration == query.registration.lower())
    if query.agent and leading is not StatementAgent:
        conditions.append(_names_statement(StatementAgent, _agent_subquery(query)))
    if query.activity and leading is not StatementActivity:
        conditions.append(_names_statement(StatementActivity, _activity_subquery(query)))
    return conditions


def _names_statement(table, index_rows):
    return index_rows.where(table.statement_pk == Statement.pk, table.stored == Statement.stored).exists()


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


def _matching_with_ref_targets(query: StatementQuery, window: _Window, limit: int):
    """Select the statements that match themselves or through a StatementRef chain.

    Each branch is ordered and limited on its own, so both can read an index in page order before the union.
    """
    own = _own_matches(query, window, limit)

    targeting = select(StatementRefTarget.statement_pk).where(*_ref_target_conditions(query))
    order = _page_order(Statement.stored, Statement.pk, query.ascending)
    via_ref = (select(Statement.pk, Statement.stored).where(*window.on_statements(), Statement.pk.in_(targeting))
               .order_by(*order).limit(limit))

    matched = union(select(own.subquery()), select(via_ref.subquery())).subquery()
    return select(Statement.pk, Statement.stored, Statement.payload).join(matched, matched.c.pk == Statement.pk)


def _own_matches(query: StatementQuery, window: _Window, limit: int):
    """Select the statements that match the filters themselves, one page of them.

    When an agent or activity index leads, the database reads its rows in page order, because they hold each
    statement's stored time, and stops after one page instead of sorting every match.
    """
    leading = _leading_index(query)
    if leading is None:
        order = _page_order(Statement.stored, Statement.pk, query.ascending)
        return (select(Statement.pk, Statement.stored).where(*window.on_statements(), *_filter_conditions(query))
                .order_by(*order).limit(limit))

    table, index_rows = leading
    # One statement can name an agent or activity in several places, hence DISTINCT. Its ORDER BY lets
    # PostgreSQL drop repeats while it reads the index in order, where it would otherwise hash every match.
    matches = (index_rows.add_columns(table.stored).where(*window.position(table.stored, table.statement_pk))
               .distinct().order_by(*_page_order(table.stored, table.statement_pk, query.ascending)).subquery())
    return (select(matches.c.statement_pk.label("pk"), matches.c.stored)
            .join(Statement, Statement.pk == matches.c.statement_pk)
            .where(*window.flags(), *_filter_conditions(query, table))
            .order_by(*_page_order(matches.c.stored, matches.c.statement_pk, query.ascending)).limit(limit))


def _leading_index(query: StatementQuery):
    """Return the index table and rows that lead a filtered query, or None when the statements' indexes lead.

    A registration is one attempt with few statements, so its statements index leads whenever it is given.
    Otherwise the agent leads before the activity, because a learner has fewer statements than a busy activity.
    """
    if query.registration:
        return None
    if query.agent:
        return StatementAgent, _agent_subquery(query)
    if query.activity:
        return StatementActivity, _activity_subquery(query)
    return None


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
