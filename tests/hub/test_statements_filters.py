"""Query filters over real HTTP: related_agents, related_activities and StatementRef matching, both versions."""

from __future__ import annotations

import json
import uuid

import pytest
from statements_support import VOIDED, ids_of, statement, statement_ref

VERSIONS = ["1.0.3", "2.0.0"]
BEN = '{"mbox": "mailto:ben@example.com"}'
EXPLOSIVES = "http://example.com/activities/explosives-training"
PASSED = "http://adlnet.gov/expapi/verbs/passed"


def _post(client, *statements: dict) -> None:
    response = client.post("/xapi/statements", json=list(statements))
    assert response.status_code == 200, response.text


def _found(client, **params) -> set[str]:
    response = client.get("/xapi/statements", params=params)
    assert response.status_code == 200, response.text
    return set(ids_of(response))


# ---------------------------------------------------------------------------------------------------------
# related_agents and related_activities


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("place", ["instructor", "team", "team member", "substatement actor", "authority"])
def test_related_agents_matches_other_places(make_client, version, place):
    client = make_client("all", version=version)
    ben = {"mbox": "mailto:ben@example.com"}
    extra = {
        "instructor": {"context": {"instructor": ben}},
        "team": {"context": {"team": {"objectType": "Group", **ben}}},
        "team member": {"context": {"team": {"objectType": "Group", "member": [ben]}}},
        "substatement actor": {"object": {"objectType": "SubStatement", "actor": ben,
                                          "verb": {"id": PASSED}, "object": {"id": EXPLOSIVES}}},
        "authority": {},
    }[place]
    sent = statement(**extra)
    _post(client, sent)
    agent = BEN
    if place == "authority":
        authority = client.get("/xapi/statements", params={"statementId": sent["id"]}).json()["authority"]
        agent = json.dumps({"account": authority["account"]})

    assert _found(client, agent=agent) == set()
    assert _found(client, agent=agent, related_agents="true") == {sent["id"]}


@pytest.mark.parametrize("kind", ["contextAgents", "contextGroups"])
def test_related_agents_matches_context_agents_under_2_0(make_client, kind):
    client = make_client("all", version="2.0.0")
    entry = ({"objectType": "contextAgent", "agent": {"mbox": "mailto:ben@example.com"}} if kind == "contextAgents"
             else {"objectType": "contextGroup", "group": {"objectType": "Group", "mbox": "mailto:ben@example.com"}})
    sent = statement(context={kind: [entry]})
    _post(client, sent)

    assert _found(client, agent=BEN) == set()
    assert _found(client, agent=BEN, related_agents="true") == {sent["id"]}


@pytest.mark.parametrize("version", VERSIONS)
def test_agent_filter_matches_group_member_as_actor(make_client, version):
    client = make_client("all", version=version)
    sent = statement(actor={"objectType": "Group", "member": [{"mbox": "mailto:ben@example.com"}]})
    _post(client, sent)

    assert _found(client, agent=BEN) == {sent["id"]}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("place", ["context parent", "context single grouping", "substatement object",
                                   "substatement context"])
def test_related_activities_matches_other_places(make_client, version, place):
    client = make_client("all", version=version)
    extra = {
        "context parent": {"context": {"contextActivities": {"parent": [{"id": EXPLOSIVES}]}}},
        "context single grouping": {"context": {"contextActivities": {"grouping": {"id": EXPLOSIVES}}}},
        "substatement object": {"object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.com"},
                                           "verb": {"id": PASSED}, "object": {"id": EXPLOSIVES}}},
        "substatement context": {"object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.com"},
                                            "verb": {"id": PASSED}, "object": {"id": "http://example.com/other"},
                                            "context": {"contextActivities": {"other": [{"id": EXPLOSIVES}]}}}},
    }[place]
    sent = statement(**extra)
    _post(client, sent)

    assert _found(client, activity=EXPLOSIVES) == set()
    assert _found(client, activity=EXPLOSIVES, related_activities="true") == {sent["id"]}


# ---------------------------------------------------------------------------------------------------------
# StatementRef matching


