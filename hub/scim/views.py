"""The SCIM 2.0 endpoints: Users, Groups and the discovery resources (RFC 7644 sections 3 and 4)."""

from __future__ import annotations

from typing import Callable, TypeVar

from flask import Response, current_app, request
from sqlalchemy.orm import Session

from ..auth import require_scope
from ..jsonutil import loads
from ..models import ScimGroup, ScimUser
from . import bp
from .errors import ScimError, scim_response
from .groups import (
    create_group,
    delete_group,
    get_group,
    group_members,
    group_resource,
    list_groups,
    render_group,
    replace_group,
    save_group,
)
from .patch import apply_patch
from .resources import ListParams, check_if_match, etag, list_params, list_response, project
from .schema import GROUP_TYPE, RESOURCE_TYPES, SCHEMAS, USER_TYPE
from .users import (
    create_user,
    delete_user,
    get_user,
    list_users,
    render_user,
    replace_user,
    save_patched_user,
    user_groups,
)

JSON_TYPES = ("application/scim+json", "application/json")

Resource = TypeVar("Resource", ScimUser, ScimGroup)

# Resources per list response when the client sends no "count" (RFC 7644 section 3.4.2.4 leaves it to us).
DEFAULT_COUNT = 100


def scim_scope(view):
    """Let through credentials with scope "scim" (or "all"), sent as Bearer token or HTTP Basic."""
    return require_scope("scim", allow_bearer=True)(view)


def _runtime():
    return current_app.extensions["skillwire"]


def _base_url() -> str:
    return f"{_runtime().settings.public_url}/scim/v2"


def _json_body():
    if request.mimetype and request.mimetype not in JSON_TYPES:
        raise ScimError(415, None, f"Content-Type '{request.content_type}' is not supported; "
                                   "send application/scim+json")
    data = request.get_data()
    try:
        return loads(data)
    except ValueError:
        raise ScimError(400, "invalidSyntax", "request body is not valid JSON") from None


def _list_params(values: dict) -> ListParams:
    settings = _runtime().settings
    return list_params(values, min(DEFAULT_COUNT, settings.max_page_size), settings.max_page_size)


def _single(body: dict, version: int, status: int = 200, location: str | None = None) -> Response:
    headers = {"ETag": etag(version)}
    if location:
        headers["Location"] = location
    return scim_response(body, status=status, headers=headers)


