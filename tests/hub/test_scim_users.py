"""SCIM Users over real HTTP, driven the way Okta and Microsoft Entra ID provision, with RFC example payloads."""

from __future__ import annotations

from scim_support import (  # noqa: F401  (scim_client is a fixture)
    ENTERPRISE,
    USER_SCHEMA,
    create_user,
    new_resource,
    scim_client,
    scim_error,
    scim_example,
)


def person_of(people_client, user_id: str) -> dict:
    """Return the hub person with the SCIM User's id, with identifiers and employment records."""
    for summary in people_client.get("/api/v1/people").json()["data"]:
        person = people_client.get(f"/api/v1/people/{summary['id']}").json()
        if {"kind": "hris:scim", "value": user_id} in [
                {"kind": i["kind"], "value": i["value"]} for i in person["identifiers"]]:
            return person
    raise AssertionError(f"no person has SCIM User {user_id}")


def current_employment(person: dict) -> dict:
    current = [e for e in person["employments"] if e["valid_to"] is None]
    assert len(current) == 1, person["employments"]
    return current[0]


def test_okta_style_lifecycle(scim_client, make_client, corpus):
    people = make_client("people/read")
    body = new_resource(corpus, "rfc7643-8.3-enterprise_user")

    lookup = scim_client.get("/Users", params={"filter": f'userName eq "{body["userName"]}"'})
    assert lookup.status_code == 200
    assert lookup.json()["totalResults"] == 0

    created = scim_client.post("/Users", json=body)
    assert created.status_code == 201, created.text
    user = created.json()
    assert created.headers["Location"] == user["meta"]["location"]
    assert created.headers["ETag"] == user["meta"]["version"]
    assert created.headers["Content-Type"].startswith("application/scim+json")
    assert "password" not in user
    assert user["schemas"] == [USER_SCHEMA, ENTERPRISE]
    assert user["userName"] == "user001@example.com"
    assert user["externalId"] == "701984"
    assert user[ENTERPRISE]["department"] == "Tour Operations"
    assert user["meta"]["resourceType"] == "User"

    found = scim_client.get("/Users", params={"filter": 'userName eq "USER001@example.com"'}).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == user["id"]

    person = person_of(people, user["id"])
    assert person["display_name"] == "Nick001 Last001"
    assert person["origin"] == "hris"
    assert person["status"] == "active"
    employment = current_employment(person)
    assert employment["source"] == "scim"
    assert employment["job_title"] == "Tour Guide"
    assert employment["department"] == "Tour Operations"
    assert employment["manager_source_id"] == "26118915-6090-4610-87e4-49d8ca9f808d"
    assert employment["location"] == "Hollywood"
    assert employment["status"] == "active"
    kinds = {(i["kind"], i["value"]) for i in person["identifiers"]}
    assert ("email", "user001@example.com") in kinds
    assert ("email", "first001.last001@example.org") in kinds
    assert ("scim_username", "user001@example.com") in kinds
    assert ("scim_external_id", "701984") in kinds

    deactivated = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "value": {"active": False}})
    assert deactivated.status_code == 200, deactivated.text
    assert deactivated.json()["active"] is False
    assert deactivated.headers["ETag"] != created.headers["ETag"]
    person = person_of(people, user["id"])
    assert person["status"] == "inactive"
    assert current_employment(person)["status"] == "inactive"
    assert len(person["employments"]) == 2

    deleted = scim_client.delete(f"/Users/{user['id']}")
    assert deleted.status_code == 204
    scim_error(scim_client.get(f"/Users/{user['id']}"), 404)
    gone = scim_client.get("/Users", params={"filter": 'userName eq "user001@example.com"'}).json()
    assert gone["totalResults"] == 0

    person = person_of(people, user["id"])
    assert person["status"] == "terminated"
    assert current_employment(person)["status"] == "terminated"
    assert len(person["employments"]) == 3
    kinds = {i["kind"] for i in person["identifiers"]}
    assert "scim_username" not in kinds
    assert "email" in kinds


def test_user_name_is_free_after_delete(scim_client):
    first = create_user(scim_client, "reused@example.com")
    scim_client.delete(f"/Users/{first['id']}")

    second = scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "Reused@example.com"})

    assert second.status_code == 201, second.text
    assert second.json()["id"] != first["id"]


