"""The tincan library as a real xAPI client against the hub served on a loopback port."""

from __future__ import annotations

import uuid

from tincan import Activity, ActivityDefinition, Agent, LanguageMap, RemoteLRS, Statement, Verb


def _lrs(server_url: str, client) -> RemoteLRS:
    return RemoteLRS(endpoint=f"{server_url}/xapi/", version="1.0.3",
                     username=client.credential["key"], password=client.credential["secret"])


def _statement(email: str) -> Statement:
    return Statement(
        actor=Agent(name="Tincan Learner", mbox=f"mailto:{email}"),
        verb=Verb(id="http://adlnet.gov/expapi/verbs/experienced", display=LanguageMap({"en-US": "experienced"})),
        object=Activity(id="http://example.com/tincan/activity",
                        definition=ActivityDefinition(name=LanguageMap({"en-US": "Tincan activity"}))),
    )


def test_tincan_saves_reads_and_queries(server_url, client):
    lrs = _lrs(server_url, client)
    email = f"tincan-{uuid.uuid4().hex[:8]}@example.com"

    saved = lrs.save_statement(_statement(email))
    assert saved.success, saved.response.data

    statement_id = str(saved.content.id)
    retrieved = lrs.retrieve_statement(statement_id)
    assert retrieved.success, retrieved.response.data
    assert str(retrieved.content.id) == statement_id
    assert retrieved.content.actor.mbox == f"mailto:{email}"

    queried = lrs.query_statements({"agent": Agent(mbox=f"mailto:{email}"), "limit": 10})
    assert queried.success, queried.response.data
    assert [str(s.id) for s in queried.content.statements] == [statement_id]


def test_tincan_follows_more_links(server_url, client):
    lrs = _lrs(server_url, client)
    email = f"tincan-{uuid.uuid4().hex[:8]}@example.com"
    saved = lrs.save_statements([_statement(email) for _ in range(3)])
    assert saved.success, saved.response.data

    first = lrs.query_statements({"agent": Agent(mbox=f"mailto:{email}"), "limit": 2})
    assert first.success
    assert len(first.content.statements) == 2

    second = lrs.more_statements(first.content)
    assert second.success, second.response.data
    assert len(second.content.statements) == 1
