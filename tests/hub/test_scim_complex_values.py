"""SCIM complex attributes over real HTTP: sub-attribute checks on POST, PUT and PATCH, and partial updates."""

from __future__ import annotations

import pytest

from hub.models import ScimUser
from scim_support import (  # noqa: F401  (scim_client is a fixture)
    ENTERPRISE,
    GROUP_SCHEMA,
    USER_SCHEMA,
    create_user,
    scim_client,
    scim_error,
)

ANN_LEE = {"givenName": "Ann", "familyName": "Lee"}


def assert_unchanged(scim_client, user: dict) -> dict:
    """Assert that the stored User still has the version and name it had when created, and return it."""
    current = scim_client.get(f"/Users/{user['id']}").json()
    assert current["meta"]["version"] == user["meta"]["version"]
    assert current.get("name") == user.get("name")
    return current


# ---------------------------------------------------------------------------------------------------------
# PATCH of a singular complex attribute


@pytest.mark.parametrize("op", ["replace", "add"])
def test_patch_name_with_unknown_sub_attribute(scim_client, op):
    user = create_user(scim_client, "unknown.sub@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": op, "path": "name", "value": {"foo": 1}})

    body = scim_error(response, 400, "invalidValue")
    assert "'name'" in body["detail"]
    assert "'foo'" in body["detail"]
    assert_unchanged(scim_client, user)


@pytest.mark.parametrize("op", ["replace", "add"])
def test_patch_without_path_unknown_sub_attribute(scim_client, op):
    user = create_user(scim_client, "no.path@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": op, "value": {"name": {"foo": 1}}})

    body = scim_error(response, 400, "invalidValue")
    assert "'foo'" in body["detail"]
    assert_unchanged(scim_client, user)


def test_patch_unknown_sub_attribute_beside_known(scim_client):
    user = create_user(scim_client, "mixed.sub@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "replace", "path": "name", "value": {"givenName": "Bo", "nickname": "B"}})

    body = scim_error(response, 400, "invalidValue")
    assert "'nickname'" in body["detail"]
    assert_unchanged(scim_client, user)


def test_patch_extension_complex_unknown_sub_attribute(scim_client):
    user = create_user(scim_client, "manager.sub@example.com")

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "add", "path": f"{ENTERPRISE}:manager", "value": {"id": "abc"}})

    body = scim_error(response, 400, "invalidValue")
    assert "'manager'" in body["detail"]
    assert "'id'" in body["detail"]


def test_patch_sub_attribute_path_still_invalid_path(scim_client):
    user = create_user(scim_client, "sub.path@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "name.foo", "value": "x"})

    scim_error(response, 400, "invalidPath")


@pytest.mark.parametrize("op", ["replace", "add"])
def test_patch_name_leaves_unspecified_sub_attributes(scim_client, op):
    user = create_user(scim_client, "partial@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": op, "path": "name", "value": {"givenname": "Bo"}})

    assert response.status_code == 200, response.text
    assert response.json()["name"] == {"givenName": "Bo", "familyName": "Lee"}