@pytest.mark.parametrize("version", VERSIONS)
def test_statement_ref_matches_target_filters(make_client, version):
    client = make_client("all", version=version)
    registration = str(uuid.uuid4())
    passed = statement(email="ben@example.com", verb=PASSED, activity=EXPLOSIVES,
                       context={"registration": registration})
    confirmed = statement_ref(passed["id"], email="andrew@example.com")
    unrelated = statement(email="carol@example.com")
    _post(client, passed, confirmed, unrelated)

    for name, value in {"agent": BEN, "verb": PASSED, "activity": EXPLOSIVES, "registration": registration}.items():
        assert _found(client, **{name: value}) == {passed["id"], confirmed["id"]}, name


@pytest.mark.parametrize("version", VERSIONS)
def test_statement_ref_chain_matches_recursively(make_client, version):
    client = make_client("all", version=version)
    passed = statement(email="ben@example.com", activity=EXPLOSIVES)
    confirmed = statement_ref(passed["id"], email="andrew@example.com")
    approved = statement_ref(confirmed["id"], email="dana@example.com")
    _post(client, passed)
    _post(client, confirmed)
    _post(client, approved)

    assert _found(client, agent=BEN) == {passed["id"], confirmed["id"], approved["id"]}


def test_statement_ref_chain_in_one_batch(client):
    passed = statement(email="ben@example.com")
    confirmed = statement_ref(passed["id"])
    approved = statement_ref(confirmed["id"], email="dana@example.com")
    _post(client, approved, confirmed, passed)

    assert _found(client, agent=BEN) == {passed["id"], confirmed["id"], approved["id"]}


def test_statement_ref_sent_before_its_target(client):
    passed = statement(email="ben@example.com")
    confirmed = statement_ref(passed["id"])
    approved = statement_ref(confirmed["id"], email="dana@example.com")
    _post(client, approved)
    _post(client, confirmed)

    assert _found(client, agent=BEN) == set()
    _post(client, passed)
    assert _found(client, agent=BEN) == {passed["id"], confirmed["id"], approved["id"]}


def test_statement_ref_cycle_stays_finite(client):
    first_id, second_id = str(uuid.uuid4()), str(uuid.uuid4())
    first = {**statement_ref(second_id, email="ben@example.com"), "id": first_id}
    second = {**statement_ref(first_id), "id": second_id}
    _post(client, first)
    _post(client, second)

    assert _found(client, agent=BEN) == {first_id, second_id}


def test_statement_ref_needs_whole_filter_on_one_statement(client):
    passed = statement(email="ben@example.com", verb=PASSED)
    confirmed = statement_ref(passed["id"], email="andrew@example.com")
    _post(client, passed, confirmed)

    assert _found(client, agent=BEN, verb=PASSED) == {passed["id"], confirmed["id"]}
    assert _found(client, agent=BEN, verb=confirmed["verb"]["id"]) == set()


@pytest.mark.parametrize("version", VERSIONS)
def test_statements_targeting_voided_statement_still_match(make_client, version):
    client = make_client("all", version=version)
    passed = statement(email="ben@example.com")
    confirmed = statement_ref(passed["id"])
    voiding = statement_ref(passed["id"], verb=VOIDED)
    _post(client, passed, confirmed)
    _post(client, voiding)

    assert _found(client, agent=BEN) == {confirmed["id"], voiding["id"]}


def test_statement_ref_time_limits_apply_to_targeting_statement(client):
    passed = statement(email="ben@example.com")
    _post(client, passed)
    stored = client.get("/xapi/statements", params={"statementId": passed["id"]}).json()["stored"]
    confirmed = statement_ref(passed["id"])
    _post(client, confirmed)

    assert _found(client, agent=BEN, since=stored) == {confirmed["id"]}
    assert _found(client, agent=BEN, until=stored) == {passed["id"]}


def test_context_statement_ref_does_not_match(client):
    passed = statement(email="ben@example.com")
    follow_up = statement(email="andrew@example.com",
                          context={"statement": {"objectType": "StatementRef", "id": passed["id"]}})
    _post(client, passed, follow_up)

    assert _found(client, agent=BEN) == {passed["id"]}


