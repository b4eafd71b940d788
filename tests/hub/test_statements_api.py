"""The statements resource over real HTTP: storing, reading, conflicts, voiding, paging and scopes."""

from __future__ import annotations

import uuid

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def statement(actor_email: str = "learner@example.com", verb: str = "http://adlnet.gov/expapi/verbs/completed",
              activity: str = "http://example.com/activities/course-1", **extra) -> dict:
    body = {
        "actor": {"objectType": "Agent", "mbox": f"mailto:{actor_email}", "name": "Learner"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": activity},
    }
    body.update(extra)
    return body


def test_post_single_statement_returns_id(client):
    response = client.post("/xapi/statements", json=statement())

    assert response.status_code == 200
    ids = response.json()
    assert len(ids) == 1
    assert uuid.UUID(ids[0]).version == 4
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_get_by_id_returns_lrs_properties(client):
    statement_id = client.post("/xapi/statements", json=statement()).json()[0]

    response = client.get("/xapi/statements", params={"statementId": statement_id})

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == statement_id
    assert body["stored"].endswith("Z")
    assert body["timestamp"] == body["stored"]
    assert body["version"] == "1.0.0"
    assert body["authority"]["account"]["name"] == client.credential["key"]
    assert "Last-Modified" in response.headers
    assert "X-Experience-API-Consistent-Through" in response.headers


def test_put_same_content_twice_is_accepted(client):
    statement_id = str(uuid.uuid4())
    first = client.put("/xapi/statements", params={"statementId": statement_id}, json=statement())
    second = client.put("/xapi/statements", params={"statementId": statement_id}, json=statement())

    assert first.status_code == 204
    assert second.status_code == 204


def test_put_different_content_same_id_conflicts(client):
    statement_id = str(uuid.uuid4())
    client.put("/xapi/statements", params={"statementId": statement_id}, json=statement())

    response = client.put("/xapi/statements", params={"statementId": statement_id},
                          json=statement(actor_email="other@example.com"))

    assert response.status_code == 409
    assert statement_id in response.json()["error"]["message"]


def test_put_without_statement_id_is_rejected(client):
    response = client.put("/xapi/statements", json=statement())

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "statementId"


def test_batch_with_one_invalid_statement_stores_nothing(client):
    good_id = str(uuid.uuid4())
    bad = statement()
    del bad["verb"]

    response = client.post("/xapi/statements", json=[statement(id=good_id), bad])

    assert response.status_code == 400
    assert "verb" in response.json()["error"]["message"]
    assert client.get("/xapi/statements", params={"statementId": good_id}).status_code == 404


def test_batch_with_conflict_stores_nothing(client):
    taken = str(uuid.uuid4())
    client.post("/xapi/statements", json=statement(id=taken))
    fresh = str(uuid.uuid4())

    response = client.post("/xapi/statements",
                           json=[statement(id=fresh), statement(id=taken, actor_email="x@example.com")])

    assert response.status_code == 409
    assert client.get("/xapi/statements", params={"statementId": fresh}).status_code == 404


def test_malformed_json_is_rejected(client):
    response = client.post("/xapi/statements", data=b'{"actor": ', headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]


def test_missing_version_header_is_rejected(make_client):
    client = make_client("all", version=None)

    response = client.post("/xapi/statements", json=statement())

    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json()["error"]["message"]


def test_about_needs_no_credentials(server_url):
    import requests

    response = requests.get(f"{server_url}/xapi/about", timeout=10)

    assert response.status_code == 200
    assert "1.0.3" in response.json()["version"]


def test_statements_need_credentials(server_url, clean_db):
    import requests

    response = requests.get(f"{server_url}/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"},
                            timeout=10)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_is_unauthorized(make_client):
    client = make_client("all")
    client.auth = (client.credential["key"], "wrong")

    assert client.get("/xapi/statements").status_code == 401


def test_write_scope_cannot_read(make_client):
    writer = make_client("statements/write")

    assert writer.post("/xapi/statements", json=statement()).status_code == 200
    assert writer.get("/xapi/statements").status_code == 403


def test_read_scope_cannot_write(make_client):
    reader = make_client("statements/read")

    assert reader.post("/xapi/statements", json=statement()).status_code == 403