def test_patch_name_null_sub_attribute_clears_only_it(scim_client):
    user = create_user(scim_client, "clear.one@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "replace", "path": "name", "value": {"givenName": None}})

    assert response.status_code == 200, response.text
    assert response.json()["name"] == {"familyName": "Lee"}


def test_patch_name_empty_object_changes_nothing(scim_client):
    user = create_user(scim_client, "empty.object@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "name", "value": {}})

    assert response.status_code == 200, response.text
    assert response.json()["name"] == ANN_LEE
    assert response.json()["meta"]["version"] == user["meta"]["version"]


def test_patch_name_null_value_removes_name(scim_client):
    user = create_user(scim_client, "null.name@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "name", "value": None})

    assert response.status_code == 200, response.text
    assert "name" not in response.json()


def test_patch_name_with_non_object_value(scim_client):
    user = create_user(scim_client, "string.name@example.com", name=ANN_LEE)

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "name", "value": "Ann Lee"})

    scim_error(response, 400, "invalidValue")
    assert_unchanged(scim_client, user)


# ---------------------------------------------------------------------------------------------------------
# POST and PUT


@pytest.mark.parametrize("attributes, named", [
    ({"name": {"foo": 1}}, "'foo'"),
    ({"name": {"givenName": "Ann", "foo": 1}}, "'foo'"),
    ({"emails": [{"val": "x@example.com"}]}, "'val'"),
    ({"emails": [{"value": "x@example.com", "kind": "work"}]}, "'kind'"),
    ({"addresses": [{"town": "Hollywood"}]}, "'town'"),
    ({ENTERPRISE: {"manager": {"name": "Boss"}}}, "'name'"),
])
def test_post_unknown_sub_attribute_is_invalid(scim_client, attributes, named):
    body = {"schemas": [USER_SCHEMA, ENTERPRISE], "userName": "sub.post@example.com", **attributes}

    response = scim_client.post("/Users", json=body)

    error = scim_error(response, 400, "invalidValue")
    assert named in error["detail"]
    assert scim_client.get("/Users").json()["totalResults"] == 0


@pytest.mark.parametrize("attribute, entry", [
    ("emails", {"type": "work"}),
    ("emails", {"value": None, "type": "work", "primary": True}),
    ("emails", {}),
    ("phoneNumbers", {"type": "mobile"}),
    ("roles", {"display": "Admin"}),
])
def test_post_multi_valued_entry_without_value(scim_client, attribute, entry):
    body = {"schemas": [USER_SCHEMA], "userName": "no.value@example.com",
            attribute: [{"value": "first", "type": "other"}, entry]}

    response = scim_client.post("/Users", json=body)

    error = scim_error(response, 400, "invalidValue")
    assert f"'{attribute}'" in error["detail"]
    assert "'value'" in error["detail"]


def test_put_unknown_sub_attribute_keeps_stored_user(scim_client):
    user = create_user(scim_client, "sub.put@example.com", name=ANN_LEE)

    response = scim_client.put(f"/Users/{user['id']}", json={
        "schemas": [USER_SCHEMA], "userName": "sub.put@example.com", "name": {"first": "Ann"}})

    error = scim_error(response, 400, "invalidValue")
    assert "'first'" in error["detail"]
    assert_unchanged(scim_client, user)


def test_put_entry_without_value_is_invalid(scim_client):
    user = create_user(scim_client, "put.value@example.com")

    response = scim_client.put(f"/Users/{user['id']}", json={
        "schemas": [USER_SCHEMA], "userName": "put.value@example.com", "phoneNumbers": [{"type": "work"}]})

    scim_error(response, 400, "invalidValue")


def test_unknown_top_level_attributes_ignored(scim_client):
    response = scim_client.post("/Users", json={
        "schemas": [USER_SCHEMA, "urn:example:custom:2.0:User"], "userName": "top.level@example.com",
        "shoeSize": 44, "urn:example:custom:2.0:User": {"badge": "7"}, "groups": [], "password": "secret",
        "name": {"givenName": "Ann"}, "emails": [{"value": "ann@example.com", "type": "work", "primary": True}]})

    assert response.status_code == 201, response.text
    user = response.json()
    assert "shoeSize" not in user
    assert "urn:example:custom:2.0:User" not in user
    assert user["name"] == {"givenName": "Ann"}
    assert user["emails"] == [{"value": "ann@example.com", "type": "work", "primary": True}]


def test_read_only_sub_attributes_ignored(scim_client):
    manager = create_user(scim_client, "boss@example.com")

    response = scim_client.post("/Users", json={
        "schemas": [USER_SCHEMA, ENTERPRISE], "userName": "report@example.com",
        ENTERPRISE: {"manager": {"value": manager["id"], "displayName": "Boss"}}})

    assert response.status_code == 201, response.text
    assert response.json()[ENTERPRISE]["manager"] == {"value": manager["id"]}


# ---------------------------------------------------------------------------------------------------------
# PATCH of multi-valued complex attributes


def test_patch_add_email_without_value(scim_client):
    user = create_user(scim_client, "add.novalue@example.com")

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "add", "path": "emails", "value": [{"type": "work", "primary": True}]})

    error = scim_error(response, 400, "invalidValue")
    assert "'value'" in error["detail"]


