"""Request bodies of the /api/v1 write resources: media types and JSON parsing."""

from __future__ import annotations

from dataclasses import replace

import pytest

PEOPLE_CSV = ("employee_id,email,first_name,last_name\n"
              "1,ada@example.com,Ada,Lovelace\n"
              "2,grace@example.com,Grace,Hopper\n")


@pytest.fixture
def admin(make_client):
    return make_client("all")


@pytest.fixture
def two_people(admin) -> tuple[int, int]:
    """Import two people and return their ids."""
    response = admin.post("/api/v1/people/import", data=PEOPLE_CSV, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    first, second = (person["id"] for person in admin.get("/api/v1/people").json()["data"])
    return first, second


def merged_into(admin, person_id: int) -> int | None:
    return admin.get(f"/api/v1/people/{person_id}").json()["merged_into_id"]


# A browser sends the first four to another origin without a CORS preflight.
@pytest.mark.parametrize("content_type", [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/json",
    "application/jsonp",
])
def test_merge_rejects_non_json_content_type(admin, two_people, content_type):
    target, source = two_people

    response = admin.post(f"/api/v1/people/{target}/merge", data=f'{{"source_person_id": {source}}}',
                          headers={"Content-Type": content_type})

    assert response.status_code == 415
    error = response.json()["error"]
    assert error["field"] == "Content-Type"
    assert "application/json" in error["message"]
    assert merged_into(admin, source) is None


def test_merge_without_content_type_is_rejected(admin, two_people):
    target, source = two_people

    response = admin.post(f"/api/v1/people/{target}/merge", data=f'{{"source_person_id": {source}}}'.encode())

    assert "Content-Type" not in response.request.headers
    assert response.status_code == 415
    assert "missing" in response.json()["error"]["message"]
    assert merged_into(admin, source) is None


def test_split_rejects_text_plain(admin, two_people):
    person_id, _ = two_people
    body = '{"identifiers": [{"kind": "email", "value": "ada@example.com"}]}'

    response = admin.post(f"/api/v1/people/{person_id}/split", data=body, headers={"Content-Type": "text/plain"})

    assert response.status_code == 415
    assert response.json()["error"]["field"] == "Content-Type"


@pytest.mark.parametrize("content_type", [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/vnd.skillwire.merge+json",
])
def test_merge_accepts_json_content_types(admin, two_people, content_type):
    target, source = two_people

    response = admin.post(f"/api/v1/people/{target}/merge", data=f'{{"source_person_id": {source}}}',
                          headers={"Content-Type": content_type})

    assert response.status_code == 200, response.text
    assert merged_into(admin, source) == target


def test_merge_repeated_key_is_bad_request(admin, two_people):
    target, source = two_people
    body = f'{{"source_person_id": {target}, "source_person_id": {source}}}'

    response = admin.post(f"/api/v1/people/{target}/merge", data=body,
                          headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "body"
    assert "'source_person_id' appears more than once" in error["message"]
    assert merged_into(admin, source) is None


@pytest.mark.parametrize("body, key", [
    ('{"identifiers": [], "identifiers": [{"kind": "email", "value": "ada@example.com"}]}', "identifiers"),
    ('{"identifiers": [{"kind": "lms_username", "kind": "email", "value": "ada@example.com"}]}', "kind"),
    ('{"identifiers" : [{"kind": "email", "value": "x@example.com", "value" : "ada@example.com"}]}', "value"),
])
def test_split_repeated_key_is_bad_request(admin, two_people, body, key):
    person_id, _ = two_people

    response = admin.post(f"/api/v1/people/{person_id}/split", data=body,
                          headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert f"'{key}' appears more than once" in response.json()["error"]["message"]
    assert len(admin.get("/api/v1/people").json()["data"]) == 2


def test_split_too_deep_body_is_bad_request(admin, two_people):
    person_id, _ = two_people
    body = '{"identifiers": ' + "[" * 200 + "]" * 200 + "}"

    response = admin.post(f"/api/v1/people/{person_id}/split", data=body,
                          headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
    assert "nests" in response.json()["error"]["message"]


def test_merge_invalid_json_names_position(admin, two_people):
    target, _ = two_people

    response = admin.post(f"/api/v1/people/{target}/merge", data='{"source_person_id": }',
                          headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "body"
    assert error["message"].startswith("request body is not valid JSON: ")
    assert "column" in error["message"]


def test_people_import_still_takes_csv_and_uploads(admin):
    as_text = admin.post("/api/v1/people/import", data=PEOPLE_CSV, headers={"Content-Type": "text/plain"})
    as_upload = admin.post("/api/v1/people/import", files={"file": ("people.csv", PEOPLE_CSV)})

    assert as_text.status_code == 200, as_text.text
    assert as_upload.status_code == 200, as_upload.text


# ---------------------------------------------------------------------------------------------------------
# Writes that a browser sends for another site


@pytest.mark.parametrize("headers", [
    {"Origin": "https://attacker.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://other.hub.example"},
], ids=["other origin", "opaque origin", "cross-site fetch", "same-site fetch"])
def test_cross_site_csv_import_rejected(admin, headers):
    response = admin.post("/api/v1/people/import", data=PEOPLE_CSV,
                          headers={"Content-Type": "text/plain", **headers})

    assert response.status_code == 403
    assert response.json()["error"]["field"] == "Origin"
    assert admin.get("/api/v1/people").json()["data"] == []


def test_cross_site_merge_rejected(admin, two_people):
    target, source = two_people

    response = admin.post(f"/api/v1/people/{target}/merge", json={"source_person_id": source},
                          headers={"Origin": "https://attacker.example"})

    assert response.status_code == 403
    assert merged_into(admin, source) is None


def test_same_origin_write_accepted(admin, server_url):
    origin = server_url.split("/", 3)[:3]

    response = admin.post("/api/v1/people/import", data=PEOPLE_CSV,
                          headers={"Content-Type": "text/csv", "Origin": "/".join(origin),
                                   "Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 200, response.text
    assert len(admin.get("/api/v1/people").json()["data"]) == 2


def test_same_origin_check_ignores_host_case(admin, server_url):
    port = server_url.rstrip("/").rsplit(":", 1)[1].split("/")[0]

    response = admin.post("/api/v1/people/import", data=PEOPLE_CSV,
                          headers={"Content-Type": "text/csv", "Host": f"LOCALHOST:{port}",
                                   "Origin": f"http://localhost:{port}"})

    assert response.status_code == 200, response.text


def test_public_url_origin_accepted(admin, runtime, monkeypatch):
    """Behind a proxy the Host header can differ from the address browsers use, SKILLWIRE_PUBLIC_URL."""
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, public_url="https://hub.example.com"))

    response = admin.post("/api/v1/people/import", data=PEOPLE_CSV,
                          headers={"Content-Type": "text/csv", "Origin": "https://hub.example.com",
                                   "Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 200, response.text


def test_cross_site_read_allowed(admin):
    response = admin.get("/api/v1/people", headers={"Origin": "https://attacker.example",
                                                   "Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 200
