"""HTTP details of the statements resource: parameters, HEAD, headers, limits and error statuses, both versions."""

from __future__ import annotations

import email.utils
import json
import uuid

import pytest
import requests
from statements_support import attachment, ids_of, multipart_body, statement

VERSIONS = ["1.0.3", "2.0.0"]


def _stored_instant(client, statement_id: str):
    from xapi.timestamps import parse_timestamp

    return parse_timestamp(client.get("/xapi/statements", params={"statementId": statement_id}).json()["stored"],
                           "stored")


# ---------------------------------------------------------------------------------------------------------
# Parameters


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("extra", [{"verb": "http://example.com/v"}, {"limit": "1"}, {"ascending": "true"},
                                   {"since": "2024-01-01T00:00:00Z"}])
def test_statement_id_with_filter_rejected(make_client, version, extra):
    client = make_client("all", version=version)

    response = client.get("/xapi/statements", params={"statementId": str(uuid.uuid4()), **extra})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == next(iter(extra))


@pytest.mark.parametrize("id_parameter", ["statementId", "voidedStatementId"])
def test_statement_id_with_format_and_attachments_accepted(client, id_parameter):
    sent = statement()
    client.post("/xapi/statements", json=sent)
    if id_parameter == "voidedStatementId":
        client.post("/xapi/statements", json=statement(verb="http://adlnet.gov/expapi/verbs/voided",
                                                       object={"objectType": "StatementRef", "id": sent["id"]}))

    response = client.get("/xapi/statements", params={id_parameter: sent["id"], "format": "ids",
                                                      "attachments": "false"})

    assert response.status_code == 200
    assert response.json()["id"] == sent["id"]


def test_statement_id_and_voided_statement_id_together_rejected(client):
    response = client.get("/xapi/statements", params={"statementId": str(uuid.uuid4()),
                                                      "voidedStatementId": str(uuid.uuid4())})

    assert response.status_code == 400


@pytest.mark.parametrize("method, params", [
    ("GET", {"Verb": "http://example.com/v"}),
    ("GET", {"statementID": "x"}),
    ("PUT", {"statementID": "0b9cbe2a-2a3b-4d4b-a85e-03b4c5a4b8c1"}),
])
def test_parameter_in_wrong_case_rejected(client, method, params):
    response = client.request(method, "/xapi/statements", params=params, json=statement())

    assert response.status_code == 400
    assert "case-sensitive" in response.json()["error"]["message"]


@pytest.mark.parametrize("method, params", [
    ("GET", {"page": "2"}),
    ("POST", {"statementId": "0b9cbe2a-2a3b-4d4b-a85e-03b4c5a4b8c1"}),
    ("POST", {"verbose": "1"}),
    ("PUT", {"statementId": "0b9cbe2a-2a3b-4d4b-a85e-03b4c5a4b8c1", "limit": "1"}),
])
def test_unknown_parameter_rejected(client, method, params):
    response = client.request(method, "/xapi/statements", params=params, json=statement())

    assert response.status_code == 400
    assert response.json()["error"]["field"] in params


def test_limit_zero_returns_server_maximum(client):
    client.post("/xapi/statements", json=[statement() for _ in range(5)])

    body = client.get("/xapi/statements", params={"limit": 0}).json()

    assert len(body["statements"]) == 5
    assert body["more"] == ""


def test_limit_caps_page_and_links_more(client):
    client.post("/xapi/statements", json=[statement() for _ in range(5)])

    body = client.get("/xapi/statements", params={"limit": 2}).json()

    assert len(body["statements"]) == 2
    assert body["more"].startswith("/xapi/statements?more=")


def test_empty_result_is_statement_result(client):
    response = client.get("/xapi/statements", params={"verb": "http://example.com/never"})

    assert response.status_code == 200
    assert response.json() == {"statements": [], "more": ""}


# ---------------------------------------------------------------------------------------------------------
# HEAD and headers


@pytest.mark.parametrize("version", VERSIONS)
def test_head_returns_get_headers_without_body(make_client, version):
    client = make_client("all", version=version)
    sent = statement()
    client.post("/xapi/statements", json=sent)

    for params in ({"statementId": sent["id"]}, {}):
        got = client.get("/xapi/statements", params=params)
        head = client.head("/xapi/statements", params=params)

        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["Content-Type"] == got.headers["Content-Type"]
        assert head.headers["Last-Modified"] == got.headers["Last-Modified"]
        assert "X-Experience-API-Consistent-Through" in head.headers


def test_head_of_missing_statement_is_not_found(client):
    response = client.head("/xapi/statements", params={"statementId": str(uuid.uuid4())})

    assert response.status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_last_modified_matches_stored(make_client, version):
    client = make_client("all", version=version)
    first, second = statement(), statement()
    client.post("/xapi/statements", json=first)
    client.post("/xapi/statements", json=second)

    single = client.get("/xapi/statements", params={"statementId": first["id"]})
    listing = client.get("/xapi/statements")

    single_modified = email.utils.parsedate_to_datetime(single.headers["Last-Modified"])
    listing_modified = email.utils.parsedate_to_datetime(listing.headers["Last-Modified"])
    assert single_modified == _stored_instant(client, first["id"]).replace(microsecond=0)
    assert listing_modified == _stored_instant(client, second["id"]).replace(microsecond=0)


