"""SCIM Groups over real HTTP: members, the RFC 7644 member PATCH examples, filters and projections."""

from __future__ import annotations

import json

import pytest

from scim_support import GROUP_SCHEMA, create_user, scim_client, scim_error, scim_example  # noqa: F401

# Member ids in the RFC examples, some shortened with "..." there, mapped to the Users each test creates.
RFC_MEMBER_IDS = {
    "nick": ["2819c223-7f76-453a-919d-413861904646", "2819c223...919d-413861904646",
             "2819c223-7f76-...413861904646"],
    "first002": ["08e1d05d...473d93df9210", "08e1d05d-121c-4561-8b96-473d93df9210"],
    "first004": ["902c246b-6245-4190-8e05-00816be7344a"],
}


@pytest.fixture
def people(scim_client) -> dict[str, dict]:
    return {
        "nick": create_user(scim_client, "user001@example.com", displayName="Nick001 Last001"),
        "first002": create_user(scim_client, "user002@example.com", displayName="First002 Last002"),
        "first004": create_user(scim_client, "user004@example.com"),
    }


def with_real_ids(example: dict, people: dict[str, dict]) -> dict:
    """Return an RFC example with its member ids replaced by the ids of the Users created here."""
    text = json.dumps(example)
    for name, ids in RFC_MEMBER_IDS.items():
        for rfc_id in ids:
            text = text.replace(rfc_id, people[name]["id"])
    return json.loads(text)


def member_ids(group: dict) -> set[str]:
    return {member["value"] for member in group.get("members", [])}


def create_rfc_group(client, corpus, people) -> dict:
    body = with_real_ids(scim_example(corpus, "rfc7643-8.4-group"), people)
    body.pop("id")
    body.pop("meta")
    response = client.post("/Groups", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_group_from_rfc_example(scim_client, corpus, people):
    group = create_rfc_group(scim_client, corpus, people)

    assert group["displayName"] == "Tour Guides"
    assert member_ids(group) == {people["nick"]["id"], people["first004"]["id"]}
    nick = next(m for m in group["members"] if m["value"] == people["nick"]["id"])
    assert nick["display"] == "Nick001 Last001"
    assert nick["type"] == "User"
    assert nick["$ref"].endswith(f"/Users/{people['nick']['id']}")
    user = scim_client.get(f"/Users/{people['nick']['id']}").json()
    assert user["groups"] == [{"value": group["id"], "$ref": group["meta"]["location"], "display": "Tour Guides",
                               "type": "direct"}]


@pytest.mark.parametrize("example, expected", [
    ("rfc7644-3.5.2.1-patch_op-add_members", {"nick", "first004"}),
    ("rfc7644-3.5.2.2-patch_op-remove_one_member", {"first004"}),
    ("rfc7644-3.5.2.2-patch_op-remove_all_members", set()),
    ("rfc7644-3.5.2.3-patch_op-replace_all_members", {"nick", "first002"}),
    ("rfc7644-3.5.2.2-patch_op-remove_and_add_one_member", {"first002", "first004"}),
])
def test_member_patch_examples(scim_client, corpus, people, example, expected):
    group = create_rfc_group(scim_client, corpus, people)

    response = scim_client.patch(f"/Groups/{group['id']}", json=with_real_ids(scim_example(corpus, example), people))

    assert response.status_code == 200, response.text
    assert member_ids(response.json()) == {people[name]["id"] for name in expected}
    stored = scim_client.get(f"/Groups/{group['id']}").json()
    assert member_ids(stored) == {people[name]["id"] for name in expected}


def test_entra_style_member_removal_by_value(scim_client, corpus, people):
    group = create_rfc_group(scim_client, corpus, people)

    response = scim_client.patch_ops(f"/Groups/{group['id']}", {
        "op": "Remove", "path": "members", "value": [{"value": people["nick"]["id"]}]})

    assert response.status_code == 200, response.text
    assert member_ids(response.json()) == {people["first004"]["id"]}


def test_removing_absent_member_is_no_target(scim_client, corpus, people):
    group = create_rfc_group(scim_client, corpus, people)

    response = scim_client.patch_ops(f"/Groups/{group['id']}", {
        "op": "remove", "path": f'members[value eq "{people["first002"]["id"]}"]'})

    scim_error(response, 400, "noTarget")


def test_unknown_member_is_invalid_value(scim_client, people):
    response = scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Ghosts",
                                                 "members": [{"value": "no-such-user"}]})

    body = scim_error(response, 400, "invalidValue")
    assert "no-such-user" in body["detail"]


