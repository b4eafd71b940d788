"""SCIM protocol behaviour over real HTTP: ETags, error bodies, discovery endpoints and authentication."""

from __future__ import annotations

import json

import pytest
import requests
from click.testing import CliRunner

from hub import runtime as runtime_module
from hub.cli import main
from scim_support import (  # noqa: F401  (scim_client is a fixture)
    ENTERPRISE,
    GROUP_SCHEMA,
    USER_SCHEMA,
    ScimClient,
    create_user,
    scim_client,
    scim_error,
    scim_example,
)


# ---------------------------------------------------------------------------------------------------------
# ETags


def test_etag_matches_meta_version(scim_client):
    user = create_user(scim_client, "etag@example.com")

    response = scim_client.get(f"/Users/{user['id']}")

    assert response.headers["ETag"] == user["meta"]["version"]
    assert response.headers["ETag"].startswith('W/"')


def test_stale_if_match_is_412(scim_client):
    user = create_user(scim_client, "stale@example.com")
    stale = user["meta"]["version"]
    scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "displayName", "value": "New"})
    body = {"schemas": [USER_SCHEMA], "userName": "stale@example.com"}

    put = scim_client.put(f"/Users/{user['id']}", json=body, headers={"If-Match": stale})
    patch = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "title", "value": "x"},
                                  headers={"If-Match": stale})
    delete = scim_client.delete(f"/Users/{user['id']}", headers={"If-Match": stale})

    scim_error(put, 412)
    scim_error(patch, 412)
    scim_error(delete, 412)
    assert scim_client.get(f"/Users/{user['id']}").json()["displayName"] == "New"


def test_current_if_match_succeeds(scim_client):
    user = create_user(scim_client, "current@example.com")

    patched = scim_client.patch_ops(f"/Users/{user['id']}", {"op": "replace", "path": "title", "value": "Lead"},
                                    headers={"If-Match": user["meta"]["version"]})
    put = scim_client.put(f"/Users/{user['id']}", json={"schemas": [USER_SCHEMA], "userName": "current@example.com"},
                          headers={"If-Match": f'"x", {patched.headers["ETag"]}'})
    deleted = scim_client.delete(f"/Users/{user['id']}", headers={"If-Match": "*"})

    assert patched.status_code == 200
    assert put.status_code == 200
    assert put.headers["ETag"] != patched.headers["ETag"]
    assert deleted.status_code == 204


def test_if_none_match_returns_304(scim_client):
    user = create_user(scim_client, "cached@example.com")

    unchanged = scim_client.get(f"/Users/{user['id']}", headers={"If-None-Match": user["meta"]["version"]})
    changed = scim_client.get(f"/Users/{user['id']}", headers={"If-None-Match": 'W/"999"'})

    assert unchanged.status_code == 304
    assert changed.status_code == 200


def test_group_if_match_is_checked(scim_client):
    group = scim_client.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Tour Guides"}).json()

    response = scim_client.put(f"/Groups/{group['id']}", json={"schemas": [GROUP_SCHEMA], "displayName": "Guides"},
                               headers={"If-Match": 'W/"7"'})

    scim_error(response, 412)


# ---------------------------------------------------------------------------------------------------------
# Error bodies


def test_not_found_body_has_the_rfc_shape(scim_client, corpus):
    example = scim_example(corpus, "rfc7644-3.12-error-not_found")

    response = scim_client.get("/Users/2819c223-7f76-453a-919d-413861904646")

    body = scim_error(response, 404)
    assert set(body) == set(example)
    assert body["detail"] == example["detail"].replace("Resource", "User")


def test_impossible_ids_are_not_found(scim_client):
    scim_error(scim_client.get("/Users/%00"), 404)
    scim_error(scim_client.get("/Groups/" + "x" * 100), 404)


def test_read_only_id_in_put_body_is_mutability(scim_client, corpus):
    user = create_user(scim_client, "readonly@example.com")
    example = scim_example(corpus, "rfc7644-3.12-error-bad_request")

    response = scim_client.put(f"/Users/{user['id']}", json={"schemas": [USER_SCHEMA], "id": "other",
                                                             "userName": "readonly@example.com"})

    body = scim_error(response, 400, example["scimType"])
    assert "'id' is read-only" in body["detail"]


def test_unknown_endpoint_method_is_405(scim_client):
    response = scim_client.post("/Users/some-id", json={})

    assert response.status_code == 405


# ---------------------------------------------------------------------------------------------------------
# Discovery


def test_service_provider_config(scim_client):
    response = scim_client.get("/ServiceProviderConfig")

    assert response.status_code == 200
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert body["patch"] == {"supported": True}
    assert body["etag"] == {"supported": True}
    assert body["filter"]["supported"] is True
    assert body["filter"]["maxResults"] > 0
    assert body["bulk"]["supported"] is False
    assert body["sort"] == {"supported": False}
    assert [scheme["type"] for scheme in body["authenticationSchemes"]] == ["oauthbearertoken", "httpbasic"]


