"""Query parameters and path ids of the /api/v1 resources: bounds, unknown or repeated names, digits and CSV output."""

from __future__ import annotations

import csv
import io

import pytest

# One past the largest value of a 64-bit signed integer, the type of every id column.
TOO_BIG = str(2**63)

PEOPLE_CSV = ("employee_id,email,first_name,last_name\n"
              "1,ada@example.com,Ada,Lovelace\n"
              "2,grace@example.com,Grace,Hopper\n"
              "3,alan@example.com,Alan,Turing\n")


@pytest.fixture
def admin(make_client):
    return make_client("all")


def import_people(client, text: str) -> dict:
    response = client.post("/api/v1/people/import", data=text, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("path", [
    f"/api/v1/people/{TOO_BIG}",
    f"/api/v1/people/{TOO_BIG}/skills",
    f"/api/v1/skills/{TOO_BIG}/experts",
])
def test_id_beyond_64_bits_is_not_found(admin, path):
    response = admin.get(path)

    assert response.status_code == 404


@pytest.mark.parametrize("method, path", [
    ("post", f"/api/v1/people/{TOO_BIG}/merge"),
    ("post", f"/api/v1/people/{TOO_BIG}/split"),
    ("delete", f"/api/v1/people/{TOO_BIG}"),
])
def test_identity_operation_on_huge_id_is_not_found(admin, method, path):
    response = admin.request(method, path, json={})

    assert response.status_code == 404


@pytest.mark.parametrize("path, parameter", [
    ("/api/v1/evidence", "cursor"),
    ("/api/v1/people", "cursor"),
    ("/api/v1/identity/conflicts", "cursor"),
])
def test_cursor_beyond_64_bits_is_bad_request(admin, path, parameter):
    response = admin.get(path, params={parameter: TOO_BIG})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == parameter


@pytest.mark.parametrize("path, query, parameter", [
    ("/api/v1/people", "cursor=1&cursor=2", "cursor"),
    ("/api/v1/people", "limit=5&limit=5", "limit"),
    ("/api/v1/evidence", "format=json&format=csv", "format"),
    ("/api/v1/evidence", "since=2024-01-01T00:00:00Z&since=2025-01-01T00:00:00Z", "since"),
    ("/api/v1/skills", "format=json&format=json", "format"),
    ("/api/v1/sync-runs", "connector=csv&connector=hibob", "connector"),
    ("/api/v1/identity/conflicts", "status=open&status=all", "status"),
    ("/api/v1/skills/1/experts", "min_confidence=0.5&min_confidence=0.9", "min_confidence"),
])
def test_repeated_parameter_is_bad_request(admin, path, query, parameter):
    response = admin.get(f"{path}?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == parameter
    assert "more than once" in error["message"]


@pytest.mark.parametrize("path, parameter, value", [
    ("/api/v1/evidence", "cursor", "\u0661\u0662"),
    ("/api/v1/people", "cursor", "\u0661\u0662"),
    ("/api/v1/identity/conflicts", "cursor", "\u0661\u0662"),
    ("/api/v1/people", "limit", "\uff11\uff10"),
    ("/api/v1/sync-runs", "limit", "\u0967"),
    ("/api/v1/skills/1/experts", "limit", "\u0661"),
    ("/api/v1/evidence", "cursor", " 12"),
    ("/api/v1/evidence", "cursor", "12 "),
    ("/api/v1/evidence", "cursor", "1_2"),
    ("/api/v1/evidence", "cursor", "+12"),
    ("/api/v1/evidence", "limit", "1.0"),
    ("/api/v1/skills/1/experts", "min_confidence", "\u0660.\u0665"),
    ("/api/v1/skills/1/experts", "min_confidence", "0_5"),
    ("/api/v1/skills/1/experts", "min_confidence", " 0.5"),
    ("/api/v1/skills/1/experts", "min_confidence", "nan"),
])
def test_number_not_in_ascii_digits_is_bad_request(admin, path, parameter, value):
    response = admin.get(path, params={parameter: value})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == parameter
    assert "ASCII" in error["message"]


@pytest.mark.parametrize("path, parameter, value", [
    ("/api/v1/evidence", "cursor", "0012"),
    ("/api/v1/people", "limit", "5"),
    ("/api/v1/skills/1/experts", "min_confidence", "0.5"),
    ("/api/v1/skills/1/experts", "min_confidence", "1"),
    ("/api/v1/skills/1/experts", "min_confidence", ".25"),
])
def test_ascii_numbers_are_accepted(admin, path, parameter, value):
    response = admin.get(path, params={parameter: value})

    assert response.status_code == 200, response.text


def test_largest_64_bit_cursor_is_accepted(admin):
    response = admin.get("/api/v1/evidence", params={"cursor": str(2**63 - 1)})

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_merge_with_huge_source_id_is_bad_request(admin):
    import_people(admin, PEOPLE_CSV)
    person_id = admin.get("/api/v1/people").json()["data"][0]["id"]

    response = admin.post(f"/api/v1/people/{person_id}/merge", json={"source_person_id": 2**63})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "source_person_id"


@pytest.mark.parametrize("path", [
    "/api/v1/people",
    "/api/v1/people/1",
    "/api/v1/sync-runs",
    "/api/v1/evidence",
    "/api/v1/skills",
    "/api/v1/identity/conflicts",
])
def test_unknown_parameter_is_bad_request(admin, path):
    response = admin.get(path, params={"colour": "blue"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "colour"


def test_unknown_parameter_on_import_is_bad_request(admin):
    response = admin.post("/api/v1/people/import", params={"dry_run": "1"}, data=PEOPLE_CSV,
                          headers={"Content-Type": "text/csv"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "dry_run"


def test_people_list_as_csv(admin):
    import_people(admin, PEOPLE_CSV)

    response = admin.get("/api/v1/people", params={"format": "csv"})

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["display_name"] for row in rows] == ["Ada Lovelace", "Grace Hopper", "Alan Turing"]
    assert set(rows[0]) == {"id", "display_name", "origin", "status"}


def test_people_list_pages_with_cursor(admin):
    import_people(admin, PEOPLE_CSV)

    first = admin.get("/api/v1/people", params={"limit": 2}).json()
    second = admin.get("/api/v1/people", params={"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [person["display_name"] for person in first["data"]] == ["Ada Lovelace", "Grace Hopper"]
    assert first["has_more"] is True
    assert [person["display_name"] for person in second["data"]] == ["Alan Turing"]
    assert second["has_more"] is False


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00"])
def test_since_outside_utc_years_is_bad_request(admin, since):
    response = admin.get("/api/v1/evidence", params={"since": since})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "since"