@pytest.mark.parametrize("version", VERSIONS)
def test_consistent_through_on_every_statements_response(make_client, version):
    client = make_client("all", version=version)
    sent = statement()

    responses = {
        "POST": client.post("/xapi/statements", json=sent),
        "PUT": client.put("/xapi/statements", params={"statementId": str(uuid.uuid4())}, json=statement()),
        "GET": client.get("/xapi/statements"),
        "HEAD": client.head("/xapi/statements"),
        "400": client.get("/xapi/statements", params={"verbs": "x"}),
        "404": client.get("/xapi/statements", params={"statementId": str(uuid.uuid4())}),
        "409": client.post("/xapi/statements", json={**sent, "verb": {"id": "http://example.com/other"}}),
    }

    for name, response in responses.items():
        assert "X-Experience-API-Consistent-Through" in response.headers, name
        assert response.headers["X-Experience-API-Version"] == version, name


# ---------------------------------------------------------------------------------------------------------
# Request bodies and error statuses


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("text", [
    '{"actor": {"mbox": "mailto:a@example.com"}, "actor": {"mbox": "mailto:b@example.com"}, '
    '"verb": {"id": "http://example.com/v"}, "object": {"id": "http://example.com/a"}}',
    '[{"actor": {"mbox": "mailto:a@example.com", "mbox": "mailto:a@example.com"}, '
    '"verb": {"id": "http://example.com/v"}, "object": {"id": "http://example.com/a"}}]',
])
def test_repeated_property_rejected(make_client, version, text):
    client = make_client("all", version=version)

    response = client.post("/xapi/statements", data=text.encode(), headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert "more than once" in response.json()["error"]["message"]


def test_integer_beyond_64_bits_rejected(client):
    sent = statement(result={"extensions": {"http://example.com/ext/big": 1}})
    text = json.dumps(sent).replace('/ext/big": 1', '/ext/big": 18446744073709551616')

    response = client.post("/xapi/statements", data=text.encode(), headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert "18446744073709551616" in response.json()["error"]["message"]


def test_repeated_property_in_multipart_rejected(client):
    headers, body = multipart_body(statement())
    body = body.replace(b'"actor": {', b'"actor": {"name": "x", "name": "y", ', 1)

    response = client.post("/xapi/statements", data=body, headers=headers)

    assert response.status_code == 400
    assert "more than once" in response.json()["error"]["message"]


def test_missing_content_type_rejected(client):
    response = client.post("/xapi/statements", data=json.dumps(statement()).encode(),
                           headers={"Content-Type": ""})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Content-Type"


def test_too_many_statements_is_payload_too_large(client, runtime):
    batch = [statement() for _ in range(runtime.settings.max_batch_statements + 1)]

    response = client.post("/xapi/statements", json=batch)

    assert response.status_code == 413


def test_body_over_size_limit_is_payload_too_large(client, runtime):
    data = b"x" * (runtime.settings.max_body_bytes + 1)
    sent = statement(attachments=[attachment(data)])
    headers, body = multipart_body(sent, data)

    response = client.post("/xapi/statements", data=body, headers=headers)

    assert response.status_code == 413
    assert "SKILLWIRE_MAX_BODY_BYTES" in response.json()["error"]["message"]


def test_missing_credentials_unauthorized(server_url, clean_db):
    response = requests.post(f"{server_url}/xapi/statements", json=statement(),
                              headers={"X-Experience-API-Version": "2.0.0"}, timeout=10)

    assert response.status_code == 401


def test_read_only_credential_cannot_write_forbidden(make_client):
    reader = make_client("statements/read", version="2.0.0")

    assert reader.post("/xapi/statements", json=statement()).status_code == 403
    assert reader.put("/xapi/statements", params={"statementId": str(uuid.uuid4())},
                      json=statement()).status_code == 403


@pytest.mark.parametrize("version", VERSIONS)
def test_put_conflict_and_post_conflict(make_client, version):
    client = make_client("all", version=version)
    sent = statement()
    client.put("/xapi/statements", params={"statementId": sent["id"]}, json=sent)
    changed = {**sent, "object": {"id": "http://example.com/other"}}

    assert client.put("/xapi/statements", params={"statementId": sent["id"]}, json=changed).status_code == 409
    assert client.post("/xapi/statements", json=changed).status_code == 409
    assert ids_of(client.get("/xapi/statements")) == [sent["id"]]


@pytest.mark.parametrize("body", [b"", b"null", b"42", b'"text"', b"{}", b"[null]", b"[[]]",
                                  b'{"actor": []}', "\u00e9".encode("latin-1")])
def test_malformed_body_is_bad_request(client, body):
    response = client.post("/xapi/statements", data=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