def _not_modified(version: int) -> bool:
    """Return whether If-None-Match names the current version, so a GET can return 304."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag(version).removeprefix("W/") in tags


def _locked(session: Session, load: Callable[..., Resource], resource_id: str) -> Resource:
    """Load a User or Group with a row lock for a write, and raise 412 unless If-Match, if sent, names its version."""
    resource = load(session, resource_id, for_update=True)
    check_if_match(request.headers.get("If-Match"), resource.version)
    return resource


# ---------------------------------------------------------------------------------------------------------
# Users


@bp.get("/Users")
@scim_scope
def list_users_view():
    return _search_users(_list_params(request.args.to_dict()))


@bp.post("/Users/.search")
@scim_scope
def search_users_view():
    body = _json_body()
    if not isinstance(body, dict):
        raise ScimError(400, "invalidSyntax", "a SearchRequest must be a JSON object")
    return _search_users(_list_params(body))


def _search_users(params: ListParams) -> Response:
    with _runtime().sessions() as session:
        page = list_users(session, params)
        groups = user_groups(session, [user.id for user in page.users])
        resources = [project(render_user(user, _base_url(), groups[user.id]), USER_TYPE, params.attributes,
                             params.excluded_attributes) for user in page.users]
    return scim_response(list_response(resources, page.total, params.start_index))


@bp.post("/Users")
@scim_scope
def create_user_view():
    body = _json_body()
    with _runtime().sessions.begin() as session:
        user = create_user(session, body)
        rendered = render_user(user, _base_url(), [])
    return _single(rendered, user.version, status=201, location=rendered["meta"]["location"])


@bp.get("/Users/<user_id>")
@scim_scope
def get_user_view(user_id: str):
    params = _list_params(request.args.to_dict())
    with _runtime().sessions() as session:
        user = get_user(session, user_id)
        if _not_modified(user.version):
            return Response(status=304, headers={"ETag": etag(user.version)})
        rendered = render_user(user, _base_url(), user_groups(session, [user.id])[user.id])
    return _single(project(rendered, USER_TYPE, params.attributes, params.excluded_attributes), user.version)


@bp.put("/Users/<user_id>")
@scim_scope
def replace_user_view(user_id: str):
    body = _json_body()
    with _runtime().sessions.begin() as session:
        user = replace_user(session, _locked(session, get_user, user_id), body)
        rendered = render_user(user, _base_url(), user_groups(session, [user.id])[user.id])
    return _single(rendered, user.version)


@bp.patch("/Users/<user_id>")
@scim_scope
def patch_user_view(user_id: str):
    body = _json_body()
    with _runtime().sessions.begin() as session:
        user = _locked(session, get_user, user_id)
        save_patched_user(session, user, apply_patch(user.resource, USER_TYPE, body))
        rendered = render_user(user, _base_url(), user_groups(session, [user.id])[user.id])
    return _single(rendered, user.version)


@bp.delete("/Users/<user_id>")
@scim_scope
def delete_user_view(user_id: str):
    with _runtime().sessions.begin() as session:
        delete_user(session, _locked(session, get_user, user_id))
    return Response(status=204)


# ---------------------------------------------------------------------------------------------------------
# Groups


@bp.get("/Groups")
@scim_scope
def list_groups_view():
    return _search_groups(_list_params(request.args.to_dict()))


@bp.post("/Groups/.search")
@scim_scope
def search_groups_view():
    body = _json_body()
    if not isinstance(body, dict):
        raise ScimError(400, "invalidSyntax", "a SearchRequest must be a JSON object")
    return _search_groups(_list_params(body))


def _search_groups(params: ListParams) -> Response:
    with _runtime().sessions() as session:
        page = list_groups(session, params)
        resources = [_rendered_group(session, group, params) for group in page.groups]
    return scim_response(list_response(resources, page.total, params.start_index))


def _rendered_group(session, group, params: ListParams) -> dict:
    """Render with members unless the projection leaves them out, which saves loading them."""
    wants_members = _wants_members(params)
    members = group_members(session, group.id) if wants_members else None
    return project(render_group(group, _base_url(), members), GROUP_TYPE, params.attributes,
                   params.excluded_attributes)


def _wants_members(params: ListParams) -> bool:
    if params.attributes:
        return any(name.lower().split(".")[0].rpartition(":")[2] == "members" for name in params.attributes)
    return not any(name.lower() == "members" for name in params.excluded_attributes or [])


@bp.post("/Groups")
@scim_scope
def create_group_view():
    body = _json_body()
    with _runtime().sessions.begin() as session:
        group = create_group(session, body)
        rendered = render_group(group, _base_url(), group_members(session, group.id))
    return _single(rendered, group.version, status=201, location=rendered["meta"]["location"])


@bp.get("/Groups/<group_id>")
@scim_scope
def get_group_view(group_id: str):
    params = _list_params(request.args.to_dict())
    with _runtime().sessions() as session:
        group = get_group(session, group_id)
        if _not_modified(group.version):
            return Response(status=304, headers={"ETag": etag(group.version)})
        rendered = _rendered_group(session, group, params)
    return _single(rendered, group.version)


@bp.put("/Groups/<group_id>")
@scim_scope
def replace_group_view(group_id: str):
    body = _json_body()
    with _runtime().sessions.begin() as session:
        group = replace_group(session, _locked(session, get_group, group_id), body)
        rendered = render_group(group, _base_url(), group_members(session, group.id))
    return _single(rendered, group.version)


@bp.patch("/Groups/<group_id>")
@scim_scope
def patch_group_view(group_id: str):
    body = _json_body()
    with _runtime().sessions.begin() as session:
        group = _locked(session, get_group, group_id)
        save_group(session, group, apply_patch(group_resource(session, group), GROUP_TYPE, body))
        rendered = render_group(group, _base_url(), group_members(session, group.id))
    return _single(rendered, group.version)


@bp.delete("/Groups/<group_id>")
@scim_scope
def delete_group_view(group_id: str):
    with _runtime().sessions.begin() as session:
        delete_group(session, _locked(session, get_group, group_id))
    return Response(status=204)


# ---------------------------------------------------------------------------------------------------------
# Discovery (RFC 7644 section 4)


@bp.get("/ServiceProviderConfig")
@scim_scope
def service_provider_config():
    base_url = _base_url()
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": _runtime().settings.max_page_size},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": True,
             "description": "A credential's token (skillwire credentials create --scope scim) as "
                            "Authorization: Bearer TOKEN",
             "specUri": "https://www.rfc-editor.org/info/rfc6750"},
            {"type": "httpbasic", "name": "HTTP Basic",
             "description": "A credential's key and secret as HTTP Basic user name and password",
             "specUri": "https://www.rfc-editor.org/info/rfc7617"},
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base_url}/ServiceProviderConfig"},
    }
    return scim_response(body)


@bp.get("/ResourceTypes")
@scim_scope
def list_resource_types():
    _reject_discovery_filter()
    resources = [resource_type.to_scim(_base_url()) for resource_type in RESOURCE_TYPES.values()]
    return scim_response(list_response(resources, len(resources), 1))


@bp.get("/ResourceTypes/<name>")
@scim_scope
def get_resource_type(name: str):
    resource_type = RESOURCE_TYPES.get(name)
    if resource_type is None:
        raise ScimError(404, None, f"ResourceType {name} not found; the hub serves {', '.join(RESOURCE_TYPES)}")
    return scim_response(resource_type.to_scim(_base_url()))


@bp.get("/Schemas")
@scim_scope
def list_schemas():
    _reject_discovery_filter()
    resources = [schema.to_scim(_base_url()) for schema in SCHEMAS.values()]
    return scim_response(list_response(resources, len(resources), 1))


@bp.get("/Schemas/<schema_id>")
@scim_scope
def get_schema(schema_id: str):
    schema = SCHEMAS.get(schema_id)
    if schema is None:
        raise ScimError(404, None, f"Schema {schema_id} not found")
    return scim_response(schema.to_scim(_base_url()))


def _reject_discovery_filter() -> None:
    # RFC 7644 section 4: a filter on the discovery endpoints gets 403.
    if "filter" in request.args:
        raise ScimError(403, None, "the discovery endpoints do not support filters")