def test_entra_style_patch_operations(scim_client, make_client, corpus):
    people = make_client("people/read")
    manager = create_user(scim_client, "manager@example.com", displayName="Manager002")
    user = scim_client.post("/Users", json=new_resource(corpus, "rfc7644-3.3-user-post_request")).json()

    response = scim_client.patch_ops(
        f"/Users/{user['id']}",
        {"op": "Add", "path": 'emails[type eq "work"].value', "value": "first001@example.com"},
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Finance"},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": manager["id"]},
        {"op": "Replace", "path": "name.givenName", "value": "Firsty"},
        {"op": "Replace", "path": "title", "value": "Analyst"},
    )

    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["emails"] == [{"value": "first001@example.com", "type": "work"}]
    assert patched["active"] is False
    assert patched[ENTERPRISE] == {"department": "Finance", "manager": {"value": manager["id"]}}
    assert patched["name"]["givenName"] == "Firsty"
    assert patched["name"]["familyName"] == "Last001"
    assert ENTERPRISE in patched["schemas"]

    employment = current_employment(person_of(people, user["id"]))
    assert employment["department"] == "Finance"
    assert employment["manager_source_id"] == manager["id"]
    assert employment["job_title"] == "Analyst"
    assert employment["status"] == "inactive"


def test_put_replaces_every_attribute(scim_client, corpus):
    user = scim_client.post("/Users", json=new_resource(corpus, "rfc7644-3.3-user-post_request",
                                                        title="Tour Guide")).json()
    expected = scim_example(corpus, "rfc7644-3.5.1-user-put_response")

    put = new_resource(corpus, "rfc7644-3.5.1-user-put_request", id=user["id"])
    response = scim_client.put(f"/Users/{user['id']}", json=put)

    assert response.status_code == 200, response.text
    replaced = response.json()
    assert "title" not in replaced
    for name in ("userName", "externalId", "name", "emails"):
        assert replaced[name] == expected[name], name
    assert replaced["meta"]["version"] != user["meta"]["version"]


def test_put_with_unchanged_body_keeps_version(scim_client):
    user = create_user(scim_client, "same@example.com", displayName="Same")

    response = scim_client.put(f"/Users/{user['id']}", json={"schemas": [USER_SCHEMA], "userName": "same@example.com",
                                                             "displayName": "Same"})

    assert response.status_code == 200
    assert response.json()["meta"]["version"] == user["meta"]["version"]


def test_patch_examples_of_rfc_7644(scim_client, corpus):
    user = scim_client.post("/Users", json=new_resource(corpus, "rfc7643-8.3-enterprise_user")).json()
    url = f"/Users/{user['id']}"

    street = scim_client.patch(url, json=scim_example(corpus, "rfc7644-3.5.2.3-patch_op-replace_street_address"))
    assert street.status_code == 200, street.text
    work = [a for a in street.json()["addresses"] if a["type"] == "work"]
    assert work[0]["streetAddress"] == "1010 Broadway Ave"
    assert work[0]["locality"] == "Hollywood"

    address = scim_client.patch(url, json=scim_example(corpus, "rfc7644-3.5.2.3-patch_op-replace_user_work_address"))
    assert address.status_code == 200, address.text
    work = [a for a in address.json()["addresses"] if a["type"] == "work"]
    assert work == [scim_example(corpus, "rfc7644-3.5.2.3-patch_op-replace_user_work_address")
                    ["Operations"][0]["value"]]

    removed = scim_client.patch(url, json=scim_example(corpus, "rfc7644-3.5.2.2-patch_op-remove_multi_complex_value"))
    assert removed.status_code == 200, removed.text
    assert [e["value"] for e in removed.json()["emails"]] == ["first001.last001@example.org"]

    added = scim_client.patch(url, json=scim_example(corpus, "rfc7644-3.5.2.1-patch_op-add_emails"))
    assert added.status_code == 200, added.text
    assert added.json()["nickName"] == "Nick001"
    assert [e["value"] for e in added.json()["emails"]] == ["first001.last001@example.org"]

    replaced = scim_client.patch(url, json=scim_example(corpus, "rfc7644-3.5.2.3-patch_op-replace_all_email_values"))
    assert replaced.status_code == 200, replaced.text
    emails = replaced.json()["emails"]
    assert emails == scim_example(corpus, "rfc7644-3.5.2.3-patch_op-replace_all_email_values")[
        "Operations"][0]["value"]["emails"]


def test_patch_new_primary_clears_old_primary(scim_client):
    user = create_user(scim_client, "primary@example.com",
                       emails=[{"value": "old@example.com", "type": "work", "primary": True}])

    response = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "add", "path": "emails", "value": [{"value": "new@example.com", "type": "home", "primary": True}]})

    assert response.status_code == 200, response.text
    primaries = {e["value"]: e.get("primary") for e in response.json()["emails"]}
    assert primaries == {"old@example.com": False, "new@example.com": True}


def test_patch_that_fails_changes_nothing(scim_client):
    user = create_user(scim_client, "atomic@example.com", displayName="Before")

    response = scim_client.patch_ops(
        f"/Users/{user['id']}",
        {"op": "replace", "path": "displayName", "value": "After"},
        {"op": "remove", "path": 'emails[type eq "home"]'},
    )

    scim_error(response, 400, "noTarget")
    after = scim_client.get(f"/Users/{user['id']}").json()
    assert after["displayName"] == "Before"
    assert after["meta"]["version"] == user["meta"]["version"]


