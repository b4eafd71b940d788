"""SCIM list queries over real HTTP: filters, paging and attribute projection."""

from __future__ import annotations

import time

import pytest

from scim_support import ENTERPRISE, create_user, scim_client, scim_error, scim_example  # noqa: F401


@pytest.fixture
def directory(scim_client):
    """Four Users, created in this order, and their bodies by userName."""
    users = {}
    users["ana"] = create_user(
        scim_client, "ana.silva@example.com", externalId="EXT-1", displayName="Ana Silva", title="Engineer",
        name={"givenName": "Ana", "familyName": "Silva"}, active=True,
        emails=[{"value": "ana.silva@example.com", "type": "work", "primary": True},
                {"value": "ana@home.example.org", "type": "home"}],
        **{ENTERPRISE: {"department": "Engineering", "employeeNumber": "1001"}})
    users["bob"] = create_user(
        scim_client, "bob.jones@example.com", externalId="ext-2", displayName="Bob Jones",
        name={"givenName": "Bob", "familyName": "Jones"}, active=False,
        emails=[{"value": "bob.jones@example.com", "type": "work"}],
        **{ENTERPRISE: {"department": "Sales"}})
    time.sleep(0.01)
    users["cleo"] = create_user(
        scim_client, "cleo@partner.example.net", displayName="Cléo Smith", title="Director",
        name={"givenName": "Cleo", "familyName": "Smith"}, active=True,
        emails=[{"value": "cleo@partner.example.net", "type": "other"}])
    users["dan"] = create_user(scim_client, "dan_100%@example.com", displayName="Dan")
    return users


def names_for(client, filter_text: str) -> set[str]:
    response = client.get("/Users", params={"filter": filter_text})
    assert response.status_code == 200, f"{filter_text}: {response.text}"
    body = response.json()
    assert body["totalResults"] == len(body["Resources"])
    return {resource["userName"].split("@")[0].split(".")[0].split("_")[0] for resource in body["Resources"]}


FILTER_CASES = [
    ('userName eq "ANA.SILVA@example.com"', {"ana"}),
    ('userName co "jones"', {"bob"}),
    ('userName sw "cle"', {"cleo"}),
    ('userName ew "@example.com"', {"ana", "bob", "dan"}),
    ('userName gt "bob"', {"bob", "cleo", "dan"}),
    ('userName ge "bob.jones@example.com"', {"bob", "cleo", "dan"}),
    ('userName lt "bob"', {"ana"}),
    ('userName le "bob.jones@example.com"', {"ana", "bob"}),
    ('userName co "100%"', {"dan"}),
    ('userName co "_"', {"dan"}),
    ('emails.value eq "ana@home.example.org"', {"ana"}),
    ('emails co "partner"', {"cleo"}),
    ('emails[type eq "work" and value co "@example.com"]', {"ana", "bob"}),
    ('emails[type eq "work" and value co "ana"]', {"ana"}),
    ('emails[type eq "home" and value co "bob"]', set()),
    ('emails.primary eq true', {"ana"}),
    ('emails pr', {"ana", "bob", "cleo"}),
    ('externalId eq "EXT-1"', {"ana"}),
    ('externalId eq "ext-1"', set()),
    ('externalId sw "ext"', {"bob"}),
    ('externalId co "XT"', {"ana"}),
    ('externalId ew "T-1"', {"ana"}),
    ('id pr', {"ana", "bob", "cleo", "dan"}),
    ('active eq false', {"bob"}),
    ('active eq true', {"ana", "cleo", "dan"}),
    ('active ne true', {"bob"}),
    ('name.familyName sw "s"', {"ana", "cleo"}),
    ('name.givenName eq "bob"', {"bob"}),
    ('displayName eq "ana silva"', {"ana"}),
    ('title pr', {"ana", "cleo"}),
    ('not (title pr)', {"bob", "dan"}),
    ('title ne "Engineer"', {"bob", "cleo", "dan"}),
    ('title eq null', {"bob", "dan"}),
    (f'{ENTERPRISE}:department eq "sales"', {"bob"}),
    (f'{ENTERPRISE}:employeeNumber eq 1001', {"ana"}),
    ('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "dan"', {"dan"}),
    ('userName sw "ana" or userName sw "bob" and active eq true', {"ana"}),
    ('(userName sw "ana" or userName sw "bob") and active eq false', {"bob"}),
    ('userName sw "ana" and active eq true or userName sw "bob"', {"ana", "bob"}),
    ('not (active eq true) or userName sw "dan"', {"bob", "dan"}),
    ('not (emails[type eq "work"])', {"cleo", "dan"}),
    ('USERNAME SW "ANA" AND ACTIVE EQ TRUE', {"ana"}),
]


@pytest.mark.parametrize("filter_text, expected", FILTER_CASES)
def test_filter_selects_users(scim_client, directory, filter_text, expected):
    assert names_for(scim_client, filter_text) == expected


def test_filter_on_last_modified(scim_client, directory):
    bob_modified = directory["bob"]["meta"]["lastModified"]

    later = names_for(scim_client, f'meta.lastModified gt "{bob_modified}"')
    since = names_for(scim_client, f'meta.lastModified ge "{bob_modified}"')
    before = names_for(scim_client, f'meta.lastModified lt "{bob_modified}"')

    assert later == {"cleo", "dan"}
    assert since == {"bob", "cleo", "dan"}
    assert before == {"ana"}