def test_patch_filter_creating_entry_without_value(scim_client):
    user = create_user(scim_client, "filter.novalue@example.com")

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "add", "path": 'emails[type eq "work"].display', "value": "Work"})

    error = scim_error(response, 400, "invalidValue")
    assert "'value'" in error["detail"]


def test_patch_replace_matched_entry_without_value(scim_client):
    user = create_user(scim_client, "replace.novalue@example.com",
                       emails=[{"value": "work@example.com", "type": "work"}])

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "replace", "path": 'emails[type eq "work"]', "value": {"type": "home"}})

    error = scim_error(response, 400, "invalidValue")
    assert "'value'" in error["detail"]


def test_patch_filtered_unknown_sub_attribute(scim_client):
    user = create_user(scim_client, "filter.unknown@example.com",
                       emails=[{"value": "work@example.com", "type": "work"}])

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "add", "path": 'emails[type eq "work"]', "value": {"label": "Work"}})

    error = scim_error(response, 400, "invalidValue")
    assert "'label'" in error["detail"]


@pytest.mark.parametrize("operation", [
    {"op": "remove", "path": 'phoneNumbers[type eq "work"].value'},
    {"op": "replace", "path": 'phoneNumbers[type eq "work"].value', "value": None},
])
def test_patch_clearing_value_removes_entry(scim_client, operation):
    user = create_user(scim_client, "clear.value@example.com", phoneNumbers=[
        {"value": "+1 555 0100", "type": "work"}, {"value": "+1 555 0199", "type": "mobile"}])

    response = scim_client.patch_ops(f"/Users/{user['id']}", operation)

    assert response.status_code == 200, response.text
    assert response.json()["phoneNumbers"] == [{"value": "+1 555 0199", "type": "mobile"}]


def test_patch_of_user_stored_with_valueless_entry(scim_client, runtime):
    user = create_user(scim_client, "stored.novalue@example.com",
                       emails=[{"value": "kept@example.com", "type": "work"}])
    with runtime.sessions.begin() as session:
        stored = session.get(ScimUser, user["id"])
        stored.resource = {**stored.resource, "emails": [*stored.resource["emails"], {"type": "home"}]}

    response = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "active", "value": False})

    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert response.json()["emails"] == [{"value": "kept@example.com", "type": "work"}]


# ---------------------------------------------------------------------------------------------------------
# Group members


def test_group_member_with_unknown_sub_attribute(scim_client):
    member = create_user(scim_client, "member@example.com")

    response = scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Team",
                                                 "members": [{"value": member["id"], "ref": "x"}]})

    error = scim_error(response, 400, "invalidValue")
    assert "'ref'" in error["detail"]


def test_group_member_without_value(scim_client):
    response = scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Team",
                                                 "members": [{"type": "User"}]})

    error = scim_error(response, 400, "invalidValue")
    assert "'value'" in error["detail"]


def test_group_member_display_ignored(scim_client):
    member = create_user(scim_client, "shown@example.com", displayName="Shown")

    response = scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Team",
                                                 "members": [{"value": member["id"], "display": "Other"}]})

    assert response.status_code == 201, response.text
    assert response.json()["members"][0]["display"] == "Shown"


# ---------------------------------------------------------------------------------------------------------
# Email values, which identity resolution matches on


@pytest.mark.parametrize("value", ["電" * 1000, "not an email", "ann@@example.com"],
                         ids=["1000 characters", "no at sign", "two at signs"])
def test_invalid_email_value_rejected(scim_client, value):
    body = {"schemas": [USER_SCHEMA], "userName": "ann.lee", "emails": [{"value": value, "type": "work"}]}

    response = scim_client.post("/Users", json=body)

    scim_error(response, 400, "invalidValue")
    assert "emails" in response.json()["detail"]
    assert scim_client.get("/Users", params={"filter": 'userName eq "ann.lee"'}).json()["totalResults"] == 0
