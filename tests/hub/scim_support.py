"""Helpers for the SCIM tests: an identity-provider client with a Bearer token, and the RFC example payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from hub.bootstrap import create_credential

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = "application/scim+json"


class ScimClient(requests.Session):
    """A client that talks to /scim/v2 the way Okta and Microsoft Entra ID do: Bearer token, scim+json."""

    def __init__(self, base_url: str, token: str | None):
        super().__init__()
        self.base_url = base_url
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"
        self.headers["Accept"] = SCIM_JSON

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        body = kwargs.pop("json", None)
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["headers"] = {"Content-Type": SCIM_JSON, **(kwargs.get("headers") or {})}
        return super().request(method, f"{self.base_url}/scim/v2{url}", *args, **kwargs)

    def patch_ops(self, url: str, *operations: dict, **kwargs) -> requests.Response:
        return self.patch(url, json={"schemas": [PATCH_OP], "Operations": list(operations)}, **kwargs)


@pytest.fixture
def scim_client(server_url, runtime, clean_db) -> ScimClient:
    body = create_credential(runtime, "identity provider", ["scim"])
    client = ScimClient(server_url, body["token"])
    client.credential = body
    return client


def scim_example(corpus: Path, name: str) -> dict:
    """Load an RFC 7643/7644 example from the corpus, such as "rfc7643-8.3-enterprise_user"."""
    return json.loads((corpus / "hris" / "scim" / f"{name}.json").read_text())


def new_resource(corpus: Path, name: str, **changes) -> dict:
    """Return an example as a client would POST it: without id and meta, with ``changes`` applied."""
    body = scim_example(corpus, name)
    body.pop("id", None)
    body.pop("meta", None)
    body.update(changes)
    return body


def create_user(client: ScimClient, user_name: str, **attributes) -> dict:
    body = {"schemas": [USER_SCHEMA], "userName": user_name, **attributes}
    response = client.post("/Users", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def scim_error(response: requests.Response, status: int, scim_type: str | None = None) -> dict:
    """Assert that a response is a SCIM error with the status and scimType, and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body