def test_group_needs_display_name(scim_client):
    scim_error(scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA]}), 400, "invalidValue")


def test_groups_can_nest(scim_client, people):
    inner = scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Inner"}).json()

    outer = scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Outer",
                                              "members": [{"value": inner["id"], "type": "Group"}]})

    assert outer.status_code == 201, outer.text
    assert outer.json()["members"] == [{"value": inner["id"], "$ref": inner["meta"]["location"], "type": "Group",
                                        "display": "Inner"}]


def test_group_filters(scim_client, corpus, people):
    group = create_rfc_group(scim_client, corpus, people)
    scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Employees", "externalId": "E-1"})

    by_name = scim_client.get("/Groups", params={"filter": 'displayName eq "tour guides"'}).json()
    by_member = scim_client.get("/Groups", params={
        "filter": f'members[value eq "{people["first004"]["id"]}"]'}).json()
    by_member_value = scim_client.get("/Groups", params={
        "filter": f'members.value eq "{people["nick"]["id"]}" and displayName sw "Tour"'}).json()
    by_external = scim_client.get("/Groups", params={"filter": 'externalId eq "E-1"'}).json()

    assert [g["id"] for g in by_name["Resources"]] == [group["id"]]
    assert [g["id"] for g in by_member["Resources"]] == [group["id"]]
    assert [g["id"] for g in by_member_value["Resources"]] == [group["id"]]
    assert [g["displayName"] for g in by_external["Resources"]] == ["Employees"]
    scim_error(scim_client.get("/Groups", params={"filter": 'userName eq "x"'}), 400, "invalidFilter")


def test_excluded_members_are_left_out(scim_client, corpus, people):
    group = create_rfc_group(scim_client, corpus, people)

    listed = scim_client.get("/Groups", params={"excludedAttributes": "members"}).json()
    single = scim_client.get(f"/Groups/{group['id']}", params={"excludedAttributes": "members"}).json()
    only_name = scim_client.get(f"/Groups/{group['id']}", params={"attributes": "displayName"}).json()

    assert "members" not in listed["Resources"][0]
    assert "members" not in single
    assert set(only_name) == {"schemas", "id", "displayName"}


def test_deleted_user_leaves_the_group(scim_client, corpus, people):
    group = create_rfc_group(scim_client, corpus, people)

    scim_client.delete(f"/Users/{people['nick']['id']}")

    after = scim_client.get(f"/Groups/{group['id']}").json()
    assert member_ids(after) == {people["first004"]["id"]}
    assert after["meta"]["version"] != group["meta"]["version"]


def test_put_and_delete_group(scim_client, corpus, people):
    group = create_rfc_group(scim_client, corpus, people)

    put = scim_client.put(f"/Groups/{group['id']}", json={
        "schemas": [GROUP_SCHEMA], "displayName": "Senior Tour Guides",
        "members": [{"value": people["first002"]["id"]}]})
    deleted = scim_client.delete(f"/Groups/{group['id']}")

    assert put.status_code == 200, put.text
    assert put.json()["displayName"] == "Senior Tour Guides"
    assert member_ids(put.json()) == {people["first002"]["id"]}
    assert deleted.status_code == 204
    scim_error(scim_client.get(f"/Groups/{group['id']}"), 404)
    assert "groups" not in scim_client.get(f"/Users/{people['first002']['id']}").json()