def test_patch_errors_carry_scim_types(scim_client):
    user = create_user(scim_client, "errors@example.com")
    url = f"/Users/{user['id']}"

    scim_error(scim_client.patch_ops(url, {"op": "replace", "path": "shoeSize", "value": 44}), 400, "invalidPath")
    scim_error(scim_client.patch_ops(url, {"op": "replace", "path": "emails[type eq", "value": "x"}), 400,
               "invalidPath")
    scim_error(scim_client.patch_ops(url, {"op": "add", "path": "groups", "value": [{"value": "g"}]}), 400,
               "mutability")
    scim_error(scim_client.patch_ops(url, {"op": "replace", "path": "id", "value": "other"}), 400, "mutability")
    scim_error(scim_client.patch_ops(url, {"op": "replace", "path": "active", "value": "maybe"}), 400,
               "invalidValue")
    scim_error(scim_client.patch_ops(url, {"op": "remove"}), 400, "noTarget")
    scim_error(scim_client.patch_ops(url, {"op": "move", "path": "title"}), 400, "invalidSyntax")
    scim_error(scim_client.patch_ops(url, {"op": "remove", "path": "userName"}), 400, "invalidValue")
    scim_error(scim_client.patch(url, json={"schemas": ["urn:example:wrong"], "Operations": []}), 400,
               "invalidSyntax")


def test_user_name_is_unique_ignoring_case(scim_client):
    create_user(scim_client, "taken@example.com")

    response = scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "TAKEN@example.com"})

    body = scim_error(response, 409, "uniqueness")
    assert "TAKEN@example.com" in body["detail"]


def test_rename_to_taken_user_name_conflicts(scim_client):
    create_user(scim_client, "first@example.com")
    second = create_user(scim_client, "second@example.com")

    response = scim_client.patch_ops(f"/Users/{second['id']}", {"op": "replace", "path": "userName",
                                                                "value": "First@example.com"})

    scim_error(response, 409, "uniqueness")


def test_invalid_user_bodies_are_rejected(scim_client):
    scim_error(scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "displayName": "No userName"}), 400,
               "invalidValue")
    scim_error(scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "x", "active": "yes"}), 400,
               "invalidValue")
    scim_error(scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "x", "emails": "a@b"}), 400,
               "invalidValue")
    scim_error(scim_client.post("/Users", json={"schemas": ["urn:example:other"], "userName": "x"}), 400,
               "invalidValue")
    scim_error(scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "nul\u0000"}), 400,
               "invalidValue")
    scim_error(scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "x" * 301}), 400,
               "invalidValue")
    scim_error(scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "\u0130" * 300}), 400,
               "invalidValue")
    scim_error(scim_client.post("/Users", json=["not", "an", "object"]), 400, "invalidSyntax")
    scim_error(scim_client.post("/Users", data="{broken", headers={"Content-Type": "application/scim+json"}), 400,
               "invalidSyntax")
    scim_error(scim_client.post("/Users", data="userName=x", headers={"Content-Type": "text/plain"}), 415)


def test_email_of_another_hr_person_is_a_conflict(scim_client, make_client):
    admin = make_client("people/admin", "people/write")
    csv = "employee_id,email,first_name,last_name\n40,shared@example.com,Ana,Silva\n"
    imported = admin.post("/api/v1/people/import", data=csv, headers={"Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text

    response = scim_client.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "other.login",
                                                "emails": [{"value": "Shared@example.com", "type": "work"}]})

    assert response.status_code == 201, response.text
    conflicts = admin.get("/api/v1/identity/conflicts").json()["data"]
    assert {(c["kind"], c["source"]) for c in conflicts} == {("email", "scim"), ("email_sha1", "scim")}
    assert all(c["source_id"] == response.json()["id"] for c in conflicts)


def test_patch_without_path_sets_extension_attributes(scim_client):
    user = create_user(scim_client, "extension@example.com")

    nested = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "replace", "value": {ENTERPRISE: {"department": "Legal", "employeeNumber": 77}, "id": "ignored"}})
    flat = scim_client.patch_ops(f"/Users/{user['id']}", {
        "op": "add", "value": {f"{ENTERPRISE}:costCenter": "4130", "userType": "Employee"}})
    removed = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "remove", "path": f"{ENTERPRISE}:department"})

    assert nested.status_code == 200, nested.text
    assert nested.json()[ENTERPRISE] == {"department": "Legal", "employeeNumber": "77"}
    assert nested.json()["id"] == user["id"]
    assert flat.json()[ENTERPRISE]["costCenter"] == "4130"
    assert flat.json()["userType"] == "Employee"
    assert removed.json()[ENTERPRISE] == {"employeeNumber": "77", "costCenter": "4130"}