def test_filter_sees_patched_values(scim_client, directory):
    scim_client.patch_ops(f"/Users/{directory['dan']['id']}", {"op": "add", "path": "title", "value": "Engineer"})

    assert names_for(scim_client, 'title eq "engineer"') == {"ana", "dan"}


@pytest.mark.parametrize("filter_text, fragment", [
    ('userName eq', "expected a value"),
    ('userName regex "a"', "regex"),
    ('nickName eq "x"', "nickName"),
    ('emails.display eq "x"', "emails.display"),
    ('active gt true', "boolean"),
    ('active eq "yes"', "boolean"),
    ('userName eq true', "quoted string"),
    ('meta.lastModified gt "yesterday"', "time zone"),
    ('meta.lastModified gt "0001-01-01T00:00:00+01:00"', "time zone"),
    ('meta.lastModified co "2026"', "dateTime"),
    ('emails[display eq "x"]', "emails.display"),
    ('title gt null', "null"),
])
def test_invalid_filters_are_rejected(scim_client, directory, filter_text, fragment):
    response = scim_client.get("/Users", params={"filter": filter_text})

    body = scim_error(response, 400, "invalidFilter")
    assert fragment in body["detail"]


def test_paging_with_start_index_and_count(scim_client, directory):
    first = scim_client.get("/Users", params={"startIndex": 1, "count": 2}).json()
    second = scim_client.get("/Users", params={"startIndex": 3, "count": 2}).json()
    beyond = scim_client.get("/Users", params={"startIndex": 9, "count": 2}).json()
    totals_only = scim_client.get("/Users", params={"count": 0}).json()
    clamped = scim_client.get("/Users", params={"startIndex": -4, "count": 1}).json()
    far = scim_client.get("/Users", params={"startIndex": 10**30, "count": 1000000}).json()

    assert [first["totalResults"], first["itemsPerPage"], first["startIndex"]] == [4, 2, 1]
    assert [r["userName"] for r in first["Resources"]] == ["ana.silva@example.com", "bob.jones@example.com"]
    assert [r["userName"] for r in second["Resources"]] == ["cleo@partner.example.net", "dan_100%@example.com"]
    assert second["startIndex"] == 3
    assert beyond["Resources"] == []
    assert beyond["totalResults"] == 4
    assert totals_only["Resources"] == []
    assert totals_only["totalResults"] == 4
    assert clamped["startIndex"] == 1
    assert len(clamped["Resources"]) == 1
    assert far["Resources"] == []
    assert far["totalResults"] == 4


def test_invalid_paging_is_rejected(scim_client, directory):
    scim_error(scim_client.get("/Users", params={"count": "ten"}), 400, "invalidValue")
    scim_error(scim_client.get("/Users", params={"startIndex": "1.5"}), 400, "invalidValue")


@pytest.mark.parametrize("value", ["١٢", "１２", " 2", "1_0", "+2"],
                         ids=["Arabic-Indic digits", "fullwidth digits", "space", "underscore", "plus sign"])
def test_paging_takes_ascii_digits_only(scim_client, directory, value):
    scim_error(scim_client.get("/Users", params={"count": value}), 400, "invalidValue")


@pytest.mark.parametrize("value", [2.5, True], ids=["float", "boolean"])
def test_search_request_paging_needs_json_integer(scim_client, directory, value):
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": value}

    scim_error(scim_client.post("/Users/.search", json=search), 400, "invalidValue")


def test_filtered_paging_counts_matches(scim_client, directory):
    page = scim_client.get("/Users", params={"filter": 'userName ew "@example.com"', "count": 1,
                                             "startIndex": 2}).json()

    assert page["totalResults"] == 3
    assert [r["userName"] for r in page["Resources"]] == ["bob.jones@example.com"]


def test_attributes_keep_only_the_listed(scim_client, directory):
    body = scim_client.get("/Users", params={"filter": 'userName sw "ana"',
                                             "attributes": f"userName,name.familyName,{ENTERPRISE}:department"}).json()

    resource = body["Resources"][0]
    assert set(resource) == {"schemas", "id", "userName", "name", ENTERPRISE}
    assert resource["name"] == {"familyName": "Silva"}
    assert resource[ENTERPRISE] == {"department": "Engineering"}


def test_excluded_attributes_drop_the_listed(scim_client, directory):
    response = scim_client.get(f"/Users/{directory['ana']['id']}",
                               params={"excludedAttributes": "emails,name.givenName,id,meta"})

    resource = response.json()
    assert "emails" not in resource
    assert "meta" not in resource
    assert resource["id"] == directory["ana"]["id"]
    assert resource["name"] == {"familyName": "Silva"}


def test_search_request_by_post(scim_client, directory, corpus):
    search = scim_example(corpus, "rfc7644-3.4.3-search_request")
    search["filter"] = 'displayName sw "cl"'

    response = scim_client.post("/Users/.search", json=search)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert body["totalResults"] == 1
    assert body["Resources"][0] == {"schemas": body["Resources"][0]["schemas"], "id": directory["cleo"]["id"],
                                    "displayName": "Cléo Smith", "userName": "cleo@partner.example.net"}


def test_search_request_with_invalid_filter(scim_client, directory):
    response = scim_client.post("/Users/.search", json={"filter": 'userName eq "x" or'})

    scim_error(response, 400, "invalidFilter")