def test_statement_ref_matching_pages_without_repeats(client):
    passed = [statement(email="ben@example.com") for _ in range(3)]
    confirmed = [statement_ref(target["id"]) for target in passed]
    _post(client, *passed, *confirmed)

    seen, url = [], "/xapi/statements?limit=2&agent=" + BEN
    while url:
        body = client.get(url).json()
        seen += [item["id"] for item in body["statements"]]
        url = body["more"]

    assert sorted(seen) == sorted(item["id"] for item in passed + confirmed)


def test_read_mine_applies_to_targeting_statement(make_client):
    writer = make_client("statements/write", name="writer")
    mine = make_client("statements/write", "statements/read/mine", name="mine")
    passed = statement(email="ben@example.com")
    _post(writer, passed)
    confirmed = statement_ref(passed["id"])
    _post(mine, confirmed)

    assert _found(mine, agent=BEN) == {confirmed["id"]}


# ---------------------------------------------------------------------------------------------------------
# Pages of filters that an agent or activity index leads


def _batches_naming_ben_and_explosives() -> list[list[dict]]:
    """Three batches, so statements differ in stored time, with BEN and EXPLOSIVES in one or several places."""
    return [_batch_naming_ben_and_explosives(str(uuid.uuid4())) for _ in range(3)]


def _batch_naming_ben_and_explosives(registration: str) -> list[dict]:
    ben = {"mbox": "mailto:ben@example.com"}
    shapes = [
        {"email": "ben@example.com", "activity": EXPLOSIVES},
        {"email": "ben@example.com", "activity": EXPLOSIVES,
         "context": {"instructor": ben, "contextActivities": {"parent": [{"id": EXPLOSIVES}]}}},
        {"activity": EXPLOSIVES, "context": {"instructor": ben, "registration": registration}},
        {"email": "ben@example.com", "context": {"contextActivities": {"grouping": [{"id": EXPLOSIVES}]},
                                                 "registration": registration}},
        {"context": {"contextActivities": {"parent": [{"id": EXPLOSIVES}], "other": [{"id": EXPLOSIVES}]}}},
        {},
    ]
    return [statement(**shape) for shape in shapes]


def _follow_more(client, params: dict) -> list[str]:
    seen, response = [], client.get("/xapi/statements", params={**params, "limit": 2})
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [item["id"] for item in body["statements"]]
        if not body["more"]:
            return seen
        response = client.get(body["more"])


@pytest.mark.parametrize(("params", "count"), [
    ({"activity": EXPLOSIVES}, 9),
    ({"activity": EXPLOSIVES, "related_activities": "true"}, 15),
    ({"agent": BEN, "related_agents": "true"}, 12),
    ({"agent": BEN, "activity": EXPLOSIVES, "related_agents": "true", "related_activities": "true"}, 12),
    ({"agent": BEN, "activity": EXPLOSIVES, "related_agents": "true", "related_activities": "true",
      "ascending": "true"}, 12),
    ({"agent": BEN, "related_agents": "true", "verb": "http://adlnet.gov/expapi/verbs/completed"}, 12),
], ids=["activity", "related activities", "related agents", "both related", "both ascending", "agent and verb"])
def test_index_led_filter_pages_in_order(client, params, count):
    for batch in _batches_naming_ben_and_explosives():
        _post(client, *batch)

    one_page = ids_of(client.get("/xapi/statements", params=params))
    paged = _follow_more(client, params)

    assert paged == one_page
    assert len(set(paged)) == count
    assert len(paged) == count


def test_registration_with_index_filters(client):
    batches = _batches_naming_ben_and_explosives()
    for batch in batches:
        _post(client, *batch)
    registration = batches[1][2]["context"]["registration"]

    found = _follow_more(client, {"registration": registration, "agent": BEN, "related_agents": "true",
                                  "activity": EXPLOSIVES, "related_activities": "true"})

    assert sorted(found) == sorted([batches[1][2]["id"], batches[1][3]["id"]])
