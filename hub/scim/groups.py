"""SCIM Groups: a displayName, an optional externalId and members that are SCIM Users or other Groups."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import ScimGroup, ScimGroupMember, ScimUser
from .errors import ScimError
from .filters import FilterSyntaxError, parse_filter
from .resources import ListParams, check_body_id, meta, scim_now
from .schema import GROUP_SCHEMA, GROUP_TYPE, normalize_resource
from .sql import FilterTranslator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Member:
    id: str
    type: str
    display: str | None


# ---------------------------------------------------------------------------------------------------------
# Writing


def create_group(session: Session, body) -> ScimGroup:
    resource = normalize_resource(body, GROUP_TYPE)
    now = scim_now()
    group = ScimGroup(id=str(uuid.uuid4()), version=1, created_at=now, updated_at=now)
    _save(session, group, resource)
    log.info("scim group created: group_id=%s members=%d", group.id, len(resource.get("members") or []))
    return group


def replace_group(session: Session, group: ScimGroup, body) -> ScimGroup:
    """Replace the Group's attributes with a PUT body. The caller has locked the Group and checked If-Match."""
    check_body_id(body, group.id)
    save_group(session, group, normalize_resource(body, GROUP_TYPE))
    return group


def save_group(session: Session, group: ScimGroup, resource: dict) -> None:
    """Store a changed resource as the group's new version; an unchanged one keeps its version."""
    if _same_group(resource, group_resource(session, group)):
        return
    group.version += 1
    group.updated_at = scim_now()
    _save(session, group, resource)
    log.info("scim group updated: group_id=%s version=%d", group.id, group.version)


def _same_group(new: dict, current: dict) -> bool:
    def members(resource: dict) -> set[str]:
        return {member["value"] for member in resource.get("members") or []}

    return (new.get("displayName") == current.get("displayName")
            and new.get("externalId") == current.get("externalId")
            and members(new) == members(current))


def delete_group(session: Session, group: ScimGroup) -> None:
    session.execute(delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id))
    session.execute(delete(ScimGroupMember).where(ScimGroupMember.member_id == group.id))
    session.delete(group)
    log.info("scim group deleted: group_id=%s", group.id)


def _save(session: Session, group: ScimGroup, resource: dict) -> None:
    group.display_name = resource["displayName"]
    group.external_id = resource.get("externalId")
    session.add(group)
    session.flush()

    wanted = _member_types(session, group.id, resource.get("members") or [])
    current = dict(session.execute(select(ScimGroupMember.member_id, ScimGroupMember.member_type)
                                   .where(ScimGroupMember.group_id == group.id)).all())
    removed = [member_id for member_id in current if member_id not in wanted]
    if removed:
        session.execute(delete(ScimGroupMember).where(ScimGroupMember.group_id == group.id,
                                                      ScimGroupMember.member_id.in_(removed)))
    for member_id, member_type in wanted.items():
        if member_id not in current:
            session.add(ScimGroupMember(group_id=group.id, member_id=member_id, member_type=member_type))
    session.flush()


def _member_types(session: Session, group_id: str, members: list[dict]) -> dict[str, str]:
    """Return each member id with its type, raising invalidValue for an id that is no User or Group."""
    ids = [member.get("value") for member in members]
    if any(not isinstance(member_id, str) or not member_id for member_id in ids):
        raise ScimError(400, "invalidValue", "each member needs a 'value' with the id of a User or Group")

    users = set(session.scalars(select(ScimUser.id).where(ScimUser.id.in_(ids), ScimUser.deleted_at.is_(None))))
    groups = set(session.scalars(select(ScimGroup.id).where(ScimGroup.id.in_(ids))))
    types = {}
    for member in members:
        member_id = member["value"]
        if member_id in users:
            found = "User"
        elif member_id in groups:
            found = "Group"
        else:
            raise ScimError(400, "invalidValue", f"member {member_id!r} is not the id of a User or Group")
        if member_id == group_id:
            raise ScimError(400, "invalidValue", "a group cannot be a member of itself")
        given = member.get("type")
        if given is not None and given.lower() != found.lower():
            raise ScimError(400, "invalidValue", f"member {member_id!r} is a {found}, not a {given}")
        types[member_id] = found
    return types


# ---------------------------------------------------------------------------------------------------------
# Reading


def get_group(session: Session, group_id: str, for_update: bool = False) -> ScimGroup:
    if len(group_id) > 36 or "\x00" in group_id:
        raise ScimError(404, None, f"Group {group_id} not found")
    query = select(ScimGroup).where(ScimGroup.id == group_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    group = session.scalar(query)
    if group is None:
        raise ScimError(404, None, f"Group {group_id} not found")
    return group


@dataclass
class GroupPage:
    total: int
    groups: list[ScimGroup]


def list_groups(session: Session, params: ListParams) -> GroupPage:
    condition = None
    if params.filter:
        try:
            expr = parse_filter(params.filter)
        except FilterSyntaxError as error:
            raise ScimError(400, "invalidFilter", f"invalid filter: {error}") from None
        condition = FilterTranslator("Group", session.get_bind().dialect.name).condition(expr)

    count_query = select(func.count()).select_from(ScimGroup)
    page_query = select(ScimGroup).order_by(ScimGroup.created_at, ScimGroup.id)
    if condition is not None:
        count_query, page_query = count_query.where(condition), page_query.where(condition)

    total = session.scalar(count_query)
    groups = []
    if params.count:
        groups = list(session.scalars(page_query.offset(params.start_index - 1).limit(params.count)))
    return GroupPage(total, groups)


def group_members(session: Session, group_id: str) -> list[Member]:
    """Return the members with the display name of each User or Group, in a stable order."""
    rows = session.execute(
        select(ScimGroupMember.member_id, ScimGroupMember.member_type, ScimUser.display_name, ScimUser.user_name,
               ScimGroup.display_name)
        .outerjoin(ScimUser, ScimUser.id == ScimGroupMember.member_id)
        .outerjoin(ScimGroup, ScimGroup.id == ScimGroupMember.member_id)
        .where(ScimGroupMember.group_id == group_id)
        .order_by(ScimGroupMember.member_id))
    return [Member(member_id, member_type, user_display or user_name or group_display)
            for member_id, member_type, user_display, user_name, group_display in rows]


def group_resource(session: Session, group: ScimGroup, members: list[Member] | None = None) -> dict:
    """Return the group's writable attributes, the form PATCH works on."""
    resource: dict = {"displayName": group.display_name}
    if group.external_id is not None:
        resource["externalId"] = group.external_id
    members = group_members(session, group.id) if members is None else members
    if members:
        resource["members"] = [{"value": member.id, "type": member.type} for member in members]
    return resource


def render_group(group: ScimGroup, base_url: str, members: list[Member] | None) -> dict:
    """Return the Group body. ``members`` None leaves them out, for excludedAttributes=members."""
    body = {"schemas": [GROUP_SCHEMA], "id": group.id}
    if group.external_id is not None:
        body["externalId"] = group.external_id
    body["displayName"] = group.display_name
    if members:
        body["members"] = [_render_member(member, base_url) for member in members]
    body["meta"] = meta("Group", f"{base_url}/Groups/{group.id}", group.created_at, group.updated_at,
                        group.version)
    return body


def _render_member(member: Member, base_url: str) -> dict:
    endpoint = "Users" if member.type == "User" else "Groups"
    rendered = {"value": member.id, "$ref": f"{base_url}/{endpoint}/{member.id}", "type": member.type}
    if member.display:
        rendered["display"] = member.display
    return rendered