def test_resource_types_match_the_rfc(scim_client, corpus):
    listed = scim_client.get("/ResourceTypes").json()
    user = scim_client.get("/ResourceTypes/User").json()
    expected = scim_example(corpus, "rfc7643-8.6-resource_type-user")

    assert listed["totalResults"] == 2
    assert {resource["id"] for resource in listed["Resources"]} == {"User", "Group"}
    for name in ("schemas", "id", "name", "endpoint", "schema"):
        assert user[name] == expected[name], name
    assert [ext["schema"] for ext in user["schemaExtensions"]] == [ENTERPRISE]
    scim_error(scim_client.get("/ResourceTypes/Printer"), 404)
    scim_error(scim_client.get("/ResourceTypes", params={"filter": 'id eq "User"'}), 403)


@pytest.mark.parametrize("urn, example", [
    (USER_SCHEMA, "rfc7643-8.7.1-schema-user"),
    (ENTERPRISE, "rfc7643-8.7.1-schema-enterprise_user"),
    (GROUP_SCHEMA, "rfc7643-8.7.1-schema-group"),
])
def test_schemas_define_the_rfc_attributes(scim_client, corpus, urn, example):
    schema = scim_client.get(f"/Schemas/{urn}").json()
    expected = scim_example(corpus, example)

    assert schema["id"] == expected["id"]
    ours = {attribute["name"]: attribute for attribute in schema["attributes"]}
    for attribute in expected["attributes"]:
        assert attribute["name"] in ours, attribute["name"]
        mine = ours[attribute["name"]]
        for characteristic in ("type", "multiValued", "mutability", "returned"):
            assert mine[characteristic] == attribute[characteristic], (attribute["name"], characteristic)
        expected_subs = {sub["name"] for sub in attribute.get("subAttributes", [])}
        assert expected_subs <= {sub["name"] for sub in mine.get("subAttributes", [])}, attribute["name"]


def test_schemas_list(scim_client):
    body = scim_client.get("/Schemas").json()

    assert body["totalResults"] == 3
    assert {schema["id"] for schema in body["Resources"]} == {USER_SCHEMA, ENTERPRISE, GROUP_SCHEMA}
    scim_error(scim_client.get("/Schemas/urn:example:unknown"), 404)


# ---------------------------------------------------------------------------------------------------------
# Authentication


def test_missing_credentials_are_401(server_url, clean_db):
    response = ScimClient(server_url, None).get("/Users")

    scim_error(response, 401)
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_wrong_token_is_401(server_url, scim_client):
    key = scim_client.credential["key"]

    response = ScimClient(server_url, f"{key}.not-the-secret").get("/Users")

    scim_error(response, 401)


def test_basic_auth_with_scim_scope_works(server_url, scim_client):
    client = ScimClient(server_url, None)
    client.auth = (scim_client.credential["key"], scim_client.credential["secret"])

    assert client.get("/Users").status_code == 200


def test_other_scopes_are_403(server_url, make_client):
    people = make_client("people/read", "people/write", "statements/write")
    client = ScimClient(server_url, None)
    client.auth = people.auth

    scim_error(client.get("/Users"), 403)


def test_scope_all_may_use_scim(server_url, make_client):
    client = ScimClient(server_url, None)
    client.auth = make_client("all").auth

    assert client.get("/Users").status_code == 200


def test_scim_token_is_not_accepted_elsewhere(server_url, scim_client):
    response = requests.get(f"{server_url}/api/v1/people", timeout=30,
                            headers={"Authorization": f"Bearer {scim_client.credential['token']}"})

    assert response.status_code == 401


@pytest.fixture
def cli(tmp_path):
    """Invoke the CLI on its own SQLite database, restoring the test server's runtime afterwards."""
    env = {"SKILLWIRE_INSTANCE_DIR": str(tmp_path), "SKILLWIRE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "SKILLWIRE_REDIS_URL": ""}
    runner = CliRunner()
    saved = runtime_module._current

    def invoke(*args):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    assert invoke("db", "upgrade").exit_code == 0
    yield invoke
    runtime_module.set_current(saved)


def test_credentials_create_prints_scim_token(cli):
    result = cli("credentials", "create", "--name", "okta", "--scope", "scim")

    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["scopes"] == ["scim"]
    assert body["token"] == f"{body['key']}.{body['secret']}"


def test_credentials_without_scim_have_no_token(cli):
    result = cli("credentials", "create", "--name", "lms", "--scope", "statements/write")

    assert "token" not in json.loads(result.output)