def test_read_mine_sees_only_own_statements(make_client):
    mine = make_client("statements/write", "statements/read/mine", name="mine")
    other = make_client("statements/write", name="other")
    my_id = mine.post("/xapi/statements", json=statement()).json()[0]
    other_id = other.post("/xapi/statements", json=statement()).json()[0]

    ids = [s["id"] for s in mine.get("/xapi/statements").json()["statements"]]

    assert ids == [my_id]
    assert mine.get("/xapi/statements", params={"statementId": other_id}).status_code == 404


def test_voided_statement_is_hidden_from_queries(client):
    target = client.post("/xapi/statements", json=statement()).json()[0]
    voiding = statement(verb=VOIDED, object={"objectType": "StatementRef", "id": target})
    voiding_id = client.post("/xapi/statements", json=voiding).json()[0]

    listed = [s["id"] for s in client.get("/xapi/statements").json()["statements"]]

    assert target not in listed
    assert voiding_id in listed
    assert client.get("/xapi/statements", params={"statementId": target}).status_code == 404
    assert client.get("/xapi/statements", params={"voidedStatementId": target}).status_code == 200


def test_voiding_a_voiding_statement_is_rejected(client):
    target = client.post("/xapi/statements", json=statement()).json()[0]
    voiding_id = client.post("/xapi/statements",
                             json=statement(verb=VOIDED, object={"objectType": "StatementRef", "id": target})).json()[0]

    response = client.post("/xapi/statements",
                           json=statement(verb=VOIDED, object={"objectType": "StatementRef", "id": voiding_id}))

    assert response.status_code == 400


def test_filters_by_agent_verb_activity_registration(client):
    registration = str(uuid.uuid4())
    wanted = client.post("/xapi/statements", json=statement(
        actor_email="ana@example.com", verb="http://adlnet.gov/expapi/verbs/passed",
        activity="http://example.com/quiz", context={"registration": registration})).json()[0]
    client.post("/xapi/statements", json=statement(actor_email="ben@example.com"))

    cases = {
        "agent": '{"mbox": "mailto:ana@example.com"}',
        "verb": "http://adlnet.gov/expapi/verbs/passed",
        "activity": "http://example.com/quiz",
        "registration": registration,
    }
    for name, value in cases.items():
        found = [s["id"] for s in client.get("/xapi/statements", params={name: value}).json()["statements"]]
        assert found == [wanted], name


def test_related_activities_matches_context(client):
    parent = "http://example.com/course"
    wanted = client.post("/xapi/statements", json=statement(
        context={"contextActivities": {"parent": [{"id": parent}]}})).json()[0]

    plain = client.get("/xapi/statements", params={"activity": parent}).json()["statements"]
    related = client.get("/xapi/statements", params={"activity": parent, "related_activities": "true"}).json()

    assert plain == []
    assert [s["id"] for s in related["statements"]] == [wanted]


def test_more_paging_walks_every_statement_once(client):
    posted = client.post("/xapi/statements", json=[statement() for _ in range(7)]).json()

    seen, url, pages = [], "/xapi/statements?limit=3", 0
    while url:
        body = client.get(url).json()
        seen += [s["id"] for s in body["statements"]]
        url = body["more"]
        pages += 1

    assert sorted(seen) == sorted(posted)
    assert len(seen) == len(set(seen))
    assert pages == 3


def test_ascending_orders_oldest_first(client):
    first = client.post("/xapi/statements", json=statement()).json()[0]
    second = client.post("/xapi/statements", json=statement()).json()[0]

    ids = [s["id"] for s in client.get("/xapi/statements", params={"ascending": "true"}).json()["statements"]]

    assert ids == [first, second]


def test_since_and_until_filter_by_stored(client):
    first = client.post("/xapi/statements", json=statement()).json()[0]
    stored = client.get("/xapi/statements", params={"statementId": first}).json()["stored"]
    second = client.post("/xapi/statements", json=statement()).json()[0]

    after = [s["id"] for s in client.get("/xapi/statements", params={"since": stored}).json()["statements"]]
    until = [s["id"] for s in client.get("/xapi/statements", params={"until": stored}).json()["statements"]]

    assert after == [second]
    assert until == [first]


def test_unknown_parameter_is_rejected(client):
    response = client.get("/xapi/statements", params={"verbs": "x"})

    assert response.status_code == 400
    assert "verbs" in response.json()["error"]["message"]


def test_malformed_credential_key_is_unauthorized(make_client):
    client = make_client("all")

    for key in ("a\x00b", "x" * 5000, client.credential["key"].upper()):
        client.auth = (key, client.credential["secret"])
        assert client.get("/xapi/statements").status_code == 401, repr(key[:20])
